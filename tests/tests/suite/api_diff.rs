//! `cargo xtask api-diff` and the change report of `cargo xtask codegen`.
//!
//! The rehearsal copies `specs/whatsapp`, changes fragments the way an
//! upstream revision does, and checks the exact report (against
//! `tests/api_diff/rehearsal.txt`; `UPDATE_GOLDEN=1` rewrites it) and the
//! classification of every change.

use std::path::{Path, PathBuf};

use codegen_tests::{compare_or_update, workspace_root};
use fragment_codegen::api_diff::{Level, Report};
use fragment_codegen::config::Config;

fn whatsapp() -> PathBuf {
    workspace_root().join("specs/whatsapp")
}

fn diff(old: &Path, new: &Path) -> Report {
    fragment_codegen::driver::api_diff(&workspace_root(), old, new, None)
        .expect("both sides lower")
        .1
}

#[test]
fn the_fragments_against_themselves_report_nothing() {
    let report = diff(&whatsapp(), &whatsapp());
    assert!(report.is_empty(), "{}", report.to_text("self"));
    assert_eq!(report.semver, "none");
    assert_eq!(report.to_text("self"), "self: no API changes\n");
}

#[test]
fn the_api_does_not_depend_on_the_fragment_order() {
    let config = Config::load(&workspace_root().join("specs/codegen.toml")).expect("config");
    let target = config.target("whatsapp").expect("whatsapp target");
    let mut fragments =
        fragment_codegen::load::load_dir(&workspace_root().join("specs"), &target.fragments)
            .expect("fragments load");
    let forward = fragment_codegen::surface::of(
        &fragment_codegen::lower::lower(target, &fragments).expect("lowers"),
    );
    fragments.reverse();
    fragments.rotate_left(7);
    let shuffled = fragment_codegen::surface::of(
        &fragment_codegen::lower::lower(target, &fragments).expect("lowers"),
    );
    assert_eq!(forward, shuffled);
    // The checked-in snapshot is this API.
    let snapshot =
        std::fs::read_to_string(workspace_root().join("generated/whatsapp-cloud-api/api.json"))
            .expect("api.json");
    assert_eq!(snapshot, forward.to_json());
}

/// Replaces `from` by `to` in a fragment of the copy, exactly once.
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("fragment reads");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{file}: `{from}` must occur once"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).expect("fragment writes");
}

/// A copy of the fragments of `specs/whatsapp`, in `<tempdir>/whatsapp`.
fn copy_of_whatsapp() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("whatsapp");
    std::fs::create_dir_all(&copy).expect("mkdir");
    for entry in std::fs::read_dir(whatsapp()).expect("specs/whatsapp") {
        let entry = entry.expect("entry");
        if entry.path().is_file() {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).expect("copy");
        }
    }
    dir
}

/// A copy of `specs/whatsapp` revised the way an upstream revision does.
fn revised() -> tempfile::TempDir {
    let dir = copy_of_whatsapp();
    let copy = dir.path().join("whatsapp");
    // 1. An operation's path is renamed.
    let encryption = "business_encryption.yaml";
    edit(
        &copy,
        encryption,
        "  /{Version}/{Phone-Number-ID}/whatsapp_business_encryption:",
        "  /{Version}/{Phone-Number-ID}/business_encryption:",
    );
    // 2. A request body is reshaped: a member becomes required, another
    //    changes type.
    let profile = "business_profile.yaml";
    edit(
        &copy,
        profile,
        "      description: The profile fields to change.\n      required: [messaging_product]",
        "      description: The profile fields to change.\n      required: [messaging_product, about]",
    );
    edit(
        &copy,
        profile,
        "          type: string\n          description: Handle of a picture uploaded with the Resumable Upload API.",
        "          type: integer\n          description: Handle of a picture uploaded with the Resumable Upload API.",
    );
    // 3. A response field is dropped.
    edit(
        &copy,
        profile,
        "        profile_picture_url:\n          type: string\n          format: uri\n          description: URL of the profile picture.\n        websites:\n          type: array\n          description: Up to two website URLs.\n          items:\n            type: string\n            format: uri\n        vertical:\n          $ref: '#/components/schemas/WhatsAppBusinessVertical'\n        business_profile:",
        "        websites:\n          type: array\n          description: Up to two website URLs.\n          items:\n            type: string\n            format: uri\n        vertical:\n          $ref: '#/components/schemas/WhatsAppBusinessVertical'\n        business_profile:",
    );
    // 4. An enum value is added.
    edit(
        &copy,
        profile,
        "PHYSICAL_GAMBLING, OTC_DRUGS]",
        "PHYSICAL_GAMBLING, OTC_DRUGS, SPACE_TRAVEL]",
    );
    // 5. An operation is added.
    edit(
        &copy,
        profile,
        "    post:\n      operationId: updateWhatsAppBusinessProfileInformation",
        "    delete:\n      operationId: deleteWhatsAppBusinessProfile\n      parameters:\n        - $ref: '#/components/parameters/Version'\n        - $ref: '#/components/parameters/PhoneNumberId'\n      responses:\n        '200':\n          description: Deleted.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/WhatsAppBusinessProfileUpdateResponse'\n    post:\n      operationId: updateWhatsAppBusinessProfileInformation",
    );
    // 6. A schema is dropped (its one use is inlined, with `success` now optional).
    edit(
        &copy,
        encryption,
        "                $ref: '#/components/schemas/WhatsAppBusinessEncryptionUploadResponse'",
        "                type: object\n                properties:\n                  success:\n                    type: boolean",
    );
    edit(
        &copy,
        encryption,
        "    WhatsAppBusinessEncryptionUploadResponse:\n      type: object\n      description: Result of a key upload.\n      required: [success]\n      properties:\n        success:\n          type: boolean\n          description: True when the key was stored and signed.\n",
        "",
    );
    dir
}

