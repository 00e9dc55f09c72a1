//! Support code shared by every operation: sending, decoding, errors, secrets.

use serde::de::DeserializeOwned;

/// Everything that can go wrong with a call. `E` is the type documented error
/// responses decode into.
///
/// Once a status line has come back, the error says so: every variant but
/// `Encode` and `Transport` carries the status and the response's metadata,
/// so "the server answered" never looks like "no answer".
#[derive(Debug, thiserror::Error)]
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
            Error::Transport { source, .. } | Error::IncompleteBody { source, .. } => source.is_timeout(),
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
        format!("{}… ({} bytes in all)", String::from_utf8_lossy(&self.0[..end]), self.0.len())
    }
}

impl std::fmt::Debug for RawBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.preview(), f)
    }
}

/// The value of a `format: binary` field: file bytes, with the file name and
/// media type a `multipart/form-data` upload sends along. In JSON (where a
/// binary field makes little sense) it is written as an object with these
/// three members. Its `Debug` output shows the length, not the bytes.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FilePart {
    /// The file name sent with the part (`photo.jpg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The media type sent with the part (`image/jpeg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The file content.
    pub bytes: Vec<u8>,
}

impl FilePart {
    /// File content without a name or media type.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart { file_name: None, content_type: None, bytes: bytes.into() }
    }

    /// Sets the file name sent with the part.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sets the media type sent with the part.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The multipart part for this file.
    #[allow(dead_code)]
    pub(crate) fn to_part<E: std::fmt::Debug>(&self) -> Result<reqwest::multipart::Part, Error<E>> {
        let mut part = reqwest::multipart::Part::bytes(self.bytes.clone());
        if let Some(name) = &self.file_name {
            part = part.file_name(name.clone());
        }
        if let Some(content_type) = &self.content_type {
            part = part.mime_str(content_type).map_err(|e| Error::Encode(format!("content type `{content_type}`: {e}")))?;
        }
        Ok(part)
    }
}

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A value as multipart text: strings as they are, anything else as JSON.
#[allow(dead_code)]
pub(crate) fn text_value<T: serde::Serialize, E: std::fmt::Debug>(value: &T) -> Result<String, Error<E>> {
    match serde_json::to_value(value).map_err(|e| Error::Encode(e.to_string()))? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// One page of a list: its items, and the cursor of the next page if there is one.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next: Option<String>,
}

/// Every item of every page, in order: `fetch` sends a request and returns its
/// page; `with_cursor` makes the request for the next page. Stops when a page
/// has no next cursor (or repeats the last one), after `max_pages` pages, or
/// after yielding an error.
#[allow(dead_code)]
pub(crate) fn paginate<'a, B, T, E, Fut>(
    first: B,
    max_pages: Option<usize>,
    fetch: impl Fn(B) -> Fut + 'a,
    with_cursor: impl Fn(B, String) -> B + 'a,
) -> impl futures::Stream<Item = Result<T, Error<E>>> + 'a
where
    B: Clone + 'a,
    T: 'a,
    E: std::fmt::Debug + 'a,
    Fut: std::future::Future<Output = Result<Page<T>, Error<E>>> + 'a,
{
    struct State<B, T, F, W> {
        next: Option<B>,
        items: std::vec::IntoIter<T>,
        fetched: usize,
        last_cursor: Option<String>,
        fetch: F,
        with_cursor: W,
    }
    let state = State { next: Some(first), items: Vec::new().into_iter(), fetched: 0, last_cursor: None, fetch, with_cursor };
    futures::stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(item) = state.items.next() {
                return Some((Ok(item), state));
            }
            if max_pages.is_some_and(|max| state.fetched >= max) {
                return None;
            }
            let request = state.next.take()?;
            state.fetched += 1;
            let again = request.clone();
            match (state.fetch)(request).await {
                Err(e) => return Some((Err(e), state)),
                Ok(page) => {
                    state.items = page.items.into_iter();
                    if let Some(cursor) = page.next.filter(|c| state.last_cursor.as_ref() != Some(c)) {
                        state.last_cursor = Some(cursor.clone());
                        state.next = Some((state.with_cursor)(again, cursor));
                    }
                }
            }
        }
    })
}

