//! Every operation of Meta's official reference is covered by a fragment.
//! Runs when `WHATSAPP_OFFICIAL_SPEC` names the file (as `.ci/run` sets it);
//! otherwise prints that it skipped and why. `cargo xtask coverage` prints
//! the same table.

use std::path::Path;

use codegen_tests::workspace_root;

/// Operations of the reference deliberately not covered, with the reason.
const NOT_COVERED: &[(&str, &str)] = &[];

#[test]
fn every_reference_operation_is_covered_by_a_fragment() {
    let Some(spec) = std::env::var_os("WHATSAPP_OFFICIAL_SPEC") else {
        codegen_tests::print_skip(
            "WHATSAPP_OFFICIAL_SPEC is not set; set it to Meta's business-messaging-api_v23.0.yaml to check coverage (.ci/run does when ../shared/reference has it)",
        );
        return;
    };
    let text = std::fs::read_to_string(&spec).expect("reference readable");
    let reference = fragment_codegen::load::parse(Path::new("reference.yaml"), &text)
        .expect("reference parses");
    let ours =
        fragment_codegen::load::load_dir(&workspace_root().join("specs"), Path::new("whatsapp"))
            .expect("fragments load");
    let coverage = fragment_codegen::coverage::coverage(&reference, &ours);
    println!("{}", coverage.table());
    assert_eq!(
        coverage.rows.len(),
        113,
        "the v23.0 reference has 113 operations"
    );
    let missing: Vec<String> = coverage
        .uncovered()
        .into_iter()
        .filter(|r| {
            !NOT_COVERED
                .iter()
                .any(|(id, _)| Some(*id) == r.operation_id.as_deref())
        })
        .map(|r| {
            format!(
                "{} {} ({})",
                r.method,
                r.path,
                r.operation_id.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "operations no fragment covers:\n{}",
        missing.join("\n")
    );
}
