//! `decode-bench`: how fast the crate decodes its own documented payloads
//! into the generated types, against decoding the same bytes into an
//! untyped `serde_json::Value`, through the crate's own entry points
//! (`webhooks::parse`, and the runtime's `decode_json` for responses).
//!
//! Each run decodes every payload of a set `--iterations` times both ways;
//! the median of `--runs` runs is reported. Prints one JSON object, for
//! `cargo xtask bench` to read. Build it in release mode.

use std::time::{Duration, Instant};

use whatsapp_cloud_api::types::GraphAPIError;

/// Decodes a response body into one type, through the runtime's entry point.
type Decode = fn(Vec<u8>) -> bool;

fn decode<T: serde::de::DeserializeOwned>(body: Vec<u8>) -> bool {
    let received = fragment_codegen_runtime::Received {
        body,
        meta: whatsapp_cloud_api::ResponseMeta::new(200, Default::default(), 1),
    };
    fragment_codegen_runtime::decode_json::<T, GraphAPIError>(received).is_ok()
}

include!(concat!(env!("OUT_DIR"), "/payloads.rs"));

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Times `f` over every payload (by index), `iterations` times. Each call
/// owns its bytes, as a body read from the network is; the copies are made
/// before the clock starts.
fn time(payloads: &[Vec<u8>], iterations: usize, f: &dyn Fn(usize, Vec<u8>) -> bool) -> Duration {
    let bodies: Vec<Vec<u8>> = (0..iterations)
        .flat_map(|_| payloads.iter().cloned())
        .collect();
    let start = Instant::now();
    for (n, body) in bodies.into_iter().enumerate() {
        assert!(
            f(n % payloads.len(), std::hint::black_box(body)),
            "a payload did not decode"
        );
    }
    start.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let runs = arg("--runs", 7);
    let iterations = arg("--iterations", 200);

    let webhooks: Vec<Vec<u8>> = WEBHOOKS
        .iter()
        .map(|(_, t)| t.as_bytes().to_vec())
        .collect();
    let responses: Vec<(Vec<u8>, Decode)> = RESPONSES
        .iter()
        .map(|(_, _, t, d)| (t.as_bytes().to_vec(), *d))
        .collect();
    for (op, name, text, d) in RESPONSES {
        assert!(d(text.as_bytes().to_vec()), "{op} {name} does not decode");
    }

    let mut report = Vec::new();
    let value = |_: usize, b: Vec<u8>| serde_json::from_slice::<serde_json::Value>(&b).is_ok();
    // Webhooks, through `webhooks::parse`.
    let typed = |_: usize, b: Vec<u8>| whatsapp_cloud_api::webhooks::parse(&b).is_ok();
    report.push(measure(
        "webhooks", &webhooks, runs, iterations, &typed, &value,
    ));
    // The same payloads into a plain serde-derive model that drops unknown
    // members, as hand-written crates do: the yardstick for `webhooks`.
    let derived = |_: usize, b: Vec<u8>| serde_json::from_slice::<derived::Payload>(&b).is_ok();
    report.push(measure(
        "webhooks-derive",
        &webhooks,
        runs,
        iterations,
        &derived,
        &value,
    ));
    // Responses, through the runtime's `decode_json` into each operation's type.
    let bodies: Vec<Vec<u8>> = responses.iter().map(|(b, _)| b.clone()).collect();
    let typed = |i: usize, b: Vec<u8>| (responses[i].1)(b);
    report.push(measure(
        "responses",
        &bodies,
        runs,
        iterations,
        &typed,
        &value,
    ));
    println!("{}", serde_json::Value::Array(report));
}

fn measure(
    set: &str,
    payloads: &[Vec<u8>],
    runs: usize,
    iterations: usize,
    typed: &dyn Fn(usize, Vec<u8>) -> bool,
    value: &dyn Fn(usize, Vec<u8>) -> bool,
) -> serde_json::Value {
    let bytes: usize = payloads.iter().map(Vec::len).sum::<usize>() * iterations;
    let (mut typed_times, mut value_times) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        // Interleaved, so load on the machine affects both alike.
        value_times.push(time(payloads, iterations, value));
        typed_times.push(time(payloads, iterations, typed));
    }
    let (t, v) = (median(typed_times), median(value_times));
    let mb = |d: Duration| bytes as f64 / d.as_secs_f64() / 1e6;
    serde_json::json!({
        "set": set,
        "payloads": payloads.len(),
        "bytes": payloads.iter().map(Vec::len).sum::<usize>(),
        "typed_mb_s": mb(t),
        "value_mb_s": mb(v),
        "ratio": v.as_secs_f64() / t.as_secs_f64(),
    })
}

/// A plain serde-derive model of the webhook payloads, with the members the
/// documented examples use and nothing else: unknown members are dropped and
/// unions are strings plus optional members, as hand-written crates do.
#[allow(dead_code)]
mod derived {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Payload {
        pub object: String,
        pub entry: Vec<Entry>,
    }

    #[derive(Deserialize)]
    pub struct Entry {
        pub id: String,
        pub changes: Vec<Change>,
    }

    #[derive(Deserialize)]
    pub struct Change {
        pub field: String,
        pub value: Value,
    }

    #[derive(Deserialize)]
    pub struct Value {
        pub messaging_product: Option<String>,
        pub metadata: Option<Metadata>,
        pub event: Option<String>,
        pub message_template_id: Option<i64>,
        pub message_template_name: Option<String>,
        pub message_template_language: Option<String>,
        pub reason: Option<String>,
        pub contacts: Option<Vec<Contact>>,
        pub messages: Option<Vec<Message>>,
        pub statuses: Option<Vec<Status>>,
    }

    #[derive(Deserialize)]
    pub struct Metadata {
        pub display_phone_number: String,
        pub phone_number_id: String,
    }

    #[derive(Deserialize)]
    pub struct Contact {
        pub wa_id: String,
        pub profile: Option<Profile>,
    }

    #[derive(Deserialize)]
    pub struct Profile {
        pub name: String,
    }

    #[derive(Deserialize)]
    pub struct Message {
        pub from: String,
        pub id: String,
        pub timestamp: String,
        #[serde(rename = "type")]
        pub kind: String,
        pub text: Option<Text>,
        pub image: Option<Media>,
        pub context: Option<Context>,
        pub interactive: Option<serde_json::Value>,
        pub location: Option<serde_json::Value>,
    }

    #[derive(Deserialize)]
    pub struct Text {
        pub body: String,
    }

    #[derive(Deserialize)]
    pub struct Media {
        pub id: String,
        pub mime_type: String,
        pub sha256: String,
        pub caption: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Context {
        pub from: String,
        pub id: String,
    }

    #[derive(Deserialize)]
    pub struct Status {
        pub id: String,
        pub status: String,
        pub timestamp: String,
        pub recipient_id: String,
        pub pricing: Option<Pricing>,
        pub errors: Option<Vec<serde_json::Value>>,
    }

    #[derive(Deserialize)]
    pub struct Pricing {
        pub billable: bool,
        pub category: String,
        pub pricing_model: String,
        #[serde(rename = "type")]
        pub kind: String,
    }
}
