//! Paths as a person would type them: relative to where they stand, when it is below there.

use std::path::Path;

/// `target/release/slide04-sync` rather than `/home/…/target/release/slide04-sync`.
pub fn shown(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_path_buf));
    relative.as_deref().unwrap_or(path).display().to_string()
}
