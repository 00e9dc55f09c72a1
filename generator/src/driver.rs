//! The `cargo xtask codegen` driver: generate every target, then write or check.
//!
//! Every target is generated in memory before anything is written, so a broken
//! spec leaves `generated/` untouched.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;

/// What happened to one target.
#[derive(Debug, Clone)]
pub struct TargetReport {
    /// The crate name.
    pub crate_name: String,
    /// Number of client operations.
    pub operations: usize,
    /// Number of generated types.
    pub types: usize,
    /// Number of files the crate consists of.
    pub files: usize,
    /// Files whose bytes differ from what is on disk (written, or stale under `--check`).
    pub changed: Vec<PathBuf>,
    /// Time spent loading, lowering and emitting.
    pub elapsed: Duration,
    /// Diagnostics that did not stop generation.
    pub warnings: Vec<crate::SpecError>,
    /// Time spent in each stage.
    pub timings: crate::Timings,
    /// What the regeneration changes in the crate's public API, compared with
    /// the checked-in `api.json` (`None` when there was none to compare with).
    pub api_changes: Option<crate::api_diff::Report>,
}

impl std::fmt::Display for TargetReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} operations, {} types, {} files ({} changed), {} ms (load {}, lower {}, emit {})",
            self.crate_name,
            self.operations,
            self.types,
            self.files,
            self.changed.len(),
            self.elapsed.as_millis(),
            self.timings.load.as_millis(),
            self.timings.lower.as_millis(),
            self.timings.emit.as_millis()
        )
    }
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Report {
    /// One entry per target, in configuration order.
    pub targets: Vec<TargetReport>,
    /// Under `--check`: a unified diff per stale file.
    pub diffs: Vec<String>,
}

/// Generates every target of `root/specs/codegen.toml`. With `check`, writes
/// nothing and returns the diffs of stale files; otherwise writes only the
/// files whose bytes changed.
pub fn run(root: &Path, check: bool) -> Result<Report, String> {
    let specs = root.join("specs");
    let config = Config::load(&specs.join("codegen.toml")).map_err(|e| format!("error: {e}"))?;

    let mut generated = Vec::new();
    let mut foreign = crate::lower::Foreign::default();
    for target in &config.targets {
        let start = Instant::now();
        let output = crate::generate_after(&specs, target, &mut foreign).map_err(|e| {
            let mut text = String::new();
            let errs = e.spec_errors();
            if errs.is_empty() {
                text.push_str(&format!("error: {e}\n"));
            }
            for se in errs {
                text.push_str(&format!("error: specs/{se}\n"));
            }
            text.push_str(&format!(
                "codegen failed for target `{}`; nothing was written",
                target.name
            ));
            text
        })?;
        generated.push((target, output, start.elapsed()));
    }

    let mut report = Report {
        targets: Vec::new(),
        diffs: Vec::new(),
    };
    for (target, output, elapsed) in generated {
        let api_changes = api_changes(root, target, &output);
        let mut changed = Vec::new();
        for (path, content) in &output.files {
            let full = root.join(path);
            let old = std::fs::read_to_string(&full).unwrap_or_default();
            if old == *content {
                continue;
            }
            changed.push(path.clone());
            if check {
                report
                    .diffs
                    .push(crate::diff::unified(&path.to_string_lossy(), &old, content));
            } else {
                if let Some(dir) = full.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("error: {}: {e}", dir.display()))?;
                }
                std::fs::write(&full, content)
                    .map_err(|e| format!("error: {}: {e}", full.display()))?;
            }
        }
        // Generated files the new output no longer has (a module that went
        // away) are removed; under `--check` they are stale.
        for stale in leftover_files(root, &target.output, &output) {
            changed.push(stale.clone());
            if check {
                let old = std::fs::read_to_string(root.join(&stale)).unwrap_or_default();
                report
                    .diffs
                    .push(crate::diff::unified(&stale.to_string_lossy(), &old, ""));
            } else {
                std::fs::remove_file(root.join(&stale))
                    .map_err(|e| format!("error: {}: {e}", stale.display()))?;
            }
        }
        report.targets.push(TargetReport {
            crate_name: target.crate_name.clone(),
            operations: output.operations,
            types: output.types,
            files: output.files.len(),
            changed,
            elapsed,
            warnings: output.warnings.clone(),
            timings: output.timings,
            api_changes,
        });
    }
    Ok(report)
}

/// The change report between the checked-in `api.json` of a target and the
/// one just generated. Each operation names the fragment it comes from.
fn api_changes(
    root: &Path,
    target: &crate::config::Target,
    output: &crate::Output,
) -> Option<crate::api_diff::Report> {
    let path = target.output.join("api.json");
    let old = crate::surface::Surface::from_json(&std::fs::read_to_string(root.join(&path)).ok()?)?;
    let new = crate::surface::Surface::from_json(output.files.get(&path)?)?;
    let sources: std::collections::BTreeMap<(String, String), String> = old
        .operations
        .iter()
        .chain(&new.operations)
        .map(|op| ((op.http_method.clone(), op.path.clone()), op.source.clone()))
        .collect();
    let locate = |method: &str, path: &str| {
        sources
            .get(&(method.to_string(), path.to_string()))
            .cloned()
    };
    Some(crate::api_diff::diff(&old, &new, &locate))
}