/// Serde support for optional, nullable members (`Option<Option<T>>`): an
/// absent member is `None` (the field's `default`), `null` is `Some(None)`.
#[allow(dead_code)]
pub(crate) mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }

    pub(crate) fn serialize<T: Serialize, S: Serializer>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// A value decoded leniently: a string also from a JSON number (kept as its
/// decimal text), an integer or a number also from a string holding one.
/// Inbound-only types use it for their string and numeric fields, because the
/// live API sends both forms for some of them (see the fields'
/// `deserialize_with`); encoding is unchanged.
pub(crate) struct Lenient<T>(pub(crate) T);

/// Decodes a field with [`Lenient`].
#[allow(dead_code)]
pub(crate) fn lenient<'de, T, D: serde::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>
where
    Lenient<T>: serde::Deserialize<'de>,
{
    <Lenient<T> as serde::Deserialize>::deserialize(deserializer).map(|l| l.0)
}

/// Decodes an optional field with [`Lenient`] (`null` is `None`).
#[allow(dead_code)]
pub(crate) fn lenient_option<'de, T, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error>
where
    Lenient<T>: serde::Deserialize<'de>,
{
    <Option<Lenient<T>> as serde::Deserialize>::deserialize(deserializer).map(|o| o.map(|l| l.0))
}

struct LenientVisitor<T>(std::marker::PhantomData<T>);

impl<'de> serde::de::Visitor<'de> for LenientVisitor<String> {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        // The shortest text that reads back as the same number (as JSON writes it).
        Ok(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()))
    }
}

impl<'de> serde::Deserialize<'de> for Lenient<String> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor::<String>(std::marker::PhantomData)).map(Lenient)
    }
}

/// Integer visitors: the number itself when it fits, or a string that parses
/// as one.
macro_rules! lenient_integer {
    ($ty:ty, $from_i64:expr, $from_u64:expr) => {
        impl<'de> serde::de::Visitor<'de> for LenientVisitor<$ty> {
            type Value = $ty;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!("an integer that fits `", stringify!($ty), "`, or a string holding one"))
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$ty, E> {
                let convert: fn(i64) -> Option<$ty> = $from_i64;
                convert(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$ty, E> {
                let convert: fn(u64) -> Option<$ty> = $from_u64;
                convert(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                v.trim().parse::<$ty>().map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }

        impl<'de> serde::Deserialize<'de> for Lenient<$ty> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(LenientVisitor::<$ty>(std::marker::PhantomData)).map(Lenient)
            }
        }
    };
}

lenient_integer!(i64, Some, |v| i64::try_from(v).ok());
lenient_integer!(i32, |v| i32::try_from(v).ok(), |v| i32::try_from(v).ok());

impl<'de> serde::de::Visitor<'de> for LenientVisitor<f64> {
    type Value = f64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, or a string holding one")
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<f64, E> {
        match v.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Lenient<f64> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor::<f64>(std::marker::PhantomData)).map(Lenient)
    }
}

/// A credential that never shows in `Debug` output.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: String) -> Self {
        Secret(value)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

// Not every generated crate uses every helper below (an API without path
// parameters never encodes a path segment), hence the `dead_code` allowances.

