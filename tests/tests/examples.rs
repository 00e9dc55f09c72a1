//! The crate's examples (`generated/whatsapp-cloud-api/examples/`), each run
//! against a local mock: the examples' functions are compiled into this test
//! (their `main`s, which read the environment, are not called).

use std::sync::{Arc, Mutex};

use serde_json::json;
use whatsapp_cloud_api::Client;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "../../generated/whatsapp-cloud-api/examples/send_text.rs"]
#[allow(dead_code)]
mod send_text;

#[path = "../../generated/whatsapp-cloud-api/examples/upload_and_send_image.rs"]
#[allow(dead_code)]
mod upload_and_send_image;

#[path = "../../generated/whatsapp-cloud-api/examples/list_phone_numbers.rs"]
#[allow(dead_code)]
mod list_phone_numbers;

#[path = "../../generated/whatsapp-cloud-api/examples/webhook_receiver.rs"]
#[allow(dead_code)]
mod webhook_receiver;

fn client(server: &MockServer) -> Client {
    Client::builder("example-token")
        .base_url(server.uri())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn send_text_sends_one_text_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/106540352242922/messages"))
        .and(header("authorization", "Bearer example-token"))
        .and(body_partial_json(json!({
            "messaging_product": "whatsapp",
            "to": "16505551234",
            "type": "text",
            "text": {"body": "Your order shipped"}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
            "messages": [{"id": "wamid.sent-1"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let id = send_text::send_text(
        &client(&server),
        "106540352242922",
        "16505551234",
        "Your order shipped",
    )
    .await
    .expect("sent");
    assert_eq!(id.as_deref(), Some("wamid.sent-1"));
}

#[tokio::test]
async fn upload_and_send_image_uploads_then_sends_by_media_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/106540352242922/media"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1003383421387256"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v23.0/106540352242922/messages"))
        .and(body_partial_json(json!({
            "type": "image",
            "image": {"id": "1003383421387256", "caption": "Today's special"}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "messages": [{"id": "wamid.sent-2"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let jpeg = b"\xff\xd8\xff\xe0 not really a jpeg".to_vec();
    let sent = upload_and_send_image::upload_and_send_image(
        &client(&server),
        "106540352242922",
        "16505551234",
        jpeg.clone(),
        "Today's special",
    )
    .await
    .expect("uploaded and sent");
    assert_eq!(sent.media_id, "1003383421387256");
    assert_eq!(sent.message_id.as_deref(), Some("wamid.sent-2"));
    // The upload is a multipart form carrying the file bytes and its type.
    let requests = server.received_requests().await.expect("recorded");
    let upload = requests
        .iter()
        .find(|r| r.url.path().ends_with("/media"))
        .expect("an upload");
    let content_type = upload
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("multipart/form-data"),
        "{content_type}"
    );
    assert!(
        upload
            .body
            .windows(jpeg.len())
            .any(|w| w == jpeg.as_slice()),
        "the file bytes are sent"
    );
    assert!(String::from_utf8_lossy(&upload.body).contains("filename=\"image.jpg\""));
}

#[tokio::test]
async fn list_phone_numbers_follows_cursors_to_the_last_page() {
    let server = MockServer::start().await;
    let page = |ids: &[&str], after: Option<&str>| {
        let mut paging = json!({"cursors": {"before": "B", "after": after.unwrap_or("END")}});
        if after.is_some() {
            paging["next"] = json!("https://graph.facebook.com/next");
        }
        json!({
            "data": ids.iter().map(|id| json!({"id": id, "display_phone_number": format!("+1 555 {id}")})).collect::<Vec<_>>(),
            "paging": paging
        })
    };
    Mock::given(method("GET"))
        .and(path("/v23.0/102290129340398/phone_numbers"))
        .and(query_param("after", "C1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["3"], None)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v23.0/102290129340398/phone_numbers"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["1", "2"], Some("C1"))))
        .expect(1)
        .mount(&server)
        .await;
    let numbers =
        list_phone_numbers::list_phone_numbers(&client(&server), "102290129340398", 2, None)
            .await
            .expect("listed");
    let ids: Vec<&str> = numbers.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
}

/// A delivery with a text and an image message, and its signature under the
/// app secret `example-app-secret` (computed independently with Python's
/// `hmac` module).
const DELIVERY: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=","timestamp":"1750090702","type":"text","text":{"body":"Does it come in another color?"}},{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMQA=","timestamp":"1750090703","type":"image","image":{"caption":"This one","mime_type":"image/jpeg","sha256":"mXwdWm4pOvXENVTR2FW1Fg2ZfEMt6/KqmQ6wW5w8Jwo=","id":"1003383421387256"}}]}}]}]}"#;
const SIGNATURE: &str = "sha256=cc698e5339ab785f4eba313de472e8bb54634cafe788d188e7382ce842b0d866";

/// Starts the example's receiver on a free local port; returns its URL and
/// the events it reported.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let app = webhook_receiver::Receiver::new("example-app-secret", "verify-me", move |e| {
        seen.lock().expect("lock").push(e)
    })
    .router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/webhook"), events)
}

#[tokio::test]
async fn webhook_receiver_verifies_signatures_and_dispatches_by_message_type() {
    let (url, events) = receiver().await;
    let http = whatsapp_cloud_api::reqwest::Client::new();

    let handshake = http
        .get(format!(
            "{url}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(handshake.status().as_u16(), 200);
    assert_eq!(handshake.text().await.expect("text"), "1158201444");
    let wrong = http
        .get(format!(
            "{url}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(wrong.status().as_u16(), 403);

    let signed = http
        .post(&url)
        .header("X-Hub-Signature-256", SIGNATURE)
        .body(DELIVERY)
        .send()
        .await
        .expect("answered");
    assert_eq!(signed.status().as_u16(), 200);
    assert_eq!(
        *events.lock().expect("lock"),
        [
            "text from 16505551234: Does it come in another color?",
            "image from 16505551234: media 1003383421387256",
        ]
    );

    // A body changed after signing, or no signature at all, is refused and
    // dispatches nothing.
    let tampered = DELIVERY.replace("another color", "another colour");
    for (body, signature) in [(tampered.as_str(), Some(SIGNATURE)), (DELIVERY, None)] {
        let mut request = http.post(&url).body(body.to_string());
        if let Some(s) = signature {
            request = request.header("X-Hub-Signature-256", s);
        }
        let response = request.send().await.expect("answered");
        assert_eq!(response.status().as_u16(), 401);
    }
    assert_eq!(events.lock().expect("lock").len(), 2);
}
