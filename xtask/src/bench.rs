//! `cargo xtask bench`: the project's speed numbers, measured the same way
//! each time (speed targets live here, not in timed tests).
//!
//! - Codegen: every target generated in memory `--runs` times (default 10);
//!   the median, fastest and slowest total, and the median of each stage.
//! - `--build`: the WhatsApp crate copied to a temporary standalone
//!   workspace (with this repository's `Cargo.lock`) and built from clean
//!   `--runs` times (default 3) with all features, then with only each
//!   `--features` set (default `messages`); the median wall time of each,
//!   dependencies included, as a downstream crate would see it.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// The parsed arguments.
struct Args {
    runs: Option<usize>,
    build: bool,
    features: Vec<String>,
}

fn parse(args: &[&str]) -> Result<Args, String> {
    let mut out = Args {
        runs: None,
        build: false,
        features: Vec::new(),
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
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if !out.features.is_empty() && !out.build {
        return Err("--features only applies with --build".into());
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
    if let Err(e) = codegen(root, args.runs.unwrap_or(10)) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    if args.build {
        let features = if args.features.is_empty() {
            vec!["messages".to_string()]
        } else {
            args.features.clone()
        };
        if let Err(e) = build(root, args.runs.unwrap_or(3), &features) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn codegen(root: &Path, runs: usize) -> Result<(), String> {
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
            ms(median(total)),
            ms(fastest),
            ms(slowest),
            ms(median(load)),
            ms(median(lower)),
            ms(median(emit)),
        );
    }
    Ok(())
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

fn build(root: &Path, runs: usize, features: &[String]) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
    let krate: PathBuf = dir.join("whatsapp-cloud-api");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root.join("generated/whatsapp-cloud-api"), &krate)?;
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    // A workspace of its own: the repository's profile settings do not apply.
    let manifest = krate.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).map_err(|e| format!("{e}"))?;
    text.push_str("\n[workspace]\n");
    std::fs::write(&manifest, text).map_err(|e| format!("{e}"))?;

    let mut configs: Vec<(String, Vec<String>)> = vec![("all features".into(), vec![])];
    for f in features {
        configs.push((
            format!("--features {f}"),
            vec![
                "--no-default-features".into(),
                "--features".into(),
                f.clone(),
            ],
        ));
    }
    let lines: usize = ["src"]
        .iter()
        .flat_map(|d| std::fs::read_dir(krate.join(d)).into_iter().flatten())
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|t| t.lines().count())
        .sum();
    println!(
        "build whatsapp-cloud-api ({lines} generated lines), clean each time, dependencies included:"
    );
    for (label, extra) in &configs {
        let mut times = Vec::new();
        for _ in 0..runs {
            let _ = std::fs::remove_dir_all(krate.join("target"));
            let mut args = vec!["build", "-q"];
            args.extend(extra.iter().map(String::as_str));
            times.push(cargo(&krate, &args)?);
        }
        let shown: Vec<String> = times
            .iter()
            .map(|t| format!("{:.1} s", t.as_secs_f64()))
            .collect();
        println!(
            "  {label}: median {:.1} s ({})",
            median(times.clone()).as_secs_f64(),
            shown.join(", ")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
