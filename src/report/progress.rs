//! Progress on a terminal: a bar (indicatif) with result lines printed above it; plain lines, one per
//! result, when stderr is not a terminal or `NO_COLOR` / `CI` is set.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Where result lines and progress go.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for `total` results if stderr is an interactive terminal, else plain lines.
    pub fn new(total: u64) -> Progress {
        let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
        let interactive = std::io::stderr().is_terminal() && !set("NO_COLOR") && !set("CI");
        let bar = interactive.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} cases  {elapsed}  {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress { bar }
    }

    /// Prints a line (above the bar, if there is one).
    pub fn line(&self, text: &str) {
        let text = text.trim_end();
        if text.is_empty() {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(text),
            None => println!("{text}"),
        }
    }

    /// One more result is known; `failed` counts it in the bar's message.
    pub fn inc(&self, failed: bool) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if failed {
                let n = bar
                    .message()
                    .split(' ')
                    .next()
                    .and_then(|n| n.parse::<u64>().ok());
                bar.set_message(format!("{} failed", n.unwrap_or(0) + 1));
            }
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
