//! Property test: documents made up from random schemas and operations
//! never make `generate` panic, in degrade or strict mode; a few of them
//! generate crates that pass `cargo check`.

use std::path::Path;
use std::process::Command;

use codegen_tests::workspace_root;
use fragment_codegen::standalone::{Request, Runtime, generate};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Member names, some of which clash with Rust keywords or generated names.
const NAMES: &[&str] = &[
    "id", "name", "type", "self", "1st", "a-b", "new", "data", "value", "Ünï",
];

/// A schema: primitives, enums, arrays, objects, unions, references to the
/// document's schemas `S0`..`S3` (a schema may refer to itself), nulls.
fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "string", "format": "date-time"})),
        Just(json!({"type": "string", "format": "binary"})),
        Just(json!({"type": "integer", "format": "int32"})),
        Just(json!({"type": "integer"})),
        Just(json!({"type": "number"})),
        Just(json!({"type": "boolean"})),
        Just(json!({"type": "null"})),
        Just(json!({})),
        prop::collection::vec("[a-z]{1,6}", 1..4)
            .prop_map(|v| json!({"type": "string", "enum": v})),
        (0..4usize).prop_map(|i| json!({"$ref": format!("#/components/schemas/S{i}")})),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|i| json!({"type": "array", "items": i})),
            (
                prop::collection::vec((prop::sample::select(NAMES), inner.clone()), 0..4),
                prop::collection::vec(prop::sample::select(NAMES), 0..3),
                any::<bool>()
            )
                .prop_map(|(props, required, closed)| {
                    let properties: serde_json::Map<String, Value> =
                        props.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                    let mut o =
                        json!({"type": "object", "properties": properties, "required": required});
                    if closed {
                        o["additionalProperties"] = json!(false);
                    }
                    o
                }),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({"oneOf": v})),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"anyOf": v})),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"allOf": v})),
            inner
                .clone()
                .prop_map(|i| json!({"type": "object", "additionalProperties": i})),
            inner.prop_map(|i| json!({"oneOf": [i, {"type": "null"}]})),
        ]
    })
}

/// One operation on `/r{n}/{id}`: a path parameter, query parameters of
/// any schema, maybe a body, and answers of random schemas.
fn operation() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec((prop::sample::select(NAMES), schema(), any::<bool>(), prop::sample::select(&["query", "header", "cookie"][..])), 0..3),
        prop::option::of(schema()),
        any::<bool>(),
        prop::collection::vec((prop::sample::select(&["200", "201", "204", "400", "404", "4XX", "default"][..]), prop::option::of(schema())), 1..4),
    )
        .prop_map(|(params, body, body_required, answers)| {
            let mut parameters = vec![json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}})];
            for (name, schema, required, location) in params {
                parameters.push(json!({"name": name, "in": location, "required": required, "schema": schema}));
            }
            let mut responses = serde_json::Map::new();
            for (status, schema) in answers {
                let mut r = json!({"description": "an answer"});
                if let Some(schema) = schema {
                    r["content"] = json!({"application/json": {"schema": schema}});
                }
                responses.insert(status.to_string(), r);
            }
            let mut op = json!({"parameters": parameters, "responses": responses});
            if let Some(body) = body {
                op["requestBody"] = json!({"required": body_required, "content": {"application/json": {"schema": body}}});
            }
            op
        })
}

fn document() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(schema(), 4),
        prop::collection::vec(
            (
                prop::sample::select(&["get", "post", "put", "delete"][..]),
                operation(),
            ),
            1..4,
        ),
    )
        .prop_map(|(schemas, ops)| {
            let mut paths = serde_json::Map::new();
            for (n, (method, mut op)) in ops.into_iter().enumerate() {
                op["operationId"] = json!(format!("op{n}"));
                paths.insert(format!("/r{n}/{{id}}"), json!({ method: op }));
            }
            let schemas: serde_json::Map<String, Value> = schemas
                .into_iter()
                .enumerate()
                .map(|(i, s)| (format!("S{i}"), s))
                .collect();
            json!({
                "openapi": "3.1.0",
                "info": {"title": "Made up", "version": "1"},
                "servers": [{"url": "https://made-up.example"}],
                "paths": paths,
                "components": {"schemas": schemas},
            })
        })
}

fn run(doc: &Value, dir: &Path, strict: bool) -> Result<(), String> {
    let spec = dir.join("doc.json");
    std::fs::write(&spec, doc.to_string()).map_err(|e| e.to_string())?;
    let runtime = workspace_root().join("generator/runtime");
    generate(&Request {
        spec: &spec,
        out: &dir.join("crate"),
        name: Some("made-up"),
        strict,
        runtime: Runtime::Path(&runtime),
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    /// Generation ends with a crate or an error, never a panic.
    #[test]
    fn generation_never_panics(doc in document(), strict in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let outcome = std::panic::catch_unwind(|| run(&doc, dir.path(), strict));
        prop_assert!(outcome.is_ok(), "generate panicked on:\n{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
}

/// A sample of made-up documents (a fixed seed, so the sample is the same
/// every run) generate crates that `cargo check` accepts.
#[test]
fn a_sample_of_generated_crates_compiles() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut checked = 0;
    for _ in 0..20 {
        if checked == 3 {
            break;
        }
        let doc = document()
            .new_tree(&mut runner)
            .expect("a document")
            .current();
        let dir = tempfile::tempdir().expect("tempdir");
        if run(&doc, dir.path(), false).is_err() {
            continue;
        }
        let out = dir.path().join("crate");
        std::fs::copy(workspace_root().join("Cargo.lock"), out.join("Cargo.lock")).expect("lock");
        let output = Command::new(&cargo)
            .args(["check", "--quiet", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", workspace_root().join("target/corpus"))
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "the crate of this document does not compile:\n{}\n{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default(),
            String::from_utf8_lossy(&output.stderr)
        );
        checked += 1;
    }
    assert_eq!(checked, 3, "three made-up documents generate");
}
