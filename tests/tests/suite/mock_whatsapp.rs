//! Mock-server tests for every operation of `whatsapp-cloud-api`: the request
//! on the wire (method, path, query, headers, body) and the decoding of the
//! reference pages' examples and of every documented error status.

use serde_json::{Value, json};
use whatsapp_cloud_api::RetryPolicy;
use whatsapp_cloud_api::types::{
    BusinessPublicKeyVerificationStatus, MessagingProductWhatsapp,
    WhatsAppBusinessEncryptionUploadRequest, WhatsAppBusinessProfileUpdateRequest,
    WhatsAppBusinessVertical,
};
use whatsapp_cloud_api::{Client, Error};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "EAAG-secret-token-123";
const PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
const DOCUMENTED_ERRORS: [u16; 7] = [400, 401, 403, 404, 422, 429, 500];

fn client(server: &MockServer) -> Client {
    Client::builder(TOKEN)
        .base_url(server.uri())
        // Request shapes are checked one attempt at a time; retries have tests of their own.
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

fn graph_error(code: i64) -> Value {
    json!({
        "error": {
            "message": "(#100) Invalid parameter",
            "type": "OAuthException",
            "code": code,
            "error_subcode": 2494010,
            "fbtrace_id": "AbCdEf",
            "is_transient": false,
            "error_data": {"details": "phone number not found"}
        }
    })
}

/// The only request the server received.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request was sent");
    requests.remove(0)
}

#[tokio::test]
async fn get_public_key_sends_the_documented_request_and_decodes_valid_key() {
    let server = MockServer::start().await;
    // The page's `valid_key` example: the key itself is absent.
    Mock::given(method("GET"))
        .and(path("/v23.0/1234567890/whatsapp_business_encryption"))
        .and(query_param(
            "fields",
            "business_public_key_signature_status",
        ))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("user-agent", "acme-bot/1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"business_public_key_signature_status": "VALID"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let info = client(&server)
        .get_business_encryption_public_key("1234567890")
        .fields("business_public_key_signature_status")
        .user_agent("acme-bot/1.0")
        .send()
        .await
        .expect("decodes");
    let data = info.data.expect("data present");
    assert_eq!(data.len(), 1);
    let key = data[0].valid().expect("the key decodes");
    assert_eq!(key.business_public_key, None);
    assert_eq!(
        key.business_public_key_signature_status,
        Some(BusinessPublicKeyVerificationStatus::Valid)
    );
    let request = only_request(&server).await;
    assert!(request.body.is_empty(), "a GET sends no body");
}

#[tokio::test]
async fn get_public_key_decodes_mismatch_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/42/whatsapp_business_encryption"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"business_public_key": " ", "business_public_key_signature_status": "MISMATCH"}]
        })))
        .mount(&server)
        .await;
    let info = client(&server)
        .get_business_encryption_public_key("42")
        .send()
        .await
        .expect("decodes");
    let data = info.data.expect("data");
    let first = data[0].valid().expect("the key decodes");
    assert_eq!(first.business_public_key.as_deref(), Some(" "));
    assert_eq!(
        first.business_public_key_signature_status,
        Some(BusinessPublicKeyVerificationStatus::Mismatch)
    );
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), None, "no query without setters");
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_and_version_is_configurable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v24.0/12%2F34%3Fx%20y/whatsapp_business_encryption"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(TOKEN)
        .base_url(format!("{}/", server.uri()))
        .version("v24.0")
        .build()
        .expect("builds");
    assert_eq!(client.version(), "v24.0");
    let info = client
        .get_business_encryption_public_key("12/34?x y")
        .send()
        .await
        .expect("decodes");
    assert_eq!(info.data, Some(vec![]));
    let request = only_request(&server).await;
    assert_eq!(
        request.url.path(),
        "/v24.0/12%2F34%3Fx%20y/whatsapp_business_encryption"
    );
}

/// Splits a multipart body into (name, value) pairs.
fn multipart_fields(request: &Request) -> Vec<(String, String)> {
    let content_type = request
        .headers
        .get("content-type")
        .expect("content type")
        .to_str()
        .expect("ascii");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let boundary = content_type.split("boundary=").nth(1).expect("boundary");
    let body = String::from_utf8(request.body.clone()).expect("utf-8 body");
    let mut fields = Vec::new();
    for part in body.split(&format!("--{boundary}")) {
        let part = part.trim_start_matches("\r\n");
        if part.is_empty() || part.starts_with("--") {
            continue;
        }
        let (head, value) = part
            .split_once("\r\n\r\n")
            .expect("part has headers and a value");
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("part name");
        fields.push((
            name.to_string(),
            value.strip_suffix("\r\n").unwrap_or(value).to_string(),
        ));
    }
    fields
}