#[test]
fn a_rehearsed_upstream_revision_is_reported_and_classified_exactly() {
    let dir = revised();
    let report = diff(&whatsapp(), &dir.path().join("whatsapp"));

    // The exact text, against its golden file.
    let text = report.to_text("specs/whatsapp → revised");
    let golden = workspace_root().join("tests/api_diff");
    let diffs = compare_or_update(
        &golden,
        &[(PathBuf::from("rehearsal.txt"), text.clone())]
            .into_iter()
            .collect(),
    );
    assert!(
        diffs.is_empty(),
        "the report differs from tests/api_diff/rehearsal.txt (rerun with UPDATE_GOLDEN=1 and review):\n{}",
        diffs.join("\n")
    );

    // The classification, entry by entry.
    assert_eq!(report.semver, "major");
    let ops = &report.operations;
    assert!(ops.removed.is_empty());
    assert_eq!(ops.added.len(), 1);
    assert_eq!(ops.added[0].operation_id, "deleteWhatsAppBusinessProfile");
    assert_eq!(ops.added[0].method, "DELETE");
    assert!(!ops.added[0].breaking);
    assert_eq!(
        ops.added[0].fragment.as_deref(),
        Some("whatsapp/business_profile.yaml"),
        "a new method of a known path belongs with the others"
    );
    let changed = |id: &str| {
        ops.changed
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap_or_else(|| panic!("{id} is reported as changed"))
    };
    // The renamed path: the same method, so nothing breaks.
    let get_key = changed("getBusinessEncryptionPublicKey");
    assert!(!get_key.breaking, "{:?}", get_key.changes);
    assert_eq!(
        get_key.path,
        "/{Version}/{Phone-Number-ID}/business_encryption"
    );
    assert_eq!(get_key.rust_method, "get_business_encryption_public_key");
    assert_eq!(
        get_key.fragment.as_deref(),
        Some("whatsapp/business_encryption.yaml"),
        "the fragment holding the old path"
    );
    assert_eq!(get_key.changes.len(), 1);
    assert_eq!(get_key.changes[0].level, Level::Patch);
    // The dropped schema: the success type changed.
    let set_key = changed("setBusinessEncryptionPublicKey");
    assert!(set_key.breaking);
    assert!(set_key.changes.iter().any(|c| {
        c.breaking
            && c.what
                .contains("success type `WhatsAppBusinessEncryptionUploadResponse`")
    }));
    // The reshaped request body breaks the update.
    let update = changed("updateWhatsAppBusinessProfileInformation");
    assert!(update.breaking);
    assert_eq!(
        update.fragment.as_deref(),
        Some("whatsapp/business_profile.yaml")
    );
    assert!(update.changes.iter().any(|c| {
        c.breaking
            && c.what
                .contains("field `about`: type `Option<String>` → `String`")
    }));
    assert!(update.changes.iter().any(|c| {
        c.breaking
            && c.what
                .contains("field `profile_picture_handle`: type `Option<String>` → `Option<i64>`")
    }));
    // The enum value the request and the response share is an addition.
    assert!(
        update
            .changes
            .iter()
            .any(|c| c.level == Level::Minor && c.what.contains("enum value `SPACE_TRAVEL` added"))
    );
    // The dropped response field breaks the read.
    let get = changed("getWhatsAppBusinessProfile");
    assert!(get.breaking);
    assert!(
        get.changes
            .iter()
            .any(|c| c.breaking && c.what.contains("field `profile_picture_url` removed"))
    );

    let types = &report.types;
    assert_eq!(
        types
            .removed
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["WhatsAppBusinessEncryptionUploadResponse"]
    );
    assert!(types.removed[0].breaking);
    // The enum with a new value no longer equals its copy in the profile
    // node fragment, so that copy becomes a type of its own.
    assert_eq!(
        types
            .added
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        [
            "SetBusinessEncryptionPublicKeyResponse",
            "WhatsAppBusinessVerticalBusinessProfileNode"
        ]
    );
    let vertical = types
        .changed
        .iter()
        .find(|t| t.name == "WhatsAppBusinessVertical")
        .expect("the enum changed");
    assert!(!vertical.breaking);
    assert_eq!(vertical.direction, "both");

    // The JSON form carries the same classification.
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
    assert_eq!(json["semver"], "major");
    for key in ["added", "removed", "changed"] {
        assert!(json["operations"][key].is_array(), "operations.{key}");
        assert!(json["types"][key].is_array(), "types.{key}");
    }
    let first_changed = &json["operations"]["changed"][0];
    assert!(first_changed["breaking"].is_boolean());
    assert!(first_changed["changes"].is_array());
}

