//! One text-message delivery, as the live API orders its members (a union's
//! tag after its content), decoded many times: through the crate's
//! `webhooks::parse`, the hand-written `whatsapp` 0.8.1 crate's model, and
//! `serde_json::Value`; then the same delivery with the tags first. Prints
//! the time per decode and the sizes of the largest received types.
//!
//! ```sh
//! cargo run --release -p codegen-bench --example delivery
//! # One way only, for a profiler (`perf record`, `valgrind --tool=callgrind`):
//! ONLY=ours cargo run --release -p codegen-bench --example delivery
//! ONLY=peer RUNS=5000 valgrind --tool=callgrind target/release/examples/delivery
//! ```

use std::time::{Duration, Instant};

const LIVE: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"230948571093487","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15557012345","phone_number_id":"318822417960105"},"contacts":[{"profile":{"name":"Maria Lopez"},"wa_id":"4915112345678"}],"messages":[{"from":"4915112345678","id":"wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBGMTdBQTc2QkUzMzQ1RTg5AA==","timestamp":"1751021340","text":{"body":"Do you deliver on Sundays?"},"type":"text"}]},"field":"messages"}]}]}"#;

const TAGS_FIRST: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"230948571093487","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15557012345","phone_number_id":"318822417960105"},"contacts":[{"profile":{"name":"Maria Lopez"},"wa_id":"4915112345678"}],"messages":[{"type":"text","from":"4915112345678","id":"wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBGMTdBQTc2QkUzMzQ1RTg5AA==","timestamp":"1751021340","text":{"body":"Do you deliver on Sundays?"}}]}}]}]}"#;

fn ours(text: &str) {
    let payload = whatsapp_cloud_api::webhooks::parse(std::hint::black_box(text.as_bytes()));
    assert!(payload.is_ok(), "the delivery decodes");
    std::hint::black_box(payload.ok());
}

fn peer(text: &str) {
    let payload = serde_json::from_slice::<whatsapp::models::webhooks::NotificationPayload>(
        std::hint::black_box(text.as_bytes()),
    );
    assert!(payload.is_ok(), "the delivery decodes");
    std::hint::black_box(payload.ok());
}

fn value(text: &str) {
    let payload =
        serde_json::from_slice::<serde_json::Value>(std::hint::black_box(text.as_bytes()));
    assert!(payload.is_ok(), "the delivery decodes");
    std::hint::black_box(payload.ok());
}

fn per_decode(runs: u32, f: &dyn Fn(&str), text: &str) -> Duration {
    let start = Instant::now();
    for _ in 0..runs {
        f(text);
    }
    start.elapsed() / runs
}

fn main() {
    let runs: u32 = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200_000);
    match std::env::var("ONLY").as_deref() {
        Ok("ours") => return (0..runs).for_each(|_| ours(LIVE)),
        Ok("peer") => return (0..runs).for_each(|_| peer(LIVE)),
        Ok("value") => return (0..runs).for_each(|_| value(LIVE)),
        _ => {}
    }
    use whatsapp_cloud_api::types::{IncomingMessage, MessageStatus, MessagesValue, WebhookChange};
    println!(
        "sizes: IncomingMessage {} bytes, WebhookChange {}, MessagesValue {}, MessageStatus {}",
        std::mem::size_of::<IncomingMessage>(),
        std::mem::size_of::<WebhookChange>(),
        std::mem::size_of::<MessagesValue>(),
        std::mem::size_of::<MessageStatus>()
    );
    for round in 1..=3 {
        // Interleaved, so load on the machine affects each alike.
        let o = per_decode(runs, &ours, LIVE);
        let p = per_decode(runs, &peer, LIVE);
        let v = per_decode(runs, &value, LIVE);
        let t = per_decode(runs, &ours, TAGS_FIRST);
        println!(
            "round {round}: live order: ours {o:?}, whatsapp 0.8.1 {p:?}, Value {v:?}; tags first: ours {t:?}"
        );
    }
}
