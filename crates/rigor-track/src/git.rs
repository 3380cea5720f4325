//! The code version of a working directory, read with the `git` command: commit,
//! branch, whether tracked files differ from the commit, and that difference as a
//! patch (`git diff HEAD --binary`) that `rigor repro` applies on a fresh checkout.
//! Untracked files are listed, not captured: a file git does not know is not part of
//! the code version.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// What git says about a working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// The repository's top-level directory.
    pub root: PathBuf,
    /// The working directory relative to `root` (`""` at the top), `/`-separated.
    pub subdir: String,
    /// `HEAD`'s commit, or `None` in a repository without commits.
    pub commit: Option<String>,
    /// The checked-out branch; `None` when `HEAD` is detached.
    pub branch: Option<String>,
    /// The `origin` remote's URL, when there is one.
    pub remote: Option<String>,
    /// Tracked files differ from `HEAD` (staged or not).
    pub dirty: bool,
    /// `git diff HEAD --binary`: empty when clean.
    pub diff: Vec<u8>,
    /// Untracked files that `.gitignore` does not exclude, relative to `root`.
    pub untracked: Vec<String>,
}

/// Runs `git ARGS` in `dir`; `Ok(None)` when git fails (not a repository, no commit).
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<Option<Vec<u8>>> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output();
    match out {
        Ok(o) if o.status.success() => Ok(Some(o.stdout)),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io(format!("running git: {e}"))),
    }
}

fn text(bytes: Option<Vec<u8>>) -> Option<String> {
    bytes
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The state of the repository holding `dir`; `None` outside a git repository (or
/// where git is not installed).
pub fn state(dir: &Path) -> Result<Option<GitState>> {
    let Some(root) = text(git(dir, &["rev-parse", "--show-toplevel"])?) else {
        return Ok(None);
    };
    let subdir = text(git(dir, &["rev-parse", "--show-prefix"])?)
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let commit = text(git(dir, &["rev-parse", "--verify", "--quiet", "HEAD"])?);
    let branch = text(git(dir, &["symbolic-ref", "--quiet", "--short", "HEAD"])?);
    let remote = text(git(dir, &["config", "--get", "remote.origin.url"])?);
    let root = PathBuf::from(root);
    let (dirty, diff) = if commit.is_some() {
        let diff = git(&root, &["diff", "HEAD", "--binary"])?.unwrap_or_default();
        (!diff.is_empty(), diff)
    } else {
        (true, Vec::new())
    };
    let untracked = git(&root, &["ls-files", "--others", "--exclude-standard", "-z"])?
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    Ok(Some(GitState {
        root,
        subdir,
        commit,
        branch,
        remote,
        dirty,
        diff,
        untracked,
    }))
}

/// A detached checkout of `commit` of the repository at `repo`, in `dest` (a new git
/// worktree), removed again by [`remove_worktree`].
pub fn add_worktree(repo: &Path, commit: &str, dest: &Path) -> Result<()> {
    let dest_s = dest.display().to_string();
    let out = Command::new("git")
        .args(["worktree", "add", "--detach", "--quiet", &dest_s, commit])
        .current_dir(repo)
        .output()
        .map_err(|e| Error::Io(format!("running git: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::Input(format!(
            "cannot check out commit {commit}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Removes a worktree made by [`add_worktree`] (and forgets it in the repository).
pub fn remove_worktree(repo: &Path, dest: &Path) {
    let dest_s = dest.display().to_string();
    let _ = git(repo, &["worktree", "remove", "--force", &dest_s]);
    let _ = std::fs::remove_dir_all(dest);
    let _ = git(repo, &["worktree", "prune"]);
}

/// Applies a `git diff --binary` patch to the worktree at `dir`; the error says why
/// it does not apply.
pub fn apply(dir: &Path, patch: &Path) -> Result<()> {
    let patch_s = patch.display().to_string();
    let out = Command::new("git")
        .args(["apply", "--binary", "--whitespace=nowarn", &patch_s])
        .current_dir(dir)
        .output()
        .map_err(|e| Error::Io(format!("running git: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::Input(
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("git apply failed")
                .to_string(),
        ))
    }
}

/// True when `repo` holds `commit`.
pub fn has_commit(repo: &Path, commit: &str) -> bool {
    matches!(
        git(repo, &["cat-file", "-e", &format!("{commit}^{{commit}}")]),
        Ok(Some(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .args(["-c", "user.email=t@t", "-c", "user.name=t"])
            .args(args)
            .current_dir(dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn state_of_a_repository_clean_then_dirty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(state(dir.path()).unwrap().is_none());
        sh(dir.path(), &["init", "-q", "-b", "main"]);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "one\n").unwrap();
        sh(dir.path(), &["add", "."]);
        sh(dir.path(), &["commit", "-q", "-m", "first"]);
        let s = state(&dir.path().join("sub")).unwrap().unwrap();
        assert_eq!(s.subdir, "sub");
        assert_eq!(s.branch.as_deref(), Some("main"));
        assert_eq!(s.commit.as_ref().map(String::len), Some(40));
        assert!(!s.dirty && s.diff.is_empty());
        std::fs::write(dir.path().join("sub/a.txt"), "two\n").unwrap();
        std::fs::write(dir.path().join("new.txt"), "x").unwrap();
        let s = state(dir.path()).unwrap().unwrap();
        assert!(s.dirty);
        assert!(String::from_utf8_lossy(&s.diff).contains("+two"));
        assert_eq!(s.untracked, vec!["new.txt".to_string()]);

        // The diff applies on a fresh checkout of the commit.
        let patch = dir.path().join("p.diff");
        std::fs::write(&patch, &s.diff).unwrap();
        let wt = tempfile::tempdir().unwrap();
        let dest = wt.path().join("w");
        add_worktree(dir.path(), s.commit.as_deref().unwrap(), &dest).unwrap();
        apply(&dest, &patch).unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.join("sub/a.txt")).unwrap(),
            "two\n"
        );
        // Applying twice fails with git's reason.
        assert!(apply(&dest, &patch).is_err());
        remove_worktree(dir.path(), &dest);
        assert!(!dest.exists());
    }
}
