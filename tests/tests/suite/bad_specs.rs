//! Broken fragments give one clear error naming the file and JSON pointer;
//! none panics. Each case in `tests/bad_specs/` states what it expects in its
//! first line: `# expect: <pointer> | <part of the message>`. A folder is one
//! case made of several fragments; its first file (by name) holds the line.

use std::path::{Path, PathBuf};

use codegen_tests::workspace_root;
use fragment_codegen::config::Config;

fn target() -> fragment_codegen::config::Target {
    let config = Config::parse(
        Path::new("bad_specs.toml"),
        "[[target]]\nname = \"bad\"\ncrate_name = \"bad\"\ndescription = \"d\"\noutput = \"out\"\nfragments = \".\"\nbase_url = \"https://x.example\"\nauth = \"bearerAuth\"\n",
    )
    .expect("config parses");
    config.targets.into_iter().next().expect("one target")
}

/// Loads and lowers one case, returning the rendered error.
fn run_case(files: &[PathBuf], root: &Path) -> (String, Vec<fragment_codegen::SpecError>) {
    let mut fragments = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("readable");
        let rel = file.strip_prefix(root).expect("below root");
        match fragment_codegen::load::parse(rel, &text) {
            Ok(f) => fragments.push(f),
            Err(e) => return (e.to_string(), vec![e]),
        }
    }
    match fragment_codegen::lower::lower(&target(), &fragments) {
        Ok(_) => panic!("{files:?}: expected an error, but the case lowered"),
        Err(e) => (
            e.to_string(),
            e.spec_errors().into_iter().cloned().collect(),
        ),
    }
}

#[test]
fn every_bad_spec_fails_with_file_pointer_and_message() {
    let root = workspace_root().join("tests/bad_specs");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    assert!(entries.len() >= 10, "the bad-spec cases are all there");
    for entry in entries {
        let files: Vec<PathBuf> = if entry.is_dir() {
            let mut f: Vec<PathBuf> = std::fs::read_dir(&entry)
                .expect("dir")
                .map(|e| e.expect("entry").path())
                .collect();
            f.sort();
            f
        } else {
            vec![entry.clone()]
        };
        let first = std::fs::read_to_string(&files[0]).expect("readable");
        let expect = first
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{entry:?} lacks an expect line"));
        let (pointer, message) = expect.split_once(" | ").expect("pointer | message");

        let result = std::panic::catch_unwind(|| run_case(&files, &root));
        let (rendered, errors) =
            result.unwrap_or_else(|_| panic!("{entry:?}: the generator panicked"));
        assert_eq!(
            errors.len(),
            1,
            "{entry:?}: one error expected, got: {rendered}"
        );
        let error = &errors[0];
        assert_eq!(
            error.pointer, pointer,
            "{entry:?}: wrong pointer in: {rendered}"
        );
        assert!(
            error.message.contains(message),
            "{entry:?}: message `{}` lacks `{message}`",
            error.message
        );
        assert!(
            files.iter().any(|f| f.ends_with(&error.file)),
            "{entry:?}: error names {:?}",
            error.file
        );
        // The rendering is `file: pointer: message`.
        assert!(
            rendered.starts_with(&format!("{}: {pointer}: ", error.file.display())),
            "{rendered}"
        );
    }
}