#[tokio::test]
async fn set_public_key_sends_one_multipart_field_and_decodes_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/1234567890/whatsapp_business_encryption"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let result = client(&server)
        .set_business_encryption_public_key(
            "1234567890",
            WhatsAppBusinessEncryptionUploadRequest::new(PEM),
        )
        .send()
        .await
        .expect("decodes");
    assert!(result.success);
    let request = only_request(&server).await;
    assert_eq!(
        multipart_fields(&request),
        vec![("business_public_key".to_string(), PEM.to_string())]
    );
}

#[tokio::test]
async fn get_profile_decodes_the_reference_page_example() {
    let server = MockServer::start().await;
    // Seed 003's example, with the profile nested under `business_profile`.
    let page_example = json!({
        "data": [{
            "business_profile": {
                "messaging_product": "whatsapp",
                "about": "Welcome to our business! We provide excellent service.",
                "address": "123 Business Street, City, State 12345",
                "description": "We are a leading provider of quality products and services.",
                "email": "contact@business.com",
                "profile_picture_url": "https://pps.whatsapp.net/v/profile_picture_url",
                "websites": ["https://www.business.com", "https://www.facebook.com/business"],
                "vertical": "RESTAURANT"
            }
        }]
    });
    Mock::given(method("GET"))
        .and(path("/v23.0/1234567890/whatsapp_business_profile"))
        .and(query_param("fields", "about,vertical"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&page_example))
        .expect(1)
        .mount(&server)
        .await;
    let profile = client(&server)
        .get_business_profile("1234567890")
        .fields("about,vertical")
        .send()
        .await
        .expect("decodes");
    let nested = profile.data.as_ref().expect("data")[0]
        .valid()
        .expect("the profile decodes")
        .business_profile
        .as_ref()
        .expect("nested profile");
    assert_eq!(nested.messaging_product, MessagingProductWhatsapp::Whatsapp);
    assert_eq!(
        nested.about.as_deref(),
        Some("Welcome to our business! We provide excellent service.")
    );
    assert_eq!(nested.email.as_deref(), Some("contact@business.com"));
    assert_eq!(nested.websites.as_ref().map(Vec::len), Some(2));
    assert_eq!(nested.vertical, Some(WhatsAppBusinessVertical::Restaurant));
    // Nothing is lost: encoding the decoded value gives the example back.
    assert_eq!(
        serde_json::to_value(&profile).expect("encodes"),
        page_example
    );
}

