//! Conformance on Meta's official merged spec.
//!
//! When `WHATSAPP_OFFICIAL_SPEC` names the file (`.ci/run` sets it when
//! `../shared/reference/business-messaging-api_v23.0.yaml` exists), the
//! generator runs on the whole file as one fragment, the crate it writes is
//! compiled in a temporary directory, and every example in the file (schema
//! `example`/`examples`, request and response examples) must decode into its
//! generated type and encode back to an equal JSON value. Examples that cannot
//! pass because the reference itself is wrong are listed in [`KNOWN_BAD`] with
//! the reason; every other example must pass, and every listed one must still
//! fail (so the list cannot rot). Without the variable the test says that it
//! skipped and why.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen_tests::workspace_root;
use fragment_codegen::config::Config;
use fragment_codegen::ir::{Api, ResponseContent, StatusMatch, Ty};

// Why examples of the reference cannot pass: the reference contradicts itself.
const NULL: &str = "the example writes `null` for a member the schema does not declare nullable, so the null cannot survive a round trip";
const REQUIRED: &str = "the schema marks a member required that the example (a `fields=`-narrowed response, NOTES.md) leaves out";
const POLICY: &str = "`language.policy` is required with the single value `deterministic`, which the example leaves out; the generated client fills it in";
const INDEX: &str = "button `index` is typed as a string, the example sends the integer 0";
const RECIPIENT: &str = "`recipient_type` is required by the reference's BaseMessageProperties, the example leaves it out (the live API defaults it)";
const LATITUDE: &str = "location `latitude` is typed as a string, the example (and the live API, NOTES.md) sends a number";
const COERCED: &str = "the example sends a number where the schema declares a string (or the reverse); the inbound type decodes it leniently and encodes it in the declared type";
const TYPE: &str = "the example has no `type`, so it is none of the kinds the discriminated `Message` union lists (read receipts and typing indicators are a different request)";

/// Examples the reference gets wrong, by name, with the reason.
const KNOWN_BAD: &[(&str, &str)] = &[
    ("checkCallPermissions 200 Granted Permission", NULL),
    (
        "getBusinessComplianceInfo 200 complete_compliance_info",
        NULL,
    ),
    (
        "getBusinessComplianceInfo 200 minimal_compliance_info",
        NULL,
    ),
    ("setOBOMobilityIntent 200 failed_intent", NULL),
    ("setOBOMobilityIntent 200 successful_intent", NULL),
    ("getIndividualQrCode 200 default_fields", REQUIRED),
    ("getIndividualQrCode 200 with_creation_time", REQUIRED),
    ("getIndividualQrCode 200 with_qr_image_svg", REQUIRED),
    ("getOBOMobilityIntent 200 active_intent", REQUIRED),
    (
        "sendMarketingMessage request Parameterized Template",
        POLICY,
    ),
    (
        "sendMarketingMessage request Simple Template Message",
        POLICY,
    ),
    (
        "sendMarketingMessage request Template with Product Policy",
        POLICY,
    ),
    (
        "sendMessage request Send Message Template Interactive",
        POLICY,
    ),
    ("sendMessage request Send Message Template Media", POLICY),
    ("sendMessage request Send Message Template Text", POLICY),
    (
        "sendMessage request Send Sample Shipping Confirmation Template",
        POLICY,
    ),
    ("sendMessage request Send Sample Text Message", POLICY),
    ("sendMessage request Send Catalog Template Message", INDEX),
    (
        "sendMessage request Send Sample Issue Resolution Template",
        INDEX,
    ),
    ("sendMessage request Send Contact Message", RECIPIENT),
    ("sendMessage request Send Flow Template Message", RECIPIENT),
    (
        "sendMessage request Send Reply to Contact Message",
        RECIPIENT,
    ),
    ("sendMessage request Send Test Message", RECIPIENT),
    ("sendMessage request Send Location Message", LATITUDE),
    (
        "sendMessage request Send Reply to Location Message",
        LATITUDE,
    ),
    ("sendMessage request Send Reply to List Message", TYPE),
    (
        "sendMessage request Send Text Message with Preview URL",
        TYPE,
    ),
    (
        "sendMessage request Send typing indicator and read receipt",
        TYPE,
    ),
    (
        "POST /whatsapp/webhooks request Group Create Message",
        COERCED,
    ),
    (
        "POST /whatsapp/webhooks request Group Remove Participants",
        COERCED,
    ),
    (
        "POST /whatsapp/webhooks request Group Settings Update",
        COERCED,
    ),
];

