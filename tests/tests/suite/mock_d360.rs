//! Mock-server tests for every operation of `d360-messaging`.

use d360_messaging::RetryPolicy;
use d360_messaging::types::BusinessPublicKeySignatureStatus as SignatureStatus;
use d360_messaging::types::{ErrorResponse, Message};
use d360_messaging::{Client, Error};
use serde_json::json;
use wiremock::matchers::{
    body_json, body_partial_json, body_string, header, method, path, query_param,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "../../../generated/d360-messaging/examples/bot.rs"]
#[allow(dead_code)]
mod bot;

const API_KEY: &str = "d360-secret-key-987";
const PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg+kq/hk=\n-----END PUBLIC KEY-----\n";

fn client(server: &MockServer) -> Client {
    Client::builder(API_KEY)
        .base_url(server.uri())
        // Request shapes are checked one attempt at a time; retries have tests of their own.
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn get_public_key_sends_the_api_key_header_and_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/whatsapp_business_encryption"))
        .and(header("D360-API-KEY", API_KEY))
        .and(query_param("fields", "business_public_key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"business_public_key": PEM, "business_public_key_signature_status": "VALID"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .get_business_public_key()
        .fields("business_public_key")
        .send()
        .await
        .expect("decodes");
    let data = response.data.expect("data");
    let info = data[0].valid().expect("the key decodes");
    assert_eq!(info.business_public_key.as_deref(), Some(PEM));
    assert_eq!(
        info.business_public_key_signature_status,
        Some(SignatureStatus::Valid)
    );
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].headers.get("authorization").is_none(),
        "no bearer header for an API-key API"
    );
}

#[tokio::test]
async fn set_public_key_sends_one_urlencoded_field() {
    let server = MockServer::start().await;
    let encoded: String = form_urlencode(&[("business_public_key", PEM)]);
    Mock::given(method("POST"))
        .and(path("/whatsapp_business_encryption"))
        .and(header("D360-API-KEY", API_KEY))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(encoded.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .set_business_public_key(PEM)
        .send()
        .await
        .expect("decodes");
    assert_eq!(response.success, Some(true));
    // The PEM's `+`, `/`, `=` and newlines are escaped on the wire.
    assert!(
        encoded.starts_with("business_public_key=-----BEGIN+PUBLIC+KEY-----%0A"),
        "{encoded}"
    );
    assert!(encoded.contains("Bg%2Bkq%2Fhk%3D"), "{encoded}");
}

/// `application/x-www-form-urlencoded` encoding, written out so the test does
/// not rely on the encoder the client uses.
fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                other => format!("%{other:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn documented_error_statuses_decode_into_the_error_type() {
    let server = MockServer::start().await;
    for status in [400u16, 401, 403, 404, 429, 500] {
        server.reset().await;
        Mock::given(path("/whatsapp_business_encryption"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"error": format!("failure {status}")})),
            )
            .mount(&server)
            .await;
        let c = client(&server);
        for error in [
            c.get_business_public_key()
                .send()
                .await
                .map(|_| ())
                .expect_err("error"),
            c.set_business_public_key(PEM)
                .send()
                .await
                .map(|_| ())
                .expect_err("error"),
        ] {
            let Error::Api {
                status: got, body, ..
            } = &error
            else {
                panic!("HTTP {status}: {error:?}")
            };
            assert_eq!(*got, status);
            let ErrorResponse::DialogError(body) = body else {
                panic!("HTTP {status}: not 360dialog's own error shape: {body:?}")
            };
            assert_eq!(body.error, format!("failure {status}"));
            assert!(!format!("{error:?}").contains(API_KEY));
        }
    }
}

