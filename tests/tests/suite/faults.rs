//! Fault injection: the WhatsApp client against a raw TCP server on
//! 127.0.0.1 that misbehaves on purpose. Each case checks what the server saw
//! (how many requests, which method, body and headers) and what the caller
//! got. Every server loop is bounded, every call runs under a time limit, and
//! nothing listens beyond loopback.
//!
//! The rule these cases pin: once a status line has come back, the outcome
//! is known. The error keeps the status and headers, and the request is not
//! sent again except for 429, the rate-limit codes and (idempotent methods
//! only) the gateway statuses and transient errors.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use whatsapp_cloud_api::types::{GraphAPIError, Message};
use whatsapp_cloud_api::{Client, Error, RetryPolicy};

/// How long any one case may take before it counts as a hang.
const CASE_LIMIT: Duration = Duration::from_secs(20);

/// A request as the server read it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with one request.
enum Act {
    /// Writes these bytes (status line, headers, body), then closes.
    Reply(Vec<u8>),
    /// Writes the head, then the body a few bytes at a time.
    Trickle {
        head: Vec<u8>,
        body: Vec<u8>,
        every: Duration,
    },
    /// Closes the connection without a word.
    Close,
    /// Keeps the connection open, silent, for this long.
    Stall(Duration),
}

/// A local server answering each request as `script` says; `script` gets the
/// request's number (from 1) and the request.
struct FaultServer {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

type Script = Arc<dyn Fn(usize, &Seen) -> Act + Send + Sync>;

impl FaultServer {
    async fn start(script: impl Fn(usize, &Seen) -> Act + Send + Sync + 'static) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("bound");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Script = Arc::new(script);
        let log = seen.clone();
        tokio::spawn(async move {
            // At most 500 connections: every case sends far fewer.
            for _ in 0..500 {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let (script, log) = (script.clone(), log.clone());
                tokio::spawn(async move {
                    let _ = serve(socket, script, log).await;
                });
            }
        });
        FaultServer { addr, seen }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

/// Reads one request (head, then a body of `Content-Length` bytes) and acts.
async fn serve(
    mut socket: TcpStream,
    script: Script,
    log: Arc<Mutex<Vec<Seen>>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if buffer.len() > 1 << 20 {
            return Ok(());
        }
        let n = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut chunk))
            .await
            .map_err(|_| std::io::ErrorKind::TimedOut)??;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let path = request_line.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length.min(16 << 20) {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let seen = Seen {
        method,
        path,
        headers,
        body,
    };
    let number = {
        let mut log = log.lock().expect("lock");
        log.push(seen.clone());
        log.len()
    };
    match script(number, &seen) {
        Act::Reply(bytes) => {
            socket.write_all(&bytes).await?;
            socket.shutdown().await?;
        }
        Act::Trickle { head, body, every } => {
            socket.write_all(&head).await?;
            for piece in body.chunks(1) {
                tokio::time::sleep(every).await;
                socket.write_all(piece).await?;
            }
            socket.shutdown().await?;
        }
        Act::Close => drop(socket),
        Act::Stall(d) => {
            tokio::time::sleep(d).await;
            drop(socket);
        }
    }
    Ok(())
}

/// A whole HTTP/1.1 response that closes the connection.
fn http(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn json_reply(status: &str, value: serde_json::Value) -> Vec<u8> {
    http(
        status,
        &[("Content-Type", "application/json")],
        value.to_string().as_bytes(),
    )
}

fn profile_ok() -> Vec<u8> {
    json_reply("200 OK", json!({"data": [{"about": "Open late"}]}))
}

fn sent_ok() -> Vec<u8> {
    json_reply(
        "200 OK",
        json!({"messaging_product": "whatsapp", "messages": [{"id": "wamid.1"}]}),
    )
}

/// A policy whose waits return at once and are recorded.
fn recording(policy: RetryPolicy) -> (RetryPolicy, Arc<Mutex<Vec<Duration>>>) {
    let delays = Arc::new(Mutex::new(Vec::new()));
    let seen = delays.clone();
    let policy = policy.sleep_with(move |d| {
        seen.lock().expect("lock").push(d);
        Box::pin(async {})
    });
    (policy, delays)
}

fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder("fault-token")
        .base_url(url)
        .retry(policy)
        .build()
        .expect("client builds")
}

type Outcome<T> = Result<T, Error<GraphAPIError>>;

/// GET `get_business_profile`, bounded by the case limit.
async fn get(client: &Client) -> Outcome<()> {
    tokio::time::timeout(CASE_LIMIT, client.get_business_profile("1").send())
        .await
        .expect("the call ends")
        .map(drop)
}

/// POST `send_message`, bounded by the case limit.
async fn post(client: &Client) -> Outcome<()> {
    tokio::time::timeout(
        CASE_LIMIT,
        client
            .send_message("1", Message::text("447700900123", "Your table is ready"))
            .send(),
    )
    .await
    .expect("the call ends")
    .map(drop)
}

// ---------------------------------------------------------------------------
// No status line
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_refused_connection_is_retried_for_every_method_and_counts_attempts() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("bound").port()
    };
    let (policy, delays) = recording(RetryPolicy::new());
    let client = client(&format!("http://127.0.0.1:{port}"), policy);
    for result in [get(&client).await, post(&client).await] {
        let e = result.expect_err("nothing listens");
        assert!(matches!(e, Error::Transport { attempts: 3, .. }), "{e:?}");
        assert_eq!(e.attempts(), 3);
        assert_eq!(e.status(), None);
        assert!(e.meta().is_none());
    }
    assert_eq!(delays.lock().expect("lock").len(), 4);
}

