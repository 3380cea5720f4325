//! Running the user's command: its standard output and error streamed live to ours and
//! saved to files at the same time, its exit code, wall time, CPU time (user + system,
//! from `wait4`, so it counts every descendant the command waited for) and peak
//! resident memory. SIGINT and SIGTERM sent to rigor are forwarded to the command,
//! which decides how to stop; rigor waits for it and reports it as interrupted.
//!
//! The command stays in rigor's process group, so it keeps the terminal (it can read
//! from it) and a Ctrl-C typed there reaches it directly as well as through rigor.

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use wait4::Wait4;

use crate::error::{Error, Result};

/// How the command ended and what it used.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The exit code, when the command exited (rather than being killed by a signal).
    pub exit_code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    /// True when rigor received SIGINT or SIGTERM while the command ran.
    pub interrupted: bool,
    pub wall_seconds: f64,
    /// User + system CPU seconds of the command and the descendants it waited for.
    pub cpu_seconds: f64,
    /// Peak resident set size of the command (or its largest waited-for descendant).
    pub peak_rss_bytes: u64,
}

impl Outcome {
    /// The exit code rigor passes on: the command's, or 128 + the signal (as shells do).
    pub fn code(&self) -> i32 {
        match (self.exit_code, self.signal) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            (None, None) => 1,
        }
    }
}

/// Where the command's standard output is shown while it is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Echo {
    /// On rigor's stdout (as if the command ran alone).
    #[default]
    Stdout,
    /// On rigor's stderr, keeping rigor's stdout for its own result (`--format json`).
    Stderr,
}

/// Runs `argv` in `cwd` with `env` added to rigor's environment, copying its stdout and
/// stderr to ours and to `stdout_log` / `stderr_log`.
pub fn run(
    argv: &[String],
    cwd: &Path,
    env: &[(String, String)],
    stdout_log: &Path,
    stderr_log: &Path,
) -> Result<Outcome> {
    run_echo(argv, cwd, env, stdout_log, stderr_log, Echo::Stdout)
}

/// [`run`], showing the command's stdout where `echo` says.
pub fn run_echo(
    argv: &[String],
    cwd: &Path,
    env: &[(String, String)],
    stdout_log: &Path,
    stderr_log: &Path,
    echo: Echo,
) -> Result<Outcome> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Error::Input("no command to run (give it after --)".into()));
    };
    default_action().store(false, Ordering::SeqCst);
    let interrupt = Arc::new(AtomicBool::new(false));
    let terminate = Arc::new(AtomicBool::new(false));
    let hooks = [
        signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&interrupt)),
        signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&terminate)),
    ];
    let started = Instant::now();
    let spawned = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            unhook(hooks);
            return Err(match e.kind() {
                std::io::ErrorKind::NotFound => {
                    Error::Input(format!("command not found: {program}"))
                }
                std::io::ErrorKind::PermissionDenied => {
                    Error::Input(format!("{program}: permission denied"))
                }
                _ => Error::Io(format!("cannot start {program}: {e}")),
            });
        }
    };
    let pid = Pid::from_raw(child.id() as i32);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut tees = Vec::new();
    if let Some(out) = child.stdout.take() {
        tees.push(tee(
            out,
            match echo {
                Echo::Stdout => Box::new(std::io::stdout()),
                Echo::Stderr => Box::new(std::io::stderr()),
            },
            stdout_log,
            done_tx.clone(),
        )?);
    }
    if let Some(err) = child.stderr.take() {
        tees.push(tee(
            err,
            Box::new(std::io::stderr()),
            stderr_log,
            done_tx.clone(),
        )?);
    }
    drop(done_tx);
    let (wait_tx, wait_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = wait_tx.send(child.wait4());
    });
    let mut interrupted = false;
    let used = loop {
        match wait_rx.recv_timeout(Duration::from_millis(25)) {
            Ok(r) => break r.map_err(|e| Error::Io(format!("waiting for {program}: {e}")))?,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                unhook(hooks);
                return Err(Error::Io(format!("lost track of {program}")));
            }
        }
        for (flag, sig) in [(&interrupt, Signal::SIGINT), (&terminate, Signal::SIGTERM)] {
            if flag.swap(false, Ordering::SeqCst) {
                interrupted = true;
                let _ = kill(pid, sig);
            }
        }
    };
    let wall_seconds = started.elapsed().as_secs_f64();
    interrupted |= interrupt.load(Ordering::SeqCst) || terminate.load(Ordering::SeqCst);
    unhook(hooks);
    // The copies end when every writer has closed the pipes; a background process the
    // command left running may hold them open, so wait a little, not forever.
    let deadline = Instant::now() + Duration::from_secs(2);
    for _ in 0..tees.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if done_rx.recv_timeout(left).is_err() {
            break;
        }
    }
    let status = used.status;
    Ok(Outcome {
        exit_code: status.code(),
        signal: status.signal(),
        interrupted,
        wall_seconds,
        cpu_seconds: (used.rusage.utime + used.rusage.stime).as_secs_f64(),
        peak_rss_bytes: used.rusage.maxrss,
    })
}

