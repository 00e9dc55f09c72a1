//! Helpers of the generated per-operation mock-server tests.

/// A client for the mock server, without retries (each test expects exactly
/// the requests it describes).
fn client(server: &wiremock::MockServer) -> Client {
    Client::builder(TOKEN)
        .base_url(server.uri())
        .retry(RetryPolicy::disabled())
        .build()
        .expect("the client builds")
}

/// Parses a JSON example as the spec documents it.
fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("the example is JSON")
}

/// Decodes a JSON example into a request value (a body or a parameter).
fn value<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> T {
    serde_json::from_value(json(text)).unwrap_or_else(|e| panic!("{what} does not fit its type: {e}"))
}

/// The first place two JSON values differ (`1` and `1.0` are the same
/// number), as a JSON pointer with what each side holds there.
fn diff(got: &serde_json::Value, want: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value::{Array, Number, Object};
    match (got, want) {
        (Number(x), Number(y)) if x.as_f64() == y.as_f64() => None,
        (Array(x), Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (x, y))| diff(x, y, &format!("{at}/{i}")))
        }
        (Object(x), Object(y)) => x
            .iter()
            .find_map(|(k, v)| match y.get(k) {
                Some(w) => diff(v, w, &format!("{at}/{k}")),
                None => Some(format!("{at}/{k}: present, but not in the example")),
            })
            .or_else(|| y.keys().find(|k| !x.contains_key(*k)).map(|k| format!("{at}/{k}: in the example, but missing"))),
        _ if got == want => None,
        _ => Some(format!("{at}: got {got}, the example has {want}")),
    }
}

/// Asserts that `got`, encoded as JSON, is the documented example.
fn assert_json<T: serde::Serialize>(what: &str, got: &T, want: &serde_json::Value) {
    let got = serde_json::to_value(got).unwrap_or_else(|e| panic!("{what}: does not encode: {e}"));
    if let Some(d) = diff(&got, want, "") {
        panic!("{what}: differs at {d}");
    }
}

/// What the body of a request should be.
enum BodyCheck {
    /// No body.
    None,
    /// A JSON body equal to this example.
    Json(serde_json::Value),
    /// A URL-encoded form with exactly these fields.
    Form(Vec<(String, String)>),
    /// A multipart form with (at least) these fields.
    Multipart(Vec<&'static str>),
}

/// The request an operation should send.
struct Expected {
    method: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    body: BodyCheck,
}

/// Serves `status` with `body` (JSON, bytes or nothing) for every request.
async fn serve(server: &wiremock::MockServer, status: u16, body: Option<serde_json::Value>, bytes: Option<&[u8]>) {
    server.reset().await;
    let mut response = wiremock::ResponseTemplate::new(status);
    if let Some(body) = body {
        response = response.set_body_json(body);
    }
    if let Some(bytes) = bytes {
        response = response.set_body_raw(bytes.to_vec(), "application/octet-stream");
    }
    wiremock::Mock::given(wiremock::matchers::any()).respond_with(response).mount(server).await;
}

/// Asserts that the server received exactly one request, and that it is the
/// expected one: method, path, query, headers, credentials and body.
async fn assert_request(server: &wiremock::MockServer, expected: &Expected) {
    let requests = server.received_requests().await.expect("requests are recorded");
    assert_eq!(requests.len(), 1, "exactly one request is sent");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), expected.method, "method");
    assert_eq!(request.url.path(), expected.path, "path");
    let query: Vec<(String, String)> = request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let mut want: Vec<(String, String)> = expected.query.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let mut got = query.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want, "query");
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    assert_eq!(header(CREDENTIALS_HEADER), Some(CREDENTIALS_SENT.to_string()), "credentials");
    for (name, value) in &expected.headers {
        assert_eq!(header(name).as_deref(), Some(value.as_str()), "header `{name}`");
    }
    let content_type = header("content-type").unwrap_or_default();
    match &expected.body {
        BodyCheck::None => assert!(request.body.is_empty(), "no body is sent"),
        BodyCheck::Json(want) => {
            assert!(content_type.starts_with("application/json"), "content type {content_type}");
            let got: serde_json::Value = serde_json::from_slice(&request.body).expect("the body is JSON");
            if let Some(d) = diff(&got, want, "") {
                panic!("request body differs from the example at {d}");
            }
        }
        BodyCheck::Form(want) => {
            assert!(content_type.starts_with("application/x-www-form-urlencoded"), "content type {content_type}");
            let mut got: Vec<(String, String)> = url_pairs(&request.body);
            let mut want = want.clone();
            got.sort();
            want.sort();
            assert_eq!(got, want, "form fields");
        }
        BodyCheck::Multipart(fields) => {
            assert!(content_type.starts_with("multipart/form-data"), "content type {content_type}");
            let body = String::from_utf8_lossy(&request.body);
            for field in fields {
                assert!(body.contains(&format!("name=\"{field}\"")), "multipart field `{field}` is sent");
            }
        }
    }
}

/// The pairs of a URL-encoded body.
fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    let url = format!("http://form.invalid/?{}", String::from_utf8_lossy(body));
    let url = reqwest::Url::parse(&url).expect("a form body is a query string");
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Form text of an example member: strings as they are, anything else as JSON.
#[allow(dead_code)]
fn form_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Serves a documented success example, sends the request, and checks that
/// the typed value encodes back to the example and that the request was the
/// expected one.
async fn check_success<T, E, F, Fut>(
    server: &wiremock::MockServer,
    expected: &Expected,
    status: u16,
    what: &str,
    example: &str,
    send: F,
) where
    T: serde::Serialize,
    E: std::fmt::Debug + std::fmt::Display,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error<E>>>,
{
    serve(server, status, Some(json(example)), None).await;
    let value = send().await.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_json(what, &value, &json(example));
    assert_request(server, expected).await;
}

/// Serves a documented error example, sends the request, and checks that it
/// surfaces as `Error::Api` with that status and the typed body, and that the
/// request was the expected one.
async fn check_error<T, E, F, Fut>(
    server: &wiremock::MockServer,
    expected: &Expected,
    status: u16,
    what: &str,
    example: &str,
    send: F,
) where
    T: std::fmt::Debug,
    E: serde::Serialize + std::fmt::Debug,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error<E>>>,
{
    serve(server, status, Some(json(example)), None).await;
    match send().await {
        Err(Error::Api { status: got, body, .. }) => {
            assert_eq!(got, status, "{what}: status");
            assert_json(what, &body, &json(example));
        }
        other => panic!("{what}: expected Error::Api, got {other:?}"),
    }
    assert_request(server, expected).await;
}