#[test]
fn codegen_writes_nothing_when_a_spec_is_broken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("specs/api")).expect("mkdir");
    std::fs::write(
        root.join("specs/codegen.toml"),
        "[[target]]\nname = \"ok\"\ncrate_name = \"ok\"\ndescription = \"d\"\noutput = \"generated/ok\"\nfragments = \"api\"\nbase_url = \"https://x.example\"\nauth = \"bearerAuth\"\n",
    )
    .expect("write config");
    let good = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  securitySchemes:\n    bearerAuth: {type: http, scheme: bearer}\n  schemas:\n    A: {type: object, properties: {b: {type: string}}}\n";
    std::fs::write(root.join("specs/api/good.yaml"), good).expect("write fragment");

    // A good spec generates and writes the crate.
    let report = fragment_codegen::driver::run(root, false).expect("generates");
    assert_eq!(report.targets[0].types, 1);
    let lib = std::fs::read_to_string(root.join("generated/ok/src/types.rs")).expect("written");
    assert!(lib.contains("pub struct A"));

    // --check on an unchanged tree reports nothing stale.
    assert!(
        fragment_codegen::driver::run(root, true)
            .expect("checks")
            .diffs
            .is_empty()
    );

    // A changed spec: --check reports a diff and writes nothing.
    std::fs::write(
        root.join("specs/api/good.yaml"),
        good.replace("b: {type: string}", "c: {type: integer}"),
    )
    .expect("edit");
    let report = fragment_codegen::driver::run(root, true).expect("checks");
    // The types and the API snapshot are stale.
    assert_eq!(report.diffs.len(), 2, "{:?}", report.diffs);
    assert!(report.diffs[0].contains("api.json"), "{}", report.diffs[0]);
    assert!(
        report.diffs[1].contains("-    pub b: Option<String>,")
            && report.diffs[1].contains("+    pub c: Option<i64>,"),
        "{}",
        report.diffs[1]
    );
    // The change report, against the checked-in snapshot.
    let changes = report.targets[0]
        .api_changes
        .as_ref()
        .expect("a snapshot to compare with");
    assert_eq!(
        changes.to_text("ok"),
        "ok: semver major (0 operations added, 0 removed, 0 changed; 0 types added, 0 removed, 0 renamed, 1 changed; 1 breaking)\nBreaking:\n  type changed `A` (unused)\n      - field `b` removed\nNot breaking:\n  type changed `A` (unused)\n      - field `c` added (optional, `Option<i64>`)\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("generated/ok/src/types.rs")).expect("still there"),
        lib
    );

    // A broken spec: an error naming file and pointer, and nothing written.
    std::fs::write(root.join("specs/api/broken.yaml"), "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    X: {$ref: '#/components/schemas/Nope'}\n").expect("write");
    let error = fragment_codegen::driver::run(root, false).expect_err("broken spec fails");
    assert!(error.contains("specs/api/broken.yaml: #/components/schemas/X: `$ref: #/components/schemas/Nope` points at a schema that does not exist"), "{error}");
    assert!(error.contains("nothing was written"), "{error}");
    assert_eq!(
        std::fs::read_to_string(root.join("generated/ok/src/types.rs")).expect("untouched"),
        lib
    );
}

#[test]
fn union_variants_that_cannot_be_told_apart_are_a_warning_naming_both() {
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  securitySchemes:\n    bearerAuth: {type: http, scheme: bearer}\n  schemas:\n    Pet:\n      oneOf:\n        - {type: object, required: [name], properties: {name: {type: string}, bark: {type: boolean}}}\n        - {type: object, required: [name], properties: {name: {type: string}, meow: {type: boolean}}}\n    Action:\n      oneOf:\n        - {type: object, required: [name], properties: {name: {const: catalog}}}\n        - {type: object, required: [name], properties: {name: {const: flow}}}\n";
    let fragment = fragment_codegen::load::parse(Path::new("pets.yaml"), text).expect("parses");
    let api = fragment_codegen::lower::lower(&target(), &[fragment])
        .expect("a warning does not stop generation");
    assert_eq!(api.warnings.len(), 1, "{:?}", api.warnings);
    let w = &api.warnings[0];
    assert_eq!(w.pointer, "#/components/schemas/Pet/oneOf");
    assert!(
        w.message.contains("variants #/components/schemas/Pet/oneOf/0 and #/components/schemas/Pet/oneOf/1 cannot be told apart"),
        "{}",
        w.message
    );
    // `Action`'s variants differ by the fixed value of `name`: no warning.
}