#[test]
fn new_fields_and_values_in_responses_are_not_breaking() {
    // A field added to a response type and a value added to an enum only
    // received: minor.
    let dir = copy_of_whatsapp();
    let copy = dir.path().join("whatsapp");
    edit(
        &copy,
        "business_encryption.yaml",
        "      enum: [VALID, MISMATCH]",
        "      enum: [VALID, MISMATCH, EXPIRED]",
    );
    edit(
        &copy,
        "business_encryption.yaml",
        "          description: The public key (PEM). Absent when not requested with `fields`.",
        "          description: The public key (PEM). Absent when not requested with `fields`.\n        rotated_at:\n          type: string\n          description: When the key was last replaced.",
    );
    let report = diff(&whatsapp(), &copy);
    assert_eq!(report.semver, "minor", "{}", report.to_text("t"));
    assert!(report.operations.changed.iter().all(|o| !o.breaking));
    assert!(report.types.changed.iter().all(|t| !t.breaking));
}

#[test]
fn api_diff_takes_a_snapshot_and_a_spec_file() {
    // The checked-in snapshot against the fragments it was made from.
    let snapshot = workspace_root().join("generated/whatsapp-cloud-api/api.json");
    let report = diff(&snapshot, &whatsapp());
    assert!(report.is_empty(), "{}", report.to_text("snapshot"));
    // One spec file (a fragment of its own) against another.
    let d360 = workspace_root().join("specs/360dialog/get-business-public-key.json");
    let report = fragment_codegen::driver::api_diff(&workspace_root(), &d360, &d360, Some("d360"))
        .expect("lowers")
        .1;
    assert!(report.is_empty());
    // Something that is not a spec: a located error, not a panic.
    let err = fragment_codegen::driver::api_diff(
        &workspace_root(),
        &workspace_root().join("Cargo.toml"),
        &whatsapp(),
        None,
    )
    .expect_err("not a spec");
    assert!(err.contains("Cargo.toml"), "{err}");
}

#[test]
fn the_official_reference_against_the_fragments_names_the_fragment_to_edit() {
    let Ok(reference) = std::env::var("WHATSAPP_OFFICIAL_SPEC") else {
        codegen_tests::print_skip(
            "WHATSAPP_OFFICIAL_SPEC is not set; the diff against Meta's reference did not run",
        );
        return;
    };
    let report = diff(&whatsapp(), Path::new(&reference));
    // The reference lacks the operations only the seed pages and the
    // read-receipt split have; everything it has is covered by a fragment.
    for op in report
        .operations
        .changed
        .iter()
        .chain(&report.operations.added)
    {
        assert!(
            op.fragment.is_some(),
            "{} {} names no fragment",
            op.method,
            op.path
        );
    }
    let removed: Vec<&str> = report
        .operations
        .removed
        .iter()
        .map(|o| o.rust_method.as_str())
        .collect();
    assert_eq!(
        removed,
        [
            "list_whatsapp_business_accounts",
            "create_whatsapp_business_account",
            "mark_as_read"
        ]
    );
}