#[tokio::test]
async fn an_undocumented_status_keeps_the_raw_body_and_unknown_values_decode() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"business_public_key_signature_status": "REVOKED", "rotated_at": 1700000000}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(418).set_body_string("teapot"))
        .mount(&server)
        .await;
    let c = client(&server);
    let response = c
        .get_business_public_key()
        .send()
        .await
        .expect("unknown enum value decodes");
    let data = response.data.expect("data");
    let info = data[0].valid().expect("the key decodes");
    assert_eq!(
        info.business_public_key_signature_status,
        Some(SignatureStatus::Unrecognized("REVOKED".into()))
    );
    assert_eq!(info.extra.get("rotated_at"), Some(&json!(1700000000)));
    let e = c
        .set_business_public_key(PEM)
        .send()
        .await
        .expect_err("418");
    let Error::UnexpectedResponse { status, body, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!((*status, body.text().as_ref()), (418, "teapot"));
    assert!(!format!("{c:?}").contains(API_KEY));
}

/// A client that retries at once, so retries show as extra requests.
fn retrying_client(server: &MockServer) -> Client {
    Client::builder(API_KEY)
        .base_url(server.uri())
        .retry(
            RetryPolicy::new()
                .max_attempts(3)
                .base_delay(std::time::Duration::ZERO),
        )
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn a_failed_media_lookup_is_never_repeated_though_other_calls_are() {
    // 360dialog blocks `GET /{media_id}` for the number after a few failures
    // within an hour: not even 429 is retried there.
    let server = MockServer::start().await;
    for status in [400u16, 404, 429] {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/1037543291543636"))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Retry-After", "0")
                    .set_body_json(json!({"error": "media not found"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let e = retrying_client(&server)
            .get_media_url("1037543291543636")
            .send()
            .await
            .expect_err("fails");
        assert_eq!(e.status(), Some(status));
        server.verify().await;
    }
    // Any other call is retried after 429, as the retry policy says.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/v1/configs/webhook"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(3)
        .mount(&server)
        .await;
    let _ = retrying_client(&server)
        .get_webhook()
        .send()
        .await
        .expect_err("429");
    server.verify().await;
}

#[tokio::test]
async fn media_by_id_is_fetched_from_360dialogs_host_with_the_cdn_path_and_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/1037543291543636"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1037543291543636&ext=1717171717&hash=ATsample",
            "mime_type": "image/jpeg",
            "sha256": "3b1f",
            "file_size": 3,
            "id": "1037543291543636"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/whatsapp_business/attachments/"))
        .and(query_param("mid", "1037543291543636"))
        .and(query_param("ext", "1717171717"))
        .and(query_param("hash", "ATsample"))
        .and(header("D360-API-KEY", API_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0xFF, 0xD8, 0xFF]))
        .expect(1)
        .mount(&server)
        .await;
    let media = client(&server)
        .download_media_by_id("1037543291543636")
        .await
        .expect("downloads");
    assert_eq!(media.bytes, [0xFF, 0xD8, 0xFF]);
    assert_eq!(media.mime_type, "image/jpeg");
}

#[tokio::test]
async fn both_error_shapes_decode_and_a_graph_error_keeps_its_kind() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100, "fbtrace_id": "Ab"}
        })))
        .mount(&server)
        .await;
    let e = client(&server)
        .send_message(Message::text("4915112345678", "Hi"))
        .await
        .expect_err("400");
    let Some(ErrorResponse::GraphAPIError(graph)) = e.api_error() else {
        panic!("not the Cloud API's shape: {e:?}")
    };
    assert_eq!(graph.error.code, 100);
    // The WhatsApp crate's error kinds sort the passed-through code.
    assert_eq!(
        graph.kind(),
        whatsapp_cloud_api::errors::ErrorKind::InvalidParameter
    );
}

