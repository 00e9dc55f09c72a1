//! When, and how long after, a failed call is sent again.

/// A future that waits, as the retry policy's sleeper returns it.
pub type SleepFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Statuses a gateway answers with when the API behind it did not take the
/// request; retried for idempotent methods.
pub(crate) const GATEWAY_STATUSES: [u16; 3] = [502, 503, 504];

/// When, and how long after, a failed call is sent again.
///
/// The rule: once the server has answered with a status line, the request is
/// sent again only for the answers that say it was not processed: HTTP 429
/// and the API's rate-limit error codes (for every method; the codes come
/// from the generated crate's error table), and for
/// idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) also the
/// gateway statuses 502, 503 and 504 and errors the API marks transient (a
/// flag or a transient code, as the crate's error table says). Without a status line, a
/// connection that could not be made is retried for every method (nothing
/// was sent), any other transport failure only for idempotent methods,
/// unless [`RetryPolicy::retry_non_idempotent`] opts in; no setting re-sends
/// a request whose status line came back.
///
/// Delays grow exponentially with full jitter, never shorter than a
/// `Retry-After` header (seconds or an HTTP date). A wait longer than
/// [`RetryPolicy::max_delay`], or one that would end after
/// [`RetryPolicy::max_elapsed`] or the call's timeout, is not waited: the
/// call gives up at once with the server's answer. A request whose body
/// cannot be replayed (a multipart upload) is sent once.
#[derive(Clone)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) base_delay: std::time::Duration,
    pub(crate) max_delay: std::time::Duration,
    pub(crate) max_elapsed: std::time::Duration,
    pub(crate) retry_non_idempotent: bool,
    pub(crate) sleep: std::sync::Arc<dyn Fn(std::time::Duration) -> SleepFuture + Send + Sync>,
}

impl std::fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("max_elapsed", &self.max_elapsed)
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .finish_non_exhaustive()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: std::time::Duration::from_millis(500),
            max_delay: std::time::Duration::from_secs(30),
            max_elapsed: std::time::Duration::from_secs(60),
            retry_non_idempotent: false,
            sleep: std::sync::Arc::new(|d| Box::pin(tokio::time::sleep(d))),
        }
    }
}

impl RetryPolicy {
    /// The default policy (3 attempts, 0.5 s base delay, 30 s longest wait,
    /// 60 s in all).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry.
    pub fn disabled() -> Self {
        Self::default().max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay before the first retry, doubled for each further one.
    pub fn base_delay(mut self, delay: std::time::Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait between two attempts; a `Retry-After` asking for
    /// more ends the call with the server's answer instead.
    pub fn max_delay(mut self, delay: std::time::Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// No retry starts, and no wait ends, later than this after the first attempt.
    pub fn max_elapsed(mut self, elapsed: std::time::Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Also retry POST and PATCH calls after a transport failure that came
    /// before any answer (a dropped connection, a timeout). Only opt in where
    /// sending twice is harmless; an answered request is never re-sent for
    /// this.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// Waits with this function instead of `tokio::time::sleep` (tests pass
    /// one that records the delays and returns at once).
    pub fn sleep_with(
        mut self,
        sleep: impl Fn(std::time::Duration) -> SleepFuture + Send + Sync + 'static,
    ) -> Self {
        self.sleep = std::sync::Arc::new(sleep);
        self
    }

    /// The delay before retry number `retry` (1 for the first retry), or
    /// `None` when the server asks for a longer wait than the policy allows.
    pub(crate) fn delay(
        &self,
        retry: u32,
        retry_after: Option<std::time::Duration>,
    ) -> Option<std::time::Duration> {
        if retry_after.is_some_and(|after| after > self.max_delay) {
            return None;
        }
        let exponential = self
            .base_delay
            .saturating_mul(1u32 << (retry - 1).min(20))
            .min(self.max_delay);
        let millis = u64::try_from(exponential.as_millis()).unwrap_or(u64::MAX);
        let jittered = std::time::Duration::from_millis(fastrand::u64(0..=millis));
        Some(retry_after.map_or(jittered, |after| jittered.max(after)))
    }
}

/// The `Retry-After` header: seconds, or an HTTP date (a past date is no wait).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<std::time::Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(std::time::Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}
