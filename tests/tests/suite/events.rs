//! The crate of the golden `events` fixture against a mock server: an
//! answer in `text/event-stream` read as typed events.

use futures::StreamExt;
use golden_events::types::{Prompt, Token};
use golden_events::{Client, Error, RetryPolicy, ServerEvent};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder("token-1")
        .base_url(server.uri())
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

fn sse(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream")
}

#[tokio::test]
async fn events_decode_one_by_one_and_done_ends_the_stream() {
    let server = MockServer::start().await;
    let body = concat!(
        ": a comment line\n",
        "data: {\"text\":\"Hel\",\"index\":0}\n\n",
        "event: token\r\nid: 2\r\ndata: {\"text\":\"lo\"}\r\n\r\n",
        "data: {\"oops\": 1}\n\n",
        "data: {\"text\":\n",
        "data: \"split\"}\n\n",
        "data: [DONE]\n\n",
        "data: {\"text\":\"after the end\"}\n\n",
    );
    Mock::given(method("POST"))
        .and(path("/generate_stream"))
        .respond_with(sse(body))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server)
        .generate_stream(Prompt::new("hi"))
        .send_events()
        .await
        .expect("the stream opens");
    assert_eq!(stream.meta().status(), 200);
    let items: Vec<Result<ServerEvent<Token>, Error<_>>> = stream.collect().await;
    assert_eq!(items.len(), 4, "{items:?}");
    let first = items[0].as_ref().expect("decodes");
    assert_eq!(
        (first.data.text.as_str(), first.data.index),
        ("Hel", Some(0))
    );
    assert_eq!((first.event.as_str(), first.id.as_str()), ("message", ""));
    let second = items[1].as_ref().expect("decodes");
    assert_eq!(second.data.text, "lo");
    assert_eq!((second.event.as_str(), second.id.as_str()), ("token", "2"));
    // An event that does not fit its type is an error item keeping the
    // data; the stream goes on.
    match &items[2] {
        Err(Error::Decode { body, .. }) => assert_eq!(body.bytes(), br#"{"oops": 1}"#),
        other => panic!("expected a decode error, got {other:?}"),
    }
    // Data over several lines is joined with a newline.
    assert_eq!(items[3].as_ref().expect("decodes").data.text, "split");
}

#[tokio::test]
async fn an_operation_with_both_answers_sends_json_or_events() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat"))
        .and(body_partial_json(serde_json::json!({"stream": true})))
        .respond_with(sse(
            "data: {\"delta\":\"a\"}\n\ndata: {\"delta\":\"b\"}\n\n",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"text": "ab"})))
        .mount(&server)
        .await;
    let whole = client(&server)
        .chat(Prompt::new("hi"))
        .send()
        .await
        .expect("json");
    assert_eq!(whole.text, "ab");
    let deltas: Vec<String> = client(&server)
        .chat(Prompt::new("hi").with_stream(true))
        .send_events()
        .await
        .expect("the stream opens")
        .map(|e| e.expect("decodes").data.delta)
        .collect()
        .await;
    assert_eq!(deltas, ["a", "b"]);
}

#[tokio::test]
async fn an_error_status_is_an_error_before_any_event() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/generate_stream"))
        .respond_with(
            ResponseTemplate::new(422).set_body_json(serde_json::json!({"error": "empty"})),
        )
        .mount(&server)
        .await;
    match client(&server)
        .generate_stream(Prompt::new(""))
        .send_events()
        .await
    {
        Err(Error::Api {
            status: 422, body, ..
        }) => assert_eq!(body.error, "empty"),
        other => panic!("expected the 422 body, got {other:?}"),
    }
}
