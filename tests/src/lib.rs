//! Helpers shared by the test files in `tests/tests/`.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The environment variable that makes golden tests rewrite their expected files.
pub const UPDATE_GOLDEN: &str = "UPDATE_GOLDEN";

/// Compares generated files with the files on disk below `dir`. Returns the
/// unified diffs of every difference (empty when all match). With
/// `UPDATE_GOLDEN=1` the expected files are rewritten instead.
pub fn compare_or_update(
    dir: &Path,
    files: &std::collections::BTreeMap<PathBuf, String>,
) -> Vec<String> {
    let update = std::env::var(UPDATE_GOLDEN).is_ok_and(|v| v == "1");
    let mut diffs = Vec::new();
    for (rel, content) in files {
        let path = dir.join(rel);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old == *content {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().expect("file paths have a parent"))
                .expect("create golden dir");
            std::fs::write(&path, content).expect("write golden file");
        } else {
            diffs.push(fragment_codegen::diff::unified(
                &rel.to_string_lossy(),
                &old,
                content,
            ));
        }
    }
    diffs
}

/// Says why a test did nothing, where `cargo test` shows it: straight to the
/// process's standard error, which the test harness does not capture (it
/// captures `println!` and `eprintln!` of passing tests).
pub fn print_skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {reason}");
}
