//! `cargo xtask generate` on documents of other APIs: defaults from the
//! document, degrade mode and its warnings, `--strict`, and (with
//! `FRAGMENT_CODEGEN_CORPUS` naming a folder of public OpenAPI documents)
//! every document of the corpus.

use std::path::{Path, PathBuf};
use std::process::Command;

use codegen_tests::workspace_root;
use fragment_codegen::standalone::{Request, Runtime, generate};

/// A small document in the style of other APIs: no security scheme, a
/// server with a variable, a 3.1 null union, an integer enum, a described
/// reference, a tuple, ignored keywords and an operation the generator
/// cannot express.
const DOCUMENT: &str = r#"openapi: 3.1.0
info: {title: "Pet Store (demo)", version: "1"}
servers:
  - url: "https://{region}.pets.example/v1/"
    variables:
      region: {default: eu}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: cursor, in: query, schema: {$ref: '#/components/schemas/Cursor'}}
      responses:
        '200':
          description: A pet.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
        '404':
          description: Not found.
          content:
            application/json:
              schema: {type: object, properties: {message: {type: string}}}
        '500':
          description: Failed.
          content:
            application/json:
              schema: {type: object, properties: {trace: {type: integer}}}
  /pets:
    get:
      operationId: searchPets
      parameters:
        - name: filter
          in: query
          schema: {type: object, properties: {name: {type: string}}}
      responses:
        '204': {description: Nothing.}
components:
  schemas:
    Cursor: {type: string}
    Size:
      type: integer
      enum: [1, 2, 3]
    Kind:
      type: string
      enum: [cat, dog]
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        owner:
          oneOf:
            - $ref: '#/components/schemas/Owner'
            - {type: 'null'}
        size: {$ref: '#/components/schemas/Size'}
        kind:
          allOf:
            - $ref: '#/components/schemas/Kind'
            - description: What the pet is.
        position:
          type: array
          prefixItems: [{type: number}, {type: number}]
        tag:
          type: string
          if: {minLength: 1}
          then: {maxLength: 9}
    Owner:
      type: object
      properties:
        name: {type: string}
"#;

fn write_document(dir: &Path) -> PathBuf {
    let spec = dir.join("pets.yaml");
    std::fs::write(&spec, DOCUMENT).expect("write the document");
    spec
}

#[test]
fn a_document_of_another_api_generates_with_its_defaults_and_located_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_document(dir.path());
    let out = dir.path().join("crate");
    let runtime = workspace_root().join("generator/runtime");
    let report = generate(&Request {
        spec: &spec,
        out: &out,
        name: None,
        strict: false,
        runtime: Runtime::Path(&runtime),
    })
    .expect("the document generates");
    assert_eq!(report.crate_name, "pet-store-demo");
    assert_eq!((report.operations, report.skipped.operations), (2, 0));
    assert_eq!(report.skipped.schemas, 0);
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "pets.yaml: #/components/schemas/Pet/properties/position/prefixItems: the tuple keyword `prefixItems` is not supported (read as an array of any JSON values)",
            "pets.yaml: #/components/schemas/Pet/properties/tag/if: the JSON Schema keyword `if` is not supported (ignored)",
            "pets.yaml: #/components/schemas/Pet/properties/tag/then: the JSON Schema keyword `then` is not supported (ignored)",
            "pets.yaml: #/components/schemas/Size/enum: an enum of type `integer` is read as a plain number (its values are not checked)",
        ]
    );
    // The object query parameter is typed, written as `form` exploded.
    let operations = std::fs::read_to_string(out.join("src/operations.rs")).expect("operations.rs");
    assert!(
        operations.contains("rt::object_query(\"filter\", value, rt::ObjectStyle::FormExploded)"),
        "{operations}"
    );
    let client = std::fs::read_to_string(out.join("src/client.rs")).expect("client.rs");
    // No security scheme: a client without credentials, and the server's
    // variable at its default.
    assert!(
        client.contains("pub fn new() -> Result<Self, crate::BuildError>"),
        "{client}"
    );
    assert!(
        client.contains("\"https://eu.pets.example/v1\""),
        "{client}"
    );
    let types = std::fs::read_to_string(out.join("src/types.rs")).expect("types.rs");
    // The null union is a nullable reference; `Pet` is only received, so
    // absent and `null` are one `None` (a crate for another API's document
    // does not make its users unwrap twice). The described reference is
    // the enum itself.
    assert!(types.contains("pub owner: Option<Owner>,"), "{types}");
    assert!(types.contains("pub kind: Option<Kind>,"), "{types}");
    assert!(types.contains("pub type Size = i64;"), "{types}");
    assert!(
        types.contains("pub position: Option<Vec<::serde_json::Value>>,"),
        "{types}"
    );
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("name = \"pet-store-demo\""));
    assert!(
        manifest.trim_end().ends_with("[workspace]"),
        "a workspace of its own"
    );
    // The runtime by version, and by a path relative to the crate, so the
    // two can move together; the crate is the user's to publish, and its
    // headers name the document, not the project's `specs/`.
    let line = manifest
        .lines()
        .find(|l| l.starts_with("fragment-codegen-runtime = { version = \"0.2\", path = \""))
        .unwrap_or_else(|| panic!("the runtime by version and path: {manifest}"));
    let path = line.split('"').nth(3).expect("a quoted path");
    assert!(Path::new(path).is_relative(), "{line}");
    assert_eq!(
        out.join(path).canonicalize().expect("the path exists"),
        runtime.canonicalize().expect("the runtime exists"),
        "{line}"
    );
    assert!(!manifest.contains("publish = false"), "{manifest}");
    let spec_text = "pets.yaml";
    assert!(
        manifest.starts_with(&format!(
            "# This file is generated by `cargo xtask generate` from `{spec_text}`."
        )),
        "{manifest}"
    );
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
    assert!(
        lib.starts_with(&format!(
            "// This file is generated by `cargo xtask generate` from the OpenAPI document\n// `{spec_text}`.\n"
        )),
        "{lib}"
    );
    assert!(!lib.contains("specs/"), "{lib}");
    assert!(
        lib.contains(&format!(
            "//! Generated from the OpenAPI document `{spec_text}`."
        )),
        "{lib}"
    );
}

