//! `cargo xtask bench`: the project's speed numbers, measured the same way
//! each time (speed targets live here, not in timed tests).
//!
//! - Codegen: every target generated in memory `--runs` times (default 10);
//!   the median, fastest and slowest total, and the median of each stage.
//! - Decode: the `decode-bench` binary of `tests/bench`, built in release
//!   mode, decodes the crate's documented webhook and response examples
//!   into the generated types and into `serde_json::Value`, interleaved;
//!   the ratio of the medians is printed (above 1 means typed is faster).
//! - `--build`: the WhatsApp crate copied to a temporary standalone
//!   workspace (with the runtime crate beside it and this repository's
//!   `Cargo.lock`); after one warm-up build of its dependencies, the crate
//!   alone is checked and release-built after `cargo clean -p`, `--runs`
//!   times (default 3), with all features and with only each `--features`
//!   set (default `messages`). With `--baseline REV`, the crate of that git
//!   revision is measured the same way, interleaved run by run, so load on
//!   the machine affects both alike.
//!
//! The results are written to `tests/bench/BENCHMARKS.md`, with the
//! machine's core count.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

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
            build(
                root,
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
            out.push_str(&format!("\n{}\n", self.build_note));
        }
        out
    }
}

fn codegen(root: &Path, runs: usize, report: &mut Report) -> Result<(), String> {
    let specs = root.join("specs");
    let config = fragment_codegen::config::Config::load(&specs.join("codegen.toml"))
        .map_err(|e| e.to_string())?;
    for target in &config.targets {
        let mut total = Vec::new();
        let (mut load, mut lower, mut emit) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            let start = Instant::now();
            let output = fragment_codegen::generate(&specs, target).map_err(|e| e.to_string())?;
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
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target.join("release/decode-bench");
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

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// A standalone copy of one revision of the WhatsApp crate (and the runtime
/// crate it depends on by path), laid out as in the repository.
struct Copy {
    label: String,
    krate: PathBuf,
}

impl Copy {
    /// Runs cargo on this copy, with its own target directory whatever
    /// `CARGO_TARGET_DIR` says.
    fn cargo(&self, args: &[&str]) -> Result<Duration, String> {
        let target = self.krate.join("target");
        let mut args = args.to_vec();
        let target = target.display().to_string();
        args.extend(["--target-dir", target.as_str()]);
        cargo(&self.krate, &args)
    }
}

const CRATE: &str = "generated/whatsapp-cloud-api";
const RUNTIME: &str = "generator/runtime";

/// Copies the working tree's crate (`rev` is `None`) or that of a git
/// revision into `dir`, as its own workspace.
fn prepare(root: &Path, dir: &Path, rev: Option<&str>) -> Result<Copy, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let git = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .map_err(|e| format!("git {}: {e}", args.join(" ")))?;
        if !out.status.success() {
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(out.stdout)
    };
    let (label, lock, workspace) = match rev {
        None => {
            copy_dir(&root.join(CRATE), &dir.join(CRATE))?;
            if root.join(RUNTIME).is_dir() {
                copy_dir(&root.join(RUNTIME), &dir.join(RUNTIME))?;
            }
            let lock =
                std::fs::read(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
            let workspace = std::fs::read_to_string(root.join("Cargo.toml"))
                .map_err(|e| format!("Cargo.toml: {e}"))?;
            ("working tree".to_string(), lock, workspace)
        }
        Some(rev) => {
            let short = String::from_utf8_lossy(&git(&["rev-parse", "--short", rev])?)
                .trim()
                .to_string();
            let mut paths = vec![CRATE];
            if git(&["cat-file", "-e", &format!("{rev}:{RUNTIME}")]).is_ok() {
                paths.push(RUNTIME);
            }
            let mut args = vec!["archive", "--format=tar", rev, "--"];
            args.extend(&paths);
            let tar = git(&args)?;
            let mut child = Command::new("tar")
                .args(["-x", "-C"])
                .arg(dir)
                .stdin(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| format!("tar: {e}"))?;
            {
                use std::io::Write as _;
                let mut stdin = child.stdin.take().ok_or("tar: no stdin")?;
                stdin.write_all(&tar).map_err(|e| format!("tar: {e}"))?;
            }
            let status = child.wait().map_err(|e| format!("tar: {e}"))?;
            if !status.success() {
                return Err(format!("tar could not unpack revision {rev}"));
            }
            let lock = git(&["show", &format!("{rev}:Cargo.lock")])?;
            let workspace = String::from_utf8_lossy(&git(&["show", &format!("{rev}:Cargo.toml")])?)
                .into_owned();
            (format!("{short} ({rev})"), lock, workspace)
        }
    };
    let krate = dir.join(CRATE);
    std::fs::write(krate.join("Cargo.lock"), lock).map_err(|e| format!("Cargo.lock: {e}"))?;
    // A workspace of its own: the repository's profile settings do not apply.
    let manifest = krate.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).map_err(|e| format!("{e}"))?;
    text.push_str("\n[workspace]\n");
    std::fs::write(&manifest, text).map_err(|e| format!("{e}"))?;
    // The runtime crate inherits package settings from the workspace it
    // lives in; outside it they are spelled out.
    let runtime = dir.join(RUNTIME).join("Cargo.toml");
    if runtime.is_file() {
        let package = workspace
            .parse::<toml::Table>()
            .map_err(|e| format!("Cargo.toml: {e}"))?
            .get("workspace")
            .and_then(|w| w.get("package"))
            .and_then(|p| p.as_table())
            .cloned()
            .unwrap_or_default();
        let text = std::fs::read_to_string(&runtime).map_err(|e| format!("{e}"))?;
        let mut out = String::new();
        for line in text.lines() {
            let inherited = line
                .strip_suffix(".workspace = true")
                .filter(|key| package.contains_key(*key));
            match inherited {
                Some(key) => out.push_str(&format!("{key} = {}\n", package[key])),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        std::fs::write(&runtime, out).map_err(|e| format!("{e}"))?;
    }
    Ok(Copy { label, krate })
}

fn lines_of(krate: &Path) -> usize {
    std::fs::read_dir(krate.join("src"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|t| t.lines().count())
        .sum()
}

fn build(
    root: &Path,
    runs: usize,
    features: &[String],
    baseline: Option<&str>,
    report: &mut Report,
) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
    let mut copies = vec![prepare(root, &dir.join("current"), None)?];
    if let Some(rev) = baseline {
        copies.push(prepare(root, &dir.join("baseline"), Some(rev))?);
    }
    let mut configs: Vec<(String, Vec<String>)> = vec![("all".into(), vec![])];
    for f in features {
        configs.push((
            f.clone(),
            vec![
                "--no-default-features".into(),
                "--features".into(),
                f.clone(),
            ],
        ));
    }
    // Dependencies once, so that the runs measure the crate alone.
    for copy in &copies {
        println!(
            "build {}: {} generated lines; building its dependencies once",
            copy.label,
            lines_of(&copy.krate)
        );
        for (_, extra) in &configs {
            for profile in [&["check", "-q"][..], &["build", "-q", "--release"][..]] {
                let mut args = profile.to_vec();
                args.extend(extra.iter().map(String::as_str));
                copy.cargo(&args)?;
            }
        }
    }
    // (copy, config) -> (check times, release times)
    let mut times = vec![vec![(Vec::new(), Vec::new()); configs.len()]; copies.len()];
    for run in 0..runs {
        for (c, (_, extra)) in configs.iter().enumerate() {
            for (k, copy) in copies.iter().enumerate() {
                let mut check = vec!["check", "-q"];
                check.extend(extra.iter().map(String::as_str));
                copy.cargo(&["clean", "-q", "-p", "whatsapp-cloud-api"])?;
                let checked = copy.cargo(&check)?;
                let mut release = vec!["build", "-q", "--release"];
                release.extend(extra.iter().map(String::as_str));
                copy.cargo(&["clean", "-q", "--release", "-p", "whatsapp-cloud-api"])?;
                let built = copy.cargo(&release)?;
                println!(
                    "  run {}: {} ({} features): check {:.1} s, release {:.1} s",
                    run + 1,
                    copy.label,
                    configs[c].0,
                    checked.as_secs_f64(),
                    built.as_secs_f64()
                );
                times[k][c].0.push(checked);
                times[k][c].1.push(built);
            }
        }
    }
    let s = |d: Duration| format!("{:.1} s", d.as_secs_f64());
    println!("crate-only build after `cargo clean -p`, median of {runs} runs:");
    for (k, copy) in copies.iter().enumerate() {
        for (c, (label, _)) in configs.iter().enumerate() {
            let (check, release) = (median(times[k][c].0.clone()), median(times[k][c].1.clone()));
            println!(
                "  {} ({label} features): cargo check {}, release build {}",
                copy.label,
                s(check),
                s(release)
            );
            report
                .build
                .push([copy.label.clone(), label.clone(), s(check), s(release)]);
        }
    }
    if copies.len() == 2 {
        for (c, (label, _)) in configs.iter().enumerate() {
            let ratio = |i: usize| {
                let pick = |k: usize| {
                    if i == 0 {
                        &times[k][c].0
                    } else {
                        &times[k][c].1
                    }
                };
                median(pick(0).clone()).as_secs_f64() / median(pick(1).clone()).as_secs_f64()
            };
            println!(
                "  {label} features: working tree / baseline: check {:.2}x, release {:.2}x (below 1: faster)",
                ratio(0),
                ratio(1)
            );
        }
    }
    report.build_note = format!(
        "Each run cleans the crate alone (`cargo clean -p whatsapp-cloud-api`) and builds it again; its dependencies, the runtime crate included, were built once before. Copies measured in the same run are interleaved run by run. {runs} runs."
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
