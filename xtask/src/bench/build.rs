//! `cargo xtask bench --build`: what the WhatsApp crate costs its users to
//! build. The crate is copied to a standalone workspace (the runtime crate
//! beside it, this repository's `Cargo.lock`), its dependencies are built
//! once, and then, `runs` times, interleaved run by run with progenitor's
//! crate for the same API and with a `--baseline` revision when asked:
//!
//! - the crate alone checked and release-built after `cargo clean -p`,
//!   with all features and with each `--features` set;
//! - the release rebuild of the `echo_bot` example after an edit of it
//!   (its modification time set to now), all features.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Report, cargo, median, progenitor};

/// One crate measured: a workspace of its own, with its own target folder.
pub(super) struct Subject {
    pub label: String,
    /// The folder cargo runs in.
    pub workspace: PathBuf,
    /// The package that `cargo clean -p` removes before each build.
    pub package: String,
    /// Whether the `--features` sets apply (the generated crates' areas).
    pub has_features: bool,
    /// The example whose release rebuild is timed, as (name, file).
    pub example: Option<(String, PathBuf)>,
}

impl Subject {
    fn cargo(&self, args: &[&str]) -> Result<Duration, String> {
        let target = self.workspace.join("target").display().to_string();
        let mut args = args.to_vec();
        args.extend(["--target-dir", target.as_str()]);
        cargo(&self.workspace, &args)
    }

    fn check(&self, extra: &[String]) -> Result<Duration, String> {
        self.cargo(&["clean", "-q", "-p", &self.package])?;
        self.cargo(&with(&["check", "-q"], extra))
    }

    fn release(&self, extra: &[String]) -> Result<Duration, String> {
        self.cargo(&["clean", "-q", "--release", "-p", &self.package])?;
        self.cargo(&with(&["build", "-q", "--release"], extra))
    }

    /// Builds the example, marks its file as edited and times the rebuild.
    fn rebuild_example(&self) -> Result<Option<Duration>, String> {
        let Some((name, file)) = &self.example else {
            return Ok(None);
        };
        let args = [
            "build",
            "-q",
            "--release",
            "--all-features",
            "--example",
            name,
        ];
        self.cargo(&args)?;
        std::fs::File::options()
            .append(true)
            .open(file)
            .and_then(|f| f.set_modified(SystemTime::now()))
            .map_err(|e| format!("{}: {e}", file.display()))?;
        self.cargo(&args).map(Some)
    }
}

fn with<'a>(base: &[&'a str], extra: &'a [String]) -> Vec<&'a str> {
    let mut args = base.to_vec();
    args.extend(extra.iter().map(String::as_str));
    args
}

/// A feature set: its label and the cargo arguments that select it.
struct Config {
    label: String,
    args: Vec<String>,
}

fn configs(features: &[String]) -> Vec<Config> {
    let mut out = vec![Config {
        label: "all".into(),
        args: vec!["--all-features".into()],
    }];
    out.extend(features.iter().map(|f| Config {
        label: f.clone(),
        args: vec![
            "--no-default-features".into(),
            "--features".into(),
            f.clone(),
        ],
    }));
    out
}

/// The times of one subject in one feature set.
#[derive(Default, Clone)]
struct Times {
    check: Vec<Duration>,
    release: Vec<Duration>,
}

