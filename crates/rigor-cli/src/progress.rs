//! A byte progress bar on stderr that appears only once reading has taken more than a
//! second, so quick runs stay quiet and slow ones show they are alive.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Reading {
    bar: ProgressBar,
    started: Instant,
    shown: OnceLock<()>,
}

impl Reading {
    pub fn new(label: &str, total_bytes: u64) -> Reading {
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_string());
        Reading {
            bar,
            started: Instant::now(),
            shown: OnceLock::new(),
        }
    }

    /// Records `bytes` read so far.
    pub fn update(&self, bytes: u64) {
        if self.shown.get().is_none() && self.started.elapsed() > Duration::from_secs(1) {
            self.shown.get_or_init(|| {
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
            });
        }
        self.bar.set_position(bytes);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
