//! Progress bars for long work (index builds, training), one style for all.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps labelled `stage`, or a hidden one when `enabled` is false.
pub fn progress_bar(enabled: bool, len: u64, stage: &str) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let style = ProgressStyle::with_template(
        "{prefix:>8} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta}) {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(stage.to_string());
    bar
}