#[test]
fn the_runtime_can_come_from_git_or_the_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_document(dir.path());
    for (runtime, expected) in [
        (
            Runtime::Git("https://example.com/fragment-codegen.git"),
            "fragment-codegen-runtime = { version = \"0.2\", git = \"https://example.com/fragment-codegen.git\" }",
        ),
        (
            Runtime::Registry,
            "fragment-codegen-runtime = { version = \"0.2\" }",
        ),
    ] {
        let out = dir.path().join("crate");
        generate(&Request {
            spec: &spec,
            out: &out,
            name: None,
            strict: false,
            runtime,
        })
        .expect("the document generates");
        let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
        assert!(manifest.contains(expected), "{manifest}");
    }
}

#[test]
fn strict_mode_refuses_what_degrade_mode_leaves_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_document(dir.path());
    let runtime = workspace_root().join("generator/runtime");
    let Err(e) = generate(&Request {
        spec: &spec,
        out: &dir.path().join("crate"),
        name: Some("pets"),
        strict: true,
        runtime: Runtime::Path(&runtime),
    }) else {
        panic!("strict mode refuses the tuple")
    };
    assert_eq!(
        e.to_string(),
        "pets.yaml: #/components/schemas/Pet/properties/position/prefixItems: the tuple keyword `prefixItems` is not supported (read as an array of any JSON values)"
    );
    assert!(!dir.path().join("crate").exists(), "nothing is written");
}

/// Documents of the corpus that skip more than 5% of their operations:
/// (file stem, operations skipped, why). The count is exact, so a change
/// either way is noticed. None does now.
const KNOWN_SKIPS: &[(&str, usize, &str)] = &[];

/// The corpus's documents: the entry files its `INDEX.tsv` lists (the
/// first column, relative to the folder), else every document file at its
/// top level.
fn corpus_documents(corpus: &Path) -> Vec<PathBuf> {
    if let Ok(index) = std::fs::read_to_string(corpus.join("INDEX.tsv")) {
        return index
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .filter(|f| !f.is_empty())
            .map(|f| corpus.join(f))
            .collect();
    }
    let mut documents: Vec<PathBuf> = std::fs::read_dir(corpus)
        .expect("the corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "json" | "yaml" | "yml"))
        })
        .collect();
    documents.sort();
    documents
}

/// The corpus: every document, whole or split over files, generates, skips
/// at most 5% of its operations (or exactly its [`KNOWN_SKIPS`] count), and
/// its crate passes `cargo check`.
#[test]
fn every_document_of_the_corpus_generates() {
    let Some(corpus) = std::env::var_os("FRAGMENT_CODEGEN_CORPUS") else {
        codegen_tests::print_skip(
            "FRAGMENT_CODEGEN_CORPUS is not set; set it to a folder of OpenAPI documents (.ci/run does when ../shared/corpus exists)",
        );
        return;
    };
    let corpus = PathBuf::from(corpus);
    let documents = corpus_documents(&corpus);
    assert!(!documents.is_empty(), "no document in {}", corpus.display());
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = workspace_root().join("generator/runtime");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut failures = Vec::new();
    for spec in &documents {
        let name = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("doc");
        let out = dir.path().join(name);
        let report = match generate(&Request {
            spec,
            out: &out,
            name: None,
            strict: false,
            runtime: Runtime::Path(&runtime),
        }) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: does not generate: {e}"));
                continue;
            }
        };
        let total = report.operations + report.skipped.operations;
        println!("{name}: {report}");
        let known = KNOWN_SKIPS.iter().find(|(n, _, _)| *n == name);
        let skipped = report.skipped.operations;
        match known {
            Some((_, count, why)) if skipped != *count => failures.push(format!(
                "{name}: {skipped} operations skipped, {count} expected ({why})"
            )),
            None if skipped * 20 > total => {
                failures.push(format!("{name}: {skipped} of {total} operations skipped"))
            }
            _ => {}
        }
        std::fs::copy(workspace_root().join("Cargo.lock"), out.join("Cargo.lock"))
            .expect("copy the lock file");
        let status = Command::new(&cargo)
            .args(["check", "--quiet", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", workspace_root().join("target/corpus"))
            .status()
            .expect("cargo runs");
        if !status.success() {
            failures.push(format!(
                "{name}: the generated crate does not pass `cargo check`"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_request_body_not_marked_required_is_a_located_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("notes.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: Notes, version: '1'}\nservers: [{url: 'https://notes.example'}]\npaths:\n  /notes:\n    post:\n      operationId: addNote\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {text: {type: string}}}\n      responses:\n        '204': {description: Added.}\n",
    )
    .expect("write");
    let runtime = workspace_root().join("generator/runtime");
    let report = generate(&Request {
        spec: &spec,
        out: &dir.path().join("crate"),
        name: None,
        strict: false,
        runtime: Runtime::Path(&runtime),
    })
    .expect("generates");
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "notes.yaml: #/paths/~1notes/post/requestBody: the request body is not marked `required: true`, so the body is an optional setter and a call without one compiles"
        ]
    );
}
