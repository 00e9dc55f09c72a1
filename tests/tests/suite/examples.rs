//! The crate's examples (`generated/whatsapp-cloud-api/examples/`), each run
//! against a local mock: the examples' functions are compiled into this test
//! (their `main`s, which read the environment, are not called).

use std::sync::{Arc, Mutex};

use serde_json::json;
use whatsapp_cloud_api::Client;
use wiremock::Request;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "../../../generated/whatsapp-cloud-api/examples/send_text.rs"]
#[allow(dead_code)]
mod send_text;

#[path = "../../../generated/whatsapp-cloud-api/examples/upload_and_send_image.rs"]
#[allow(dead_code)]
mod upload_and_send_image;

#[path = "../../../generated/whatsapp-cloud-api/examples/list_phone_numbers.rs"]
#[allow(dead_code)]
mod list_phone_numbers;

#[path = "../../../generated/whatsapp-cloud-api/examples/webhook_receiver.rs"]
#[allow(dead_code)]
mod webhook_receiver;

#[path = "../../../generated/whatsapp-cloud-api/examples/echo_bot.rs"]
#[allow(dead_code)]
mod echo_bot;

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
    let ids: Vec<&str> = numbers
        .iter()
        .map(|n| n.valid().expect("the number decodes").id.as_str())
        .collect();
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

// ---------------------------------------------------------------------------
// The echo bot
// ---------------------------------------------------------------------------

const BOT_NUMBER: &str = "106540352242922";
const BOT_USER: &str = "16505551234";

/// A `messages` delivery from `BOT_USER` carrying these messages.
fn bot_delivery(messages: serde_json::Value) -> whatsapp_cloud_api::types::WebhookPayload {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{
            "field": "messages",
            "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550783881", "phone_number_id": BOT_NUMBER},
                "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": BOT_USER}],
                "messages": messages
            }
        }]}]
    });
    whatsapp_cloud_api::webhooks::parse(body.to_string().as_bytes()).expect("the delivery parses")
}

fn incoming(id: &str, kind: &str, member: serde_json::Value) -> serde_json::Value {
    let mut m = json!({"from": BOT_USER, "id": id, "timestamp": "1750090702", "type": kind});
    m[kind] = member;
    m
}

/// The JSON bodies of the requests the mock received on the messages path.
async fn message_bodies(server: &MockServer) -> Vec<serde_json::Value> {
    let requests: Vec<Request> = server.received_requests().await.expect("recorded");
    requests
        .iter()
        .filter(|r| r.url.path() == format!("/v23.0/{BOT_NUMBER}/messages"))
        .map(|r| serde_json::from_slice(&r.body).expect("a JSON body"))
        .collect()
}

async fn mount_messages(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{BOT_NUMBER}/messages")))
        .and(body_partial_json(json!({"status": "read"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{BOT_NUMBER}/messages")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": BOT_USER, "wa_id": BOT_USER}],
            "messages": [{"id": "wamid.reply"}]
        })))
        .mount(server)
        .await;
}

