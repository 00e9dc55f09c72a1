//! Standalone copies of the WhatsApp crate (the working tree's or a git
//! revision's), each its own workspace, for `cargo xtask bench --build`.

use std::path::Path;
use std::process::Command;

use super::build::Subject;

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

const CRATE: &str = "generated/whatsapp-cloud-api";
const RUNTIME: &str = "generator/runtime";

/// Copies the working tree's crate (`rev` is `None`) or that of a git
/// revision into `dir`, as its own workspace. The runtime crate lives
/// beside it, as in the repository, and is built as a dependency.
pub(super) fn prepare(root: &Path, dir: &Path, rev: Option<&str>) -> Result<Subject, String> {
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
    println!("build {label}: {} generated lines", lines_of(&krate));
    let example = krate.join("examples/echo_bot.rs");
    Ok(Subject {
        label,
        package: "whatsapp-cloud-api".into(),
        has_features: true,
        example: example.is_file().then(|| ("echo_bot".to_string(), example)),
        workspace: krate,
    })
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