#[test]
fn mock_tests_need_every_example_and_name_what_is_missing() {
    let config = Config::parse(
        Path::new("mock.toml"),
        "[[target]]\nname = \"m\"\ncrate_name = \"m\"\ndescription = \"d\"\noutput = \"out\"\nfragments = \".\"\nbase_url = \"https://x.example\"\nauth = \"bearerAuth\"\nmock_tests = true\n",
    )
    .expect("config parses");
    let target = config.targets.into_iter().next().expect("one target");
    let spec = |success_example: &str| {
        format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\ncomponents:\n  securitySchemes:\n    bearerAuth: {{type: http, scheme: bearer}}\npaths:\n  /pets/{{id}}:\n    get:\n      operationId: getPet\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}, example: 'a b'}}\n        - {{name: fields, in: query, schema: {{type: string}}, example: 'name'}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, properties: {{name: {{type: string}}}}}}\n{success_example}        '404':\n          description: missing\n          content:\n            application/json:\n              schema: {{type: object, properties: {{message: {{type: string}}}}}}\n              example: {{message: no such pet}}\n"
        )
    };
    let without = fragment_codegen::load::parse(Path::new("pets.yaml"), &spec("")).expect("parses");
    let Err(e) = fragment_codegen::generate_from(&target, &[without]) else {
        panic!("an operation without a success example is refused");
    };
    assert_eq!(
        e.to_string(),
        "`mock_tests = true` needs an example for every request body, success and error response; missing:\n  getPet: the success response has no example"
    );

    let with = fragment_codegen::load::parse(
        Path::new("pets.yaml"),
        &spec("              example: {name: Rex}\n"),
    )
    .expect("parses");
    let output = fragment_codegen::generate_from(&target, &[with]).expect("generates");
    let tests = output
        .files
        .iter()
        .find(|(path, _)| path.ends_with("tests/operations.rs"))
        .map(|(_, text)| text.clone())
        .expect("a test file");
    // The path parameter is percent-encoded, the query carries the
    // documented example, and both examples are checked.
    for needle in [
        "async fn get_pet()",
        "path: \"/pets/a%20b\".to_string()",
        "query: vec![(\"fields\", \"name\".to_string())]",
        "\"{\\\"name\\\":\\\"Rex\\\"}\"",
        "\"{\\\"message\\\":\\\"no such pet\\\"}\"",
    ] {
        assert!(tests.contains(needle), "missing {needle} in:\n{tests}");
    }
}

#[test]
fn an_example_needing_an_unknown_area_is_a_config_error() {
    let config = Config::parse(
        Path::new("examples.toml"),
        "[[target]]\nname = \"m\"\ncrate_name = \"m\"\ndescription = \"d\"\noutput = \"out\"\nfragments = \".\"\nbase_url = \"https://x.example\"\nauth = \"bearerAuth\"\narea_features = true\n\n[[target.examples]]\nname = \"send\"\nfeatures = [\"pets\", \"messages\"]\n",
    )
    .expect("config parses");
    let target = config.targets.into_iter().next().expect("one target");
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  securitySchemes:\n    bearerAuth: {type: http, scheme: bearer}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '204': {description: none}\n";
    let fragment = fragment_codegen::load::parse(Path::new("pets.yaml"), text).expect("parses");
    let Err(e) = fragment_codegen::generate_from(&target, &[fragment]) else {
        panic!("an example needing an unknown feature is refused");
    };
    assert_eq!(
        e.to_string(),
        "specs/codegen.toml: example `send` needs feature `messages`, which is not an area of target `m` (areas: pets)"
    );
}

#[test]
fn an_opt_in_feature_must_turn_on_what_the_target_has_and_not_take_an_area_name() {
    let base = "[[target]]\nname = \"m\"\ncrate_name = \"m\"\ndescription = \"d\"\noutput = \"out\"\nfragments = \".\"\nbase_url = \"https://x.example\"\nauth = \"bearerAuth\"\narea_features = true\n\n[target.optional_dependencies]\nzeroize = \"1\"\n\n";
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  securitySchemes:\n    bearerAuth: {type: http, scheme: bearer}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '204': {description: none}\n";
    let fragment = fragment_codegen::load::parse(Path::new("pets.yaml"), text).expect("parses");
    let generate = |features: &str| {
        let config = Config::parse(Path::new("opt_in.toml"), &format!("{base}{features}"))
            .expect("config parses");
        let target = config.targets.into_iter().next().expect("one target");
        fragment_codegen::generate_from(&target, std::slice::from_ref(&fragment)).map(|o| o.files)
    };
    let ok = generate("[[target.opt_in_features]]\nname = \"secure\"\ndoc = \"Wipes keys.\"\nenables = [\"dep:zeroize\", \"pets\"]\n")
        .expect("a valid opt-in feature generates");
    let manifest = &ok[Path::new("out/Cargo.toml")];
    assert!(
        manifest.contains("zeroize = { optional = true, version = \"1\" }"),
        "{manifest}"
    );
    assert!(
        manifest.contains("# Wipes keys.\nsecure = [\"dep:zeroize\", \"pets\"]\n"),
        "{manifest}"
    );
    assert!(manifest.contains("default = [\"pets\"]"), "{manifest}");
    let e = generate(
        "[[target.opt_in_features]]\nname = \"secure\"\ndoc = \"d\"\nenables = [\"dep:ring\"]\n",
    )
    .expect_err("an unknown dependency");
    assert_eq!(
        e.to_string(),
        "specs/codegen.toml: opt-in feature `secure` turns on `dep:ring`, which is neither a feature nor an optional dependency of target `m`"
    );
    let e = generate("[[target.opt_in_features]]\nname = \"pets\"\ndoc = \"d\"\n")
        .expect_err("an area's name");
    assert!(e.to_string().contains("takes the name of an area"), "{e}");
}

