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
    // A target may use the crates of the targets before it.
    let mut foreign = fragment_codegen::lower::Foreign::default();
    for target in &config.targets {
        let before = foreign.clone();
        let output = fragment_codegen::generate_after(&dir, target, &mut foreign)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!output.files.is_empty());
        // Fragments read in reverse order must give the same bytes.
        let mut fragments =
            fragment_codegen::load::load_dir(&dir, &target.fragments).expect("fragments load");
        fragments.reverse();
        let reversed =
            fragment_codegen::generate_from_after(target, &fragments, &mut before.clone())
                .expect("reversed generates");
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

/// A document split over files, generated as `cargo xtask generate` does:
/// the crate is the one a single-file document with the same content gives,
/// with the schemas of other files named after them.
#[test]
fn split() {
    let dir = workspace_root().join("tests/golden/split");
    let runtime = workspace_root().join("generator/runtime");
    let (report, files) =
        fragment_codegen::standalone::render(&fragment_codegen::standalone::Request {
            spec: &dir.join("document/openapi.yaml"),
            out: &dir.join("expected"),
            name: Some("golden-split"),
            strict: true,
            runtime: fragment_codegen::standalone::Runtime::Path(&runtime),
        })
        .unwrap_or_else(|e| panic!("split: {e}"));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!((report.operations, report.skipped.operations), (4, 0));
    let files = files
        .into_iter()
        .map(|(path, text)| (Path::new("expected").join(path), text))
        .collect();
    let diffs = compare_or_update(&dir, &files);
    assert!(
        diffs.is_empty(),
        "golden case `split` differs (rerun with UPDATE_GOLDEN=1 and review):\n{}",
        diffs.join("\n")
    );
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

/// Error statuses with different bodies: one enum per operation, chosen by
/// status (`answers.rs` runs it against a mock server).
#[test]
fn answers() {
    check_case("answers");
}

/// Answers in `text/event-stream`: `send_events` reads typed events
/// (`events.rs` runs it against a mock server).
#[test]
fn events() {
    check_case("events");
}

/// Object query parameters: `deepObject`, and `form` with and without
/// `explode` (`objects.rs` checks the query strings against a mock server).
#[test]
fn objects() {
    check_case("objects");
}

/// The requests the API sends: a top-level webhook and a callback, each a
/// payload type with a parse function (`inbound.rs` parses deliveries).
#[test]
fn inbound() {
    check_case("inbound");
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
            "answers",
            "areas",
            "bodies",
            "bot",
            "crossfile",
            "cycle",
            "dialect31",
            "events",
            "inbound",
            "merge",
            "names",
            "objects",
            "split",
            "unions"
        ]
    );
    let _ = Path::new("");
}

#[test]
fn bot() {
    check_case("bot");
}

#[test]
fn crossfile() {
    check_case("crossfile");
}

#[test]
fn a_reference_to_a_schema_another_crate_lacks_names_file_and_pointer() {
    let dir = workspace_root().join("tests/golden/crossfile");
    let config = Config::load(&dir.join("codegen.toml")).expect("fixture config loads");
    let mut foreign = fragment_codegen::lower::Foreign::default();
    fragment_codegen::generate_after(&dir, &config.targets[0], &mut foreign)
        .expect("base generates");
    let text = "openapi: 3.1.0\ninfo: {title: Bad, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Holder:\n      type: object\n      properties:\n        at: {$ref: '../base/shapes.yaml#/components/schemas/Pointe'}\n        ok: {$ref: '../base/shapes.yaml#/components/schemas/Point'}\n";
    let bad = fragment_codegen::load::parse(Path::new("app/bad.yaml"), text).expect("parses");
    let err = fragment_codegen::generate_from_after(&config.targets[1], &[bad], &mut foreign)
        .map(|_| ())
        .expect_err("a schema the other crate does not have");
    let errs = err.spec_errors();
    assert_eq!(errs.len(), 1, "{err}");
    assert_eq!(errs[0].file, Path::new("app/bad.yaml"));
    assert_eq!(errs[0].pointer, "#/components/schemas/Holder/properties/at");
    assert!(
        errs[0].message.contains("golden-crossfile-base"),
        "{}",
        errs[0].message
    );
    // Merged into a struct (`allOf`), another crate's type is refused with a reason.
    let text = "openapi: 3.1.0\ninfo: {title: Bad, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Merged:\n      allOf:\n        - $ref: '../base/shapes.yaml#/components/schemas/Point'\n        - type: object\n          properties:\n            z: {type: integer}\n";
    let bad = fragment_codegen::load::parse(Path::new("app/merged.yaml"), text).expect("parses");
    let err = fragment_codegen::generate_from_after(&config.targets[1], &[bad], &mut foreign)
        .map(|_| ())
        .expect_err("another crate's type cannot be merged");
    assert!(err.to_string().contains("only whole"), "{err}");
}