const VARIABLE: &str = "WHATSAPP_OFFICIAL_SPEC";

fn target() -> fragment_codegen::config::Target {
    let config = Config::parse(
        Path::new("conformance.toml"),
        r#"
[[target]]
name = "official"
crate_name = "official-reference"
description = "The generator's output for Meta's official merged spec."
output = ""
fragments = "."
auth = "bearerAuth"
url_params = ["Media-URL"]

[[target.client_params]]
name = "Version"
default = "v23.0"

[target.webhooks]
operation = "POST /whatsapp/webhooks"
signature_header = "X-Hub-Signature-256"
"#,
    )
    .expect("conformance config parses");
    let mut target = config.targets.into_iter().next().expect("one target");
    // The crate is written to a temporary directory, so it names the runtime
    // crate by its absolute path.
    target.runtime = Some(
        workspace_root()
            .join("generator/runtime")
            .display()
            .to_string(),
    );
    target
}

/// A Rust type expression for an IR type, from outside the generated crate.
fn rust_ty(ty: &Ty) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::JsonObject => "serde_json::Map<String, serde_json::Value>".into(),
        Ty::Bytes => "official_reference::FilePart".into(),
        Ty::Array(t) => format!("Vec<{}>", rust_ty(t)),
        Ty::Item(t) => format!("official_reference::Item<{}>", rust_ty(t)),
        Ty::Map(t) => format!("std::collections::BTreeMap<String, {}>", rust_ty(t)),
        Ty::Named(n) => format!("official_reference::types::{n}"),
        Ty::Extern(t) => format!("::{t}"),
    }
}

/// An operation's label, body type, status → response type, and its YAML.
type OperationTypes<'a> = (
    String,
    Option<Ty>,
    Vec<(String, Option<Ty>)>,
    &'a serde_yaml::Value,
);

/// One example to check: its name, the Rust type, and the JSON.
struct Example {
    name: String,
    ty: String,
    json: serde_json::Value,
}

