//! What came with a response: status, headers, attempts.

/// A response as received, before its body is decoded.
pub struct Received {
    /// The body.
    pub body: Vec<u8>,
    /// The status, headers and attempts.
    pub meta: ResponseMeta,
}

/// A decoded success value together with what came with it: the status, the
/// headers (with the API's usage headers parsed on demand) and the number of
/// attempts it took. Returned by every request builder's `send_with_meta`.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// Status, headers and attempts.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The decoded body, dropping the metadata.
    pub fn into_value(self) -> T {
        self.value
    }
}

/// The status and headers of a response, and how many attempts the call took.
#[derive(Debug, Clone)]
pub struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) attempts: u32,
}

impl ResponseMeta {
    /// Metadata for a response (for tests and for code that wraps the client).
    pub fn new(status: u16, headers: reqwest::header::HeaderMap, attempts: u32) -> Self {
        ResponseMeta {
            status,
            headers,
            attempts,
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers, as received.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// How many times the request was sent (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long the server asked to wait before the next request: its
    /// `Retry-After` header, in seconds or as an HTTP date (a date in the
    /// past is no wait). `None` when the header is absent or does not parse.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        crate::retry::retry_after(&self.headers)
    }

    /// The `Location` header (where a redirect points), if present and text.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// A header whose value is JSON, decoded into `T` (`Ok(None)` when the
    /// header is absent). Typed accessors for an API's own headers (the
    /// Graph API's usage headers) are built on it.
    pub fn header_json<T: serde::de::DeserializeOwned>(
        &self,
        name: &'static str,
    ) -> Result<Option<T>, HeaderError> {
        let Some(value) = self.headers.get(name) else {
            return Ok(None);
        };
        let text = value.to_str().map_err(|e| HeaderError {
            header: name,
            message: e.to_string(),
        })?;
        crate::decode::from_slice_strict(text.as_bytes())
            .map(Some)
            .map_err(|e| HeaderError {
                header: name,
                message: format!("at `{}`: {}", e.path, e.source),
            })
    }
}

/// A header that is present but does not parse; the header is named and its
/// raw value stays available in [`ResponseMeta::headers`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not parse the `{header}` header: {message}")]
pub struct HeaderError {
    /// The header's (lowercase) name.
    pub header: &'static str,
    /// What did not fit.
    pub message: String,
}
