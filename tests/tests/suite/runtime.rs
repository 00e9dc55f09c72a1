//! The client runtime of the generated crates: retries that cannot duplicate a
//! message, timeouts, and what Graph error codes mean.
//!
//! Retry delays are recorded by an injected sleeper that returns at once, so
//! the tests assert on the delays asked for, not on wall time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncReadExt;
use whatsapp_cloud_api::errors::ErrorKind;
use whatsapp_cloud_api::types::{GraphAPIError, Message};
use whatsapp_cloud_api::usage::UsageHeaders;
use whatsapp_cloud_api::{Client, Error, RATE_LIMIT_CODES, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A policy whose sleeps return at once and are recorded.
fn recording(policy: RetryPolicy) -> (RetryPolicy, Arc<Mutex<Vec<Duration>>>) {
    let delays = Arc::new(Mutex::new(Vec::new()));
    let seen = delays.clone();
    let policy = policy.sleep_with(move |d| {
        seen.lock().expect("lock").push(d);
        Box::pin(async {})
    });
    (policy, delays)
}

fn client(uri: &str, policy: RetryPolicy) -> Client {
    Client::builder("token")
        .base_url(uri)
        .retry(policy)
        .build()
        .expect("client builds")
}

fn graph_error(code: i64, transient: bool) -> serde_json::Value {
    json!({"error": {"message": "m", "type": "OAuthException", "code": code, "is_transient": transient, "fbtrace_id": "T"}})
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.expect("recording").len()
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_once_after_at_least_that_long() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/1/messages"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(graph_error(130429, false)),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v23.0/1/messages"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"messages": [{"id": "wamid.1"}]})),
        )
        .mount(&server)
        .await;
    let (policy, delays) = recording(RetryPolicy::new());
    let sent = client(&server.uri(), policy)
        .send_message("1", Message::text("2", "hi"))
        .send()
        .await
        .expect("second attempt succeeds");
    assert_eq!(sent.messages.expect("messages")[0].id, "wamid.1");
    assert_eq!(requests(&server).await, 2, "one retry");
    let delays = delays.lock().expect("lock").clone();
    assert_eq!(delays.len(), 1);
    assert!(
        delays[0] >= Duration::from_secs(1),
        "waited {:?}, less than Retry-After",
        delays[0]
    );
}

#[tokio::test]
async fn graph_rate_limit_codes_are_retried_for_any_method() {
    assert!(RATE_LIMIT_CODES.contains(&80007) && RATE_LIMIT_CODES.contains(&130429));
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(80007, false)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let (policy, delays) = recording(RetryPolicy::new());
    client(&server.uri(), policy)
        .send_message("1", Message::text("2", "hi"))
        .send()
        .await
        .expect("retried");
    assert_eq!(requests(&server).await, 2);
    assert_eq!(delays.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn is_transient_is_retried_on_get_but_not_on_post() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(2, true)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(2, true)))
        .mount(&server)
        .await;
    let (policy, _) = recording(RetryPolicy::new());
    let c = client(&server.uri(), policy);
    c.get_business_profile("1")
        .send()
        .await
        .expect("GET retried");
    assert_eq!(requests(&server).await, 2, "GET: one retry");

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(2, true)))
        .mount(&server)
        .await;
    let e = c
        .send_message("1", Message::text("2", "hi"))
        .send()
        .await
        .expect_err("POST not retried");
    assert_eq!(e.status(), Some(500));
    assert_eq!(requests(&server).await, 1, "POST: sent once");

    // Opting in does not change that: the server answered, so the POST may
    // have been processed (the opt-in covers only failures with no answer).
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(2, true)))
        .mount(&server)
        .await;
    let (opt_in, _) = recording(RetryPolicy::new().retry_non_idempotent(true));
    c.send_message("1", Message::text("2", "hi"))
        .retry(opt_in)
        .send()
        .await
        .expect_err("still failing");
    assert_eq!(
        requests(&server).await,
        1,
        "POST opted in: an answered request is still sent once"
    );
}

#[tokio::test]
async fn attempts_stop_at_the_bound() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).set_body_json(graph_error(4, false)))
        .mount(&server)
        .await;
    let (policy, delays) = recording(
        RetryPolicy::new()
            .max_attempts(4)
            .base_delay(Duration::from_millis(100)),
    );
    let e = client(&server.uri(), policy)
        .get_business_profile("1")
        .send()
        .await
        .expect_err("always 429");
    assert!(
        matches!(&e, Error::Api { status: 429, body, .. } if body.error.code == 4),
        "{e:?}"
    );
    assert_eq!(requests(&server).await, 4);
    let delays = delays.lock().expect("lock").clone();
    assert_eq!(delays.len(), 3);
    // Full jitter: each delay is at most base × 2^(n-1).
    for (n, d) in delays.iter().enumerate() {
        assert!(
            *d <= Duration::from_millis(100 << n),
            "retry {} waited {d:?}",
            n + 1
        );
    }
}

