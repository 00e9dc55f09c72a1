//! Mock-server tests for every operation of `d360-messaging`.

use d360_messaging::RetryPolicy;
use d360_messaging::types::BusinessPublicKeySignatureStatus as SignatureStatus;
use d360_messaging::{Client, Error};
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
            assert_eq!(
                body.error.as_deref(),
                Some(format!("failure {status}").as_str())
            );
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
