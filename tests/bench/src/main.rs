//! `decode-bench`: how fast the crate decodes its own documented payloads
//! into the generated types, through the crate's own entry points
//! (`webhooks::parse`, and the runtime's `decode_json` for responses),
//! against decoding the same bytes into an untyped `serde_json::Value`, and
//! the webhooks also against the hand-written `whatsapp` 0.8.1 crate's model
//! on the payloads it decodes. Webhooks are measured with their members in
//! the live API's order (a union's tag after its content) and in
//! alphabetical order (how `serde_json::Value` writes them back).
//!
//! Each run decodes every payload of a set `--iterations` times both ways;
//! the median of `--runs` runs is reported. Prints one JSON object, for
//! `cargo xtask bench` to read. Build it in release mode.

use std::time::{Duration, Instant};

use whatsapp_cloud_api::types::GraphAPIError;

/// Decodes a response body into one type, through the runtime's entry point.
type Decode = fn(Vec<u8>) -> bool;

fn decode<T: serde::de::DeserializeOwned>(body: Vec<u8>) -> bool {
    let received = fragment_codegen_runtime::__private::Received {
        body,
        meta: whatsapp_cloud_api::ResponseMeta::new(200, Default::default(), 1),
    };
    fragment_codegen_runtime::__private::decode_json::<T, GraphAPIError>(received).is_ok()
}

mod payloads;

include!(concat!(env!("OUT_DIR"), "/decoders.rs"));

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

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let payloads = payloads::load(&root);
    let webhooks: Vec<Vec<u8>> = payloads
        .webhooks
        .iter()
        .map(|(_, t)| t.as_bytes().to_vec())
        .collect();
    let responses: Vec<(Vec<u8>, Decode)> = payloads
        .responses
        .iter()
        .map(|r| (r.text.as_bytes().to_vec(), r.decode))
        .collect();
    for r in &payloads.responses {
        assert!(
            (r.decode)(r.text.as_bytes().to_vec()),
            "{} {} does not decode",
            r.op,
            r.example
        );
    }

    // `--profile SET`: decode one set into the generated types only, for a
    // profiler (`perf record`); prints nothing.
    if let Some(set) = args
        .iter()
        .position(|a| a == "--profile")
        .and_then(|i| args.get(i + 1))
    {
        let set: &[(String, String)] = match set.as_str() {
            "live" => &payloads.webhooks_live,
            "alphabetical" => &payloads.webhooks,
            "responses" => &[],
            other => panic!("--profile takes live, alphabetical or responses, not `{other}`"),
        };
        for _ in 0..iterations {
            if set.is_empty() {
                for (body, decode) in &responses {
                    assert!(decode(body.clone()));
                }
            } else {
                for (_, t) in set {
                    assert!(whatsapp_cloud_api::webhooks::parse(t.as_bytes()).is_ok());
                }
            }
        }
        return;
    }

    let mut report = Vec::new();
    let value = |_: usize, b: Vec<u8>| serde_json::from_slice::<serde_json::Value>(&b).is_ok();
    let typed = |_: usize, b: Vec<u8>| whatsapp_cloud_api::webhooks::parse(&b).is_ok();
    // Webhooks in the order the live API sends members (a union's tag after
    // its content), through `webhooks::parse`.
    let live: Vec<Vec<u8>> = payloads
        .webhooks_live
        .iter()
        .map(|(_, t)| t.as_bytes().to_vec())
        .collect();
    report.push(measure(
        "webhooks, live order",
        "Value",
        &live,
        runs,
        iterations,
        &typed,
        &value,
    ));
    // Against the hand-written `whatsapp` 0.8.1 crate, on the payloads its
    // model decodes (it drops the members it does not know).
    let both: Vec<Vec<u8>> = live
        .iter()
        .filter(|b| {
            serde_json::from_slice::<whatsapp::models::webhooks::NotificationPayload>(b).is_ok()
        })
        .cloned()
        .collect();
    let peer = |_: usize, b: Vec<u8>| {
        serde_json::from_slice::<whatsapp::models::webhooks::NotificationPayload>(&b).is_ok()
    };
    report.push(measure(
        "webhooks, live order",
        "whatsapp 0.8.1",
        &both,
        runs,
        iterations,
        &typed,
        &peer,
    ));
    // The same payloads with members in alphabetical order.
    report.push(measure(
        "webhooks, alphabetical order",
        "Value",
        &webhooks,
        runs,
        iterations,
        &typed,
        &value,
    ));
    // Responses, through the runtime's `decode_json` into each operation's type.
    let bodies: Vec<Vec<u8>> = responses.iter().map(|(b, _)| b.clone()).collect();
    let typed = |i: usize, b: Vec<u8>| (responses[i].1)(b);
    report.push(measure(
        "responses",
        "Value",
        &bodies,
        runs,
        iterations,
        &typed,
        &value,
    ));
    println!("{}", serde_json::Value::Array(report));
}

/// Decodes the payloads both ways, interleaved run by run; the ratio is
/// the other way's time over the typed way's (above 1: typed is faster).
fn measure(
    set: &str,
    against: &str,
    payloads: &[Vec<u8>],
    runs: usize,
    iterations: usize,
    typed: &dyn Fn(usize, Vec<u8>) -> bool,
    other: &dyn Fn(usize, Vec<u8>) -> bool,
) -> serde_json::Value {
    let bytes: usize = payloads.iter().map(Vec::len).sum::<usize>() * iterations;
    let (mut typed_times, mut other_times) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        // Interleaved, so load on the machine affects both alike.
        other_times.push(time(payloads, iterations, other));
        typed_times.push(time(payloads, iterations, typed));
    }
    let (t, o) = (median(typed_times), median(other_times));
    let mb = |d: Duration| bytes as f64 / d.as_secs_f64() / 1e6;
    serde_json::json!({
        "set": set,
        "against": against,
        "payloads": payloads.len(),
        "bytes": payloads.iter().map(Vec::len).sum::<usize>(),
        "typed_mb_s": mb(t),
        "other_mb_s": mb(o),
        "ratio": o.as_secs_f64() / t.as_secs_f64(),
    })
}