/// Collects every example of the file with the type it belongs to.
fn collect_examples(raw: &serde_yaml::Value, api: &Api, file: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let to_json =
        |v: &serde_yaml::Value| serde_json::to_value(v).expect("YAML examples are JSON values");
    // Schema examples of named schemas: the type merged from that definition.
    let by_source: BTreeMap<String, &str> = api
        .types
        .values()
        .flat_map(|t| {
            t.sources
                .iter()
                .map(move |s| (s.to_string(), t.name.as_str()))
        })
        .collect();
    if let Some(schemas) = raw
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(|s| s.as_mapping())
    {
        for (name, schema) in schemas {
            let name = name.as_str().unwrap_or_default();
            let source = format!(
                "{file}#/components/schemas/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            let Some(ty) = by_source.get(source.as_str()) else {
                continue;
            };
            if let Some(example) = schema.get("example") {
                out.push(Example {
                    name: format!("schema {name} example"),
                    ty: rust_ty(&Ty::Named(ty.to_string())),
                    json: to_json(example),
                });
            }
            if let Some(serde_yaml::Value::Sequence(examples)) = schema.get("examples") {
                for (i, example) in examples.iter().enumerate() {
                    out.push(Example {
                        name: format!("schema {name} examples[{i}]"),
                        ty: rust_ty(&Ty::Named(ty.to_string())),
                        json: to_json(example),
                    });
                }
            }
        }
    }
    // Media-type examples of request bodies and responses.
    let media_examples = |content: Option<&serde_yaml::Value>| -> Vec<(String, serde_json::Value)> {
        let mut found = Vec::new();
        let Some(json) = content.and_then(|c| c.get("application/json")) else {
            return found;
        };
        if let Some(example) = json.get("example") {
            found.push(("example".to_string(), to_json(example)));
        }
        if let Some(serde_yaml::Value::Mapping(examples)) = json.get("examples") {
            for (key, example) in examples {
                if let Some(value) = example.get("value") {
                    found.push((key.as_str().unwrap_or_default().to_string(), to_json(value)));
                }
            }
        }
        found
    };
    let responses = raw.get("components").and_then(|c| c.get("responses"));
    let mut operations: Vec<OperationTypes<'_>> = Vec::new();
    let paths = raw
        .get("paths")
        .and_then(|p| p.as_mapping())
        .expect("paths");
    for (path, item) in paths {
        let path = path.as_str().unwrap_or_default();
        for method in ["get", "put", "post", "delete", "patch"] {
            let Some(op) = item.get(method) else { continue };
            let id = op
                .get("operationId")
                .and_then(|i| i.as_str())
                .map(str::to_string);
            let label = id
                .clone()
                .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
            if api
                .webhook
                .as_ref()
                .is_some_and(|w| w.operation_id == label)
            {
                let payload = api.webhook.as_ref().map(|w| w.payload.clone());
                operations.push((label, payload, Vec::new(), op));
                continue;
            }
            let Some(ir) = api
                .operations
                .iter()
                .find(|o| Some(&o.operation_id) == id.as_ref())
            else {
                panic!("operation {label} is missing from the IR")
            };
            let body = ir
                .body
                .as_ref()
                .filter(|b| b.media == fragment_codegen::ir::BodyMedia::Json)
                .map(|b| b.ty.clone());
            let mut statuses = Vec::new();
            for (status, _) in op
                .get("responses")
                .and_then(|r| r.as_mapping())
                .into_iter()
                .flatten()
            {
                let status = match status {
                    serde_yaml::Value::Number(n) => n.to_string(),
                    other => other.as_str().unwrap_or_default().to_string(),
                };
                let code: Option<u16> = status.parse().ok();
                let ty = match code {
                    Some(200..=299) => match &ir.success.content {
                        ResponseContent::Json(t) => Some(t.clone()),
                        _ => None,
                    },
                    _ => {
                        let documented = ir.errors.iter().any(|e| match e.status {
                            StatusMatch::Code(c) => Some(c) == code,
                            _ => true,
                        });
                        documented.then(|| ir.error_ty.clone())
                    }
                };
                statuses.push((status, ty));
            }
            operations.push((label, body, statuses, op));
        }
    }
    for (label, body, statuses, op) in operations {
        if let Some(body_ty) = body {
            for (key, json) in media_examples(op.get("requestBody").and_then(|b| b.get("content")))
            {
                out.push(Example {
                    name: format!("{label} request {key}"),
                    ty: rust_ty(&body_ty),
                    json,
                });
            }
        }
        for (status, ty) in statuses {
            let Some(ty) = ty else { continue };
            let mut response = op.get("responses").and_then(|r| {
                r.get(status.as_str()).or_else(|| {
                    let n = status.parse::<u64>().ok()?;
                    r.as_mapping()?
                        .iter()
                        .find(|(k, _)| k.as_u64() == Some(n))
                        .map(|(_, v)| v)
                })
            });
            if let Some(reference) = response
                .and_then(|r| r.get("$ref"))
                .and_then(|r| r.as_str())
            {
                let name = reference.rsplit('/').next().unwrap_or_default();
                response = responses.and_then(|rs| rs.get(name));
            }
            for (key, json) in media_examples(response.and_then(|r| r.get("content"))) {
                out.push(Example {
                    name: format!("{label} {status} {key}"),
                    ty: rust_ty(&ty),
                    json,
                });
            }
        }
    }
    out
}

