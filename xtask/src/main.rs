//! Project automation, run as `cargo xtask <command>`.
//!
//! - `cargo xtask codegen`: regenerate every target crate from `specs/`.
//! - `cargo xtask codegen --check`: write nothing; fail with a diff when
//!   `generated/` is stale.
//! - `cargo xtask coverage [FILE]`: which fragment covers each operation of
//!   Meta's official spec.
//! - `cargo xtask bench`: how long codegen takes (median of runs, per stage);
//!   with `--build`, how long a generated crate takes to build from clean,
//!   with all features and with one area.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;

const USAGE: &str = "usage: cargo xtask codegen [--check]\n       cargo xtask coverage [REFERENCE.yaml]   (default: $WHATSAPP_OFFICIAL_SPEC)\n       cargo xtask bench [--runs N] [--build [--features F]...]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        ["coverage"] => return coverage(std::env::var("WHATSAPP_OFFICIAL_SPEC").ok()),
        ["coverage", file] => return coverage(Some(file.to_string())),
        ["bench", rest @ ..] => return bench::run(&root(), rest),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("error: unknown arguments {args:?}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match fragment_codegen::driver::run(&root(), check) {
        Ok(report) => {
            for t in &report.targets {
                println!("{t}");
                for w in &t.warnings {
                    eprintln!("warning: specs/{w}");
                }
            }
            if report.diffs.is_empty() {
                ExitCode::SUCCESS
            } else {
                for d in &report.diffs {
                    println!("{d}");
                }
                eprintln!(
                    "error: generated/ is stale ({} files differ); run `cargo xtask codegen`",
                    report.diffs.len()
                );
                ExitCode::FAILURE
            }
        }
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

/// Prints which fragment of `specs/whatsapp` covers each operation of the
/// reference; fails when one is not covered.
fn coverage(reference: Option<String>) -> ExitCode {
    let Some(reference) = reference else {
        eprintln!("error: name the reference file, or set WHATSAPP_OFFICIAL_SPEC\n{USAGE}");
        return ExitCode::FAILURE;
    };
    let run = || -> Result<fragment_codegen::coverage::Coverage, String> {
        let path = PathBuf::from(&reference);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("error: {reference}: {e}"))?;
        let name = path.file_name().map(PathBuf::from).unwrap_or_default();
        let official =
            fragment_codegen::load::parse(&name, &text).map_err(|e| format!("error: {e}"))?;
        let specs = root().join("specs");
        let ours = fragment_codegen::load::load_dir(&specs, Path::new("whatsapp"))
            .map_err(|e| format!("error: {e}"))?;
        Ok(fragment_codegen::coverage::coverage(&official, &ours))
    };
    match run() {
        Ok(c) => {
            print!("{}", c.table());
            if c.uncovered().is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