#[tokio::test]
async fn echo_bot_marks_read_and_answers_each_kind_in_context() {
    let server = MockServer::start().await;
    mount_messages(&server).await;
    let photo = b"\xff\xd8\xff\xe0 a small photo".to_vec();
    Mock::given(method("GET"))
        .and(path("/v23.0/1003383421387256"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "url": format!("{}/lookaside/photo", server.uri()),
            "mime_type": "image/jpeg",
            "sha256": "abc",
            "file_size": photo.len(),
            "id": "1003383421387256"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/photo"))
        .and(header("authorization", "Bearer example-token"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(photo.clone()))
        .expect(1)
        .mount(&server)
        .await;

    let bot = echo_bot::Bot::new(client(&server), BOT_NUMBER);
    let outcomes = bot
        .handle(bot_delivery(json!([
            incoming("wamid.1", "text", json!({"body": "hello"})),
            incoming("wamid.2", "text", json!({"body": "menu"})),
            incoming("wamid.3", "interactive", json!({"type": "button_reply", "button_reply": {"id": "track_order", "title": "Track my order"}})),
            incoming("wamid.4", "image", json!({"id": "1003383421387256", "mime_type": "image/jpeg", "sha256": "abc"})),
            incoming("wamid.5", "reaction", json!({"message_id": "wamid.reply", "emoji": "\u{1F44D}"})),
        ])))
        .await;
    assert_eq!(
        outcomes,
        [
            echo_bot::Outcome::Echoed,
            echo_bot::Outcome::SentMenu,
            echo_bot::Outcome::SentOrderUpdate,
            echo_bot::Outcome::ReadImage {
                bytes: photo.len(),
                mime_type: "image/jpeg".into()
            },
            echo_bot::Outcome::Ignored("reaction message".into()),
        ]
    );

    let bodies = message_bodies(&server).await;
    // Every message was marked read first, with the typing indicator on.
    let reads: Vec<&serde_json::Value> = bodies.iter().filter(|b| b["status"] == "read").collect();
    assert_eq!(reads.len(), 5);
    for (read, id) in reads
        .iter()
        .zip(["wamid.1", "wamid.2", "wamid.3", "wamid.4", "wamid.5"])
    {
        assert_eq!(
            **read,
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": id, "typing_indicator": {"type": "text"}})
        );
    }
    let sent: Vec<&serde_json::Value> = bodies
        .iter()
        .filter(|b| b.get("status").is_none())
        .collect();
    assert_eq!(sent.len(), 4);
    assert_eq!(
        *sent[0],
        json!({"messaging_product": "whatsapp", "to": BOT_USER, "type": "text", "text": {"body": "You said: hello"}, "context": {"message_id": "wamid.1"}})
    );
    assert_eq!(
        *sent[1],
        json!({
            "messaging_product": "whatsapp", "to": BOT_USER, "type": "interactive",
            "context": {"message_id": "wamid.2"},
            "interactive": {
                "type": "button",
                "body": {"text": "What can I do for you?"},
                "action": {"buttons": [
                    {"type": "reply", "reply": {"id": "track_order", "title": "Track my order"}},
                    {"type": "reply", "reply": {"id": "hours", "title": "Opening hours"}}
                ]}
            }
        })
    );
    assert_eq!(
        *sent[2],
        json!({
            "messaging_product": "whatsapp", "to": BOT_USER, "type": "template",
            "template": {
                "name": "order_update",
                "language": {"code": "en_US"},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": "#4521"}]},
                    {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "orders/4521"}]}
                ]
            }
        })
    );
    assert_eq!(
        sent[3]["text"]["body"],
        json!(format!(
            "Got your picture: {} bytes of image/jpeg.",
            photo.len()
        ))
    );
    assert_eq!(sent[3]["context"]["message_id"], "wamid.4");
}

/// A bot whose client never retries, so refused calls come straight back.
fn no_retry_bot(server: &MockServer) -> echo_bot::Bot {
    let client = Client::builder("example-token")
        .base_url(server.uri())
        .retry(whatsapp_cloud_api::RetryPolicy::disabled())
        .build()
        .expect("client builds");
    echo_bot::Bot::new(client, BOT_NUMBER)
}

fn graph_error(code: i64) -> serde_json::Value {
    json!({"error": {"message": "refused", "type": "OAuthException", "code": code, "fbtrace_id": "Trace1"}})
}

#[tokio::test]
async fn echo_bot_sends_a_template_when_the_user_is_outside_the_window() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"type": "template"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"messages": [{"id": "wamid.t"}]})),
        )
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"status": "read"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(131047)))
        .with_priority(3)
        .mount(&server)
        .await;
    let outcomes = no_retry_bot(&server)
        .handle(bot_delivery(json!([incoming(
            "wamid.1",
            "text",
            json!({"body": "hello again"})
        )])))
        .await;
    assert_eq!(outcomes, [echo_bot::Outcome::OutsideWindow]);
    let bodies = message_bodies(&server).await;
    assert_eq!(
        bodies.last().map(|b| b["template"]["name"].clone()),
        Some(json!("we_are_back"))
    );
}