/// Characters left as they are in a path segment: RFC 3986 unreserved ones.
#[allow(dead_code)]
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes a value so it stays one path segment (`/`, `?`, `#`,
/// spaces and the like are escaped).
#[allow(dead_code)]
pub(crate) fn encode_path(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// A response as received, before its body is decoded.
pub(crate) struct Received {
    pub(crate) body: Vec<u8>,
    pub(crate) meta: ResponseMeta,
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
    status: u16,
    headers: reqwest::header::HeaderMap,
    attempts: u32,
}

impl ResponseMeta {
    /// Metadata for a response (for tests and for code that wraps the client).
    pub fn new(status: u16, headers: reqwest::header::HeaderMap, attempts: u32) -> Self {
        ResponseMeta { status, headers, attempts }
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

    /// The `Location` header (where a redirect points), if present and text.
    pub fn location(&self) -> Option<&str> {
        self.headers.get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The `X-App-Usage` header, parsed: how much of the app's call, CPU and
    /// time budget is used, in percent. `Ok(None)` when the header is absent.
    pub fn app_usage(&self) -> Result<Option<AppUsage>, UsageHeaderError> {
        self.usage_header("x-app-usage")
    }

    /// The `X-Business-Use-Case-Usage` header, parsed: per business ID, the
    /// usage of each rate-limited use case. `Ok(None)` when it is absent.
    pub fn business_use_case_usage(&self) -> Result<Option<BusinessUseCaseUsage>, UsageHeaderError> {
        self.usage_header("x-business-use-case-usage")
    }

    fn usage_header<T: DeserializeOwned>(&self, name: &'static str) -> Result<Option<T>, UsageHeaderError> {
        let Some(value) = self.headers.get(name) else { return Ok(None) };
        let text = value.to_str().map_err(|e| UsageHeaderError { header: name, message: e.to_string() })?;
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut deserializer)
            .map(Some)
            .map_err(|e| UsageHeaderError { header: name, message: format!("at `{}`: {}", e.path(), e.inner()) })
    }
}

/// A usage header that is present but does not parse; the header is named and
/// its raw value stays available in [`ResponseMeta::headers`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not parse the `{header}` header: {message}")]
pub struct UsageHeaderError {
    /// The header's (lowercase) name.
    pub header: &'static str,
    /// What did not fit.
    pub message: String,
}

/// The `X-App-Usage` header: shares of the app's hourly budget used, in percent.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppUsage {
    /// Calls made, in percent of the budget.
    #[serde(default)]
    pub call_count: u64,
    /// CPU time used, in percent of the budget.
    #[serde(default)]
    pub total_cputime: u64,
    /// Total time used, in percent of the budget.
    #[serde(default)]
    pub total_time: u64,
    /// Members this client does not know, kept as sent.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}

/// The `X-Business-Use-Case-Usage` header: for each business ID, the usage of
/// each of its rate-limited use cases.
pub type BusinessUseCaseUsage = std::collections::BTreeMap<String, Vec<UseCaseUsage>>;

/// The usage of one rate-limited use case of one business.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UseCaseUsage {
    /// The use case (`whatsapp_business_management`, `messenger`, ...).
    #[serde(rename = "type")]
    pub use_case: String,
    /// Calls made, in percent of the budget.
    #[serde(default)]
    pub call_count: u64,
    /// CPU time used, in percent of the budget.
    #[serde(default)]
    pub total_cputime: u64,
    /// Total time used, in percent of the budget.
    #[serde(default)]
    pub total_time: u64,
    /// Minutes until calls are accepted again (0 when not throttled).
    #[serde(default)]
    pub estimated_time_to_regain_access: u64,
    /// Members this client does not know, kept as sent.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}

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

/// A future that waits, as the retry policy's sleeper returns it.
pub type SleepFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Statuses a gateway answers with when the API behind it did not take the
/// request; retried for idempotent methods.
const GATEWAY_STATUSES: [u16; 3] = [502, 503, 504];

/// When, and how long after, a failed call is sent again.
///
/// The rule: once the server has answered with a status line, the request is
/// sent again only for the answers that say it was not processed: HTTP 429
/// and the API's rate-limit error codes (for every method), and for
/// idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) also the
/// gateway statuses 502, 503 and 504 and errors the API marks `is_transient`
/// or whose code is one of its transient codes. Without a status line, a
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
    max_attempts: u32,
    base_delay: std::time::Duration,
    max_delay: std::time::Duration,
    max_elapsed: std::time::Duration,
    retry_non_idempotent: bool,
    rate_limit_codes: Vec<i64>,
    transient_codes: Vec<i64>,
    sleep: std::sync::Arc<dyn Fn(std::time::Duration) -> SleepFuture + Send + Sync>,
}

impl std::fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("max_elapsed", &self.max_elapsed)
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .field("rate_limit_codes", &self.rate_limit_codes)
            .field("transient_codes", &self.transient_codes)
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
            rate_limit_codes: crate::client::RATE_LIMIT_CODES.to_vec(),
            transient_codes: crate::client::TRANSIENT_CODES.to_vec(),
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
    pub fn sleep_with(mut self, sleep: impl Fn(std::time::Duration) -> SleepFuture + Send + Sync + 'static) -> Self {
        self.sleep = std::sync::Arc::new(sleep);
        self
    }

    /// The delay before retry number `retry` (1 for the first retry), or
    /// `None` when the server asks for a longer wait than the policy allows.
    fn delay(&self, retry: u32, retry_after: Option<std::time::Duration>) -> Option<std::time::Duration> {
        if retry_after.is_some_and(|after| after > self.max_delay) {
            return None;
        }
        let exponential = self.base_delay.saturating_mul(1u32 << (retry - 1).min(20)).min(self.max_delay);
        let millis = u64::try_from(exponential.as_millis()).unwrap_or(u64::MAX);
        let jittered = std::time::Duration::from_millis(fastrand::u64(0..=millis));
        Some(retry_after.map_or(jittered, |after| jittered.max(after)))
    }
}

/// The `Retry-After` header: seconds, or an HTTP date (a past date is no wait).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<std::time::Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(std::time::Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

/// Options a request builder can set for its call; unset ones come from the
/// client.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) timeout: Option<std::time::Duration>,
    pub(crate) attempt_timeout: Option<std::time::Duration>,
    pub(crate) max_body_size: Option<u64>,
}