#[tokio::test]
async fn a_disabled_policy_sends_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let (policy, delays) = recording(RetryPolicy::disabled());
    client(&server.uri(), policy)
        .get_business_profile("1")
        .send()
        .await
        .expect_err("429");
    assert_eq!(requests(&server).await, 1);
    assert!(delays.lock().expect("lock").is_empty());
}

/// A server that reads each request and hangs up without answering: the
/// request was sent, so a retry could deliver it twice. Returns its URL and
/// the number of connections it accepted.
async fn hang_up_server() -> (String, Arc<Mutex<usize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let accepted = Arc::new(Mutex::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        // Bounded: the tests make at most a few attempts.
        for _ in 0..10 {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            *count.lock().expect("lock") += 1;
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            drop(socket);
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn a_post_that_failed_after_sending_is_not_retried_unless_opted_in() {
    let (url, accepted) = hang_up_server().await;
    let (policy, _) = recording(RetryPolicy::new());
    let c = client(&url, policy);
    let e = c
        .send_message("1", Message::text("2", "hi"))
        .send()
        .await
        .expect_err("hang-up");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(
        *accepted.lock().expect("lock"),
        1,
        "the message was not sent twice"
    );

    let (opt_in, _) = recording(RetryPolicy::new().retry_non_idempotent(true));
    c.send_message("1", Message::text("2", "hi"))
        .retry(opt_in)
        .send()
        .await
        .expect_err("hang-up");
    assert_eq!(
        *accepted.lock().expect("lock"),
        1 + 3,
        "opted in: every attempt used"
    );
}

#[tokio::test]
async fn a_connection_that_cannot_be_made_is_retried_even_for_post() {
    let url = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("addr"))
    };
    let (policy, delays) = recording(RetryPolicy::new());
    let e = client(&url, policy)
        .send_message("1", Message::text("2", "hi"))
        .send()
        .await
        .expect_err("refused");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(
        delays.lock().expect("lock").len(),
        2,
        "nothing was sent, so every attempt was used"
    );
}

#[tokio::test]
async fn a_timeout_surfaces_as_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let c = client(&server.uri(), RetryPolicy::disabled());
    let e = c
        .get_business_profile("1")
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .expect_err("times out");
    assert!(e.is_timeout(), "{e:?}");
    // A client-wide timeout works the same way.
    let c = Client::builder("token")
        .base_url(server.uri())
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::disabled())
        .build()
        .expect("builds");
    let e = c
        .get_business_profile("1")
        .send()
        .await
        .expect_err("times out");
    assert!(e.is_timeout(), "{e:?}");
}

fn error_body(code: i64, subcode: Option<i64>) -> GraphAPIError {
    let mut body = graph_error(code, false);
    if let Some(s) = subcode {
        body["error"]["error_subcode"] = json!(s);
    }
    body["error"]["error_data"] = json!({"details": "kept"});
    serde_json::from_value(body).expect("decodes")
}

#[test]
fn graph_errors_classify_by_code() {
    let cases = [
        (4, ErrorKind::RateLimit),
        (80007, ErrorKind::RateLimit),
        (130429, ErrorKind::Throughput),
        (131056, ErrorKind::PairRateLimit),
        (131048, ErrorKind::SpamRateLimit),
        (131047, ErrorKind::ReEngagementWindow),
        (100, ErrorKind::InvalidParameter),
        (190, ErrorKind::ExpiredToken),
        (10, ErrorKind::Permission),
        (200, ErrorKind::Permission),
        (299, ErrorKind::Permission),
        (368, ErrorKind::TemporarilyBlocked),
        (131026, ErrorKind::Undeliverable),
        (133010, ErrorKind::PhoneNumberNotRegistered),
        (132001, ErrorKind::Template),
        (131000, ErrorKind::ServiceUnavailable),
    ];
    for (code, kind) in cases {
        assert_eq!(error_body(code, None).kind(), kind, "code {code}");
    }
}

#[test]
fn an_unknown_code_classifies_as_unknown_and_keeps_the_raw_fields() {
    let body = error_body(999_999, Some(2_494_010));
    assert_eq!(
        body.kind(),
        ErrorKind::Unrecognized {
            code: 999_999,
            subcode: Some(2_494_010)
        }
    );
    assert_eq!(
        body.error
            .error_data
            .as_ref()
            .and_then(|d| d.get("details")),
        Some(&json!("kept"))
    );
    assert_eq!(body.error.fbtrace_id.as_deref(), Some("T"));
}