#[tokio::test]
async fn echo_bot_tells_a_rate_limit_and_an_expired_token_apart() {
    use std::time::Duration;
    for (status, body, retry_after, want) in [
        (
            429,
            None,
            Some("7"),
            echo_bot::Outcome::RateLimited(Some(Duration::from_secs(7))),
        ),
        (
            400,
            Some(graph_error(130429)),
            None,
            echo_bot::Outcome::RateLimited(None),
        ),
        (
            401,
            Some(graph_error(190)),
            None,
            echo_bot::Outcome::TokenExpired,
        ),
    ] {
        let server = MockServer::start().await;
        let mut answer = ResponseTemplate::new(status);
        if let Some(body) = body {
            answer = answer.set_body_json(body);
        }
        if let Some(seconds) = retry_after {
            answer = answer.insert_header("Retry-After", seconds);
        }
        Mock::given(method("POST"))
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
        let outcomes = no_retry_bot(&server)
            .handle(bot_delivery(json!([incoming(
                "wamid.1",
                "text",
                json!({"body": "hi"})
            )])))
            .await;
        assert_eq!(outcomes, [want], "HTTP {status}");
    }
}

#[tokio::test]
async fn echo_bot_answers_a_user_known_only_by_business_scoped_id() {
    let server = MockServer::start().await;
    mount_messages(&server).await;
    let user_id = "US.13491208655302741918";
    let from_user = |id: &str, body: &str| json!({"from_user_id": user_id, "id": id, "timestamp": "1750090702", "type": "text", "text": {"body": body}});
    let outcomes = no_retry_bot(&server)
        .handle(bot_delivery(json!([
            from_user("wamid.1", "hello"),
            from_user("wamid.2", "where"),
        ])))
        .await;
    assert_eq!(
        outcomes,
        [echo_bot::Outcome::Echoed, echo_bot::Outcome::AskedLocation]
    );
    let bodies = message_bodies(&server).await;
    let sent: Vec<&serde_json::Value> = bodies.iter().filter(|b| b.get("type").is_some()).collect();
    assert_eq!(sent.len(), 2, "{bodies:#?}");
    for body in &sent {
        assert_eq!(body["recipient"], json!(user_id), "{body}");
        assert!(
            body.get("to").is_none(),
            "no `to` for a user without a phone number: {body}"
        );
    }
    assert_eq!(sent[0]["text"]["body"], json!("You said: hello"));
    assert_eq!(
        sent[1]["interactive"]["type"],
        json!("location_request_message")
    );
    assert_eq!(
        sent[1]["interactive"]["action"]["name"],
        json!("send_location")
    );
    assert_eq!(sent[1]["context"]["message_id"], json!("wamid.2"));
}

#[tokio::test]
async fn echo_bot_reports_a_message_that_does_not_fit_and_answers_the_others() {
    let server = MockServer::start().await;
    mount_messages(&server).await;
    let outcomes = no_retry_bot(&server)
        .handle(bot_delivery(json!([
            {"from": BOT_USER, "id": "wamid.odd", "timestamp": "1750090702", "text": {"body": "no type"}},
            incoming("wamid.1", "text", json!({"body": "hi"})),
        ])))
        .await;
    assert_eq!(outcomes.len(), 2);
    let echo_bot::Outcome::Invalid(why) = &outcomes[0] else {
        panic!("expected the odd message reported, got {outcomes:?}")
    };
    assert!(why.contains("missing field `type`"), "{why}");
    assert_eq!(outcomes[1], echo_bot::Outcome::Echoed);
}
