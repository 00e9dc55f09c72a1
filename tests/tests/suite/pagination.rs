//! Cursor pagination: list operations (derived from their response shape)
//! stream every item of every page, following `paging.cursors.after`.

use futures::StreamExt;
use serde_json::json;
use whatsapp_cloud_api::{Client, Error, RetryPolicy};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn template(id: &str) -> serde_json::Value {
    json!({"id": id, "name": format!("t{id}"), "language": "en_US", "status": "APPROVED", "category": "UTILITY"})
}

/// Three pages: a, b | c, d | e; the last has no `next` link.
async fn three_pages(server: &MockServer, fail_on_second: bool) {
    Mock::given(method("GET"))
        .and(path("/v23.0/waba/message_templates"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [template("a"), template("b")],
            "paging": {"cursors": {"before": "c0", "after": "c1"}, "next": "https://graph.example/next1"}
        })))
        .mount(server)
        .await;
    let second = if fail_on_second {
        ResponseTemplate::new(500).set_body_json(
            json!({"error": {"message": "boom", "type": "OAuthException", "code": 1}}),
        )
    } else {
        ResponseTemplate::new(200).set_body_json(json!({
            "data": [template("c"), template("d")],
            "paging": {"cursors": {"before": "c1", "after": "c2"}, "next": "https://graph.example/next2"}
        }))
    };
    Mock::given(method("GET"))
        .and(path("/v23.0/waba/message_templates"))
        .and(query_param("after", "c1"))
        .respond_with(second)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v23.0/waba/message_templates"))
        .and(query_param("after", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [template("e")],
            "paging": {"cursors": {"before": "c2", "after": "c3"}}
        })))
        .mount(server)
        .await;
}

fn client(server: &MockServer) -> Client {
    Client::builder("token")
        .base_url(server.uri())
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn the_stream_yields_every_item_once_in_order_and_stops() {
    let server = MockServer::start().await;
    three_pages(&server, false).await;
    let items: Vec<_> = client(&server)
        .list_message_templates("waba")
        .limit(2)
        .into_stream(None)
        .collect()
        .await;
    let ids: Vec<String> = items
        .into_iter()
        .map(|t| {
            t.expect("page decodes")
                .into_valid()
                .expect("the template decodes")
                .id
        })
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(
        requests.len(),
        3,
        "one request per page, none after the last"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.url.query().is_some_and(|q| q.contains("limit=2"))),
        "every page keeps the query"
    );
}

#[tokio::test]
async fn a_page_cap_stops_early() {
    let server = MockServer::start().await;
    three_pages(&server, false).await;
    let items: Vec<_> = client(&server)
        .list_message_templates("waba")
        .into_stream(Some(2))
        .collect()
        .await;
    assert_eq!(items.len(), 4, "two pages of two");
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        2
    );
}

#[tokio::test]
async fn an_error_on_page_two_is_an_error_item_and_ends_the_stream() {
    let server = MockServer::start().await;
    three_pages(&server, true).await;
    let items: Vec<_> = client(&server)
        .list_message_templates("waba")
        .into_stream(None)
        .collect()
        .await;
    assert_eq!(items.len(), 3, "two items, then the error");
    assert!(items[0].is_ok() && items[1].is_ok());
    match &items[2] {
        Err(Error::Api { status, body, .. }) => {
            assert_eq!(*status, 500);
            assert_eq!(body.error.message, "boom");
        }
        other => panic!("expected the page-two error, got {other:?}"),
    }
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        2,
        "nothing after the error"
    );
}