pub(super) fn run(
    root: &Path,
    target: &Path,
    runs: usize,
    features: &[String],
    baseline: Option<&str>,
    report: &mut Report,
) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
    let result = measure(root, target, &dir, runs, features, baseline, report);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(
    root: &Path,
    target: &Path,
    dir: &Path,
    runs: usize,
    features: &[String],
    baseline: Option<&str>,
    report: &mut Report,
) -> Result<(), String> {
    let mut subjects = vec![super::copy::prepare(root, &dir.join("current"), None)?];
    if let Some(rev) = baseline {
        subjects.push(super::copy::prepare(
            root,
            &dir.join("baseline"),
            Some(rev),
        )?);
    }
    subjects.extend(progenitor::prepare(root, target)?);
    let configs = configs(features);
    let applies = |s: &Subject, c: usize| c == 0 || s.has_features;
    // Dependencies once, so that the runs measure each crate alone.
    for s in &subjects {
        println!("build {}: building its dependencies once", s.label);
        for (_, config) in configs.iter().enumerate().filter(|(c, _)| applies(s, *c)) {
            let args = if s.has_features {
                &config.args[..]
            } else {
                &[]
            };
            s.cargo(&with(&["check", "-q"], args))?;
            s.cargo(&with(&["build", "-q", "--release"], args))?;
        }
    }
    let mut times = vec![vec![Times::default(); configs.len()]; subjects.len()];
    let mut rebuilds = vec![Vec::new(); subjects.len()];
    for run in 1..=runs {
        for (c, config) in configs.iter().enumerate() {
            for (k, s) in subjects.iter().enumerate().filter(|(_, s)| applies(s, c)) {
                let args = if s.has_features {
                    &config.args[..]
                } else {
                    &[]
                };
                let check = s.check(args)?;
                let release = s.release(args)?;
                println!(
                    "  run {run}: {} ({} features): check {:.1} s, release {:.1} s",
                    s.label,
                    config.label,
                    check.as_secs_f64(),
                    release.as_secs_f64()
                );
                times[k][c].check.push(check);
                times[k][c].release.push(release);
                if c == 0 {
                    if let Some(t) = s.rebuild_example()? {
                        println!(
                            "  run {run}: {}: example rebuilt in {:.1} s",
                            s.label,
                            t.as_secs_f64()
                        );
                        rebuilds[k].push(t);
                    }
                }
            }
        }
    }
    summarize(&subjects, &configs, &times, &rebuilds, runs, report);
    Ok(())
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn summarize(
    subjects: &[Subject],
    configs: &[Config],
    times: &[Vec<Times>],
    rebuilds: &[Vec<Duration>],
    runs: usize,
    report: &mut Report,
) {
    println!("crate-only build after `cargo clean -p`, median of {runs} runs:");
    for (k, s) in subjects.iter().enumerate() {
        for (c, config) in configs.iter().enumerate() {
            let t = &times[k][c];
            if t.check.is_empty() {
                continue;
            }
            let (check, release) = (median(t.check.clone()), median(t.release.clone()));
            println!(
                "  {} ({} features): cargo check {}, release build {}",
                s.label,
                config.label,
                secs(check),
                secs(release)
            );
            report.build.push([
                s.label.clone(),
                config.label.clone(),
                secs(check),
                secs(release),
            ]);
        }
        if !rebuilds[k].is_empty() {
            let t = median(rebuilds[k].clone());
            println!(
                "  {}: release rebuild of the echo_bot example after an edit: {}",
                s.label,
                secs(t)
            );
            report.rebuild.push([s.label.clone(), secs(t)]);
        }
    }
    // Ratios against every other subject, all features.
    for (k, other) in subjects.iter().enumerate().skip(1) {
        let ratio = |pick: fn(&Times) -> &Vec<Duration>| {
            median(pick(&times[0][0]).clone()).as_secs_f64()
                / median(pick(&times[k][0]).clone()).as_secs_f64()
        };
        let (check, release) = (ratio(|t| &t.check), ratio(|t| &t.release));
        println!(
            "  all features: {} / {}: check {check:.2}x, release {release:.2}x (below 1: faster)",
            subjects[0].label, other.label
        );
        report.ratios.push([
            format!("{} / {}", subjects[0].label, other.label),
            format!("{check:.2}x"),
            format!("{release:.2}x"),
        ]);
    }
    report.build_note = format!(
        "Each run cleans the crate alone (`cargo clean -p`) and builds it again; its dependencies, the runtime crate included, were built once before. Crates measured in the same run are interleaved run by run; progenitor's crate is generated from Meta's merged spec with the recipe in `../shared/anchors/progenitor/` and built without features. The example rebuild builds `examples/echo_bot.rs` in release with all features, sets the file's modification time and times the second build. {runs} runs."
    );
}