/// Names that generated code prints are checked with the configuration,
/// every one reported with its key, before any fragment is read.
#[test]
fn bad_names_in_the_configuration_are_located_config_errors() {
    let text = r#"[[target]]
name = "m"
crate_name = "my crate"
description = "d"
output = "out"
fragments = "."
auth = "bearerAuth"

[[target.body_variants]]
operation = "send"
schema = "Receipt"
method = "Acknowledge"

[target.error_kinds]
source = "s"

[[target.error_kinds.carrier]]
type = "Graph API Error"
code = "error.code"
message = "error-message"

[[target.error_kinds.carrier]]
type = "ApiError"
code = "code"

[[target.error_kinds.carrier]]
type = "ApiError"
code = "code"

[[target.error_kinds.kind]]
name = "rate limit"
doc = "d"

[[target.error_kinds.kind]]
name = "Busy"
doc = "d"
rate_limit = true
transient = true
"#;
    let Err(e) = Config::parse(Path::new("specs/codegen.toml"), text) else {
        panic!("the configuration is refused");
    };
    assert_eq!(
        e.to_string(),
        [
            "specs/codegen.toml: target `m`: `crate_name = \"my crate\"`: not a Cargo package name (ASCII letters, digits, `-` and `_`, starting with a letter) whose library name is a Rust identifier",
            "target `m`: `body_variants[0].method = \"Acknowledge\"`: not a snake_case Rust identifier",
            "target `m`: `error_kinds.kind[0].name = \"rate limit\"`: not an UpperCamelCase Rust name other than `Unrecognized`",
            "target `m`: `error_kinds.kind[1].name = \"Busy\"`: a kind cannot be both `rate_limit` and `transient`",
            "target `m`: `error_kinds.carrier[0].type = \"Graph API Error\"`: not an UpperCamelCase Rust type name",
            "target `m`: `error_kinds.carrier[0].message = \"error-message\"`: not a path of Rust field names (`error.code`)",
            "target `m`: `error_kinds.carrier[2].type = \"ApiError\"`: listed twice",
        ]
        .join("\n")
    );

    // A valid name that is not a generated type is an error of the target
    // when it is generated, naming the key too.
    let config = Config::parse(
        Path::new("specs/codegen.toml"),
        "[[target]]\nname = \"m\"\ncrate_name = \"m\"\ndescription = \"d\"\noutput = \"out\"\nfragments = \".\"\nbase_url = \"https://x.example\"\nauth = \"bearerAuth\"\n\n[target.error_kinds]\nsource = \"s\"\n\n[[target.error_kinds.carrier]]\ntype = \"NoSuchType\"\ncode = \"code\"\n\n[[target.error_kinds.kind]]\nname = \"Busy\"\ndoc = \"d\"\n",
    )
    .expect("config parses");
    let target = config.targets.into_iter().next().expect("one target");
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  securitySchemes:\n    bearerAuth: {type: http, scheme: bearer}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '204': {description: none}\n";
    let fragment = fragment_codegen::load::parse(Path::new("pets.yaml"), text).expect("parses");
    let Err(e) = fragment_codegen::generate_from(&target, &[fragment]) else {
        panic!("a carrier that is not a generated type is refused");
    };
    assert_eq!(
        e.to_string(),
        "specs/codegen.toml: target `m`: [target.error_kinds]: `code = \"code\"` of type `NoSuchType`: no generated type has this name"
    );
}
