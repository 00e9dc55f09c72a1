//! progenitor's crate for Meta's merged spec, built from the recipe in
//! `../shared/anchors/progenitor/` (or `$PROGENITOR_ANCHOR`): the yardstick
//! for the WhatsApp crate's build cost. Nothing of it is part of this
//! repository; the recipe and the spec are read where they are, and the
//! crate is built under the target directory, where it is kept between runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::build::Subject;
use super::cargo;

/// The file names of the recipe that are copied into the build folder.
const RECIPE: &[&str] = &[
    "Cargo.toml",
    "crates.Cargo.toml",
    "member.Cargo.toml",
    "patch_for_progenitor.py",
    "src/main.rs",
];

/// The rewrites the recipe applies before progenitor reads the spec.
const REWRITES: &str = "version,opid,json_only,drop_multipart_body";

const PACKAGE: &str = "progen-meta_positional";

/// Where the recipe and Meta's spec are: the environment's choice, or the
/// `shared` folder beside the repository.
fn inputs(root: &Path) -> (PathBuf, PathBuf) {
    let shared = root.parent().unwrap_or(root).join("shared");
    let anchor = std::env::var_os("PROGENITOR_ANCHOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared.join("anchors/progenitor"));
    let spec = std::env::var_os("WHATSAPP_OFFICIAL_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared.join("reference/business-messaging-api_v23.0.yaml"));
    (anchor, spec)
}

/// progenitor's crate ready to be measured (its dependencies not built
/// yet), or why it cannot be: `Ok(None)` after printing the reason when
/// the recipe or the spec is absent.
pub(super) fn prepare(root: &Path, target: &Path) -> Result<Option<Subject>, String> {
    let (anchor, spec) = inputs(root);
    for (what, path) in [
        ("progenitor recipe", &anchor),
        ("Meta's merged spec", &spec),
    ] {
        if !path.exists() {
            println!(
                "build: progenitor's crate skipped: the {what} is not at {} (set PROGENITOR_ANCHOR and WHATSAPP_OFFICIAL_SPEC)",
                path.display()
            );
            return Ok(None);
        }
    }
    let dir = target.join("bench-progenitor");
    for file in RECIPE {
        let to = dir.join(file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        // Copied only when changed, so that cargo keeps what it built.
        let text = read(&anchor.join(file))?;
        if std::fs::read_to_string(&to).ok().as_deref() != Some(text.as_str()) {
            write(&to, &text)?;
        }
    }
    println!(
        "build: generating progenitor's crate from {}",
        spec.display()
    );
    let patched = dir.join("meta_progenitor.yaml");
    run(Command::new(python()?)
        .arg(dir.join("patch_for_progenitor.py"))
        .arg(&spec)
        .arg(&patched)
        .arg(REWRITES))?;
    let generator_target = dir.join("target").display().to_string();
    cargo(
        &dir,
        &[
            "build",
            "-q",
            "--release",
            "--target-dir",
            &generator_target,
        ],
    )?;
    let crates = dir.join("crates");
    let member = crates.join("meta_positional");
    std::fs::create_dir_all(member.join("src"))
        .map_err(|e| format!("{}: {e}", member.display()))?;
    run(Command::new(dir.join("target/release/progen-gen"))
        .arg(&patched)
        .arg(member.join("src/lib.rs")))?;
    let workspace = read(&dir.join("crates.Cargo.toml"))?;
    let workspace = workspace
        .lines()
        .map(|l| {
            if l.starts_with("members = ") {
                "members = [\"meta_positional\"]".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    write(&crates.join("Cargo.toml"), &workspace)?;
    let manifest = read(&dir.join("member.Cargo.toml"))?.replace("@NAME@", "meta_positional");
    write(&member.join("Cargo.toml"), &manifest)?;
    Ok(Some(Subject {
        label: "progenitor".into(),
        workspace: crates,
        package: PACKAGE.into(),
        has_features: false,
        example: None,
    }))
}

/// A Python with PyYAML, which the recipe's rewrite script needs.
fn python() -> Result<String, String> {
    for candidate in ["python3", "python"] {
        let ok = Command::new(candidate)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Ok(candidate.into());
        }
    }
    Err("progenitor's recipe needs a Python with PyYAML (`pip install pyyaml`)".into())
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .output()
        .map_err(|e| format!("{:?}: {e}", command.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} failed:\n{}",
            command.get_program(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
