//! Hooks that see (and may change) every attempt.

/// Observes or adjusts requests without changing the generated code: add a
/// header, record a trace span, count attempts. Hooks are called for every
/// attempt (retries included), in the order they were added to the client.
///
/// The request a hook sees carries the credentials; a hook that logs requests
/// should leave the `Authorization` header out.
pub trait Hook: Send + Sync {
    /// Called just before an attempt is sent; may change the request.
    fn on_request(&self, request: &mut reqwest::Request) {
        let _ = request;
    }

    /// Called when an attempt has ended, with its outcome.
    fn on_response(&self, exchange: &Exchange<'_>) {
        let _ = exchange;
    }
}

/// One finished attempt, as [`Hook::on_response`] sees it.
#[derive(Debug)]
pub struct Exchange<'a> {
    /// The request method.
    pub method: &'a reqwest::Method,
    /// The request URL.
    pub url: &'a reqwest::Url,
    /// Which attempt this was (1 for the first).
    pub attempt: u32,
    /// Time since the attempt was sent.
    pub elapsed: std::time::Duration,
    /// The status and headers, or the transport error.
    pub outcome: Result<(u16, &'a reqwest::header::HeaderMap), &'a reqwest::Error>,
}

/// The hooks of a client, in order; its `Debug` output shows how many.
#[derive(Clone, Default)]
pub(crate) struct Hooks(pub(crate) Vec<std::sync::Arc<dyn Hook>>);

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} hook(s)", self.0.len())
    }
}
