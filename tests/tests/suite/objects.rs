//! The crate of the golden `objects` fixture against a mock server: object
//! query parameters written in each style.

use std::collections::BTreeMap;

use golden_objects::types::{Filter, FilterPrice, ListItemsPage, ListItemsWhere};
use golden_objects::{Client, RetryPolicy};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder("token-1")
        .base_url(server.uri())
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

/// The query string of the one request the server got, decoded.
async fn query_of(call: impl AsyncFnOnce(Client)) -> Vec<(String, String)> {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(["a"]))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    call(client).await;
    let requests: Vec<Request> = server.received_requests().await.expect("recorded");
    requests[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn each_style_writes_its_pairs() {
    let query = query_of(async |client| {
        let color = BTreeMap::from([
            ("blue".to_string(), "1".to_string()),
            ("red".to_string(), "2".to_string()),
        ]);
        let filter = Filter::new()
            .with_name("lamp")
            .with_tags(vec!["new".into(), "sale".into()])
            .with_price(FilterPrice::new().with_min(5.0));
        let page = ListItemsPage::new().with_size(20).with_cursor("c2");
        client
            .list_items(color)
            .filter(filter)
            .page(page)
            .where_(ListItemsWhere::new().with_age(3))
            .send()
            .await
            .expect("sent");
    })
    .await;
    assert_eq!(
        query,
        pairs(&[
            ("where", r#"{"age":3}"#),
            ("color", "blue,1,red,2"),
            ("filter[name]", "lamp"),
            ("filter[price][min]", "5.0"),
            ("filter[tags][0]", "new"),
            ("filter[tags][1]", "sale"),
            ("cursor", "c2"),
            ("size", "20"),
        ])
    );
}

#[tokio::test]
async fn absent_members_and_parameters_write_nothing() {
    let query = query_of(async |client| {
        client
            .list_items(BTreeMap::new())
            .filter(Filter::new())
            .send()
            .await
            .expect("sent");
    })
    .await;
    assert_eq!(query, pairs(&[("color", "")]));
}

#[tokio::test]
async fn a_cursor_list_streams_every_page_until_has_more_is_false() {
    use futures::StreamExt;
    use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
    let server = MockServer::start().await;
    let page = |items: &[&str], next: Option<&str>, more: bool| {
        let mut body = serde_json::json!({"items": items, "has_more": more});
        if let Some(next) = next {
            body["meta"] = serde_json::json!({"next_cursor": next});
        }
        ResponseTemplate::new(200).set_body_json(body)
    };
    Mock::given(method("GET"))
        .and(path("/pages"))
        .and(header("cookie", "session=s1"))
        .and(query_param_is_missing("cursor"))
        .respond_with(page(&["a", "b"], Some("c1"), true))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/pages"))
        .and(query_param("cursor", "c1"))
        .and(query_param("limit", "2"))
        .respond_with(page(&["c"], Some("c2"), false))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let items: Vec<String> = client
        .list_pages("s1")
        .limit(2)
        .into_stream(None)
        .map(|item| item.expect("a page"))
        .collect()
        .await;
    // `has_more: false` ends the list though the page has a cursor.
    assert_eq!(items, ["a", "b", "c"]);
}

#[tokio::test]
async fn cookie_parameters_go_in_one_cookie_header_encoded() {
    use wiremock::matchers::{header, method, path};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/pages"))
        .and(header("cookie", "session=a%3Bb%20c; theme=dark"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"items": [], "has_more": false})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .list_pages("a;b c")
        .theme(golden_objects::types::ListPagesTheme::Dark)
        .send()
        .await
        .expect("sent with both cookies");
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests[0].headers.get_all("cookie").iter().count(), 1);
}

#[tokio::test]
async fn an_operation_without_security_is_sent_without_credentials() {
    use wiremock::matchers::{method, path};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/pages"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"items": [], "has_more": false})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.health().send().await.expect("up");
    client.list_pages("s").send().await.expect("a page");
    let requests = server.received_requests().await.expect("recorded");
    let auth = |i: usize| {
        requests[i]
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap_or_default().to_string())
    };
    assert_eq!(auth(0), None, "no credentials for `security: []`");
    assert_eq!(auth(1).as_deref(), Some("Bearer token-1"));
}

#[tokio::test]
async fn a_form_body_that_is_a_union_is_sent_as_the_object_its_value_is() {
    use golden_objects::types::TokenRequestWithGrantTypeRefreshToken as Refresh;
    use wiremock::matchers::{body_string, header, method, path};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/tokens"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=refresh_token&refresh_token=r1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .token(Refresh::new("refresh_token", "r1").into())
        .send()
        .await
        .expect("sent as a form");
}
