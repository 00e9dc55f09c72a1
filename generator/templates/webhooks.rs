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
