//! Project automation, run as `cargo xtask <command>`.
//!
//! - `cargo xtask codegen`: regenerate every target crate from `specs/`.
//! - `cargo xtask codegen --check`: write nothing; fail with a diff when
//!   `generated/` is stale.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]";

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