#[test]
fn a_delivery_is_read_only_with_the_configured_header() {
    use d360_messaging::deliveries::{self, HeaderAuth};
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"4915100000000","phone_number_id":"2"},"messages":[{"from":"4915112345678","id":"wamid.A","timestamp":"1700000000","type":"text","text":{"body":"hi"}}]}}]}]}"#;
    let auth = HeaderAuth::new("X-Bot-Token", "s3cr3t-token");
    for wrong in [Some("s3cr3t-tokem"), Some("s3cr3t-token "), Some(""), None] {
        match auth.parse(wrong, body) {
            Err(e @ deliveries::WebhookError::HeaderMismatch { .. }) => {
                assert!(e.to_string().contains("X-Bot-Token"), "{e}");
                assert!(!e.to_string().contains("s3cr3t"), "{e}");
            }
            other => panic!("{wrong:?}: {other:?}"),
        }
    }
    assert!(!format!("{auth:?}").contains("s3cr3t"));
    let payload = auth.parse(Some("s3cr3t-token"), body).expect("parses");
    assert_eq!(payload.messages().count(), 1);
    // Partner deliveries: the hex HMAC-SHA256 of the body, with or without `sha256=`.
    let hex = deliveries::sign_partner(b"platform-secret", body);
    assert_eq!(hex.len(), 64);
    let prefixed = format!("sha256={hex}");
    assert!(deliveries::verify_partner_signature(b"platform-secret", body, Some(&hex)).is_ok());
    assert!(
        deliveries::verify_partner_signature(b"platform-secret", body, Some(&prefixed)).is_ok()
    );
    assert!(deliveries::verify_partner_signature(b"other", body, Some(&hex)).is_err());
}

/// A delivery of one message from the user `4915112345678`.
fn delivery(message: serde_json::Value) -> d360_messaging::types::WebhookPayload {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "4915100000000", "phone_number_id": "2"},
        "messages": [message]
    }}]}]});
    d360_messaging::deliveries::parse(body.to_string().as_bytes()).expect("parses")
}

#[tokio::test]
async fn the_example_bot_sets_its_webhook_marks_read_and_echoes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/configs/webhook"))
        .and(body_json(
            json!({"url": "https://bot.example.com/webhook", "headers": {"X-Bot-Token": "t0k"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"url": "https://bot.example.com/webhook"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .and(body_partial_json(json!({"status": "read", "message_id": "wamid.IN1", "typing_indicator": {"type": "text"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .and(body_partial_json(json!({"to": "4915112345678", "type": "text", "text": {"body": "You said: hello"}, "context": {"message_id": "wamid.IN1"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messaging_product": "whatsapp", "messages": [{"id": "wamid.OUT1"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    bot::set_webhook(&c, "https://bot.example.com/webhook", "t0k")
        .await
        .expect("sets the webhook");
    let payload = delivery(
        json!({"from": "4915112345678", "id": "wamid.IN1", "timestamp": "1700000000", "type": "text", "text": {"body": "hello"}}),
    );
    assert_eq!(bot::handle(&c, payload).await, [bot::Outcome::Echoed]);
}

#[tokio::test]
async fn the_example_bot_returns_an_image_through_an_upload() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .and(body_partial_json(json!({"status": "read"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/1037543291543636"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1037543291543636",
            "mime_type": "image/jpeg",
            "id": "1037543291543636"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/whatsapp_business/attachments/"))
        .and(query_param("mid", "1037543291543636"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0xFF, 0xD8, 0xFF, 0xE0]))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/media"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "2000000000000001"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .and(body_partial_json(
            json!({"type": "image", "image": {"id": "2000000000000001", "caption": "4 bytes"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"messaging_product": "whatsapp", "messages": [{"id": "wamid.OUT2"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let payload = delivery(
        json!({"from": "4915112345678", "id": "wamid.IN2", "timestamp": "1700000000", "type": "image", "image": {"id": "1037543291543636", "mime_type": "image/jpeg"}}),
    );
    let outcomes = bot::handle(&client(&server), payload).await;
    assert_eq!(
        outcomes,
        [bot::Outcome::ReturnedImage {
            bytes: 4,
            media_id: "2000000000000001".into()
        }]
    );
}
