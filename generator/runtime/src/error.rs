//! Errors of a call, and the raw bodies they keep.

use crate::meta::ResponseMeta;

/// Everything that can go wrong with a call. `E` is the type documented error
/// responses decode into.
///
/// Once a status line has come back, the error says so: every variant but
/// `Encode` and `Transport` carries the status and the response's metadata,
/// so "the server answered" never looks like "no answer".
///
/// New kinds of failure may be added: a `match` needs a `_` arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E: std::fmt::Debug> {
    /// The server answered with a documented error status, and the body
    /// decoded into the documented error type.
    #[error("the API answered HTTP {status}: {body}")]
    Api {
        /// The HTTP status code.
        status: u16,
        /// The decoded error body.
        body: E,
        /// The response's headers (usage headers included) and attempts.
        meta: Box<ResponseMeta>,
    },
    /// The server answered with a status the operation does not document (a
    /// redirect included: API calls never follow one), or with an error body
    /// that does not decode; the raw body is kept.
    #[error("unexpected HTTP {status} response: {}", body.preview())]
    UnexpectedResponse {
        /// The HTTP status code.
        status: u16,
        /// The body as received.
        body: RawBody,
        /// The response's headers (`Location` of a redirect included) and attempts.
        meta: Box<ResponseMeta>,
    },
    /// A success response whose body does not match the documented type; the
    /// raw body is kept, and `path` names the member that did not fit.
    #[error("could not decode the HTTP {status} response body at `{path}`: {source}")]
    Decode {
        /// The HTTP status code.
        status: u16,
        /// Where in the body decoding failed (`data[0].vertical`; `.` for the root).
        path: String,
        /// The body as received.
        body: RawBody,
        /// Why it did not decode.
        #[source]
        source: serde_json::Error,
        /// The response's headers (usage headers included) and attempts.
        meta: Box<ResponseMeta>,
    },
    /// The server answered with this status, but its body did not arrive
    /// whole (the connection dropped, or a timeout while reading it). The
    /// request was received: a call with a 2xx status here was accepted.
    #[error("the server answered HTTP {status}, but {}", incomplete(source))]
    IncompleteBody {
        /// The HTTP status code.
        status: u16,
        /// Why the body could not be read (`is_timeout()` tells a timeout).
        #[source]
        source: reqwest::Error,
        /// The response's headers and attempts.
        meta: Box<ResponseMeta>,
    },
    /// The server answered with this status and a body larger than the
    /// limit, which was not read further.
    #[error("the HTTP {status} response body is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The HTTP status code.
        status: u16,
        /// The limit in bytes (see `ClientBuilder::max_body_size`).
        limit: u64,
        /// The response's headers and attempts.
        meta: Box<ResponseMeta>,
    },
    /// The request could not be encoded (for example a multipart body that is
    /// not an object). Nothing was sent.
    #[error("could not encode the request: {0}")]
    Encode(String),
    /// No status line came back: the connection could not be made, broke,
    /// or timed out before the server answered.
    #[error("the request failed after {attempts} attempt(s): {source}")]
    Transport {
        /// Why.
        #[source]
        source: reqwest::Error,
        /// How many times the request was sent.
        attempts: u32,
    },
}

/// Why a body broke off, in words: a timeout says so.
fn incomplete(source: &reqwest::Error) -> String {
    if source.is_timeout() {
        "the call timed out while its body was being read".to_string()
    } else {
        format!("its body could not be read whole: {source}")
    }
}

