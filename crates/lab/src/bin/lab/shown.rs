//! What the talk shows a person: the name its messages go by, the rule around each banner,
//! and paths as a person would type them.

use std::path::Path;

/// People start the talk as scripts/run-all.sh, and its messages have always said so.
pub const NAME: &str = "run-all.sh";

/// The line above and below each slide's banner.
pub const RULE: &str = "==================================================================";

/// `target/release/slide04-sync` rather than `/home/…/target/release/slide04-sync`.
pub fn shown(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_path_buf));
    relative.as_deref().unwrap_or(path).display().to_string()
}
