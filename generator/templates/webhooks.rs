//! Receiving webhooks: verify a delivery's signature, parse its payload, and
//! answer the subscription handshake.
//!
//! A delivery is an HTTP POST whose raw body is signed with the app secret:
//! the [`SIGNATURE_HEADER`] holds `sha256=` followed by the hex HMAC-SHA256 of
//! the body. Verify it against the exact bytes received, before parsing:
//!
//! ```text
//! match webhooks::parse_verified(app_secret, &body, signature_header) {
//!     Ok(payload) => dispatch(payload),
//!     Err(e) => reject(e),
//! }
//! ```
//!
//! Subscribing, the API first sends a GET with `hub.mode=subscribe`,
//! `hub.verify_token` and `hub.challenge`; answer 200 with the challenge when
//! the token is yours ([`verify_subscription`]).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Why a webhook request was rejected.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The signature header is absent.
    #[error("the signature header is missing")]
    MissingSignature,
    /// The signature header is not `sha256=` followed by 64 hex digits.
    #[error("the signature header is not `sha256=` followed by 64 hex digits")]
    MalformedSignature,
    /// The signature does not match the body and the app secret.
    #[error("the signature does not match the body")]
    SignatureMismatch,
    /// The body is not a payload of the documented shape.
    #[error("the body is not a valid payload at `{path}`: {source}")]
    Parse {
        /// Where in the body parsing failed.
        path: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The handshake is not a `subscribe` request.
    #[error("the subscription request's `hub.mode` is not `subscribe`")]
    NotSubscribe,
    /// The handshake's verify token is not the expected one.
    #[error("the subscription request's verify token does not match")]
    TokenMismatch,
    /// The handshake has no challenge to echo.
    #[error("the subscription request has no `hub.challenge`")]
    MissingChallenge,
}

/// The signature header value for a body: `sha256=` and the hex HMAC-SHA256
/// of the body keyed with the app secret, as the API sends it and as
/// [`verify_signature`] expects it. For tests that sign their own fixtures.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(app_secret) {
        Ok(mut mac) => {
            mac.update(body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        }
        // HMAC accepts keys of any length; were it to refuse one, the empty
        // digest is a signature that never verifies.
        Err(_) => "sha256=".to_string(),
    }
}

/// Checks the signature header of a delivery against its raw body, in
/// constant time.
pub fn verify_signature(app_secret: &[u8], body: &[u8], signature_header: Option<&str>) -> Result<(), WebhookError> {
    let header = signature_header.ok_or(WebhookError::MissingSignature)?;
    let digest = header.trim().strip_prefix("sha256=").ok_or(WebhookError::MalformedSignature)?;
    if digest.len() != 64 {
        return Err(WebhookError::MalformedSignature);
    }
    let expected = hex::decode(digest).map_err(|_| WebhookError::MalformedSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).map_err(|_| WebhookError::SignatureMismatch)?;
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| WebhookError::SignatureMismatch)
}

/// Parses a delivery's body (without checking its signature).
pub fn parse(body: &[u8]) -> Result<Payload, WebhookError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| WebhookError::Parse {
        path: e.path().to_string(),
        source: e.into_inner(),
    })
}

/// Verifies a delivery's signature, then parses its body.
pub fn parse_verified(app_secret: &[u8], body: &[u8], signature_header: Option<&str>) -> Result<Payload, WebhookError> {
    verify_signature(app_secret, body, signature_header)?;
    parse(body)
}

/// Answers the subscription handshake: returns the challenge to send back
/// (HTTP 200, plain text) when `mode` is `subscribe` and the verify token is
/// `expected_token`.
pub fn verify_subscription<'a>(
    mode: Option<&str>,
    verify_token: Option<&str>,
    challenge: Option<&'a str>,
    expected_token: &str,
) -> Result<&'a str, WebhookError> {
    if mode != Some("subscribe") {
        return Err(WebhookError::NotSubscribe);
    }
    // Compare digests, so the comparison time says nothing about the token.
    let given = Sha256::digest(verify_token.unwrap_or_default().as_bytes());
    let expected = Sha256::digest(expected_token.as_bytes());
    if verify_token.is_none() || given != expected {
        return Err(WebhookError::TokenMismatch);
    }
    challenge.ok_or(WebhookError::MissingChallenge)
}

