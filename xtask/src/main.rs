//! Project automation, run as `cargo xtask <command>`.
//!
//! - `cargo xtask codegen`: regenerate every target crate from `specs/`.
//! - `cargo xtask codegen --check`: write nothing; fail with a diff when
//!   `generated/` is stale.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use fragment_codegen::config::Config;

const USAGE: &str = "usage: cargo xtask codegen [--check]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(format!("unknown arguments {args:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn codegen(check: bool) -> Result<(), String> {
    let root = root();
    let specs = root.join("specs");
    let config = Config::load(&specs.join("codegen.toml")).map_err(|e| format!("error: {e}"))?;

    // Generate every target in memory first: a broken spec writes nothing.
    let mut outputs = Vec::new();
    for target in &config.targets {
        let start = Instant::now();
        let output = fragment_codegen::generate(&specs, target).map_err(|e| {
            let mut text = String::new();
            let errs = e.spec_errors();
            if errs.is_empty() {
                text.push_str(&format!("error: {e}\n"));
            } else {
                for se in errs {
                    text.push_str(&format!("error: specs/{se}\n"));
                }
            }
            text.push_str(&format!(
                "codegen failed for target `{}`; nothing was written",
                target.name
            ));
            text
        })?;
        outputs.push((target, output, start.elapsed()));
    }

    let mut stale = Vec::new();
    for (target, output, elapsed) in &outputs {
        let mut changed = 0;
        for (path, content) in &output.files {
            let full = root.join(path);
            let old = std::fs::read_to_string(&full).unwrap_or_default();
            if old == *content {
                continue;
            }
            changed += 1;
            if check {
                stale.push(fragment_codegen::diff::unified(
                    &path.to_string_lossy(),
                    &old,
                    content,
                ));
            } else {
                if let Some(dir) = full.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("error: {}: {e}", dir.display()))?;
                }
                std::fs::write(&full, content)
                    .map_err(|e| format!("error: {}: {e}", full.display()))?;
            }
        }
        println!(
            "{}: {} operations, {} types, {} files ({} {}), {} ms",
            target.crate_name,
            output.operations,
            output.types,
            output.files.len(),
            changed,
            if check { "stale" } else { "written" },
            elapsed.as_millis()
        );
    }
    if check && !stale.is_empty() {
        return Err(format!(
            "{}\ngenerated/ is stale ({} files differ); run `cargo xtask codegen`",
            stale.join("\n"),
            stale.len()
        ));
    }
    Ok(())
}