#[tokio::test]
async fn send_with_meta_returns_status_headers_and_parsed_usage() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/7"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-App-Usage", r#"{"call_count":28,"total_time":25,"total_cputime":3}"#)
                .insert_header(
                    "X-Business-Use-Case-Usage",
                    r#"{"104": [{"type": "whatsapp_business_management", "call_count": 95, "total_cputime": 1, "total_time": 2, "estimated_time_to_regain_access": 12, "ads_api_access_tier": "standard_access"}]}"#,
                )
                .set_body_json(json!({"id": "7"})),
        )
        .mount(&server)
        .await;
    let response = client(&server.uri(), RetryPolicy::disabled())
        .get_whatsapp_account_number_details("7")
        .send_with_meta()
        .await
        .expect("success");
    assert_eq!(response.value.id, "7");
    let meta = &response.meta;
    assert_eq!(meta.status(), 200);
    assert_eq!(meta.attempts(), 1);
    assert!(meta.headers().contains_key("x-app-usage"));
    let app = meta.app_usage().expect("parses").expect("present");
    assert_eq!(
        (app.call_count, app.total_time, app.total_cputime),
        (28, 25, 3)
    );
    let business = meta
        .business_use_case_usage()
        .expect("parses")
        .expect("present");
    let usage = &business["104"][0];
    assert_eq!(usage.use_case, "whatsapp_business_management");
    assert_eq!(usage.call_count, 95);
    assert_eq!(usage.estimated_time_to_regain_access, 12);
    assert_eq!(
        usage.extra["ads_api_access_tier"], "standard_access",
        "unknown members are kept"
    );
}

#[tokio::test]
async fn usage_headers_that_are_absent_or_malformed_are_reported_not_guessed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/7"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-App-Usage", r#"{"call_count":"lots"}"#)
                .set_body_json(json!({"id": "7"})),
        )
        .mount(&server)
        .await;
    let meta = client(&server.uri(), RetryPolicy::disabled())
        .get_whatsapp_account_number_details("7")
        .send_with_meta()
        .await
        .expect("success")
        .meta;
    let e = meta.app_usage().expect_err("a string is not a percentage");
    assert_eq!(e.header, "x-app-usage");
    assert!(e.to_string().contains("call_count"), "{e}");
    assert_eq!(meta.business_use_case_usage(), Ok(None));
}

#[tokio::test]
async fn errors_carry_the_response_metadata_and_the_attempt_count() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/7"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("X-Business-Use-Case-Usage", r#"{"1": [{"type": "messenger", "call_count": 100, "total_cputime": 0, "total_time": 0, "estimated_time_to_regain_access": 5}]}"#)
                .set_body_json(graph_error(80007, false)),
        )
        .mount(&server)
        .await;
    let (policy, delays) = recording(RetryPolicy::new().max_attempts(2));
    let e = client(&server.uri(), policy)
        .get_whatsapp_account_number_details("7")
        .send()
        .await
        .expect_err("rate limited");
    let meta = e.meta().expect("the server answered");
    assert_eq!(meta.status(), 400);
    assert_eq!(
        meta.attempts(),
        2,
        "80007 is a rate-limit code: retried once"
    );
    assert_eq!(delays.lock().expect("lock").len(), 1);
    let usage = meta
        .business_use_case_usage()
        .expect("parses")
        .expect("present");
    assert_eq!(usage["1"][0].estimated_time_to_regain_access, 5);
}

/// A hook that adds a header and records what it saw.
#[derive(Default, Clone)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
}

impl whatsapp_cloud_api::Hook for Recorder {
    fn on_request(&self, request: &mut whatsapp_cloud_api::reqwest::Request) {
        request.headers_mut().insert(
            "x-trace-id",
            whatsapp_cloud_api::reqwest::header::HeaderValue::from_static("abc"),
        );
        self.seen.lock().expect("lock").push(format!(
            "request {} {}",
            request.method(),
            request.url().path()
        ));
    }

    fn on_response(&self, exchange: &whatsapp_cloud_api::Exchange<'_>) {
        let outcome = match exchange.outcome {
            Ok((status, _)) => status.to_string(),
            Err(_) => "failed".to_string(),
        };
        self.seen.lock().expect("lock").push(format!(
            "response {} attempt {} {}",
            exchange.url.path(),
            exchange.attempt,
            outcome
        ));
    }
}