/// A published document with what real revisions of Meta's file contain:
/// the same operationId on two paths, a path parameter the operation does
/// not declare, an operation without `responses`, a response without
/// `description`, and an integer bound no 64-bit integer holds.
const REVISION: &str = r#"openapi: 3.1.0
info: {title: Revision, version: '1'}
servers: [{url: 'https://api.example.com'}]
paths:
  /{Version}/things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
                  count: {type: integer, maximum: 18446744073709551615}
  /{Version}/other-things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '204': {description: Nothing.}
  /{Version}/things:
    delete:
      operationId: deleteThings
"#;

#[test]
fn a_real_revision_diffs_and_generates_with_located_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    // The older revision lacks the second `getThing` and the delete.
    let older = REVISION
        .split("  /{Version}/other-things/{id}:")
        .next()
        .expect("first part")
        .to_string();
    std::fs::write(&old, &older).expect("write");
    std::fs::write(&new, REVISION).expect("write");

    let (_, report, warnings) =
        fragment_codegen::driver::api_diff(&workspace_root(), &old, &new, Some("whatsapp"))
            .unwrap_or_else(|e| panic!("the revisions diff: {e}"));
    let text = report.to_text("old → new");
    assert!(
        text.contains("added GET /{Version}/other-things/{id} (getThing, `get_thing2`)"),
        "{text}"
    );
    assert!(
        text.contains("added DELETE /{Version}/things (deleteThings"),
        "{text}"
    );
    let all = warnings.join("\n");
    for (pointer, what) in [
        (
            "#/paths/~1{Version}~1other-things~1{id}/get/operationId",
            "duplicate operationId `getThing`",
        ),
        (
            "#/paths/~1{Version}~1things/delete/responses",
            "without `responses`",
        ),
        (
            "#/paths/~1{Version}~1things~1{id}/get/responses/200",
            "without a `description`",
        ),
        ("/properties/count/maximum", "does not fit a 64-bit integer"),
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(pointer) && w.contains(what)),
            "no warning at {pointer} saying {what:?}:\n{all}"
        );
    }

    // `generate` reads the same document the same way, and without the
    // WhatsApp target's client parameter `{Version}` is an undeclared path
    // parameter: a string argument.
    let out = dir.path().join("crate");
    let generated =
        fragment_codegen::standalone::generate(&fragment_codegen::standalone::Request {
            spec: &new,
            out: &out,
            name: Some("revision"),
            strict: false,
            runtime: fragment_codegen::standalone::Runtime::Path(
                &workspace_root().join("generator/runtime"),
            ),
        })
        .unwrap_or_else(|e| panic!("the revision generates: {e}"));
    assert_eq!(generated.operations, 3);
    let messages: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert!(
        messages
            .iter()
            .any(|w| w.contains("names `{Version}` but no path parameter declares it")),
        "{messages:#?}"
    );
    let client = std::fs::read_to_string(out.join("src/client.rs")).expect("client.rs");
    assert!(
        client.contains("pub fn get_thing2("),
        "the second getThing has a method"
    );
    assert!(
        client.contains("version: impl Into<String>"),
        "{{Version}} is an argument"
    );
}

/// Meta's reference, when the environment names it.
fn reference() -> Option<PathBuf> {
    match std::env::var("WHATSAPP_OFFICIAL_SPEC") {
        Ok(path) => Some(PathBuf::from(path)),
        Err(_) => {
            codegen_tests::print_skip(
                "WHATSAPP_OFFICIAL_SPEC is not set; the comparison with the baseline of accepted differences did not run",
            );
            None
        }
    }
}

