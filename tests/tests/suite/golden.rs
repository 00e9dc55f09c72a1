//! Golden tests: each fixture folder's fragments must generate exactly the
//! checked-in `expected/` crate. `UPDATE_GOLDEN=1` rewrites the expected files.

use std::path::Path;

use codegen_tests::{compare_or_update, workspace_root};
use fragment_codegen::config::Config;

fn check_case(name: &str) -> Vec<String> {
    let dir = workspace_root().join("tests/golden").join(name);
    let config = Config::load(&dir.join("codegen.toml")).expect("fixture config loads");
    let mut diffs = Vec::new();
    let mut warnings = Vec::new();
    for target in &config.targets {
        let output =
            fragment_codegen::generate(&dir, target).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!output.files.is_empty());
        // Fragments read in reverse order must give the same bytes.
        let mut fragments =
            fragment_codegen::load::load_dir(&dir, &target.fragments).expect("fragments load");
        fragments.reverse();
        let reversed =
            fragment_codegen::generate_from(target, &fragments).expect("reversed generates");
        assert_eq!(
            output.files, reversed.files,
            "{name}: output depends on fragment order"
        );
        diffs.extend(compare_or_update(&dir, &output.files));
        warnings.extend(output.warnings.iter().map(|w| w.to_string()));
    }
    assert!(
        diffs.is_empty(),
        "golden case `{name}` differs (rerun with UPDATE_GOLDEN=1 and review):\n{}",
        diffs.join("\n")
    );
    warnings
}

#[test]
fn merge() {
    check_case("merge");
}

/// Names the generated code defines itself: every clash is renamed, with a
/// warning that names the spec location, and the crate (a workspace
/// member) compiles.
#[test]
fn names() {
    let warnings = check_case("names");
    let expected = [
        ("#/paths/~1things~1{tag}/get/operationId", "`new_op`"),
        ("#/paths/~1things/post/operationId", "`builder_op`"),
        ("#/paths/~1base/get/operationId", "`base_url_op`"),
        ("#/components/schemas/Event", "`tag_field`"),
        ("#/components/schemas/Event", "`with_tag2`"),
        ("#/components/schemas/Event", "`new_label`"),
    ];
    for (pointer, name) in expected {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(pointer) && w.contains(name)),
            "no warning at {pointer} naming {name}:\n{}",
            warnings.join("\n")
        );
    }
}

#[test]
fn areas() {
    check_case("areas");
}

#[test]
fn cycle() {
    check_case("cycle");
}

#[test]
fn dialect31() {
    check_case("dialect31");
}

#[test]
fn bodies() {
    check_case("bodies");
}

#[test]
fn unions() {
    check_case("unions");
}

#[test]
fn every_fixture_folder_has_a_test() {
    let mut cases: Vec<String> = std::fs::read_dir(workspace_root().join("tests/golden"))
        .expect("golden dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert_eq!(
        cases,
        [
            "areas",
            "bodies",
            "bot",
            "cycle",
            "dialect31",
            "merge",
            "names",
            "unions"
        ]
    );
    let _ = Path::new("");
}

#[test]
fn bot() {
    check_case("bot");
}
