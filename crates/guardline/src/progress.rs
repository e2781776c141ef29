//! The progress bar on stderr while collecting (drawn only when stderr is a terminal).

use guardline_collect::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// An indicatif bar counting finished service × region units.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(enabled: bool) -> Bar {
        let target = if enabled { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} collecting {pos}/{len} {wide_msg}")
                .expect("the template is valid"),
        );
        Bar { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn begin(&self, tasks: usize) {
        self.bar.set_length(tasks as u64);
    }

    fn done(&self, task: &str) {
        self.bar.inc(1);
        self.bar.set_message(task.to_owned());
    }
}