#[test]
fn against_the_reference_the_baseline_leaves_only_what_is_new() {
    use fragment_codegen::driver::{BaselineUse, api_diff_with};
    let Some(reference) = reference() else { return };
    let root = workspace_root();
    let (title, report, _) =
        api_diff_with(&root, &whatsapp(), &reference, None, BaselineUse::Apply)
            .expect("the fragments and the reference lower");
    let text = report.to_text(&title);
    assert!(
        text.lines().count() <= 50,
        "with the baseline the report should be short; accept the differences again with `cargo xtask api-diff specs/whatsapp REFERENCE --accept` when the fragments changed on purpose:\n{text}"
    );
    assert!(report.is_empty(), "{text}");

    // One field removed from the reference: exactly that change appears.
    let original = std::fs::read_to_string(&reference).expect("the reference reads");
    let field = "    BlockedUser:\n      type: object\n      properties:\n        messaging_product:\n          type: string\n          example: whatsapp\n        wa_id:\n          type: string\n          example: '16505551234'\n";
    assert_eq!(
        original.matches(field).count(),
        1,
        "the reference's BlockedUser changed"
    );
    let edited = original.replace(
        field,
        "    BlockedUser:\n      type: object\n      properties:\n        messaging_product:\n          type: string\n          example: whatsapp\n",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let revised = dir.path().join(reference.file_name().expect("file name"));
    std::fs::write(&revised, edited).expect("write");
    let (title, report, _) = api_diff_with(&root, &whatsapp(), &revised, None, BaselineUse::Apply)
        .expect("the fragments and the revision lower");
    let text = report.to_text(&title);
    assert!(
        report.operations.added.is_empty() && report.operations.removed.is_empty(),
        "{text}"
    );
    assert!(
        report.types.added.is_empty() && report.types.removed.is_empty(),
        "{text}"
    );
    assert_eq!(report.types.changed.len(), 1, "{text}");
    let changed = &report.types.changed[0];
    assert_eq!(changed.name, "BlockedUser");
    let whats: Vec<&str> = changed.changes.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(whats, ["field `wa_id` removed"], "{text}");
    assert!(text.contains("reached by `get_blocked_users`"), "{text}");
    // What the baseline accepted about that field is gone.
    let gone = &report
        .baseline
        .as_ref()
        .expect("the baseline was applied")
        .gone;
    assert!(
        gone.iter()
            .all(|k| k.contains("BlockedUser") || k.contains("blocked_users")),
        "{gone:#?}"
    );
    assert!(!gone.is_empty());
}

/// `api.json` lists what is generated beside fields and variants (union
/// constructors and setters, `From` conversions), so a regeneration that
/// loses one reports a breaking change.
#[test]
fn constructors_setters_and_conversions_are_in_the_api_and_removing_one_breaks() {
    use fragment_codegen::surface::{Kind, Surface};
    let text =
        std::fs::read_to_string(workspace_root().join("generated/whatsapp-cloud-api/api.json"))
            .expect("api.json");
    let old = Surface::from_json(&text).expect("a snapshot of this format");
    let message = &old.types["Message"];
    let Kind::Tagged {
        constructors,
        setters,
        ..
    } = &message.kind
    else {
        panic!("Message is a tagged union");
    };
    assert!(
        constructors.iter().any(|c| c.starts_with("text(to: ")),
        "{constructors:?}"
    );
    assert!(setters.iter().any(|s| s == "with_context"), "{setters:?}");
    assert!(
        message.from.iter().any(|f| f == "TextMessage"),
        "{:?}",
        message.from
    );
    assert!(old.types["TextContent"].from.contains(&"&str".to_string()));

    type Removal = fn(&mut Surface);
    let cases: [(&str, &str, Removal); 4] = [
        ("Message", "constructor `text(", |s| {
            if let Some(Kind::Tagged { constructors, .. }) =
                s.types.get_mut("Message").map(|t| &mut t.kind)
            {
                constructors.retain(|c| !c.starts_with("text("));
            }
        }),
        ("Message", "setter `with_context` removed", |s| {
            if let Some(Kind::Tagged { setters, .. }) =
                s.types.get_mut("Message").map(|t| &mut t.kind)
            {
                setters.retain(|c| c != "with_context");
            }
        }),
        ("Message", "conversion `From<TextMessage>` removed", |s| {
            if let Some(t) = s.types.get_mut("Message") {
                t.from.retain(|f| f != "TextMessage");
            }
        }),
        ("TextContent", "conversion `From<&str>` removed", |s| {
            if let Some(t) = s.types.get_mut("TextContent") {
                t.from.retain(|f| f != "&str");
            }
        }),
    ];
    for (ty, what, remove) in cases {
        let mut new = old.clone();
        remove(&mut new);
        let report = fragment_codegen::api_diff::diff(&old, &new, &|_, _| None);
        let entry = report
            .types
            .changed
            .iter()
            .find(|t| t.name == ty)
            .unwrap_or_else(|| panic!("{what}: {ty} not reported"));
        assert!(
            entry
                .changes
                .iter()
                .any(|c| c.what.contains(what) && c.breaking && c.level == Level::Major),
            "{what}: {:?}",
            entry.changes
        );
        assert_eq!(report.semver, "major", "{what}");
    }
}
