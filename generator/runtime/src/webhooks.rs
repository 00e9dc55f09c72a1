//! Receiving webhooks: verify a delivery's signature, parse its payload, and
//! answer the subscription handshake (with the `webhooks` feature).
//!
//! A delivery is an HTTP POST whose raw body is signed with the app secret:
//! the signature header holds `sha256=` followed by the hex HMAC-SHA256 of
//! the body. The generated crate's `webhooks` module names the header and
//! the payload type, and wraps these functions.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Why a webhook request was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// A header the deliveries must carry (a secret configured with the
    /// API) is missing or has another value.
    #[error("the delivery's `{header}` header is missing or does not match")]
    HeaderMismatch {
        /// The header's name.
        header: String,
    },
}

/// Whether a secret received equals the expected one; digests are compared,
/// so the comparison time says nothing about the secret.
fn same_secret(received: Option<&str>, expected: &str) -> bool {
    let given = Sha256::digest(received.unwrap_or_default().as_bytes());
    received.is_some() && given == Sha256::digest(expected.as_bytes())
}

/// Checks a header every delivery must carry, for APIs that authenticate
/// deliveries by a header value configured with them rather than by a
/// signature.
pub fn verify_header(
    name: &str,
    expected: &str,
    received: Option<&str>,
) -> Result<(), WebhookError> {
    if same_secret(received, expected) {
        Ok(())
    } else {
        Err(WebhookError::HeaderMismatch {
            header: name.to_string(),
        })
    }
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
pub fn verify_signature(
    app_secret: &[u8],
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<(), WebhookError> {
    let header = signature_header.ok_or(WebhookError::MissingSignature)?;
    let digest = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(WebhookError::MalformedSignature)?;
    if digest.len() != 64 {
        return Err(WebhookError::MalformedSignature);
    }
    let expected = hex::decode(digest).map_err(|_| WebhookError::MalformedSignature)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret).map_err(|_| WebhookError::SignatureMismatch)?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::SignatureMismatch)
}

/// Parses a delivery's body (without checking its signature).
pub fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, WebhookError> {
    crate::decode::from_slice(body).map_err(|e| WebhookError::Parse {
        path: e.path,
        source: e.source,
    })
}

/// Verifies a delivery's signature, then parses its body.
pub fn parse_verified<T: serde::de::DeserializeOwned>(
    app_secret: &[u8],
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<T, WebhookError> {
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
    if !same_secret(verify_token, expected_token) {
        return Err(WebhookError::TokenMismatch);
    }
    challenge.ok_or(WebhookError::MissingChallenge)
}

/// [`verify_subscription`] on a raw query string
/// (`hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`).
pub fn verify_subscription_query(
    query: &str,
    expected_token: &str,
) -> Result<String, WebhookError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.trim_start_matches('?')).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    verify_subscription(
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
        expected_token,
    )
    .map(str::to_string)
}

/// A payload type that arrives signed, and the header its signature is in.
pub trait Signed: Sized {
    /// The signature header (`X-Hub-Signature-256`).
    const SIGNATURE_HEADER: &'static str;

    /// Verifies a delivery's signature, then parses its body: the generated
    /// crate's `webhooks::parse_verified`, compiled there once, so that a
    /// crate using the routes below does not compile the payload's decoder
    /// again.
    fn parse_verified(
        app_secret: &[u8],
        body: &[u8],
        signature_header: Option<&str>,
    ) -> Result<Self, WebhookError>;
}

/// Ready-made `axum` pieces for the handshake and verified deliveries (with
/// the `axum` feature); the generated crate's `webhooks::routes` builds on
/// them.
#[cfg(feature = "axum")]
pub mod routes {
    use std::sync::Arc;

    use axum::extract::{FromRef, FromRequest, RawQuery, Request, State};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    use super::{Signed, WebhookError};

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
            WebhookSecrets {
                app_secret: app_secret.as_ref().into(),
                verify_token: verify_token.as_ref().into(),
            }
        }
    }

    impl std::fmt::Debug for WebhookSecrets {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("WebhookSecrets")
                .field("app_secret", &"<redacted>")
                .field("verify_token", &"<redacted>")
                .finish()
        }
    }

    /// Why a request was rejected; answered as its status and a one-line text.
    #[derive(Debug)]
    pub struct Rejection(pub WebhookError);

    impl IntoResponse for Rejection {
        fn into_response(self) -> Response {
            let status = match &self.0 {
                WebhookError::Parse { .. } => StatusCode::BAD_REQUEST,
                WebhookError::NotSubscribe
                | WebhookError::TokenMismatch
                | WebhookError::MissingChallenge => StatusCode::FORBIDDEN,
                _ => StatusCode::UNAUTHORIZED,
            };
            (status, self.0.to_string()).into_response()
        }
    }

    /// Reads a delivery from a request: checks its signature against the
    /// secrets the state gives, then parses it. A missing or wrong signature
    /// is answered 401, a body that is not a payload 400 (so the API delivers
    /// it again).
    pub async fn verified<T: Signed, S>(request: Request, state: &S) -> Result<T, Response>
    where
        S: Send + Sync,
        WebhookSecrets: FromRef<S>,
    {
        let secrets = WebhookSecrets::from_ref(state);
        let signature = request
            .headers()
            .get(T::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        T::parse_verified(&secrets.app_secret, &body, signature.as_deref())
            .map_err(|e| Rejection(e).into_response())
    }

    /// The subscription handshake, as a `GET` handler: answers the challenge
    /// when the verify token matches, 403 otherwise.
    pub async fn handshake(
        State(secrets): State<WebhookSecrets>,
        RawQuery(query): RawQuery,
    ) -> Response {
        match super::verify_subscription_query(&query.unwrap_or_default(), &secrets.verify_token) {
            Ok(challenge) => (StatusCode::OK, challenge).into_response(),
            Err(e) => Rejection(e).into_response(),
        }
    }

    /// A router with the handshake (`GET path`) and deliveries (`POST
    /// path`): each verified payload is passed to `on_payload`, and the
    /// delivery is answered 200 once it returns.
    pub fn router<T, F, Fut>(path: &str, secrets: WebhookSecrets, on_payload: F) -> axum::Router
    where
        T: Signed + Send + 'static,
        F: Fn(T) -> Fut + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let deliver = move |State(secrets): State<WebhookSecrets>, request: Request| async move {
            match verified::<T, WebhookSecrets>(request, &secrets).await {
                Ok(payload) => {
                    on_payload(payload).await;
                    StatusCode::OK.into_response()
                }
                Err(rejection) => rejection,
            }
        };
        axum::Router::new()
            .route(path, axum::routing::get(handshake).post(deliver))
            .with_state(secrets)
    }
}
