//! The crate of the golden `answers` fixture against a mock server: an
//! operation whose error statuses document different bodies decodes each
//! into its own variant, chosen by the status.

use golden_answers::types::{GetOrderError, Order, PlaceOrderSuccess};
use golden_answers::{Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder("token-1")
        .base_url(server.uri())
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

async fn answer(status: u16, body: Option<serde_json::Value>) -> Error<GetOrderError> {
    let server = MockServer::start().await;
    let mut response = ResponseTemplate::new(status);
    if let Some(body) = body {
        response = response.set_body_json(body);
    }
    Mock::given(method("GET"))
        .and(path("/orders/o1"))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .get_order("o1")
        .send()
        .await
        .expect_err("an error status")
}

#[tokio::test]
async fn each_status_decodes_into_its_own_body() {
    match answer(404, Some(json!({"message": "no order o1"}))).await {
        Error::Api {
            status: 404,
            body: GetOrderError::NotFound(m),
            ..
        } => assert_eq!(m.message, "no order o1"),
        other => panic!("404: {other:?}"),
    }
    match answer(409, Some(json!({"locked_by": "u7"}))).await {
        Error::Api {
            body: GetOrderError::Conflict(l),
            ..
        } => assert_eq!(l.locked_by, "u7"),
        other => panic!("409: {other:?}"),
    }
    // A status documented without a body needs none.
    assert!(matches!(
        answer(429, None).await,
        Error::Api {
            status: 429,
            body: GetOrderError::TooManyRequests,
            ..
        }
    ));
    // A code in a documented range; then `default`.
    match answer(503, Some(json!({"trace": "t-1"}))).await {
        Error::Api {
            body: GetOrderError::Server5xx(f),
            ..
        } => assert_eq!(f.trace.as_deref(), Some("t-1")),
        other => panic!("503: {other:?}"),
    }
    match answer(418, Some(json!({"message": "teapot"}))).await {
        Error::Api {
            status: 418,
            body: GetOrderError::Other(m),
            ..
        } => assert_eq!(m.message, "teapot"),
        other => panic!("418: {other:?}"),
    }
}

#[tokio::test]
async fn a_body_that_does_not_fit_its_status_is_kept_raw_and_errors_read_as_json() {
    // A 409 body where a `Locked` must have `locked_by`.
    match answer(409, Some(json!({"message": "locked"}))).await {
        Error::UnexpectedResponse {
            status: 409, body, ..
        } => {
            assert_eq!(body.bytes(), br#"{"message":"locked"}"#)
        }
        other => panic!("409 with another body: {other:?}"),
    }
    let e = answer(404, Some(json!({"message": "gone"}))).await;
    assert_eq!(
        e.to_string(),
        r#"the API answered HTTP 404: {"message":"gone"}"#
    );
}

async fn place(
    status: u16,
    body: Option<serde_json::Value>,
) -> Result<PlaceOrderSuccess, Error<golden_answers::types::Missing>> {
    let server = MockServer::start().await;
    let mut response = ResponseTemplate::new(status);
    if let Some(body) = body {
        response = response.set_body_json(body);
    }
    Mock::given(method("POST"))
        .and(path("/orders"))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    client(&server).place_order(Order::new("o9")).send().await
}

#[tokio::test]
async fn success_statuses_with_different_bodies_decode_by_status() {
    match place(201, Some(json!({"id": "o9", "total": 12.5}))).await {
        Ok(PlaceOrderSuccess::Created(order)) => assert_eq!(order.total, Some(12.5)),
        other => panic!("201: {other:?}"),
    }
    match place(202, Some(json!({"ticket": "t-4"}))).await {
        Ok(PlaceOrderSuccess::Accepted(queued)) => assert_eq!(queued.ticket, "t-4"),
        other => panic!("202: {other:?}"),
    }
    assert!(matches!(
        place(204, None).await,
        Ok(PlaceOrderSuccess::NoContent)
    ));
    // A success status the operation does not document is not taken for
    // another one: it is a decode error that keeps the body.
    match place(200, Some(json!({"id": "o9"}))).await {
        Err(Error::Decode {
            status: 200, body, ..
        }) => assert_eq!(body.bytes(), br#"{"id":"o9"}"#),
        other => panic!("200: {other:?}"),
    }
    // A body that does not fit its status is a decode error too.
    match place(202, Some(json!({"queue": "q1"}))).await {
        Err(Error::Decode { status: 202, .. }) => {}
        other => panic!("202 without a ticket: {other:?}"),
    }
}
