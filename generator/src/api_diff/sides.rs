//! The two sides of `cargo xtask api-diff`, lowered into surfaces.

use super::Surface;

/// One side of `cargo xtask api-diff`: a spec file, a directory of fragments,
/// or an `api.json` snapshot.
///
/// A side that is not the target's own fragment directory (`third_party`:
/// a published document, a copy of the fragments) is read the way `cargo
/// xtask generate` reads another API's document: constructs the generator
/// cannot express degrade to their documented fallbacks, each with a
/// located warning, instead of stopping the comparison.
pub fn load_side(
    target: &crate::config::Target,
    input: &std::path::Path,
    third_party: bool,
    warnings: &mut Vec<String>,
) -> Result<Surface, String> {
    if let Ok(text) = std::fs::read_to_string(input) {
        if let Some(surface) = Surface::from_json(&text) {
            return Ok(surface);
        }
    }
    if third_party {
        let (fragments, loaded, _) = crate::standalone::load(input, crate::load::Mode::Lenient)
            .map_err(|e| format!("{}: {e}", input.display()))?;
        warnings.extend(loaded.iter().map(ToString::to_string));
        let mut degraded = target.clone();
        degraded.degrade = true;
        return lower_side(&degraded, &fragments, input, warnings);
    }
    if input.is_dir() {
        let parent = input.parent().unwrap_or(std::path::Path::new(""));
        let name = input
            .file_name()
            .map(std::path::PathBuf::from)
            .unwrap_or_default();
        let fragments = crate::load::load_dir(parent, &name)
            .map_err(|e| format!("{}: {e}", input.display()))?;
        return lower_side(target, &fragments, input, warnings);
    }
    let text = std::fs::read_to_string(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let name = input
        .file_name()
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let fragment =
        crate::load::parse(&name, &text).map_err(|e| format!("{}: {e}", input.display()))?;
    lower_side(target, &[fragment], input, warnings)
}

fn lower_side(
    target: &crate::config::Target,
    fragments: &[crate::load::Fragment],
    input: &std::path::Path,
    warnings: &mut Vec<String>,
) -> Result<Surface, String> {
    // The target's settings, applied where they fit (see `Target::strict`).
    let mut relaxed = target.clone();
    relaxed.strict = false;
    relaxed.mock_tests = false;
    let api = crate::lower::lower(&relaxed, fragments).map_err(|e| {
        let errors = e.spec_errors();
        if errors.is_empty() {
            format!("{}: {e}", input.display())
        } else {
            errors
                .iter()
                .map(|se| format!("{}: {se}", input.display()))
                .collect::<Vec<_>>()
                .join("\n")
        }
    })?;
    warnings.extend(api.warnings.iter().map(ToString::to_string));
    Ok(crate::surface::of(&api))
}