/// What `cargo xtask api-diff` does with the target's baseline of accepted
/// differences (`specs/<fragments>.accepted.json`, see
/// [`crate::api_diff::baseline`]) when OLD is the target's own fragment
/// directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BaselineUse {
    /// Leave out what it accepts, when the file exists.
    #[default]
    Apply,
    /// Show every difference.
    Ignore,
    /// Write every difference of this comparison to it, and show them.
    Accept,
}

/// The baseline file of a target: beside its fragment directory.
pub fn baseline_path(root: &Path, target: &crate::config::Target) -> PathBuf {
    let dir = root.join("specs").join(&target.fragments);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!("{name}.accepted.json"))
}

/// `cargo xtask api-diff OLD NEW`: lowers both sides with a target's
/// settings (`target_name`, else the target whose fragment directory is one
/// of the sides, else the first), applied where they fit, and compares their
/// public APIs. Operations are located in that target's fragments (by method
/// and path), so the report says which fragment to edit. When OLD is the
/// target's own fragment directory, its baseline is used as `baseline`
/// says. Returns a title, the report, and the warnings of lowering either
/// side (settings that did not fit it, among them).
pub fn api_diff(
    root: &Path,
    old: &Path,
    new: &Path,
    target_name: Option<&str>,
) -> Result<(String, crate::api_diff::Report, Vec<String>), String> {
    api_diff_with(root, old, new, target_name, BaselineUse::Ignore)
}

/// [`api_diff`] with a choice of what to do with the baseline.
pub fn api_diff_with(
    root: &Path,
    old: &Path,
    new: &Path,
    target_name: Option<&str>,
    baseline: BaselineUse,
) -> Result<(String, crate::api_diff::Report, Vec<String>), String> {
    let specs = root.join("specs");
    let config = Config::load(&specs.join("codegen.toml")).map_err(|e| e.to_string())?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let target = match target_name {
        Some(name) => config
            .target(name)
            .ok_or_else(|| format!("no target named `{name}` in specs/codegen.toml"))?,
        None => config
            .targets
            .iter()
            .find(|t| {
                [old, new]
                    .iter()
                    .any(|side| same(side, &specs.join(&t.fragments)))
            })
            .or(config.targets.first())
            .ok_or("specs/codegen.toml has no target")?,
    };
    let mut warnings = Vec::new();
    let own = specs.join(&target.fragments);
    let old_surface = crate::api_diff::load_side(target, old, !same(old, &own), &mut warnings)?;
    let new_surface = crate::api_diff::load_side(target, new, !same(new, &own), &mut warnings)?;
    let fragments = crate::load::load_dir(&specs, &target.fragments).unwrap_or_default();
    let locate = crate::coverage::locator(&fragments);
    let mut report = crate::api_diff::diff(&old_surface, &new_surface, &locate);
    let title = format!("{} → {}", old.display(), new.display());
    if same(old, &own) {
        let file = baseline_path(root, target);
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        match baseline {
            BaselineUse::Ignore => {}
            BaselineUse::Accept => {
                // Paths as the checkout names them, file names for the others.
                let name = |p: &Path| match p.canonicalize().ok().and_then(|c| {
                    root.canonicalize()
                        .ok()
                        .and_then(|r| c.strip_prefix(r).ok().map(Path::to_path_buf))
                }) {
                    Some(rel) => rel.display().to_string(),
                    None => p.file_name().map_or_else(
                        || p.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    ),
                };
                let compared = format!("{} → {}", name(old), name(new));
                let accepted = crate::api_diff::baseline::Baseline::of(&report, &compared);
                std::fs::write(&file, accepted.to_json())
                    .map_err(|e| format!("{}: {e}", file.display()))?;
            }
            BaselineUse::Apply => {
                if let Ok(text) = std::fs::read_to_string(&file) {
                    let accepted = crate::api_diff::baseline::Baseline::from_json(&text)
                        .map_err(|e| format!("{shown}: {e}"))?;
                    crate::api_diff::baseline::apply(&mut report, &accepted, &shown);
                }
            }
        }
    }
    Ok((title, report, warnings))
}

/// Files below a target's output directory that carry the "generated" mark
/// but are not in the new output, relative to `root`.
fn leftover_files(root: &Path, dir: &Path, output: &crate::Output) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    stack.push(path);
                }
                continue;
            }
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            if output.files.contains_key(rel) {
                continue;
            }
            let generated = std::fs::read_to_string(&path).is_ok_and(|text| {
                text.starts_with(crate::emit::PREAMBLE.lines().next().unwrap_or_default())
            });
            if generated {
                found.push(rel.to_path_buf());
            }
        }
    }
    found.sort();
    found
}