/// What kind of call an operation makes (fixed per operation).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallKind {
    /// Sending twice has the effect of sending once (RFC 9110).
    pub(crate) idempotent: bool,
    /// The success body is binary (a download): its own size limit applies.
    pub(crate) binary: bool,
    /// The request goes to a URL the API handed out: redirects are followed,
    /// without credentials to another origin.
    pub(crate) follow_redirects: bool,
}

/// Everything one call runs with.
pub(crate) struct Call<'a> {
    pub(crate) policy: RetryPolicy,
    pub(crate) kind: CallKind,
    pub(crate) hooks: &'a Hooks,
    /// The whole call, retries and waits included.
    pub(crate) timeout: Option<std::time::Duration>,
    /// Each attempt.
    pub(crate) attempt_timeout: Option<std::time::Duration>,
    /// The largest body read into memory.
    pub(crate) max_body_size: u64,
}

/// Redirects a download follows at most.
const MAX_REDIRECTS: usize = 5;

/// What one attempt came to.
enum Attempt {
    /// A status line and the whole body.
    Answer { status: u16, headers: reqwest::header::HeaderMap, body: Vec<u8> },
    /// A success whose body is left unread, for the caller to stream.
    Streaming { response: reqwest::Response },
    /// A status line whose body did not arrive whole, or was too large.
    Cut { status: u16, headers: reqwest::header::HeaderMap, reason: Cut },
    /// No status line: the request failed before an answer.
    Failed(reqwest::Error),
}

/// Why an answered attempt's body is missing.
enum Cut {
    Read(reqwest::Error),
    TooLarge(u64),
}

/// Whether an attempt may be repeated, and no sooner than when.
fn retryable(attempt: &Attempt, idempotent: bool, policy: &RetryPolicy) -> Option<Option<std::time::Duration>> {
    match attempt {
        // A request that could not be built fails the same way every time.
        Attempt::Failed(e) if e.is_builder() => None,
        // Nothing reached the server: safe for every method.
        Attempt::Failed(e) if e.is_connect() => Some(None),
        // No answer came back; the request may have been processed.
        Attempt::Failed(_) => (idempotent || policy.retry_non_idempotent).then_some(None),
        Attempt::Streaming { .. } => None,
        // Answered: only the statuses that say the request was not processed.
        Attempt::Cut { status, headers, .. } => {
            let again = *status == 429 || (idempotent && GATEWAY_STATUSES.contains(status));
            again.then(|| retry_after(headers))
        }
        Attempt::Answer { status, headers, body } => {
            if (200..300).contains(status) {
                return None;
            }
            let after = retry_after(headers);
            if *status == 429 {
                return Some(after);
            }
            let value: Option<serde_json::Value> = serde_json::from_slice(body).ok();
            let code = value.as_ref().and_then(|v| v.pointer("/error/code")).and_then(serde_json::Value::as_i64);
            if code.is_some_and(|c| policy.rate_limit_codes.contains(&c)) {
                return Some(after);
            }
            if !idempotent {
                return None;
            }
            let transient = value.as_ref().and_then(|v| v.pointer("/error/is_transient")).and_then(serde_json::Value::as_bool) == Some(true)
                || code.is_some_and(|c| policy.transient_codes.contains(&c));
            (transient || GATEWAY_STATUSES.contains(status)).then_some(after)
        }
    }
}

