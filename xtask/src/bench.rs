//! `cargo xtask bench`: the project's speed numbers, measured the same way
//! each time (speed targets live here, not in timed tests).
//!
//! - Codegen: every target generated in memory `--runs` times (default 10);
//!   the median, fastest and slowest total, and the median of each stage.
//! - Decode: the `decode-bench` binary of `tests/bench`, built in release
//!   mode, decodes the crate's documented webhook examples (in the member
//!   order of the live API and in alphabetical order) and response examples into
//!   the generated types, into `serde_json::Value` and, where it can, into
//!   the hand-written `whatsapp` crate, interleaved; the ratio of the
//!   medians is printed (above 1 means the generated types are faster).
//! - `--build` (module `build`): the crate-only `cargo check` and release
//!   build after `cargo clean -p`, interleaved with progenitor's crate for
//!   the same API (skipped, with the reason printed, when its recipe is
//!   absent) and a `--baseline` revision; the release rebuild of the
//!   `echo_bot` example after an edit.
//!
//! The results are written to `tests/bench/BENCHMARKS.md`, with the
//! machine's core count.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

mod build;
mod copy;
mod progenitor;

/// The parsed arguments.
struct Args {
    runs: Option<usize>,
    build: bool,
    features: Vec<String>,
    baseline: Option<String>,
}