#[tokio::test]
async fn a_connection_closed_after_the_request_is_resent_only_for_get_or_when_opted_in() {
    let server = FaultServer::start(|_, _| Act::Close).await;
    let (policy, _) = recording(RetryPolicy::new());
    let e = get(&client(&server.url(), policy.clone()))
        .await
        .expect_err("no answer");
    assert!(matches!(e, Error::Transport { attempts: 3, .. }), "{e:?}");
    assert_eq!(server.seen().len(), 3);

    let e = post(&client(&server.url(), policy.clone()))
        .await
        .expect_err("no answer");
    assert!(matches!(e, Error::Transport { attempts: 1, .. }), "{e:?}");
    assert_eq!(server.seen().len(), 4, "the POST went out once");

    // Opting in re-sends a POST that got no answer at all.
    let e = post(&client(&server.url(), policy.retry_non_idempotent(true)))
        .await
        .expect_err("no answer");
    assert_eq!(e.attempts(), 3);
    let seen = server.seen();
    assert_eq!(seen.len(), 7);
    assert!(seen[3..].iter().all(|s| s.method == "POST"));
}

#[tokio::test]
async fn an_oversized_header_is_a_transport_error_and_a_post_goes_out_once() {
    let huge = "x".repeat(2 << 20);
    let reply = http("200 OK", &[("X-Padding", huge.as_str())], b"{}");
    let server = FaultServer::start(move |_, _| Act::Reply(reply.clone())).await;
    let (policy, _) = recording(RetryPolicy::new());
    let e = post(&client(&server.url(), policy))
        .await
        .expect_err("the head is too large");
    assert!(matches!(e, Error::Transport { attempts: 1, .. }), "{e:?}");
    assert_eq!(server.seen().len(), 1);
}

