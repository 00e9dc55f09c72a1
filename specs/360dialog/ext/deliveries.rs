//! Receiving deliveries: 360dialog posts the Cloud API's webhook payloads
//! unchanged, so they parse into the WhatsApp crate's
//! [`WebhookPayload`] and its `deliveries` helpers apply.
//!
//! A delivery to a number's webhook is not signed: it carries the headers
//! set with `set_webhook`, and [`HeaderAuth`] checks them. Deliveries to a
//! partner's webhook are signed with the partner's platform secret in
//! [`PARTNER_SIGNATURE_HEADER`] ([`verify_partner_signature`]).
//!
//! ```
//! use d360_messaging::deliveries::{self, HeaderAuth};
//!
//! let auth = HeaderAuth::new("X-Bot-Token", "s3cr3t-token");
//! let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
//! assert!(auth.check(Some("s3cr3t-token")).is_ok());
//! let payload = deliveries::parse(body)?;
//! assert!(payload.entry.is_empty());
//! # Ok::<(), deliveries::WebhookError>(())
//! ```
//!
//! Answer 200 once a delivery is safely handled, 401 when the header does
//! not match, and 400 when an authenticated body does not parse (360dialog
//! delivers again, for up to seven days).
//!
//! This module is hand-written (`specs/360dialog/ext/deliveries.rs`) and
//! compiled with the generated code.

pub use ::fragment_codegen_runtime::webhooks::WebhookError;
pub use ::whatsapp_cloud_api::types::WebhookPayload;

/// The header a partner's deliveries are signed in: the hex HMAC-SHA256 of
/// the raw body, keyed with the partner's platform secret.
pub const PARTNER_SIGNATURE_HEADER: &str = "x-360dialog-signature";

/// Parses a delivery's body.
pub fn parse(body: &[u8]) -> Result<WebhookPayload, WebhookError> {
    ::fragment_codegen_runtime::webhooks::parse(body)
}

/// Checks a partner delivery's [`PARTNER_SIGNATURE_HEADER`] against the raw
/// body, in constant time; the hex digest may come with or without a
/// `sha256=` prefix.
pub fn verify_partner_signature(
    platform_secret: &[u8],
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<(), WebhookError> {
    let header = signature_header.map(|h| {
        let h = h.trim();
        if h.starts_with("sha256=") { h.to_string() } else { format!("sha256={h}") }
    });
    ::fragment_codegen_runtime::webhooks::verify_signature(platform_secret, body, header.as_deref())
}

/// The [`PARTNER_SIGNATURE_HEADER`] value for `body` (hex, no prefix): to
/// sign test fixtures.
pub fn sign_partner(platform_secret: &[u8], body: &[u8]) -> String {
    let signed = ::fragment_codegen_runtime::webhooks::sign(platform_secret, body);
    signed.trim_start_matches("sha256=").to_string()
}

/// Parses a partner delivery once its signature checks out.
pub fn parse_partner_verified(
    platform_secret: &[u8],
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<WebhookPayload, WebhookError> {
    verify_partner_signature(platform_secret, body, signature_header)?;
    parse(body)
}

/// The header set with `set_webhook` that every delivery must carry, and
/// its value (kept out of `Debug`).
#[derive(Clone)]
pub struct HeaderAuth {
    name: String,
    value: String,
}

impl std::fmt::Debug for HeaderAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeaderAuth").field("name", &self.name).finish_non_exhaustive()
    }
}

impl HeaderAuth {
    /// Deliveries must carry header `name` with `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        HeaderAuth { name: name.into(), value: value.into() }
    }

    /// The header's name, to look it up in a request.
    pub fn header(&self) -> &str {
        &self.name
    }

    /// Checks the header's value as received, without the time saying
    /// anything about the expected value.
    pub fn check(&self, received: Option<&str>) -> Result<(), WebhookError> {
        ::fragment_codegen_runtime::webhooks::verify_header(&self.name, &self.value, received)
    }

    /// Checks the header, then parses the body.
    pub fn parse(&self, received: Option<&str>, body: &[u8]) -> Result<WebhookPayload, WebhookError> {
        self.check(received)?;
        parse(body)
    }
}
