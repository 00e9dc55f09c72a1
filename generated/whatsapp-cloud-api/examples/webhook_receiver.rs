//! A minimal webhook receiver (axum): answers the subscription handshake,
//! checks each delivery's signature against the app secret, and dispatches on
//! the type of each incoming message.
//!
//! Its answers follow the crate's policy (the same as `webhooks::routes`): a
//! delivery without a valid signature is refused with 401; a signed one
//! whose body is not a delivery at all (not JSON, or without `object` and
//! `entry`) with 400, so Meta delivers it again later; every other delivery
//! is acknowledged with 200, items that did not fit their type included
//! (they are kept, and reported here). Work that takes long should not delay
//! the answer: queue it and acknowledge, since Meta sends a delivery again
//! when the answer is late.
//!
//! ```sh
//! WHATSAPP_APP_SECRET=... WHATSAPP_VERIFY_TOKEN=... \
//!     cargo run -p whatsapp-cloud-api --example webhook_receiver
//! ```
//!
//! It listens on `127.0.0.1:3000` (or `WEBHOOK_ADDR`) at `/webhook`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use whatsapp_cloud_api::types::{IncomingMessage, WebhookChange};
use whatsapp_cloud_api::{Item, webhooks};

/// What the receiver needs: the app secret (for signatures), the verify token
/// (for the handshake), and what to do with each event.
#[derive(Clone)]
pub struct Receiver {
    app_secret: Arc<[u8]>,
    verify_token: Arc<str>,
    on_event: Arc<dyn Fn(String) + Send + Sync>,
}

impl Receiver {
    /// A receiver that passes a one-line description of each event to
    /// `on_event`.
    pub fn new(
        app_secret: &str,
        verify_token: &str,
        on_event: impl Fn(String) + Send + Sync + 'static,
    ) -> Self {
        Receiver {
            app_secret: app_secret.as_bytes().into(),
            verify_token: verify_token.into(),
            on_event: Arc::new(on_event),
        }
    }

    /// The routes: `GET /webhook` for the handshake, `POST /webhook` for
    /// deliveries.
    pub fn router(self) -> Router {
        Router::new()
            .route("/webhook", get(handshake).post(delivery))
            .with_state(self)
    }
}

/// `GET /webhook?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`
async fn handshake(
    State(receiver): State<Receiver>,
    RawQuery(query): RawQuery,
) -> (StatusCode, String) {
    match webhooks::verify_subscription_query(&query.unwrap_or_default(), &receiver.verify_token) {
        Ok(challenge) => (StatusCode::OK, challenge),
        Err(e) => (StatusCode::FORBIDDEN, e.to_string()),
    }
}

/// `POST /webhook`: a delivery, signed in the `X-Hub-Signature-256` header.
async fn delivery(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get(webhooks::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let payload = match webhooks::parse_verified(&receiver.app_secret, &body, signature) {
        Ok(payload) => payload,
        Err(webhooks::WebhookError::Parse { path, .. }) => {
            // Signed by Meta but not a delivery at all: refuse it, so Meta
            // delivers it again (to a receiver that may read it by then).
            (receiver.on_event)(format!("unparsed delivery (at `{path}`)"));
            return StatusCode::BAD_REQUEST;
        }
        Err(_) => return StatusCode::UNAUTHORIZED,
    };
    for (path, invalid) in payload.invalid_items() {
        (receiver.on_event)(format!("not decoded at {path}: {invalid}"));
    }
    for change in payload.changes() {
        match change {
            WebhookChange::Messages(change) => {
                for message in change
                    .value
                    .messages
                    .iter()
                    .flatten()
                    .filter_map(Item::valid)
                {
                    (receiver.on_event)(describe(message));
                }
                for status in change
                    .value
                    .statuses
                    .iter()
                    .flatten()
                    .filter_map(Item::valid)
                {
                    (receiver.on_event)(format!("status of {}: {:?}", status.id, status.status));
                }
            }
            other => (receiver.on_event)(format!("{} change", other.tag())),
        }
    }
    StatusCode::OK
}

/// One line about a message, by its type. The sender is its phone number,
/// or its business-scoped user ID when the phone number is not shown.
pub fn describe(message: &IncomingMessage) -> String {
    let from = message
        .from()
        .or(message.from_user_id())
        .unwrap_or("an unknown sender");
    match message {
        IncomingMessage::Text(m) => match &m.text {
            Some(text) => format!("text from {from}: {}", text.body),
            None => format!("text from {from}, without its content"),
        },
        IncomingMessage::Image(m) => match &m.image {
            Some(image) => format!("image from {from}: media {}", image.id),
            None => format!("image from {from}, without its content"),
        },
        IncomingMessage::Location(_) => format!("location from {from}"),
        IncomingMessage::Reaction(_) => format!("reaction from {from}"),
        other => format!("{} message from {from}", other.tag()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("WHATSAPP_APP_SECRET").map_err(|_| "set WHATSAPP_APP_SECRET")?;
    let token = std::env::var("WHATSAPP_VERIFY_TOKEN").map_err(|_| "set WHATSAPP_VERIFY_TOKEN")?;
    let addr = std::env::var("WEBHOOK_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let app = Receiver::new(&secret, &token, |event| println!("{event}")).router();
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}/webhook");
    axum::serve(listener, app).await?;
    Ok(())
}
