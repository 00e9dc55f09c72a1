//! Turns OpenAPI fragments into a typed Rust client crate.
//!
//! The pipeline has one module per stage, each testable alone:
//!
//! 1. [`load`]: read YAML/JSON fragments and normalise OpenAPI 3.1 constructs
//!    into what `openapiv3` (a 3.0 model) reads.
//! 2. [`lower`]: build the [`ir`]: merge schemas across fragments, name types,
//!    order parameters.
//! 3. [`emit`]: turn the IR into formatted Rust source files.
//!
//! [`generate`] runs all three for one target of the configuration.

pub mod api_diff;
pub mod bundle;
pub mod config;
pub mod coverage;
pub mod diff;
pub mod driver;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
mod parallel;
pub mod standalone;
pub mod surface;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::{Error, Result, SpecError};

/// The files of one generated crate, by path relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// File contents by path.
    pub files: BTreeMap<PathBuf, String>,
    /// Number of client operations.
    pub operations: usize,
    /// Number of generated types.
    pub types: usize,
    /// Diagnostics that did not stop generation.
    pub warnings: Vec<SpecError>,
    /// Time spent in each stage.
    pub timings: Timings,
}

/// Time spent in each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Reading, parsing and normalising fragments.
    pub load: std::time::Duration,
    /// Building the IR.
    pub lower: std::time::Duration,
    /// Emitting and formatting the code.
    pub emit: std::time::Duration,
}

/// Loads, lowers and emits one target. `specs_root` is the `specs/` directory.
pub fn generate(specs_root: &Path, target: &config::Target) -> Result<Output> {
    generate_after(specs_root, target, &mut lower::Foreign::default())
}

/// [`generate`] for one of a configuration's targets, in order: its
/// fragments may use the schemas of the crates in `foreign` (generated
/// before it), and its own are added there for the targets after it.
pub fn generate_after(
    specs_root: &Path,
    target: &config::Target,
    foreign: &mut lower::Foreign,
) -> Result<Output> {
    let start = std::time::Instant::now();
    let fragments = load::load_dir(specs_root, &target.fragments)?;
    let load = start.elapsed();
    let mut output = generate_from_after(target, &fragments, foreign)?;
    output.timings.load = load;
    Ok(output)
}

/// Lowers and emits already loaded fragments (in any order).
pub fn generate_from(target: &config::Target, fragments: &[load::Fragment]) -> Result<Output> {
    generate_from_after(target, fragments, &mut lower::Foreign::default())
}

/// [`generate_from`] with the schemas of the crates generated before (see
/// [`generate_after`]).
pub fn generate_from_after(
    target: &config::Target,
    fragments: &[load::Fragment],
    foreign: &mut lower::Foreign,
) -> Result<Output> {
    let start = std::time::Instant::now();
    let api = lower::lower_with(target, fragments, foreign)?;
    let lowered = std::time::Instant::now();
    let files = emit::emit(&api)?;
    let timings = Timings {
        load: std::time::Duration::ZERO,
        lower: lowered - start,
        emit: lowered.elapsed(),
    };
    foreign.add(target, &api);
    let files = files
        .into_iter()
        .map(|(p, s)| (target.output.join(p), s))
        .collect();
    Ok(Output {
        files,
        operations: api.operations.len(),
        types: api.types.len(),
        warnings: api.warnings.clone(),
        timings,
    })
}

/// The area features a generated crate's `Cargo.toml` declares (every key of
/// `[features]` but `default`), in order.
pub fn features_of_manifest(text: &str) -> std::result::Result<Vec<String>, String> {
    let manifest: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let Some(features) = manifest.get("features").and_then(|f| f.as_table()) else {
        return Ok(Vec::new());
    };
    Ok(features
        .keys()
        .filter(|k| k.as_str() != "default")
        .cloned()
        .collect())
}