impl<E: std::fmt::Debug> Error<E> {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedResponse { status, .. }
            | Error::Decode { status, .. }
            | Error::IncompleteBody { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::Encode(_) | Error::Transport { .. } => None,
        }
    }

    /// True when the call timed out: before an answer, or while its body
    /// was being read (see `ClientBuilder::timeout` and `attempt_timeout`).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport { source, .. } | Error::IncompleteBody { source, .. } => {
                source.is_timeout()
            }
            _ => false,
        }
    }

    /// How many times the request was sent (0 when it could not be encoded).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Encode(_) => 0,
            Error::Transport { attempts, .. } => *attempts,
            other => other.meta().map_or(0, ResponseMeta::attempts),
        }
    }

    /// The decoded error body of a documented error response.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The status, headers and parsed usage headers of the response, when
    /// the server answered.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Error::Api { meta, .. }
            | Error::UnexpectedResponse { meta, .. }
            | Error::Decode { meta, .. }
            | Error::IncompleteBody { meta, .. }
            | Error::BodyTooLarge { meta, .. } => Some(meta),
            Error::Encode(_) | Error::Transport { .. } => None,
        }
    }

    /// How long the server asked to wait before trying again (its
    /// `Retry-After` header, in seconds or as an HTTP date), when it answered
    /// with one. The client already waited that long between its own
    /// retries; this is for a call that gave up, or for scheduling work.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.meta().and_then(ResponseMeta::retry_after)
    }

    /// The raw body of a response that did not decode, whole.
    pub fn raw_body(&self) -> Option<&RawBody> {
        match self {
            Error::UnexpectedResponse { body, .. } | Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }
}

/// The client could not be built (the TLS backend failed to initialise).
#[derive(Debug, thiserror::Error)]
#[error("could not build the HTTP client: {0}")]
pub struct BuildError(#[from] reqwest::Error);

/// How many bytes of a raw body `Display` and `Debug` show.
const PREVIEW_BYTES: usize = 300;

/// A response body kept as received. `Display` and `Debug` (and so error
/// messages) show a short preview; [`RawBody::bytes`] and [`RawBody::text`]
/// give the whole of it.
#[derive(Clone, PartialEq, Eq)]
pub struct RawBody(pub Vec<u8>);

impl RawBody {
    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The body as bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The first few hundred bytes as text, cut at a character boundary,
    /// with the whole length when it was cut.
    pub fn preview(&self) -> String {
        if self.0.len() <= PREVIEW_BYTES {
            return self.text().into_owned();
        }
        let mut end = PREVIEW_BYTES;
        // Step back to the start of a UTF-8 character (at most 3 bytes).
        while end > 0 && (self.0[end] & 0b1100_0000) == 0b1000_0000 {
            end -= 1;
        }
        format!(
            "{}… ({} bytes in all)",
            String::from_utf8_lossy(&self.0[..end]),
            self.0.len()
        )
    }
}

impl std::fmt::Debug for RawBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.preview(), f)
    }
}

/// An operation's error body the API's error code table can classify (the
/// generated crate implements it for the types that carry a code), which
/// gives [`Error::kind`].
pub trait ApiError {
    /// The crate's kinds of error (`errors::ErrorKind`).
    type Kind;

    /// The kind of this body, when it carries a code.
    fn error_kind(&self) -> Option<Self::Kind>;

    /// The kind of a code found in a raw JSON body (one that did not decode
    /// into this type), if the table reads codes from JSON.
    fn kind_of_json(body: &serde_json::Value) -> Option<Self::Kind>;

    /// The kind an HTTP status means when the body carries no code (a bare
    /// 429), if any.
    fn kind_of_status(status: u16) -> Option<Self::Kind>;
}

impl<E: std::fmt::Debug + ApiError> Error<E> {
    /// What went wrong, by the API's error code table: the kind of a decoded
    /// error body, else of a code in a raw JSON body, else of the status (a
    /// bare `429` is a rate limit). `None` for transport and encoding errors,
    /// and for statuses that mean no kind.
    pub fn kind(&self) -> Option<E::Kind> {
        if let Some(kind) = self.api_error().and_then(ApiError::error_kind) {
            return Some(kind);
        }
        let raw = self
            .raw_body()
            .and_then(|raw| serde_json::from_slice::<serde_json::Value>(raw.bytes()).ok());
        if let Some(kind) = raw.as_ref().and_then(E::kind_of_json) {
            return Some(kind);
        }
        self.status().and_then(E::kind_of_status)
    }
}