fn parse(args: &[&str]) -> Result<Args, String> {
    let mut out = Args {
        runs: None,
        build: false,
        features: Vec::new(),
        baseline: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match *arg {
            "--runs" => {
                let n = it.next().ok_or("--runs needs a number")?;
                let n: usize = n
                    .parse()
                    .map_err(|_| format!("--runs: `{n}` is not a number"))?;
                if n == 0 {
                    return Err("--runs must be at least 1".into());
                }
                out.runs = Some(n);
            }
            "--build" => out.build = true,
            "--features" => {
                let f = it.next().ok_or("--features needs a feature list")?;
                out.features.push(f.to_string());
            }
            "--baseline" => {
                let rev = it.next().ok_or("--baseline needs a git revision")?;
                out.baseline = Some(rev.to_string());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if (!out.features.is_empty() || out.baseline.is_some()) && !out.build {
        return Err("--features and --baseline only apply with --build".into());
    }
    Ok(out)
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

pub fn run(root: &Path, args: &[&str]) -> ExitCode {
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{}", super::USAGE);
            return ExitCode::FAILURE;
        }
    };
    let mut report = Report::default();
    let result = (|| {
        codegen(root, args.runs.unwrap_or(10), &mut report)?;
        decode(root, args.runs.unwrap_or(15), &mut report)?;
        if args.build {
            let features = if args.features.is_empty() {
                vec!["messages".to_string()]
            } else {
                args.features.clone()
            };
            build::run(
                root,
                &target_dir(root),
                args.runs.unwrap_or(3),
                &features,
                args.baseline.as_deref(),
                &mut report,
            )?;
        }
        let path = root.join("tests/bench/BENCHMARKS.md");
        std::fs::write(&path, report.markdown(root))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        println!("results written to {}", path.display());
        Ok::<(), String>(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The measured rows, for `BENCHMARKS.md`: (section, rows of cells).
#[derive(Default)]
struct Report {
    codegen: Vec<[String; 4]>,
    decode: Vec<[String; 6]>,
    build: Vec<[String; 4]>,
    ratios: Vec<[String; 3]>,
    rebuild: Vec<[String; 2]>,
    build_note: String,
}

impl Report {
    fn markdown(&self, root: &Path) -> String {
        let cores = std::thread::available_parallelism().map_or(0, usize::from);
        let commit = Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let mut out = format!(
            "# Benchmarks\n\nWritten by `cargo xtask bench` (do not edit): measured at commit `{commit}` on a machine with {cores} cores. Numbers taken on a loaded machine vary; compare the ratios of one run, not numbers of different runs.\n"
        );
        let table = |out: &mut String, title: &str, head: &[&str], rows: &[Vec<String>]| {
            out.push_str(&format!(
                "\n## {title}\n\n| {} |\n|{}\n",
                head.join(" | "),
                "---|".repeat(head.len())
            ));
            for row in rows {
                out.push_str(&format!("| {} |\n", row.join(" | ")));
            }
        };
        table(
            &mut out,
            "Codegen (median of runs)",
            &["target", "total", "fastest", "slowest"],
            &self.codegen.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        );
        table(
            &mut out,
            "Decode, release build (median of runs; ratio above 1: the generated types are faster)",
            &[
                "set",
                "against",
                "payloads",
                "typed MB/s",
                "other MB/s",
                "typed / other",
            ],
            &self.decode.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        );
        if !self.build.is_empty() {
            table(
                &mut out,
                "Crate-only build after `cargo clean -p` (median of runs)",
                &["crate", "features", "cargo check", "release build"],
                &self.build.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            );
            if !self.ratios.is_empty() {
                table(
                    &mut out,
                    "Crate-only build, all features: ratio of medians (below 1: the generated crate builds faster)",
                    &["crates", "cargo check", "release build"],
                    &self.ratios.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
                );
            }
            if !self.rebuild.is_empty() {
                table(
                    &mut out,
                    "Release rebuild of `examples/echo_bot.rs` after an edit (median of runs)",
                    &["crate", "rebuild"],
                    &self.rebuild.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
                );
            }
            out.push_str(&format!("\n{}\n", self.build_note));
        }
        out
    }
}

fn codegen(root: &Path, runs: usize, report: &mut Report) -> Result<(), String> {
    let specs = root.join("specs");
    let config = fragment_codegen::config::Config::load(&specs.join("codegen.toml"))
        .map_err(|e| e.to_string())?;
    // A target may use the crates of the targets before it.
    let mut foreign = fragment_codegen::lower::Foreign::default();
    for target in &config.targets {
        let before = foreign.clone();
        let mut total = Vec::new();
        let (mut load, mut lower, mut emit) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            let start = Instant::now();
            foreign = before.clone();
            let output = fragment_codegen::generate_after(&specs, target, &mut foreign)
                .map_err(|e| e.to_string())?;
            total.push(start.elapsed());
            load.push(output.timings.load);
            lower.push(output.timings.lower);
            emit.push(output.timings.emit);
        }
        let fastest = total.iter().min().copied().unwrap_or_default();
        let slowest = total.iter().max().copied().unwrap_or_default();
        println!(
            "codegen {}: median {} over {runs} runs (fastest {}, slowest {}); stages (median): load {}, lower {}, emit {}",
            target.crate_name,
            ms(median(total.clone())),
            ms(fastest),
            ms(slowest),
            ms(median(load)),
            ms(median(lower)),
            ms(median(emit)),
        );
        report.codegen.push([
            target.crate_name.clone(),
            ms(median(total)),
            ms(fastest),
            ms(slowest),
        ]);
    }
    Ok(())
}

/// Builds and runs `decode-bench` (release), which prints one JSON array
/// of rows.
fn decode(root: &Path, runs: usize, report: &mut Report) -> Result<(), String> {
    cargo(
        root,
        &[
            "build",
            "-q",
            "--release",
            "-p",
            "codegen-bench",
            "--bin",
            "decode-bench",
        ],
    )?;
    let binary = target_dir(root).join("release/decode-bench");
    let out = Command::new(&binary)
        .args(["--runs", &runs.to_string(), "--iterations", "300"])
        .output()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    if !out.status.success() {
        return Err(format!(
            "decode-bench failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<DecodeRow> = serde_json::from_str(&text)
        .map_err(|e| format!("decode-bench printed something else than its rows: {e}"))?;
    for row in rows {
        println!(
            "decode {}: typed {:.0} MB/s, {} {:.0} MB/s: typed is {:.2}x {} ({} payloads, median of {runs} runs)",
            row.set,
            row.typed_mb_s,
            row.against,
            row.other_mb_s,
            row.ratio,
            row.against,
            row.payloads
        );
        report.decode.push([
            row.set,
            row.against,
            row.payloads.to_string(),
            format!("{:.0}", row.typed_mb_s),
            format!("{:.0}", row.other_mb_s),
            format!("{:.2}x", row.ratio),
        ]);
    }
    Ok(())
}

/// The repository's target folder.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// One row that `decode-bench` prints.
#[derive(serde::Deserialize)]
struct DecodeRow {
    set: String,
    against: String,
    payloads: usize,
    typed_mb_s: f64,
    other_mb_s: f64,
    ratio: f64,
}

/// Runs cargo in `dir` and returns how long it took, or its error output.
pub(crate) fn cargo(dir: &Path, args: &[&str]) -> Result<Duration, String> {
    let start = Instant::now();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cargo {}: {e}", args.join(" ")))?;
    if !out.status.success() {
        return Err(format!(
            "cargo {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(start.elapsed())
}