#[tokio::test]
async fn hooks_add_headers_and_observe_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/7"))
        .and(wiremock::matchers::header("x-trace-id", "abc"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v23.0/7"))
        .and(wiremock::matchers::header("x-trace-id", "abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7"})))
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let (policy, _) = recording(RetryPolicy::new());
    let client = Client::builder("token")
        .base_url(server.uri())
        .retry(policy)
        .hook(recorder.clone())
        .build()
        .expect("client builds");
    assert!(format!("{client:?}").contains("1 hook(s)"), "{client:?}");
    let meta = client
        .get_whatsapp_account_number_details("7")
        .send_with_meta()
        .await
        .expect("the header matched, so the second attempt succeeds")
        .meta;
    assert_eq!(meta.attempts(), 2);
    assert_eq!(
        *recorder.seen.lock().expect("lock"),
        [
            "request GET /v23.0/7",
            "response /v23.0/7 attempt 1 429",
            "request GET /v23.0/7",
            "response /v23.0/7 attempt 2 200",
        ]
    );
}

#[test]
fn error_kinds_agree_with_the_retry_tables() {
    use whatsapp_cloud_api::TRANSIENT_CODES;
    // Every code the default policy retries for every method is a rate
    // limit, and the throughput and pair limits are among them.
    for code in RATE_LIMIT_CODES {
        let kind = ErrorKind::from_code(*code, None);
        assert!(kind.is_rate_limit(), "code {code}: {kind:?}");
        assert!(kind.is_retryable(), "code {code}: {kind:?}");
    }
    for code in [130429, 131056] {
        assert!(RATE_LIMIT_CODES.contains(&code), "{code}");
        assert!(ErrorKind::from_code(code, None).is_rate_limit(), "{code}");
    }
    // Transient codes are retryable, not rate limits.
    assert!(!TRANSIENT_CODES.is_empty());
    for code in TRANSIENT_CODES {
        let kind = ErrorKind::from_code(*code, None);
        assert!(kind.is_transient() && kind.is_retryable(), "code {code}");
        assert!(!kind.is_rate_limit(), "code {code}");
    }
    // Kinds that retrying does not help are neither.
    for code in [100, 131047, 190, 368] {
        assert!(
            !ErrorKind::from_code(code, None).is_retryable(),
            "code {code}"
        );
    }
    assert_eq!(ErrorKind::from_status(429), Some(ErrorKind::RateLimit));
    assert_eq!(ErrorKind::from_status(500), None);
}

#[tokio::test]
async fn the_crate_error_has_a_kind_and_displays_on_one_line() {
    let server = MockServer::start().await;
    // A documented status with a Graph body, an undocumented one with a Graph
    // body, and a bare 429.
    Mock::given(method("GET"))
        .and(path("/v23.0/1/whatsapp_business_profile"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {"message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047, "error_subcode": 2494010, "fbtrace_id": "AbCdEf"}
        })))
        .mount(&server)
        .await;
    let client = client(&server.uri(), RetryPolicy::disabled());
    let e = client
        .get_business_profile("1")
        .send()
        .await
        .expect_err("refused");
    assert_eq!(e.kind(), Some(ErrorKind::ReEngagementWindow));
    assert_eq!(
        e.to_string(),
        "the API answered HTTP 400: (#131047) Re-engagement message (code 131047, subcode 2494010, trace AbCdEf)"
    );
    assert!(!e.to_string().contains('\n'));

    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(418).set_body_json(graph_error(190, false)))
        .mount(&server)
        .await;
    let e = client
        .get_business_profile("1")
        .send()
        .await
        .expect_err("refused");
    assert!(matches!(e, Error::UnexpectedResponse { status: 418, .. }));
    assert_eq!(
        e.kind(),
        Some(ErrorKind::ExpiredToken),
        "read from the raw body"
    );

    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let e = client
        .get_business_profile("1")
        .send()
        .await
        .expect_err("refused");
    assert_eq!(e.kind(), Some(ErrorKind::RateLimit), "a bare 429");
    assert!(e.kind().is_some_and(|k| k.is_rate_limit()));

    // No answer at all: no kind.
    let nowhere = Client::builder("token")
        .base_url("http://127.0.0.1:9")
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let e = nowhere
        .get_business_profile("1")
        .send()
        .await
        .expect_err("no server");
    assert_eq!(e.kind(), None);
}

#[tokio::test]
async fn transient_codes_are_retried_on_get_but_not_on_post() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(131000, false)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(131000, false)))
        .mount(&server)
        .await;
    let (policy, _) = recording(RetryPolicy::new());
    let client = client(&server.uri(), policy);
    client
        .get_business_profile("1")
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(requests(&server).await, 2);
    let e = client
        .send_message("1", Message::text("2", "hi"))
        .send()
        .await
        .expect_err("not retried");
    assert_eq!(e.kind(), Some(ErrorKind::ServiceUnavailable));
    assert_eq!(requests(&server).await, 3, "the POST went out once");
}