#[tokio::test]
async fn get_profile_decodes_the_live_shape_unknown_enum_values_and_extra_fields() {
    let server = MockServer::start().await;
    let live = json!({
        "data": [{
            "about": "Fresh bread.",
            "vertical": "SPACE_TRAVEL",
            "messaging_product": "whatsapp",
            "brand_new_field": {"nested": [1, 2]}
        }]
    });
    Mock::given(method("GET"))
        .and(path("/v23.0/7/whatsapp_business_profile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&live))
        .mount(&server)
        .await;
    let profile = client(&server)
        .get_business_profile("7")
        .send()
        .await
        .expect("unknown values decode");
    let item = profile.data.as_ref().expect("data")[0]
        .valid()
        .expect("the profile decodes");
    assert_eq!(item.about.as_deref(), Some("Fresh bread."));
    assert_eq!(
        item.vertical,
        Some(WhatsAppBusinessVertical::Unrecognized(
            "SPACE_TRAVEL".into()
        ))
    );
    assert_eq!(
        item.vertical.as_ref().map(|v| v.as_str()),
        Some("SPACE_TRAVEL")
    );
    assert_eq!(
        item.extra.get("brand_new_field"),
        Some(&json!({"nested": [1, 2]}))
    );
    assert_eq!(
        serde_json::to_value(&profile).expect("encodes"),
        live,
        "unknown values and fields survive a round trip"
    );
}

#[tokio::test]
async fn update_profile_sends_json_with_the_constant_filled_in() {
    let server = MockServer::start().await;
    let expected_body = json!({
        "messaging_product": "whatsapp",
        "about": "Open every day from 9 to 5.",
        "websites": ["https://bakery.example"],
        "vertical": "EVENT_PLAN"
    });
    Mock::given(method("POST"))
        .and(path("/v23.0/1234567890/whatsapp_business_profile"))
        .and(header("content-type", "application/json"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let mut update = WhatsAppBusinessProfileUpdateRequest::new();
    update.about = Some("Open every day from 9 to 5.".into());
    update.websites = Some(vec!["https://bakery.example".into()]);
    update.vertical = Some(WhatsAppBusinessVertical::EventPlan);
    let result = client(&server)
        .update_business_profile("1234567890", update)
        .send()
        .await
        .expect("decodes");
    assert_eq!(result.success, Some(true));
}

#[tokio::test]
async fn every_documented_error_status_decodes_into_graph_api_error() {
    let server = MockServer::start().await;
    for status in DOCUMENTED_ERRORS {
        server.reset().await;
        let body = graph_error(100 + i64::from(status));
        for (m, p) in [
            ("GET", "/v23.0/1/whatsapp_business_encryption"),
            ("POST", "/v23.0/1/whatsapp_business_encryption"),
            ("GET", "/v23.0/1/whatsapp_business_profile"),
            ("POST", "/v23.0/1/whatsapp_business_profile"),
        ] {
            Mock::given(method(m))
                .and(path(p))
                .respond_with(ResponseTemplate::new(status).set_body_json(&body))
                .mount(&server)
                .await;
        }
        let c = client(&server);
        let errors = [
            c.get_business_encryption_public_key("1")
                .send()
                .await
                .map(|_| ())
                .expect_err("error status"),
            c.set_business_encryption_public_key(
                "1",
                WhatsAppBusinessEncryptionUploadRequest::new(PEM),
            )
            .send()
            .await
            .map(|_| ())
            .expect_err("error status"),
            c.get_business_profile("1")
                .send()
                .await
                .map(|_| ())
                .expect_err("error status"),
            c.update_business_profile("1", WhatsAppBusinessProfileUpdateRequest::new())
                .send()
                .await
                .map(|_| ())
                .expect_err("error status"),
        ];
        for error in errors {
            assert_eq!(error.status(), Some(status));
            let Error::Api {
                status: got, body, ..
            } = &error
            else {
                panic!("HTTP {status}: expected Error::Api, got {error:?}")
            };
            assert_eq!(*got, status);
            assert_eq!(body.error.code, 100 + i64::from(status));
            assert_eq!(body.error.type_, "OAuthException");
            assert_eq!(body.error.error_subcode, Some(2494010));
            assert_eq!(body.error.is_transient, Some(false));
            assert_eq!(
                body.error
                    .error_data
                    .as_ref()
                    .and_then(|d| d.get("details")),
                Some(&json!("phone number not found"))
            );
            let text = error.to_string();
            assert!(
                text.contains(&status.to_string()) && text.contains("Invalid parameter"),
                "{text}"
            );
        }
    }
}

#[tokio::test]
async fn undocumented_status_and_undecodable_bodies_keep_the_raw_body() {
    let server = MockServer::start().await;
    Mock::given(path("/v23.0/502/whatsapp_business_profile"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    Mock::given(path("/v23.0/400/whatsapp_business_profile"))
        .respond_with(ResponseTemplate::new(400).set_body_string("not json"))
        .mount(&server)
        .await;
    Mock::given(path("/v23.0/200/whatsapp_business_profile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": "not a list"})))
        .mount(&server)
        .await;
    let c = client(&server);

    let e = c.get_business_profile("502").send().await.expect_err("502");
    let Error::UnexpectedResponse { status, body, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (*status, body.text().as_ref()),
        (502, "<html>bad gateway</html>")
    );

    let e = c
        .get_business_profile("400")
        .send()
        .await
        .expect_err("400 with text body");
    let Error::UnexpectedResponse { status, body, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!((*status, body.bytes()), (400, b"not json".as_slice()));

    let e = c
        .get_business_profile("200")
        .send()
        .await
        .expect_err("bad success body");
    let Error::Decode {
        status,
        path,
        body,
        source,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*status, 200);
    assert_eq!(path, "data", "the error names the member that did not fit");
    assert!(e.to_string().contains("at `data`"), "{e}");
    assert_eq!(body.text(), r#"{"data":"not a list"}"#);
    assert!(source.to_string().contains("invalid type"), "{source}");
    assert_eq!(e.raw_body().map(|b| b.bytes().len()), Some(21));
}

#[tokio::test]
async fn transport_errors_are_separate_and_never_show_the_token() {
    // Nothing listens on this port once the listener is dropped.
    let uri = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("address"))
    };
    let c = Client::builder(TOKEN)
        .base_url(uri)
        .build()
        .expect("builds");
    let e = c
        .get_business_profile("1")
        .send()
        .await
        .expect_err("connection refused");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(e.status(), None);
    for text in [
        format!("{e}"),
        format!("{e:?}"),
        format!("{c:?}"),
        format!("{:?}", Client::builder(TOKEN)),
    ] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(!text.contains("secret"), "token leaked: {text}");
    }
    assert!(format!("{c:?}").contains("<redacted>"));
}

#[tokio::test]
async fn form_bodies_send_arrays_as_json_text_fields() {
    use whatsapp_cloud_api::types::{AddAssignedUserRequest, WhatsAppBusinessAccountTask};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/555/assigned_users"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let body = AddAssignedUserRequest::new(
        "user 1",
        vec![
            WhatsAppBusinessAccountTask::Manage,
            WhatsAppBusinessAccountTask::Develop,
        ],
    );
    client(&server)
        .add_assigned_user("555", body)
        .send()
        .await
        .expect("decodes");
    let request = only_request(&server).await;
    assert_eq!(
        String::from_utf8(request.body).expect("utf-8"),
        "user=user+1&tasks=%5B%22MANAGE%22%2C%22DEVELOP%22%5D",
        "strings as they are, the array as JSON text"
    );
}
