//! Writes the bench's payload table from the WhatsApp fragments: every
//! documented success example of an operation whose answer is a JSON type,
//! with a function decoding it into that type, and every example of the
//! webhook payload.

use std::fmt::Write as _;
use std::path::PathBuf;

use fragment_codegen::ir::{ResponseContent, Ty};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let specs = root.join("specs");
    println!("cargo::rerun-if-changed={}", specs.display());
    let config = fragment_codegen::config::Config::load(&specs.join("codegen.toml"))
        .expect("specs/codegen.toml loads");
    let target = config.target("whatsapp").expect("a whatsapp target");
    let fragments =
        fragment_codegen::load::load_dir(&specs, &target.fragments).expect("fragments load");
    let api = fragment_codegen::lower::lower(target, &fragments).expect("fragments lower");

    let mut out = String::from(
        "/// (operation, example, JSON text, decoder) for every documented success example.\npub const RESPONSES: &[(&str, &str, &str, Decode)] = &[\n",
    );
    for op in &api.operations {
        let ResponseContent::Json(Ty::Named(name)) = &op.success.content else {
            continue;
        };
        for (_, example, value) in &op.examples.success {
            let text = serde_json::to_string(value).expect("JSON");
            writeln!(
                out,
                "    ({:?}, {:?}, {:?}, decode::<whatsapp_cloud_api::types::{name}>),",
                op.method, example, text
            )
            .expect("write");
        }
    }
    out.push_str("];\n\n/// (example, JSON text) for every documented webhook payload.\npub const WEBHOOKS: &[(&str, &str)] = &[\n");
    let text =
        std::fs::read_to_string(specs.join("whatsapp/webhooks.yaml")).expect("webhooks fragment");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let examples = doc["paths"]["/whatsapp/webhooks"]["post"]["requestBody"]["content"]
        ["application/json"]["examples"]
        .as_mapping()
        .expect("webhook examples");
    let mut live = String::from(
        "/// The same webhook payloads with their members in the order the live API\n/// sends them: a union's tag (`type`, `field`) after the content.\npub const WEBHOOKS_LIVE: &[(&str, &str)] = &[\n",
    );
    for (name, example) in examples {
        let name = name.as_str().unwrap_or_default();
        let value: serde_json::Value = serde_json::to_value(&example["value"]).expect("JSON");
        let json = serde_json::to_string(&value).expect("JSON");
        writeln!(out, "    ({name:?}, {json:?}),").expect("write");
        let mut ordered = String::new();
        live_order(&value, &mut ordered);
        writeln!(live, "    ({name:?}, {ordered:?}),").expect("write");
    }
    out.push_str("];\n\n");
    out.push_str(&live);
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("payloads.rs");
    std::fs::write(dest, out).expect("payloads.rs written");
}

/// Writes `value` as JSON with every object's `type` and `field` members
/// last, as Meta's deliveries order them (`{"value": {..}, "field":
/// "messages"}`, `{"from": .., "text": {..}, "type": "text"}`).
fn live_order(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(members) => {
            let tag = |k: &str| k == "type" || k == "field";
            let ordered = members
                .iter()
                .filter(|(k, _)| !tag(k))
                .chain(members.iter().filter(|(k, _)| tag(k)));
            out.push('{');
            for (i, (k, v)) in ordered.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("JSON"));
                out.push(':');
                live_order(v, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                live_order(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).expect("JSON")),
    }
}