/// Removes the forwarding hooks. A signal's disposition cannot be handed back once a
/// hook was installed, so Ctrl-C's default (terminate) is emulated from here on: after
/// the command, rigor stops on Ctrl-C as any program does.
fn unhook(hooks: [std::result::Result<signal_hook::SigId, std::io::Error>; 2]) {
    for id in hooks.into_iter().flatten() {
        signal_hook::low_level::unregister(id);
    }
    default_action().store(true, Ordering::SeqCst);
}

/// True when SIGINT/SIGTERM should act as by default (terminate rigor): between
/// commands. Installed once per process; false while a command runs.
fn default_action() -> &'static Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            let _ = signal_hook::flag::register_conditional_default(sig, Arc::clone(&flag));
        }
        flag
    })
}

/// Copies `from` to `to` and to the file `log` as bytes arrive; says `done` at the end.
fn tee(
    mut from: impl Read + Send + 'static,
    mut to: Box<dyn Write + Send>,
    log: &Path,
    done: mpsc::Sender<()>,
) -> Result<std::thread::JoinHandle<()>> {
    let mut file =
        std::fs::File::create(log).map_err(|e| Error::Io(format!("{}: {e}", log.display())))?;
    Ok(std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let _ = to.write_all(&buf[..n]);
                    let _ = to.flush();
                    let _ = file.write_all(&buf[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = file.flush();
        let _ = done.send(());
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> (Outcome, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let (o, e) = (dir.path().join("o"), dir.path().join("e"));
        let argv = vec!["sh".to_string(), "-c".to_string(), script.to_string()];
        let env = vec![("RIGOR_T".to_string(), "42".to_string())];
        let out = run(&argv, dir.path(), &env, &o, &e).unwrap();
        (
            out,
            std::fs::read_to_string(o).unwrap(),
            std::fs::read_to_string(e).unwrap(),
        )
    }

    #[test]
    fn output_exit_code_and_resources_are_captured() {
        let (o, out, err) = sh("echo out $RIGOR_T; echo err >&2; exit 3");
        assert_eq!((out.as_str(), err.as_str()), ("out 42\n", "err\n"));
        assert_eq!(o.exit_code, Some(3));
        assert_eq!(o.code(), 3);
        assert!(!o.interrupted);
        assert!(o.peak_rss_bytes > 0);
        assert!(o.wall_seconds > 0.0 && o.cpu_seconds >= 0.0);
    }

    #[test]
    fn a_signal_death_maps_to_128_plus_the_signal() {
        let (o, _, _) = sh("kill -TERM $$");
        assert_eq!((o.exit_code, o.signal), (None, Some(15)));
        assert_eq!(o.code(), 143);
    }

    #[test]
    fn a_missing_command_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let argv = vec!["rigor-no-such-command-xyz".to_string()];
        let e = run(
            &argv,
            dir.path(),
            &[],
            &dir.path().join("o"),
            &dir.path().join("e"),
        )
        .unwrap_err();
        assert!(e.is_bad_input());
        assert_eq!(
            e.to_string(),
            "command not found: rigor-no-such-command-xyz"
        );
    }
}