/// Reads a body whole, up to `limit` bytes, without a second copy.
async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<Vec<u8>, Cut> {
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(Cut::TooLarge(limit));
    }
    // The announced length (bounded) sizes the buffer once; chunks are
    // appended as they arrive.
    let expected = response.content_length().unwrap_or(0).min(limit).min(1 << 20);
    let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(Cut::Read)? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(Cut::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Headers that carry credentials: never sent to another origin.
fn is_credential(name: &reqwest::header::HeaderName, value: &reqwest::header::HeaderValue) -> bool {
    value.is_sensitive()
        || name == reqwest::header::AUTHORIZATION
        || name == reqwest::header::COOKIE
        || name == reqwest::header::PROXY_AUTHORIZATION
}

/// The request a redirect leads to: the same method and body for 307 and
/// 308, a bodiless GET otherwise; no credentials when the origin changes.
fn redirected(from: &reqwest::Request, status: u16, location: &str) -> Option<reqwest::Request> {
    let url = from.url().join(location).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let same_origin = url.origin() == from.url().origin();
    let keep_method = matches!(status, 307 | 308);
    let mut next = if keep_method {
        let mut next = from.try_clone()?;
        *next.url_mut() = url;
        next
    } else {
        let mut next = reqwest::Request::new(reqwest::Method::GET, url);
        *next.headers_mut() = from.headers().clone();
        next.headers_mut().remove(reqwest::header::CONTENT_TYPE);
        next.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
        *next.timeout_mut() = from.timeout().copied();
        next
    };
    if !same_origin {
        let names: Vec<reqwest::header::HeaderName> = next
            .headers()
            .iter()
            .filter(|(name, value)| is_credential(name, value))
            .map(|(name, _)| name.clone())
            .collect();
        for name in names {
            next.headers_mut().remove(name);
        }
    }
    Some(next)
}

async fn attempt(request: reqwest::RequestBuilder, call: &Call<'_>, number: u32, stream: bool, timeout: Option<std::time::Duration>) -> Attempt {
    let (http, request) = request.build_split();
    let mut request = match request {
        Ok(request) => request,
        Err(e) => return Attempt::Failed(e),
    };
    if let Some(t) = timeout {
        *request.timeout_mut() = Some(t);
    }
    for hook in &call.hooks.0 {
        hook.on_request(&mut request);
    }
    let method = request.method().clone();
    let url = request.url().clone();
    let sent = std::time::Instant::now();
    let observe = |outcome: Result<(u16, &reqwest::header::HeaderMap), &reqwest::Error>| {
        let exchange = Exchange { method: &method, url: &url, attempt: number, elapsed: sent.elapsed(), outcome };
        for hook in &call.hooks.0 {
            hook.on_response(&exchange);
        }
    };
    let mut hops = 0;
    let mut response = loop {
        let again = if call.kind.follow_redirects { request.try_clone() } else { None };
        let response = match http.execute(request).await {
            Ok(response) => response,
            Err(e) => {
                observe(Err(&e));
                return Attempt::Failed(e);
            }
        };
        let status = response.status().as_u16();
        let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok());
        let next = match (again, location) {
            (Some(from), Some(location)) if response.status().is_redirection() && hops < MAX_REDIRECTS => redirected(&from, status, location),
            _ => None,
        };
        match next {
            Some(next) => {
                hops += 1;
                request = next;
            }
            None => break response,
        }
    };
    let status = response.status().as_u16();
    if stream && (200..300).contains(&status) {
        observe(Ok((status, response.headers())));
        return Attempt::Streaming { response };
    }
    let headers = response.headers().clone();
    let outcome = match read_body(&mut response, call.max_body_size).await {
        Ok(body) => Attempt::Answer { status, headers, body },
        Err(reason) => Attempt::Cut { status, headers, reason },
    };
    match &outcome {
        Attempt::Answer { status, headers, .. } | Attempt::Cut { status, headers, .. } => observe(Ok((*status, headers))),
        Attempt::Failed(e) => observe(Err(e)),
        Attempt::Streaming { .. } => {}
    }
    outcome
}

