//! The payloads the bench decodes, read from the WhatsApp fragments when it
//! starts: every documented success example of an operation whose answer is
//! a JSON type, and every example of the webhook payload, with members in
//! alphabetical order and in the live API's.

use std::path::Path;

use fragment_codegen::ir::{ResponseContent, Ty};

use crate::{Decode, decoder};

/// One documented success example and the decoder of its type.
pub struct Response {
    pub op: String,
    pub example: String,
    pub text: String,
    pub decode: Decode,
}

pub struct Payloads {
    pub responses: Vec<Response>,
    /// (example, JSON text) of every documented webhook payload, its
    /// members in alphabetical order (`serde_json::Value` keeps no order).
    pub webhooks: Vec<(String, String)>,
    /// The same payloads with their members in the order the live API sends
    /// them: a union's tag (`type`, `field`) after the content.
    pub webhooks_live: Vec<(String, String)>,
}

pub fn load(root: &Path) -> Payloads {
    let specs = root.join("specs");
    let config = fragment_codegen::config::Config::load(&specs.join("codegen.toml"))
        .expect("specs/codegen.toml loads");
    let target = config.target("whatsapp").expect("a whatsapp target");
    let fragments =
        fragment_codegen::load::load_dir(&specs, &target.fragments).expect("fragments load");
    let api = fragment_codegen::lower::lower(target, &fragments).expect("fragments lower");

    let mut responses = Vec::new();
    for op in &api.operations {
        let ResponseContent::Json(Ty::Named(name)) = &op.success.content else {
            continue;
        };
        let decode = decoder(name).unwrap_or_else(|| {
            panic!("no decoder for `{name}`: api.json is older than the fragments")
        });
        for (_, example, value) in &op.examples.success {
            responses.push(Response {
                op: op.method.to_string(),
                example: example.to_string(),
                text: serde_json::to_string(value).expect("JSON"),
                decode,
            });
        }
    }

    let text =
        std::fs::read_to_string(specs.join("whatsapp/webhooks.yaml")).expect("webhooks fragment");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let examples = doc["paths"]["/whatsapp/webhooks"]["post"]["requestBody"]["content"]
        ["application/json"]["examples"]
        .as_mapping()
        .expect("webhook examples");
    let mut webhooks = Vec::new();
    let mut webhooks_live = Vec::new();
    for (name, example) in examples {
        let name = name.as_str().unwrap_or_default().to_string();
        let value: serde_json::Value = serde_json::to_value(&example["value"]).expect("JSON");
        webhooks.push((name.clone(), serde_json::to_string(&value).expect("JSON")));
        let mut ordered = String::new();
        live_order(&value, &mut ordered);
        webhooks_live.push((name, ordered));
    }
    Payloads {
        responses,
        webhooks,
        webhooks_live,
    }
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