/// [`verify_subscription`] on a raw query string
/// (`hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`).
pub fn verify_subscription_query(query: &str, expected_token: &str) -> Result<String, WebhookError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.trim_start_matches('?')).unwrap_or_default();
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    verify_subscription(get("hub.mode"), get("hub.verify_token"), get("hub.challenge"), expected_token).map(str::to_string)
}

/// Ready-made `axum` routes for the handshake and verified deliveries (with
/// the crate's `axum` feature).
///
/// ```text
/// let secrets = webhooks::routes::WebhookSecrets::new(app_secret, verify_token);
/// let app = webhooks::routes::router("/webhook", secrets, |payload| async move {
///     // handle the payload
/// });
/// axum::serve(listener, app).await?;
/// ```
///
/// Or, in routes of your own, take [`routes::Verified`] as an extractor (the
/// router's state must give a [`routes::WebhookSecrets`] through `FromRef`).
#[cfg(feature = "axum")]
pub mod routes {
    use std::sync::Arc;

    use axum::extract::{FromRef, FromRequest, RawQuery, Request, State};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    use super::{Payload, WebhookError};

    /// The app secret deliveries are signed with and the verify token of
    /// the handshake. Its `Debug` output shows neither.
    #[derive(Clone)]
    pub struct WebhookSecrets {
        app_secret: Arc<[u8]>,
        verify_token: Arc<str>,
    }

    impl WebhookSecrets {
        /// The secrets of one app.
        pub fn new(app_secret: impl AsRef<[u8]>, verify_token: impl AsRef<str>) -> Self {
            WebhookSecrets { app_secret: app_secret.as_ref().into(), verify_token: verify_token.as_ref().into() }
        }
    }

    impl std::fmt::Debug for WebhookSecrets {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("WebhookSecrets").field("app_secret", &"<redacted>").field("verify_token", &"<redacted>").finish()
        }
    }

    /// A delivery whose signature checked out, parsed: an extractor for a
    /// `POST` route. A missing or wrong signature is rejected with 401, a
    /// body that is not a payload with 400 (so the API delivers it again).
    #[derive(Debug, Clone)]
    pub struct Verified(pub Payload);

    /// Why [`Verified`] rejected a request; answered as its status and a
    /// one-line text.
    #[derive(Debug)]
    pub struct Rejection(pub WebhookError);

    impl IntoResponse for Rejection {
        fn into_response(self) -> Response {
            let status = match &self.0 {
                WebhookError::Parse { .. } => StatusCode::BAD_REQUEST,
                WebhookError::NotSubscribe | WebhookError::TokenMismatch | WebhookError::MissingChallenge => StatusCode::FORBIDDEN,
                _ => StatusCode::UNAUTHORIZED,
            };
            (status, self.0.to_string()).into_response()
        }
    }

    impl<S> FromRequest<S> for Verified
    where
        S: Send + Sync,
        WebhookSecrets: FromRef<S>,
    {
        type Rejection = Response;

        async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
            let secrets = WebhookSecrets::from_ref(state);
            let signature = request.headers().get(super::SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
            let body = axum::body::Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
            super::parse_verified(&secrets.app_secret, &body, signature.as_deref()).map(Verified).map_err(|e| Rejection(e).into_response())
        }
    }

    /// The subscription handshake, as a `GET` handler: answers the challenge
    /// when the verify token matches, 403 otherwise.
    pub async fn handshake(State(secrets): State<WebhookSecrets>, RawQuery(query): RawQuery) -> Response {
        match super::verify_subscription_query(&query.unwrap_or_default(), &secrets.verify_token) {
            Ok(challenge) => (StatusCode::OK, challenge).into_response(),
            Err(e) => Rejection(e).into_response(),
        }
    }

    /// A router with the handshake (`GET path`) and deliveries (`POST
    /// path`): each verified payload is passed to `on_payload`, and the
    /// delivery is answered 200 once it returns.
    pub fn router<F, Fut>(path: &str, secrets: WebhookSecrets, on_payload: F) -> axum::Router
    where
        F: Fn(Payload) -> Fut + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let deliver = move |Verified(payload): Verified| async move {
            on_payload(payload).await;
            StatusCode::OK
        };
        axum::Router::new().route(path, axum::routing::get(handshake).post(deliver)).with_state(secrets)
    }
}