/// Sends a request, retrying as the policy allows, until an attempt's
/// outcome is final; returns it with the number of attempts. The call's
/// timeout bounds everything: each attempt gets at most what is left of it,
/// and a wait that would outlast it is not started.
async fn run(request: reqwest::RequestBuilder, call: &Call<'_>, stream: bool) -> (Attempt, u32) {
    let start = std::time::Instant::now();
    let budget = |limit: std::time::Duration| limit.checked_sub(start.elapsed()).unwrap_or_default();
    let mut attempts = 1;
    loop {
        let left = call.timeout.map(budget);
        let timeout = match (call.attempt_timeout, left) {
            (Some(a), Some(l)) => Some(a.min(l)),
            (a, l) => a.or(l),
        };
        // A request whose body cannot be cloned (a stream) is sent once.
        let Some(this) = request.try_clone() else {
            return (attempt(request, call, attempts, stream, timeout).await, attempts);
        };
        let outcome = attempt(this, call, attempts, stream, timeout).await;
        let Some(retry_after) = retryable(&outcome, call.kind.idempotent, &call.policy) else {
            return (outcome, attempts);
        };
        let Some(delay) = call.policy.delay(attempts, retry_after) else {
            return (outcome, attempts);
        };
        let out_of_time = start.elapsed() + delay > call.policy.max_elapsed
            || call.timeout.is_some_and(|t| start.elapsed() + delay >= t);
        if attempts >= call.policy.max_attempts || out_of_time {
            return (outcome, attempts);
        }
        attempts += 1;
        (call.policy.sleep)(delay).await;
    }
}

/// Sorts a non-success answer: documented error statuses
/// (`documented(status)`) decode into `E`, anything else is kept raw.
fn error_answer<E: DeserializeOwned + std::fmt::Debug>(status: u16, body: Vec<u8>, meta: ResponseMeta, documented: impl Fn(u16) -> bool) -> Error<E> {
    if documented(status) {
        if let Ok(decoded) = serde_json::from_slice::<E>(&body) {
            return Error::Api { status, body: decoded, meta: Box::new(meta) };
        }
    }
    Error::UnexpectedResponse { status, body: RawBody(body), meta: Box::new(meta) }
}

/// The error of an answered attempt whose body is missing.
fn cut_error<E: std::fmt::Debug>(status: u16, reason: Cut, meta: ResponseMeta) -> Error<E> {
    match reason {
        Cut::Read(source) => Error::IncompleteBody { status, source, meta: Box::new(meta) },
        Cut::TooLarge(limit) => Error::BodyTooLarge { status, limit, meta: Box::new(meta) },
    }
}

/// Sends a request, retrying as the policy allows, and sorts the answer:
/// success statuses are returned, documented error statuses
/// (`documented(status)`) decode into `E`, anything else is kept raw.
pub(crate) async fn execute<E: DeserializeOwned + std::fmt::Debug>(
    request: reqwest::RequestBuilder,
    call: Call<'_>,
    documented: impl Fn(u16) -> bool,
) -> Result<Received, Error<E>> {
    match run(request, &call, false).await {
        (Attempt::Failed(source), attempts) => Err(Error::Transport { source, attempts }),
        (Attempt::Cut { status, headers, reason }, attempts) => Err(cut_error(status, reason, ResponseMeta { status, headers, attempts })),
        (Attempt::Answer { status, headers, body }, attempts) => {
            let meta = ResponseMeta { status, headers, attempts };
            if (200..300).contains(&status) {
                Ok(Received { body, meta })
            } else {
                Err(error_answer(status, body, meta, documented))
            }
        }
        // Not asked for; `run` hands out a live body only when streaming.
        (Attempt::Streaming { mut response }, attempts) => {
            let status = response.status().as_u16();
            let meta = ResponseMeta { status, headers: response.headers().clone(), attempts };
            match read_body(&mut response, call.max_body_size).await {
                Ok(body) => Ok(Received { body, meta }),
                Err(reason) => Err(cut_error(status, reason, meta)),
            }
        }
    }
}

/// [`execute`] for a success body read as it arrives: the body of a success
/// is not read here but handed out as a [`ByteStream`]; error answers are
/// read and sorted as [`execute`] does.
#[allow(dead_code)]
pub(crate) async fn execute_streaming<E: DeserializeOwned + std::fmt::Debug>(
    request: reqwest::RequestBuilder,
    call: Call<'_>,
    documented: impl Fn(u16) -> bool,
) -> Result<ByteStream<E>, Error<E>> {
    match run(request, &call, true).await {
        (Attempt::Failed(source), attempts) => Err(Error::Transport { source, attempts }),
        (Attempt::Streaming { response }, attempts) => {
            let meta = ResponseMeta { status: response.status().as_u16(), headers: response.headers().clone(), attempts };
            Ok(ByteStream { response, meta, error: std::marker::PhantomData })
        }
        (Attempt::Cut { status, headers, reason }, attempts) => Err(cut_error(status, reason, ResponseMeta { status, headers, attempts })),
        (Attempt::Answer { status, headers, body }, attempts) => {
            let meta = ResponseMeta { status, headers, attempts };
            Err(error_answer(status, body, meta, documented))
        }
    }
}

