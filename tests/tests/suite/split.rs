//! The crate of the golden `split` document (one document over several
//! files) against a mock server: schemas from other files decode, and a
//! body of another media type is sent as the caller's bytes.

use golden_split::types::{Pet, Toy};
use golden_split::{Client, Error, FilePart, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{body_bytes, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder("token-1")
        .base_url(server.uri())
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn a_schema_from_another_file_decodes_with_its_union_and_recursion() {
    let server = MockServer::start().await;
    let pet = json!({
        "id": "p1", "name": "Rex",
        "parent": {"id": "p0", "name": "Old Rex"},
        "toy": {"type": "ball", "size": 3}
    });
    Mock::given(method("GET"))
        .and(path("/pets/p1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&pet))
        .expect(1)
        .mount(&server)
        .await;
    let got: Pet = client(&server).get_pet("p1").send().await.expect("decodes");
    assert_eq!(
        got.parent.as_ref().map(|p| p.name.as_str()),
        Some("Old Rex")
    );
    assert!(matches!(got.toy, Some(Toy::Ball(ref b)) if b.size == 3));
}

#[tokio::test]
async fn a_body_of_another_media_type_is_the_callers_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/pets/p1/photo"))
        .and(header("content-type", "image/png"))
        .and(body_bytes(b"\x89PNG-bytes".to_vec()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .put_photo("p1", FilePart::new(b"\x89PNG-bytes".to_vec()))
        .send()
        .await
        .expect("sent");
    // A media type on the part replaces the declared one.
    Mock::given(method("PUT"))
        .and(path("/pets/p2/photo"))
        .and(header("content-type", "image/apng"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .put_photo(
            "p2",
            FilePart::new(b"x".to_vec()).content_type("image/apng"),
        )
        .send()
        .await
        .expect("sent");
}

#[tokio::test]
async fn the_problem_response_from_another_file_is_the_error_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/pets"))
        .and(body_json(
            json!({"id": "p3", "name": "Tom", "owner": {"name": "Ann"}}),
        ))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"message": "taken"})))
        .expect(1)
        .mount(&server)
        .await;
    let body = golden_split::types::CreatePetRequest::new(
        "p3",
        "Tom",
        golden_split::types::Owner::new().with_name("Ann"),
    );
    match client(&server).create_pet(body).send().await {
        Err(Error::Api {
            status: 409, body, ..
        }) => assert_eq!(body.message, "taken"),
        other => panic!("expected the problem body, got {other:?}"),
    }
}