/// The test crate's harness: decodes and re-encodes every example and writes
/// the names of the failures, one per line, with the reason.
fn harness(examples: &[Example]) -> String {
    let mut checks = String::new();
    for (i, e) in examples.iter().enumerate() {
        let json = serde_json::to_string(&e.json).expect("encodes");
        writeln!(
            checks,
            "    check::<{}>({:?}, {:?}, &mut out); // {i}",
            e.ty, e.name, json
        )
        .expect("write");
    }
    format!(
        r#"use serde::{{de::DeserializeOwned, Serialize}};

/// The first place two JSON values differ (1 and 1.0 are the same number),
/// as a JSON pointer with what each side holds there.
fn diff(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {{
    use serde_json::Value::*;
    match (a, b) {{
        (Number(x), Number(y)) if x.as_f64() == y.as_f64() => None,
        (Array(x), Array(y)) if x.len() == y.len() => x.iter().zip(y).enumerate().find_map(|(i, (x, y))| diff(x, y, &format!("{{at}}/{{i}}"))),
        (Object(x), Object(y)) => x
            .iter()
            .find_map(|(k, v)| match y.get(k) {{
                Some(w) => diff(v, w, &format!("{{at}}/{{k}}")),
                None => Some(format!("{{at}}/{{k}}: written but not in the example")),
            }})
            .or_else(|| y.keys().find(|k| !x.contains_key(*k)).map(|k| format!("{{at}}/{{k}}: in the example but not written"))),
        _ if a == b => None,
        _ => Some(format!("{{at}}: written {{a}}, example has {{b}}")),
    }}
}}

fn check<T: DeserializeOwned + Serialize>(name: &str, json: &str, out: &mut String) {{
    let value: serde_json::Value = serde_json::from_str(json).expect("example is JSON");
    match serde_json::from_value::<T>(value.clone()) {{
        Err(e) => out.push_str(&format!("{{name}}\tdoes not decode: {{e}}\n")),
        Ok(decoded) => match serde_json::to_value(&decoded) {{
            Err(e) => out.push_str(&format!("{{name}}\tdoes not encode: {{e}}\n")),
            Ok(back) => {{
                if let Some(d) = diff(&back, &value, "") {{
                    out.push_str(&format!("{{name}}\tencodes differently at {{d}}\n"));
                }}
            }}
        }},
    }}
}}

#[test]
fn examples() {{
    let mut out = String::new();
{checks}    std::fs::write(std::env::var("CONFORMANCE_REPORT").expect("report path"), out).expect("write report");
}}
"#
    )
}

#[test]
fn official_reference_generates_compiles_and_round_trips_its_examples() {
    let Some(spec) = std::env::var_os(VARIABLE) else {
        codegen_tests::print_skip(&format!(
            "{VARIABLE} is not set; set it to Meta's business-messaging-api_v23.0.yaml to run the conformance check (.ci/run does when ../shared/reference has it)"
        ));
        return;
    };
    let spec = PathBuf::from(spec);
    let text = std::fs::read_to_string(&spec)
        .unwrap_or_else(|e| panic!("{VARIABLE}={}: {e}", spec.display()));
    let file = spec
        .file_name()
        .and_then(|f| f.to_str())
        .expect("file name")
        .to_string();
    let fragment =
        fragment_codegen::load::parse(Path::new(&file), &text).unwrap_or_else(|e| panic!("{e}"));
    let target = target();
    let api = fragment_codegen::lower::lower(&target, std::slice::from_ref(&fragment))
        .unwrap_or_else(|e| panic!("{e}"));
    let files = fragment_codegen::emit::emit(&api).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "official reference: {} operations, {} types",
        api.operations.len(),
        api.types.len()
    );
    assert_eq!(
        api.operations.len() + usize::from(api.webhook.is_some()),
        113,
        "every operation of the reference is generated"
    );

    let raw: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let examples = collect_examples(&raw, &api, &file);
    println!("examples found: {}", examples.len());

    // The crate and its harness, in a temporary directory, built with this
    // workspace's lock file so dependency versions match.
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in &files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        let content = if path == Path::new("Cargo.toml") {
            format!("{content}\n[dev-dependencies]\nserde = \"1\"\n\n[workspace]\n")
        } else {
            content.clone()
        };
        std::fs::write(full, content).expect("write");
    }
    std::fs::create_dir_all(dir.path().join("tests")).expect("mkdir");
    std::fs::write(dir.path().join("tests/examples.rs"), harness(&examples))
        .expect("write harness");
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .expect("copy lock file");
    let report = dir.path().join("report.txt");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["test", "--quiet", "--test", "examples", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target/conformance"),
        )
        .env("CONFORMANCE_REPORT", &report)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "the generated crate or its example harness does not build or run"
    );

    let report = std::fs::read_to_string(&report).expect("report written");
    let failures: BTreeMap<&str, &str> =
        report.lines().filter_map(|l| l.split_once('\t')).collect();
    let known: BTreeMap<&str, &str> = KNOWN_BAD.iter().copied().collect();
    println!(
        "examples: {} checked, {} pass, {} fail as listed in KNOWN_BAD",
        examples.len(),
        examples.len() - failures.len(),
        failures.keys().filter(|k| known.contains_key(*k)).count()
    );
    for prefix in ["sendMessage request", "POST /whatsapp/webhooks request"] {
        let total = examples
            .iter()
            .filter(|e| e.name.starts_with(prefix))
            .count();
        let failing = failures.keys().filter(|k| k.starts_with(prefix)).count();
        println!("  {prefix}: {total} examples, {} pass", total - failing);
    }
    let unexpected: Vec<String> = failures
        .iter()
        .filter(|(name, _)| !known.contains_key(*name))
        .map(|(name, why)| format!("{name}: {why}"))
        .collect();
    let fixed: Vec<&str> = known
        .keys()
        .filter(|k| !failures.contains_key(*k))
        .copied()
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} examples fail:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "listed as known bad but now pass (remove them): {fixed:?}"
    );
}