// ---------------------------------------------------------------------------
// An answer, then trouble
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_truncated_200_keeps_its_status_and_is_never_resent() {
    let server = FaultServer::start(|_, _| {
        let mut bytes =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                .to_vec();
        bytes.extend_from_slice(br#"{"messages":"#);
        Act::Reply(bytes)
    })
    .await;
    // Even with the opt-in: the server answered 200, so the message was taken.
    let (policy, delays) = recording(RetryPolicy::new().retry_non_idempotent(true));
    let e = post(&client(&server.url(), policy.clone()))
        .await
        .expect_err("the body is cut short");
    assert!(
        matches!(e, Error::IncompleteBody { status: 200, .. }),
        "{e:?}"
    );
    assert_eq!(e.status(), Some(200));
    assert_eq!(e.meta().map(|m| m.status()), Some(200));
    assert_eq!(e.attempts(), 1);
    assert!(e.to_string().contains("answered HTTP 200"), "{e}");
    assert_eq!(server.seen().len(), 1, "the POST went out once");
    assert!(delays.lock().expect("lock").is_empty());
    // A GET is not re-sent either: its answer came.
    let e = get(&client(&server.url(), policy)).await.expect_err("cut");
    assert_eq!(e.status(), Some(200));
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn gateway_statuses_are_retried_for_get_and_never_for_post() {
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let reply = http(
        "502 Bad Gateway",
        &[("Content-Type", "text/html")],
        page.as_bytes(),
    );
    let server = FaultServer::start(move |_, _| Act::Reply(reply.clone())).await;
    let (policy, delays) = recording(RetryPolicy::new().retry_non_idempotent(true));
    let e = get(&client(&server.url(), policy.clone()))
        .await
        .expect_err("the gateway keeps failing");
    assert!(
        matches!(e, Error::UnexpectedResponse { status: 502, .. }),
        "{e:?}"
    );
    assert_eq!(e.attempts(), 3);
    assert_eq!(server.seen().len(), 3);
    assert_eq!(delays.lock().expect("lock").len(), 2);
    assert!(e.to_string().contains("502 Bad Gateway"), "{e}");

    let e = post(&client(&server.url(), policy)).await.expect_err("502");
    assert_eq!(e.status(), Some(502));
    assert_eq!(
        server.seen().len(),
        4,
        "the POST went out once, opt-in or not"
    );
}

#[tokio::test]
async fn a_gateway_error_then_success_recovers_a_get() {
    let server = FaultServer::start(|n, _| {
        if n == 1 {
            Act::Reply(http("503 Service Unavailable", &[], b"busy"))
        } else {
            Act::Reply(profile_ok())
        }
    })
    .await;
    let (policy, _) = recording(RetryPolicy::new());
    get(&client(&server.url(), policy))
        .await
        .expect("the retry succeeds");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_transient_graph_error_is_retried_for_get_only_even_when_opted_in() {
    let reply = json_reply(
        "500 Internal Server Error",
        json!({"error": {"message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2, "is_transient": true, "fbtrace_id": "T"}}),
    );
    let server = FaultServer::start(move |_, _| Act::Reply(reply.clone())).await;
    let (policy, _) = recording(RetryPolicy::new().retry_non_idempotent(true));
    let e = get(&client(&server.url(), policy.clone()))
        .await
        .expect_err("500");
    assert!(matches!(e, Error::Api { status: 500, .. }), "{e:?}");
    assert_eq!(server.seen().len(), 3);
    let e = post(&client(&server.url(), policy)).await.expect_err("500");
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.seen().len(), 4);
}

#[tokio::test]
async fn retry_after_is_honoured_in_seconds_and_as_an_http_date() {
    // Seconds.
    let server = FaultServer::start(|n, _| {
        if n == 1 {
            Act::Reply(http("429 Too Many Requests", &[("Retry-After", "2")], b""))
        } else {
            Act::Reply(sent_ok())
        }
    })
    .await;
    let (policy, delays) = recording(RetryPolicy::new());
    post(&client(&server.url(), policy))
        .await
        .expect("the retry succeeds");
    assert_eq!(server.seen().len(), 2, "a 429 is retried, POST included");
    assert!(delays.lock().expect("lock")[0] >= Duration::from_secs(2));

    // An HTTP date about 4 s ahead.
    let at = httpdate_in(Duration::from_secs(4));
    let server = FaultServer::start(move |n, _| {
        if n == 1 {
            Act::Reply(http(
                "429 Too Many Requests",
                &[("Retry-After", at.as_str())],
                b"",
            ))
        } else {
            Act::Reply(sent_ok())
        }
    })
    .await;
    let (policy, delays) = recording(RetryPolicy::new());
    post(&client(&server.url(), policy))
        .await
        .expect("the retry succeeds");
    let waited = delays.lock().expect("lock")[0];
    assert!(
        waited >= Duration::from_secs(2) && waited <= Duration::from_secs(5),
        "waited {waited:?} for a date 4 s ahead"
    );
}

/// An HTTP date `ahead` from now (whole seconds).
fn httpdate_in(ahead: Duration) -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now() + ahead)
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_gives_up_at_once_with_the_answer() {
    let server = FaultServer::start(|_, _| {
        Act::Reply(http(
            "429 Too Many Requests",
            &[("Retry-After", "3600")],
            b"",
        ))
    })
    .await;
    let (policy, delays) = recording(RetryPolicy::new());
    let started = Instant::now();
    let e = post(&client(&server.url(), policy)).await.expect_err("429");
    assert_eq!(e.status(), Some(429));
    assert_eq!(
        e.meta()
            .and_then(|m| m.headers().get("retry-after"))
            .map(|v| v.as_bytes()),
        Some(&b"3600"[..])
    );
    assert_eq!(server.seen().len(), 1);
    assert!(delays.lock().expect("lock").is_empty());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn invalid_json_in_a_200_is_a_decode_error_with_the_body() {
    let server = FaultServer::start(|_, _| {
        Act::Reply(http(
            "200 OK",
            &[("Content-Type", "application/json")],
            b"{not json",
        ))
    })
    .await;
    let e = post(&client(&server.url(), RetryPolicy::new()))
        .await
        .expect_err("not JSON");
    assert!(matches!(e, Error::Decode { status: 200, .. }), "{e:?}");
    assert_eq!(e.raw_body().map(|b| b.bytes()), Some(&b"{not json"[..]));
    assert_eq!(server.seen().len(), 1);
}

// ---------------------------------------------------------------------------
// Bounded memory and logs
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_body_beyond_the_limit_is_refused_with_the_limit_named() {
    let big = vec![b'x'; 5 << 20];
    let reply = http("200 OK", &[("Content-Type", "application/json")], &big);
    let server = FaultServer::start(move |_, _| Act::Reply(reply.clone())).await;
    let client = Client::builder("fault-token")
        .base_url(server.url())
        .max_body_size(1 << 20)
        .build()
        .expect("client builds");
    let e = get(&client).await.expect_err("too large");
    assert!(
        matches!(
            e,
            Error::BodyTooLarge {
                status: 200,
                limit: 1048576,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("1048576 bytes"), "{e}");
    assert_eq!(server.seen().len(), 1, "an answered GET is not re-sent");

    // The per-call limit wins over the client's, and a body without a
    // length (read until the connection closes) is bounded too.
    let mut close_delimited = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n".to_vec();
    close_delimited.extend_from_slice(&vec![b' '; 64 << 10]);
    let server = FaultServer::start(move |_, _| Act::Reply(close_delimited.clone())).await;
    let e = client_with_url(&server.url())
        .get_business_profile("1")
        .max_body_size(16 << 10)
        .await
        .expect_err("too large");
    assert!(
        matches!(e, Error::BodyTooLarge { limit: 16384, .. }),
        "{e:?}"
    );
}

fn client_with_url(url: &str) -> Client {
    client(url, RetryPolicy::disabled())
}

#[tokio::test]
async fn error_messages_show_a_short_preview_of_a_large_body() {
    // 1 MB of an error page, with a multi-byte character where it is cut.
    let mut page = "é".repeat(200).into_bytes();
    page.extend(std::iter::repeat_n(b'y', 1 << 20));
    let reply = http("418 I'm a teapot", &[("Content-Type", "text/html")], &page);
    let server = FaultServer::start(move |_, _| Act::Reply(reply.clone())).await;
    let e = get(&client_with_url(&server.url())).await.expect_err("418");
    let line = e.to_string();
    assert!(line.len() < 600, "{} bytes", line.len());
    assert!(
        line.contains(&format!("({} bytes in all)", page.len())),
        "{line}"
    );
    assert!(format!("{e:?}").len() < 2000);
    // The whole body stays available.
    assert_eq!(e.raw_body().map(|b| b.bytes().len()), Some(page.len()));
}

// ---------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_call_timeout_bounds_every_attempt_and_wait_together() {
    let server = FaultServer::start(|_, _| Act::Stall(Duration::from_secs(8))).await;
    let client = client(
        &server.url(),
        RetryPolicy::new().base_delay(Duration::from_millis(10)),
    );
    let started = Instant::now();
    let e = tokio::time::timeout(
        CASE_LIMIT,
        client
            .get_business_profile("1")
            .timeout(Duration::from_millis(1500))
            .send(),
    )
    .await
    .expect("the call ends")
    .expect_err("no answer in time");
    let took = started.elapsed();
    assert!(e.is_timeout(), "{e:?}");
    assert!(
        took < Duration::from_millis(2500),
        "took {took:?} for a 1.5 s timeout"
    );
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");

    // With a per-attempt timeout shorter than the call's, a GET is tried
    // again within the call's time.
    let client = client_with_url(&server.url());
    let e = client
        .get_business_profile("1")
        .retry(RetryPolicy::new().base_delay(Duration::from_millis(10)))
        .attempt_timeout(Duration::from_millis(300))
        .timeout(Duration::from_millis(1500))
        .await
        .expect_err("no answer in time");
    assert!(e.is_timeout());
    assert!(e.attempts() >= 2, "{} attempt(s)", e.attempts());
}

#[tokio::test]
async fn a_trickling_body_times_out_as_a_timeout_with_its_status() {
    let server = FaultServer::start(|_, _| Act::Trickle {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n".to_vec(),
        body: vec![b' '; 200],
        every: Duration::from_millis(50),
    })
    .await;
    let started = Instant::now();
    let e = client_with_url(&server.url())
        .get_business_profile("1")
        .timeout(Duration::from_millis(800))
        .await
        .expect_err("too slow");
    assert!(e.is_timeout(), "{e:?}");
    assert!(
        matches!(e, Error::IncompleteBody { status: 200, .. }),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(2000));
    assert!(
        !e.to_string().contains("error decoding response body"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------
// Redirects
// ---------------------------------------------------------------------------

#[tokio::test]
async fn api_calls_never_follow_redirects() {
    let elsewhere = FaultServer::start(|_, _| Act::Reply(sent_ok())).await;
    let target = format!("{}/v23.0/1/messages", elsewhere.url());
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        for location in [target.clone(), "/v23.0/2/messages".to_string()] {
            let location_header = location.clone();
            let server = FaultServer::start(move |_, _| {
                Act::Reply(http(status, &[("Location", location_header.as_str())], b""))
            })
            .await;
            let e = post(&client(&server.url(), RetryPolicy::new()))
                .await
                .expect_err("a redirect is not a success");
            let code: u16 = status[..3].parse().expect("code");
            assert!(
                matches!(&e, Error::UnexpectedResponse { status, .. } if *status == code),
                "{status}: {e:?}"
            );
            assert_eq!(e.meta().and_then(|m| m.location()), Some(location.as_str()));
            assert_eq!(
                server.seen().len(),
                1,
                "{status}: the redirect is not followed"
            );
        }
    }
    assert!(
        elsewhere.seen().is_empty(),
        "nothing reached the other origin"
    );
}

#[tokio::test]
async fn media_downloads_follow_redirects_without_credentials_across_origins() {
    let cdn = FaultServer::start(|_, _| {
        Act::Reply(http(
            "200 OK",
            &[("Content-Type", "image/jpeg")],
            b"JPEG bytes",
        ))
    })
    .await;
    let cdn_url = format!("{}/file.jpg", cdn.url());
    let origin = FaultServer::start(move |_, seen| {
        if seen.path.starts_with("/same") {
            Act::Reply(http("302 Found", &[("Location", "/final")], b""))
        } else if seen.path.starts_with("/final") {
            Act::Reply(http("200 OK", &[], b"same-origin bytes"))
        } else {
            Act::Reply(http("302 Found", &[("Location", cdn_url.as_str())], b""))
        }
    })
    .await;
    let client = client_with_url(&origin.url());

    let bytes = client
        .download_media(format!("{}/cross", origin.url()))
        .await
        .expect("downloaded");
    assert_eq!(bytes, b"JPEG bytes");
    let at_cdn = cdn.seen();
    assert_eq!(at_cdn.len(), 1);
    assert_eq!(
        at_cdn[0].header("authorization"),
        None,
        "no token to another origin"
    );
    assert_eq!(
        origin.seen()[0].header("authorization"),
        Some("Bearer fault-token")
    );

    let bytes = client
        .download_media(format!("{}/same", origin.url()))
        .await
        .expect("downloaded");
    assert_eq!(bytes, b"same-origin bytes");
    let seen = origin.seen();
    let last = seen.last().expect("requests");
    assert_eq!(last.path, "/final");
    assert_eq!(last.header("authorization"), Some("Bearer fault-token"));
}

// ---------------------------------------------------------------------------
// Odd but valid answers, and load
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_http10_answer_without_a_length_decodes() {
    let server = FaultServer::start(|_, _| {
        let mut bytes = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n".to_vec();
        bytes.extend_from_slice(
            br#"{"messaging_product":"whatsapp","messages":[{"id":"wamid.10"}]}"#,
        );
        Act::Reply(bytes)
    })
    .await;
    let client = client_with_url(&server.url());
    let sent = client
        .send_message("1", Message::text("447700900123", "hi"))
        .await
        .expect("decodes");
    assert_eq!(sent.messages.expect("messages")[0].id, "wamid.10");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    let body: serde_json::Value = serde_json::from_slice(&seen[0].body).expect("JSON");
    assert_eq!(body["to"], "447700900123");
    assert_eq!(seen[0].header("authorization"), Some("Bearer fault-token"));
}

#[tokio::test]
async fn a_hundred_concurrent_calls_all_complete() {
    let server = FaultServer::start(|_, _| Act::Reply(profile_ok())).await;
    let client = client_with_url(&server.url());
    let calls = (0..100).map(|_| client.get_business_profile("1").send());
    let results = tokio::time::timeout(CASE_LIMIT, futures::future::join_all(calls))
        .await
        .expect("every call ends");
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.seen().len(), 100);
}
