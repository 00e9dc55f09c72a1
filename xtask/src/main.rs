//! Project automation, run as `cargo xtask <command>`.
//!
//! - `cargo xtask codegen`: regenerate every target crate from `specs/`.
//! - `cargo xtask codegen --check`: write nothing; fail with a diff when
//!   `generated/` is stale.
//! - `cargo xtask api-diff OLD NEW [--json]`: what changed between two
//!   versions of an API (spec files, fragment directories or `api.json`
//!   snapshots), classified as breaking or not, with the semver bump. With
//!   the target's fragments as OLD, the differences its baseline accepts
//!   are left out (`--accept` writes the baseline, `--no-baseline` shows
//!   everything); `--breaking` and `--additions` show only those.
//! - `cargo xtask coverage [FILE]`: which fragment covers each operation of
//!   Meta's official spec.
//! - `cargo xtask check-features`: every area feature of every generated
//!   crate compiles on its own (and with none at all).
//! - `cargo xtask generate SPEC --out DIR`: a standalone client crate for
//!   any OpenAPI document, degrading what cannot be expressed (warnings and
//!   skipped counts printed) unless `--strict`.
//! - `cargo xtask bench`: how long codegen takes (median of runs, per stage)
//!   and how fast the WhatsApp crate decodes its examples against
//!   `serde_json::Value`; with `--build`, how long the crate alone takes to
//!   check and build after `cargo clean -p`, with all features and with one
//!   area, optionally against a `--baseline` revision in the same run.
//!   Writes `tests/bench/BENCHMARKS.md`.
//! - `cargo xtask fuzz [--runs N]`: mutates the project's fragments and
//!   checks that loading, lowering and emitting never panic.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;
mod fuzz;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: cargo xtask codegen [--check]\n       cargo xtask api-diff OLD NEW [--json] [--target NAME] [--accept | --no-baseline] [--breaking | --additions]   (each a spec file, a fragment directory or an api.json)\n       cargo xtask coverage [REFERENCE.yaml]   (default: $WHATSAPP_OFFICIAL_SPEC)\n       cargo xtask check-features\n       cargo xtask generate SPEC --out DIR [--name CRATE] [--strict] [--runtime-path DIR | --runtime-git URL | --runtime-registry]   (see `cargo xtask generate --help`)\n       cargo xtask bench [--runs N] [--build [--features F]... [--baseline REV]]\n       cargo xtask fuzz [--runs N] [--seed S] [--emit-every K]";

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
        ["fuzz", rest @ ..] => return fuzz::run(&root(), rest),
        ["api-diff", rest @ ..] => return api_diff(&root(), rest),
        ["check-features"] => return check_features(&root()),
        ["generate", rest @ ..] => return generate(&root(), rest),
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
                // What the regeneration changes in the crate's API, against
                // the checked-in `api.json`.
                if let Some(changes) = t.api_changes.as_ref().filter(|c| !c.is_empty()) {
                    print!(
                        "{}",
                        indent(&changes.to_text(&format!("API changes of {}", t.crate_name)))
                    );
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

const GENERATE_HELP: &str = "cargo xtask generate SPEC --out DIR [OPTIONS]

Writes a client crate for any OpenAPI 3.0 or 3.1 document.

  SPEC                  the document (YAML or JSON; files its `$ref`s name are
                        read too), or a directory of fragments
  --out DIR             where the crate is written (a workspace of its own)
  --name CRATE          the package name (default: from `info.title`)
  --strict              refuse what the generator cannot express, instead of
                        degrading it with a located warning
  --runtime-path DIR    take the runtime crate from DIR, named relative to the
                        crate (default: this checkout's `generator/runtime`)
  --runtime-git URL     take the runtime crate from a git repository
  --runtime-registry    take the runtime crate from the registry, by version
  -h, --help            print this help";

/// `cargo xtask generate SPEC --out DIR [--name CRATE] [--strict]
/// [--runtime-path DIR | --runtime-git URL | --runtime-registry]`.
fn generate(root: &Path, args: &[&str]) -> ExitCode {
    let (mut spec, mut out, mut name, mut strict) = (None, None, None, false);
    let default_runtime = root.join("generator/runtime");
    let mut runtime_dir = None;
    let mut runtime = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "-h" | "--help" => {
                println!("{GENERATE_HELP}");
                return ExitCode::SUCCESS;
            }
            "--out" | "--name" | "--runtime-path" | "--runtime-git" => {
                let Some(value) = rest.next() else {
                    eprintln!("error: `{arg}` needs a value\n\n{GENERATE_HELP}");
                    return ExitCode::FAILURE;
                };
                match *arg {
                    "--out" => out = Some(PathBuf::from(value)),
                    "--name" => name = Some(*value),
                    "--runtime-path" => runtime_dir = Some(PathBuf::from(value)),
                    _ => runtime = Some(fragment_codegen::standalone::Runtime::Git(value)),
                }
            }
            "--runtime-registry" => runtime = Some(fragment_codegen::standalone::Runtime::Registry),
            "--strict" => strict = true,
            other if other.starts_with("--") => {
                eprintln!("error: unknown option `{other}`\n\n{GENERATE_HELP}");
                return ExitCode::FAILURE;
            }
            other if spec.is_none() => spec = Some(PathBuf::from(other)),
            other => {
                eprintln!("error: unexpected argument `{other}`\n\n{GENERATE_HELP}");
                return ExitCode::FAILURE;
            }
        }
    }
    let (Some(spec), Some(out)) = (spec, out) else {
        eprintln!("error: `generate` needs a SPEC and `--out DIR`\n\n{GENERATE_HELP}");
        return ExitCode::FAILURE;
    };
    let runtime_dir = runtime_dir.unwrap_or(default_runtime);
    let request = fragment_codegen::standalone::Request {
        spec: &spec,
        out: &out,
        name,
        strict,
        runtime: runtime.unwrap_or(fragment_codegen::standalone::Runtime::Path(&runtime_dir)),
    };
    match fragment_codegen::standalone::generate(&request) {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            println!("{report}");
            println!("written to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Indents every line by two spaces.
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// `cargo xtask api-diff OLD NEW [--json] [--target NAME] [--accept |
/// --no-baseline] [--breaking | --additions]`.
fn api_diff(root: &Path, args: &[&str]) -> ExitCode {
    use fragment_codegen::api_diff::text::Only;
    use fragment_codegen::driver::BaselineUse;
    let mut json = false;
    let mut target_name: Option<&str> = None;
    let mut baseline = BaselineUse::Apply;
    let mut only = Only::All;
    let mut sides: Vec<PathBuf> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--json" => json = true,
            "--accept" => baseline = BaselineUse::Accept,
            "--no-baseline" => baseline = BaselineUse::Ignore,
            "--breaking" => only = Only::Breaking,
            "--additions" => only = Only::Additions,
            "--target" => match rest.next() {
                Some(name) => target_name = Some(name),
                None => {
                    eprintln!("error: `--target` needs a target name\n{USAGE}");
                    return ExitCode::FAILURE;
                }
            },
            other if other.starts_with("--") => {
                eprintln!("error: unknown option `{other}`\n{USAGE}");
                return ExitCode::FAILURE;
            }
            path => sides.push(PathBuf::from(path)),
        }
    }
    let [old, new] = sides.as_slice() else {
        eprintln!("error: api-diff takes two inputs, OLD and NEW\n{USAGE}");
        return ExitCode::FAILURE;
    };
    match fragment_codegen::driver::api_diff_with(root, old, new, target_name, baseline) {
        Ok((title, report, warnings)) => {
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            if json {
                print!("{}", report.to_json());
            } else {
                print!("{}", report.to_text_only(&title, only));
            }
            if baseline == BaselineUse::Accept {
                eprintln!(
                    "wrote the differences above to the baseline beside the fragments; later comparisons leave them out"
                );
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
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
        // A published document, read as `generate` reads one: what the
        // generator cannot express is a warning, not an error.
        let (official, warnings) =
            fragment_codegen::load::parse_with(&name, &text, fragment_codegen::load::Mode::Lenient)
                .map_err(|e| format!("error: {e}"))?;
        for w in &warnings {
            eprintln!("warning: {w}");
        }
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

/// Runs `cargo check` on each generated crate with area features: with no
/// feature, then with each feature alone. Any configuration must compile.
fn check_features(root: &Path) -> ExitCode {
    let run = || -> Result<(), String> {
        let config = fragment_codegen::config::Config::load(&root.join("specs/codegen.toml"))
            .map_err(|e| e.to_string())?;
        for target in config.targets.iter().filter(|t| t.area_features) {
            let manifest = root.join(&target.output).join("Cargo.toml");
            let text = std::fs::read_to_string(&manifest)
                .map_err(|e| format!("{}: {e}", manifest.display()))?;
            let features = fragment_codegen::features_of_manifest(&text)
                .map_err(|e| format!("{}: {e}", manifest.display()))?;
            let mut configs = vec![String::new()];
            configs.extend(features);
            for feature in &configs {
                let mut args = vec![
                    "check",
                    "-q",
                    "-p",
                    target.crate_name.as_str(),
                    "--no-default-features",
                ];
                if !feature.is_empty() {
                    args.extend(["--features", feature.as_str()]);
                }
                let label = if feature.is_empty() {
                    "(no feature)"
                } else {
                    feature
                };
                let took = bench::cargo(root, &args).map_err(|e| {
                    format!("{} with {label} does not compile: {e}", target.crate_name)
                })?;
                println!(
                    "{} {label}: ok ({:.1} s)",
                    target.crate_name,
                    took.as_secs_f64()
                );
            }
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