/// A success body read chunk by chunk as it arrives, so a large download is
/// never held in memory whole. Returned by `send_streaming` on operations
/// whose success body is binary; `E` is the operation's error type.
pub struct ByteStream<E> {
    response: reqwest::Response,
    meta: ResponseMeta,
    error: std::marker::PhantomData<fn() -> E>,
}

impl<E> std::fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteStream").field("meta", &self.meta).finish_non_exhaustive()
    }
}

impl<E: std::fmt::Debug> ByteStream<E> {
    /// The status, headers and attempts of the response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The `Content-Type` header, if present and text.
    pub fn content_type(&self) -> Option<&str> {
        self.meta.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// The body's length as announced by the server, if it announced one.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The next chunk of the body, or `None` at its end. A body that stops
    /// early (the connection dropped, a timeout) is
    /// [`Error::IncompleteBody`], with the status that was received.
    pub async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, Error<E>> {
        self.response.chunk().await.map_err(|source| Error::IncompleteBody {
            status: self.meta.status,
            source,
            meta: Box::new(self.meta.clone()),
        })
    }

    /// The body as a `futures::Stream` of chunks.
    pub fn into_stream(self) -> impl futures::Stream<Item = Result<bytes::Bytes, Error<E>>> {
        futures::stream::unfold(Some(self), |state| async move {
            let mut this = state?;
            match this.next_chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(this))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
    }
}

/// Decodes a JSON success body.
pub(crate) fn decode_json<T: DeserializeOwned, E: std::fmt::Debug>(response: Received) -> Result<Response<T>, Error<E>> {
    let Received { body, meta } = response;
    let status = meta.status;
    let mut deserializer = serde_json::Deserializer::from_slice(&body);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = match result {
        Ok(value) => value,
        Err(e) => {
            let path = e.path().to_string();
            return Err(Error::Decode { status, path, body: RawBody(body), source: e.into_inner(), meta: Box::new(meta) });
        }
    };
    // Trailing characters after the JSON value are an error too.
    if let Err(source) = deserializer.end() {
        return Err(Error::Decode { status, path: ".".to_string(), body: RawBody(body), source, meta: Box::new(meta) });
    }
    Ok(Response { value, meta })
}

/// Decodes a text success body.
#[allow(dead_code)]
pub(crate) fn decode_text<E: std::fmt::Debug>(response: Received) -> Result<Response<String>, Error<E>> {
    let Received { body, meta } = response;
    match String::from_utf8(body) {
        Ok(value) => Ok(Response { value, meta }),
        Err(e) => Err(Error::UnexpectedResponse { status: meta.status, body: RawBody(e.into_bytes()), meta: Box::new(meta) }),
    }
}

/// Keeps a success body as bytes.
#[allow(dead_code)]
pub(crate) fn decode_bytes<E: std::fmt::Debug>(response: Received) -> Result<Response<Vec<u8>>, Error<E>> {
    Ok(Response { value: response.body, meta: response.meta })
}

/// A success whose body is not documented (and is ignored).
#[allow(dead_code)]
pub(crate) fn decode_empty<E: std::fmt::Debug>(response: Received) -> Result<Response<()>, Error<E>> {
    Ok(Response { value: (), meta: response.meta })
}

/// Builds a `multipart/form-data` body from a serialisable object: each member
/// becomes one text part; strings are sent as they are, other values as JSON
/// text, `null` members are left out.
#[allow(dead_code)]
pub(crate) fn multipart_form<T: serde::Serialize, E: std::fmt::Debug>(body: &T) -> Result<reqwest::multipart::Form, Error<E>> {
    let value = serde_json::to_value(body).map_err(|e| Error::Encode(e.to_string()))?;
    let serde_json::Value::Object(members) = value else {
        return Err(Error::Encode("a multipart body must be an object".to_string()));
    };
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in members {
        form = match value {
            serde_json::Value::Null => form,
            serde_json::Value::String(s) => form.text(name, s),
            other => form.text(name, other.to_string()),
        };
    }
    Ok(form)
}
