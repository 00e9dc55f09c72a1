//! No credential, app secret or request body shows in `Debug` or `Display`
//! output: of clients, builders, policies, hooks' views of a request, and
//! every kind of error a call or a webhook check can end in.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use whatsapp_cloud_api::types::{MediaUploadRequest, Message};
use whatsapp_cloud_api::{Client, Error, FilePart, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "EAAGm0PX4ZCpsBAKZD-secret-access-token";
const API_KEY: &str = "d360-secret-api-key-7d2f";
const APP_SECRET: &str = "app-secret-4f1c2e9a";
/// Text sent in request bodies; no error may echo it.
const BODY_MARKER: &str = "private-message-text-91c3";

/// Fails if any of the texts holds a secret or the body marker.
fn assert_clean(what: &str, texts: &[String]) {
    for text in texts {
        for secret in [TOKEN, API_KEY, APP_SECRET, BODY_MARKER] {
            assert!(!text.contains(secret), "{what} shows `{secret}`: {text}");
        }
    }
}

/// The `Debug` (plain and pretty) and `Display` output of an error, with its
/// sources.
fn outputs<E: std::error::Error>(e: &E) -> Vec<String> {
    let mut out = vec![format!("{e:?}"), format!("{e:#?}"), e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        out.push(format!("{s:?}"));
        out.push(s.to_string());
        source = s.source();
    }
    out
}

/// A hook that records how requests and outcomes look in `Debug` output
/// (headers left out, as the hook documentation asks).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl whatsapp_cloud_api::Hook for Recorder {
    fn on_request(&self, request: &mut whatsapp_cloud_api::reqwest::Request) {
        let line = format!("{} {}", request.method(), request.url());
        self.0.lock().expect("lock").push(line);
    }

    fn on_response(&self, exchange: &whatsapp_cloud_api::Exchange<'_>) {
        self.0.lock().expect("lock").push(format!("{exchange:?}"));
    }
}

fn client(base_url: &str, hook: Recorder) -> Client {
    Client::builder(TOKEN)
        .base_url(base_url)
        .retry(RetryPolicy::disabled())
        .timeout(Duration::from_millis(300))
        .hook(hook)
        .build()
        .expect("client builds")
}

fn message() -> Message {
    Message::text("16505551234", BODY_MARKER)
}

#[test]
fn clients_builders_and_policies_hide_credentials() {
    let builder = Client::builder(TOKEN);
    let client = builder.clone().build().expect("builds");
    let d360 = d360_messaging::Client::builder(API_KEY);
    assert_clean(
        "client",
        &[
            format!("{builder:?}"),
            format!("{builder:#?}"),
            format!("{client:?}"),
            format!("{client:#?}"),
            format!("{d360:?}"),
            format!("{:?}", d360.clone().build().expect("builds")),
            format!("{:?}", RetryPolicy::new()),
        ],
    );
    assert!(format!("{client:?}").contains("<redacted>"));
}

#[test]
fn file_parts_show_their_length_not_their_bytes() {
    let part = FilePart::new(BODY_MARKER.as_bytes().to_vec()).file_name("a.txt");
    let request = MediaUploadRequest::new(part.clone(), "text/plain");
    assert_clean("file part", &[format!("{part:?}"), format!("{request:?}")]);
    assert!(format!("{part:?}").contains("len: 25"), "{part:?}");
}

#[tokio::test]
async fn errors_of_every_kind_hide_the_token_and_the_request_body() {
    let server = MockServer::start().await;
    let error_body = json!({"error": {"message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047, "fbtrace_id": "A1"}});
    Mock::given(method("POST"))
        .and(path("/v23.0/1/messages"))
        .respond_with(ResponseTemplate::new(400).set_body_json(error_body))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v23.0/2/messages"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v23.0/3/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messages": "not a list"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v23.0/4/messages"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(5))
                .set_body_json(json!({})),
        )
        .mount(&server)
        .await;
    let hook = Recorder::default();
    let client = client(&server.uri(), hook.clone());

    let mut texts = Vec::new();
    let mut kinds = Vec::new();
    for phone_number_id in ["1", "2", "3", "4"] {
        let e = client
            .send_message(phone_number_id, message())
            .send()
            .await
            .expect_err("every call fails");
        kinds.push(match &e {
            Error::Api { .. } => "api",
            Error::UnexpectedResponse { .. } => "unexpected",
            Error::Decode { .. } => "decode",
            Error::Transport { .. } if e.is_timeout() => "timeout",
            _ => "other",
        });
        texts.extend(outputs(&e));
    }
    // Nothing listens on port 9 of this address: a connection error.
    let refused = self::client("http://127.0.0.1:9", hook.clone())
        .send_message("5", message())
        .send()
        .await
        .expect_err("no server");
    kinds.push(if matches!(refused, Error::Transport { .. }) {
        "transport"
    } else {
        "other"
    });
    texts.extend(outputs(&refused));
    assert_eq!(
        kinds,
        ["api", "unexpected", "decode", "timeout", "transport"]
    );

    texts.extend(hook.0.lock().expect("lock").iter().cloned());
    assert_clean("an error or a hook's view", &texts);
    // The request really carried both, so the checks above could fail.
    let requests = server.received_requests().await.expect("recorded");
    let first = &requests[0];
    assert_eq!(
        first
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(String::from_utf8_lossy(&first.body).contains(BODY_MARKER));
}

#[test]
fn webhook_errors_hide_the_app_secret_and_the_body() {
    use whatsapp_cloud_api::webhooks::{parse_verified, verify_subscription_query};
    let body = format!("{{\"object\": \"{BODY_MARKER}\"");
    let mut texts = Vec::new();
    for signature in [
        None,
        Some("sha1=00"),
        Some(&*format!("sha256={}", "ab".repeat(32))),
    ] {
        let e = parse_verified(APP_SECRET.as_bytes(), body.as_bytes(), signature)
            .expect_err("not signed with the secret");
        texts.extend(outputs(&e));
    }
    let e = verify_subscription_query(
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        APP_SECRET,
    )
    .expect_err("wrong token");
    texts.extend(outputs(&e));
    // A delivery that does not parse names the place, not the body.
    let e = whatsapp_cloud_api::webhooks::parse(body.as_bytes()).expect_err("truncated");
    texts.extend(outputs(&e));
    assert!(texts.len() >= 14, "{texts:?}");
    assert_clean("a webhook error", &texts);
}
