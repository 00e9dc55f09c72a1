//! Sending: the client core, one generic send path, retries, limits,
//! redirects, and decoding the answer.

use serde::de::DeserializeOwned;

use crate::error::{BuildError, Error, RawBody};
use crate::hooks::{Exchange, Hook, Hooks};
use crate::meta::{Received, Response, ResponseMeta};
use crate::retry::{GATEWAY_STATUSES, RetryPolicy, retry_after};
use crate::util::Secret;

/// What an API's answers mean, as data the generated crate gives: which
/// error codes say "rate limited" or "try again", and where error bodies
/// keep their code.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// Codes retried for every method (the request was refused, not processed).
    pub rate_limit_codes: &'static [i64],
    /// Codes retried for idempotent methods (a temporary problem).
    pub transient_codes: &'static [i64],
    /// The JSON pointer of the code in an error body (`/error/code`).
    pub error_code: Option<&'static str>,
    /// The JSON pointer of a boolean that marks an error transient
    /// (`/error/is_transient`).
    pub transient_flag: Option<&'static str>,
}

impl Profile {
    /// An API without an error code table.
    pub const NONE: Profile = Profile {
        rate_limit_codes: &[],
        transient_codes: &[],
        error_code: None,
        transient_flag: None,
    };
}

/// How requests are authenticated.
#[derive(Clone)]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// An API key in the named header (sent marked sensitive).
    Header {
        /// The header name.
        name: &'static str,
        /// The key.
        value: Secret,
    },
    /// An API key in the named query parameter. Errors of requests sent
    /// with it never show their URL.
    Query {
        /// The query parameter name.
        name: &'static str,
        /// The key.
        value: Secret,
    },
    /// An API key in the named cookie (the `Cookie` header, marked
    /// sensitive).
    Cookie {
        /// The cookie name.
        name: &'static str,
        /// The key.
        value: Secret,
    },
    /// HTTP basic authentication.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: Secret,
    },
    /// No credentials: the API needs none.
    None,
}

impl Credentials {
    /// True when the credentials travel in the URL, so that errors must not
    /// show it.
    pub fn in_url(&self) -> bool {
        matches!(self, Credentials::Query { .. })
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Credentials::Header { name, .. } => write!(f, "Header({name}: <redacted>)"),
            Credentials::Query { name, .. } => write!(f, "Query({name}=<redacted>)"),
            Credentials::Cookie { name, .. } => write!(f, "Cookie({name}=<redacted>)"),
            Credentials::Basic { user, .. } => write!(f, "Basic({user}:<redacted>)"),
            Credentials::None => f.write_str("None"),
        }
    }
}

/// How long connecting may take by default.
pub const DEFAULT_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a whole call may take by default: every attempt, the waits
/// between them and reading the body.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// How long one attempt may take by default (reading its body included).
pub const DEFAULT_ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The largest JSON, text or error body read by default (16 MiB); a larger
/// one is [`Error::BodyTooLarge`].
pub const DEFAULT_MAX_BODY_SIZE: u64 = 16 << 20;

/// The largest binary body (a download) read into memory by default (128
/// MiB); `send_streaming` reads any size chunk by chunk.
pub const DEFAULT_MAX_DOWNLOAD_SIZE: u64 = 128 << 20;

/// A client's timeouts and body limits.
#[derive(Debug, Clone, Copy)]
struct Limits {
    timeout: std::time::Duration,
    attempt_timeout: std::time::Duration,
    connect_timeout: std::time::Duration,
    max_body_size: u64,
    max_download_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: DEFAULT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            max_download_size: DEFAULT_MAX_DOWNLOAD_SIZE,
        }
    }
}

/// What every generated client holds: the connection pool, the base URL,
/// the credentials, the retry policy, hooks, limits and the API's profile.
/// Cheap to clone. Its `Debug` output never shows the credentials.
#[derive(Clone)]
pub struct ClientCore {
    http: reqwest::Client,
    base_url: String,
    /// Shared by every clone, so replacing them reaches all of them.
    credentials: std::sync::Arc<std::sync::RwLock<Credentials>>,
    retry: RetryPolicy,
    hooks: Hooks,
    limits: Limits,
    profile: &'static Profile,
}

impl std::fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.base_url)
            .field("credentials", &*self.credentials())
            .field("retry", &self.retry)
            .field("hooks", &self.hooks)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The retry policy calls use unless they set their own.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Replaces the credentials (an expired token, say) for this client and
    /// every clone of it; attempts already sent keep the ones they had.
    pub fn set_credentials(&self, credentials: Credentials) {
        match self.credentials.write() {
            Ok(mut current) => *current = credentials,
            Err(poisoned) => *poisoned.into_inner() = credentials,
        }
    }

    /// The current credentials.
    fn credentials(&self) -> std::sync::RwLockReadGuard<'_, Credentials> {
        self.credentials
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Configures a [`ClientCore`]; the generated `ClientBuilder` wraps it.
#[derive(Clone)]
pub struct CoreBuilder {
    credentials: Credentials,
    base_url: String,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    hooks: Hooks,
    limits: Limits,
    profile: &'static Profile,
}

impl std::fmt::Debug for CoreBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("hooks", &self.hooks)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl CoreBuilder {
    /// A builder with these credentials, base URL and profile, and the
    /// default settings.
    pub fn new(credentials: Credentials, base_url: &str, profile: &'static Profile) -> Self {
        CoreBuilder {
            credentials,
            base_url: base_url.trim_end_matches('/').to_string(),
            http: None,
            retry: RetryPolicy::default(),
            hooks: Hooks::default(),
            limits: Limits::default(),
            profile,
        }
    }

    /// See the generated `ClientBuilder::base_url`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_string();
        self
    }

    /// See the generated `ClientBuilder::retry`.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// See the generated `ClientBuilder::hook`.
    pub fn hook(mut self, hook: impl Hook + 'static) -> Self {
        self.hooks.0.push(std::sync::Arc::new(hook));
        self
    }

    /// See the generated `ClientBuilder::timeout`.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.timeout = timeout;
        self
    }

    /// See the generated `ClientBuilder::attempt_timeout`.
    pub fn attempt_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.attempt_timeout = timeout;
        self
    }

    /// See the generated `ClientBuilder::connect_timeout`.
    pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.connect_timeout = timeout;
        self
    }

    /// See the generated `ClientBuilder::max_body_size`.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.limits.max_body_size = bytes;
        self
    }

    /// See the generated `ClientBuilder::max_download_size`.
    pub fn max_download_size(mut self, bytes: u64) -> Self {
        self.limits.max_download_size = bytes;
        self
    }

    /// See the generated `ClientBuilder::http_client`.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the core. The HTTP client it makes follows no redirects: a
    /// 3xx comes back as an error with its status and `Location`, so a
    /// redirected send can never turn into a false success. Downloads follow
    /// them in [`send`], without credentials to another origin.
    pub fn build(self) -> Result<ClientCore, BuildError> {
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.limits.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(BuildError::from)?,
        };
        Ok(ClientCore {
            http,
            base_url: self.base_url,
            credentials: std::sync::Arc::new(std::sync::RwLock::new(self.credentials)),
            retry: self.retry,
            hooks: self.hooks,
            limits: self.limits,
            profile: self.profile,
        })
    }
}

/// Options a request builder can set for its call; unset ones come from the
/// client.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// The retry policy.
    pub retry: Option<RetryPolicy>,
    /// The whole call's timeout.
    pub timeout: Option<std::time::Duration>,
    /// Each attempt's timeout.
    pub attempt_timeout: Option<std::time::Duration>,
    /// The largest body read.
    pub max_body_size: Option<u64>,
}

/// A documented error status of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStatus {
    /// One status.
    Code(u16),
    /// `4XX`: the hundreds digit.
    Range(u16),
    /// Any status not otherwise documented.
    Default,
}

/// What an operation is, as far as sending goes (a `static` per operation).
#[derive(Debug, Clone, Copy)]
pub struct OpSpec {
    /// The HTTP method.
    pub method: Method,
    /// The success body is binary (a download): its own size limit applies.
    pub binary: bool,
    /// The request goes to a URL the API handed out: redirects are followed,
    /// without credentials to another origin.
    pub follow_redirects: bool,
    /// An answer with a 4xx status is final: not even 429 is retried (the
    /// API counts failed calls and blocks the endpoint after a few).
    pub final_client_errors: bool,
    /// The documented error statuses, whose bodies decode into the error type.
    pub errors: &'static [ErrorStatus],
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    fn reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Options => reqwest::Method::OPTIONS,
            Method::Head => reqwest::Method::HEAD,
            Method::Patch => reqwest::Method::PATCH,
            Method::Trace => reqwest::Method::TRACE,
        }
    }

    /// Sending twice has the effect of sending once (RFC 9110).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

impl OpSpec {
    fn documented(&self, status: u16) -> bool {
        self.errors.iter().any(|e| match e {
            ErrorStatus::Code(c) => *c == status,
            ErrorStatus::Range(r) => status / 100 == *r,
            ErrorStatus::Default => true,
        })
    }
}

/// A request body, encoded.
pub enum Body {
    /// No body.
    None,
    /// JSON text.
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded` fields.
    Form(Vec<(String, String)>),
    /// `multipart/form-data` parts (sent once: they cannot be replayed).
    Multipart(reqwest::multipart::Form),
    /// Bytes of another media type, sent as they are.
    Raw {
        /// The `Content-Type` sent.
        content_type: String,
        /// The body.
        bytes: Vec<u8>,
    },
}

impl Body {
    /// A JSON body.
    pub fn json<T: serde::Serialize, E: std::fmt::Debug>(value: &T) -> Result<Body, Error<E>> {
        serde_json::to_vec(value)
            .map(Body::Json)
            .map_err(|e| Error::Encode(e.to_string()))
    }

    /// A body of bytes, sent with the part's media type if it has one,
    /// else with the one the operation declares.
    pub fn raw(part: &crate::FilePart, declared: &str) -> Body {
        Body::Raw {
            content_type: part
                .content_type
                .clone()
                .unwrap_or_else(|| declared.to_string()),
            bytes: part.bytes.clone(),
        }
    }
}

/// One request, as an operation's builder assembles it.
pub struct Parts {
    /// The whole URL.
    pub url: String,
    /// Query parameters, in order.
    pub query: Vec<(&'static str, String)>,
    /// The pairs of object query parameters (`filter[name]=x`), after those.
    pub object_query: Vec<(String, String)>,
    /// Header parameters, in order.
    pub headers: Vec<(&'static str, String)>,
    /// Cookie parameters, sent together in one `Cookie` header.
    pub cookies: Vec<(&'static str, String)>,
    /// The operation needs no credentials: none are sent.
    pub anonymous: bool,
    /// The body.
    pub body: Body,
}

impl Parts {
    /// A request to `url` with nothing else yet.
    pub fn new(url: String) -> Self {
        Parts {
            url,
            query: Vec::new(),
            object_query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            anonymous: false,
            body: Body::None,
        }
    }
}

/// Everything one call runs with.
struct Call<'a> {
    policy: RetryPolicy,
    spec: &'a OpSpec,
    hooks: &'a Hooks,
    profile: &'static Profile,
    /// The whole call, retries and waits included.
    timeout: Option<std::time::Duration>,
    /// Each attempt.
    attempt_timeout: Option<std::time::Duration>,
    /// The largest body read into memory.
    max_body_size: u64,
}

impl ClientCore {
    fn call<'a>(&'a self, spec: &'a OpSpec, options: &CallOptions) -> Call<'a> {
        let default_size = if spec.binary {
            self.limits.max_download_size
        } else {
            self.limits.max_body_size
        };
        Call {
            policy: options.retry.clone().unwrap_or_else(|| self.retry.clone()),
            spec,
            hooks: &self.hooks,
            profile: self.profile,
            timeout: Some(options.timeout.unwrap_or(self.limits.timeout)),
            attempt_timeout: Some(
                options
                    .attempt_timeout
                    .unwrap_or(self.limits.attempt_timeout),
            ),
            max_body_size: options.max_body_size.unwrap_or(default_size),
        }
    }

    /// A transport error as it may be shown: without its URL when the
    /// credentials travel in it.
    fn scrub(&self, e: reqwest::Error) -> reqwest::Error {
        if self.credentials().in_url() {
            e.without_url()
        } else {
            e
        }
    }

    /// The request for `parts`, with the credentials.
    fn request(&self, spec: &OpSpec, parts: Parts) -> reqwest::RequestBuilder {
        let mut request = self.http.request(spec.method.reqwest(), parts.url);
        if !parts.query.is_empty() {
            request = request.query(&parts.query);
        }
        if !parts.object_query.is_empty() {
            request = request.query(&parts.object_query);
        }
        for (name, value) in parts.headers {
            request = request.header(name, value);
        }
        if !parts.cookies.is_empty() {
            request = request.header(reqwest::header::COOKIE, cookie_header(&parts.cookies));
        }
        let credentials = if parts.anonymous {
            &Credentials::None
        } else {
            &*self.credentials()
        };
        request = match credentials {
            Credentials::Bearer(token) => request.bearer_auth(token.expose()),
            Credentials::Header { name, value } => {
                match reqwest::header::HeaderValue::from_str(value.expose()) {
                    Ok(mut value) => {
                        value.set_sensitive(true);
                        request.header(*name, value)
                    }
                    // A key that is not a valid header value cannot be sent; the
                    // request then fails with an authorization error.
                    Err(_) => request,
                }
            }
            Credentials::Query { name, value } => request.query(&[(*name, value.expose())]),
            Credentials::Cookie { name, value } => {
                match reqwest::header::HeaderValue::from_str(&format!("{name}={}", value.expose()))
                {
                    Ok(mut value) => {
                        value.set_sensitive(true);
                        request.header(reqwest::header::COOKIE, value)
                    }
                    Err(_) => request,
                }
            }
            Credentials::Basic { user, password } => {
                request.basic_auth(user, Some(password.expose()))
            }
            Credentials::None => request,
        };
        match parts.body {
            Body::None => request,
            Body::Json(bytes) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes),
            Body::Form(pairs) => request.form(&pairs),
            Body::Multipart(form) => request.multipart(form),
            Body::Raw {
                content_type,
                bytes,
            } => request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes),
        }
    }
}

/// One `Cookie` header for the cookie parameters: `a=1; b=2`, each value
/// percent-encoded where a cookie value cannot hold the character.
fn cookie_header(cookies: &[(&'static str, String)]) -> String {
    const NOT_IN_COOKIE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b',')
        .add(b';')
        .add(b'\\')
        .add(b'%');
    cookies
        .iter()
        .map(|(name, value)| {
            format!(
                "{name}={}",
                percent_encoding::utf8_percent_encode(value, NOT_IN_COOKIE)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Redirects a download follows at most.
const MAX_REDIRECTS: usize = 5;

/// What one attempt came to.
enum Attempt {
    /// A status line and the whole body.
    Answer {
        status: u16,
        headers: reqwest::header::HeaderMap,
        body: Vec<u8>,
    },
    /// A success whose body is left unread, for the caller to stream.
    Streaming { response: reqwest::Response },
    /// A status line whose body did not arrive whole, or was too large.
    Cut {
        status: u16,
        headers: reqwest::header::HeaderMap,
        reason: Cut,
    },
    /// No status line: the request failed before an answer.
    Failed(reqwest::Error),
}

/// Why an answered attempt's body is missing.
enum Cut {
    Read(reqwest::Error),
    TooLarge(u64),
}

/// Whether an attempt may be repeated, and no sooner than when.
fn retryable(
    attempt: &Attempt,
    idempotent: bool,
    policy: &RetryPolicy,
    profile: &Profile,
) -> Option<Option<std::time::Duration>> {
    match attempt {
        // A request that could not be built fails the same way every time.
        Attempt::Failed(e) if e.is_builder() => None,
        // Nothing reached the server: safe for every method.
        Attempt::Failed(e) if e.is_connect() => Some(None),
        // No answer came back; the request may have been processed.
        Attempt::Failed(_) => (idempotent || policy.retry_non_idempotent).then_some(None),
        Attempt::Streaming { .. } => None,
        // Answered: only the statuses that say the request was not processed.
        Attempt::Cut {
            status, headers, ..
        } => {
            let again = *status == 429 || (idempotent && GATEWAY_STATUSES.contains(status));
            again.then(|| retry_after(headers))
        }
        Attempt::Answer {
            status,
            headers,
            body,
        } => {
            if (200..300).contains(status) {
                return None;
            }
            let after = retry_after(headers);
            if *status == 429 {
                return Some(after);
            }
            let value: Option<serde_json::Value> =
                profile.error_code.and(serde_json::from_slice(body).ok());
            let code = profile
                .error_code
                .zip(value.as_ref())
                .and_then(|(at, v)| v.pointer(at))
                .and_then(serde_json::Value::as_i64);
            if code.is_some_and(|c| profile.rate_limit_codes.contains(&c)) {
                return Some(after);
            }
            if !idempotent {
                return None;
            }
            let flagged = profile
                .transient_flag
                .zip(value.as_ref())
                .and_then(|(at, v)| v.pointer(at))
                .and_then(serde_json::Value::as_bool);
            let transient =
                flagged == Some(true) || code.is_some_and(|c| profile.transient_codes.contains(&c));
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
    let expected = response
        .content_length()
        .unwrap_or(0)
        .min(limit)
        .min(1 << 20);
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

async fn attempt(
    request: reqwest::RequestBuilder,
    call: &Call<'_>,
    number: u32,
    stream: bool,
    timeout: Option<std::time::Duration>,
) -> Attempt {
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
        let exchange = Exchange {
            method: &method,
            url: &url,
            attempt: number,
            elapsed: sent.elapsed(),
            outcome,
        };
        for hook in &call.hooks.0 {
            hook.on_response(&exchange);
        }
    };
    let mut hops = 0;
    let mut response = loop {
        let again = if call.spec.follow_redirects {
            request.try_clone()
        } else {
            None
        };
        let response = match http.execute(request).await {
            Ok(response) => response,
            Err(e) => {
                observe(Err(&e));
                return Attempt::Failed(e);
            }
        };
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok());
        let next = match (again, location) {
            (Some(from), Some(location))
                if response.status().is_redirection() && hops < MAX_REDIRECTS =>
            {
                redirected(&from, status, location)
            }
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
        Ok(body) => Attempt::Answer {
            status,
            headers,
            body,
        },
        Err(reason) => Attempt::Cut {
            status,
            headers,
            reason,
        },
    };
    match &outcome {
        Attempt::Answer {
            status, headers, ..
        }
        | Attempt::Cut {
            status, headers, ..
        } => observe(Ok((*status, headers))),
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
    let budget =
        |limit: std::time::Duration| limit.checked_sub(start.elapsed()).unwrap_or_default();
    let mut attempts = 1;
    loop {
        let left = call.timeout.map(budget);
        let timeout = match (call.attempt_timeout, left) {
            (Some(a), Some(l)) => Some(a.min(l)),
            (a, l) => a.or(l),
        };
        // A request whose body cannot be cloned (a stream) is sent once.
        let Some(this) = request.try_clone() else {
            return (
                attempt(request, call, attempts, stream, timeout).await,
                attempts,
            );
        };
        let outcome = attempt(this, call, attempts, stream, timeout).await;
        let final_4xx = call.spec.final_client_errors
            && matches!(&outcome, Attempt::Answer { status, .. } | Attempt::Cut { status, .. } if (400..500).contains(status));
        let retry = if final_4xx {
            None
        } else {
            retryable(
                &outcome,
                call.spec.method.is_idempotent(),
                &call.policy,
                call.profile,
            )
        };
        let Some(retry_after) = retry else {
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

/// How a documented error body decodes: by its JSON alone for one error
/// type, or by status for an operation whose statuses document different
/// bodies (a generated enum implements it).
pub trait DecodeError: Sized {
    /// The error body of an answer with `status`; `None` when it does not
    /// decode (the raw body is then kept).
    fn decode_error(status: u16, body: &[u8]) -> Option<Self>;
}

impl<T: DeserializeOwned> DecodeError for T {
    fn decode_error(_status: u16, body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }
}

/// How the success bodies of an operation whose success statuses document
/// different ones decode: by status (a generated enum implements it).
pub trait DecodeSuccess: Sized {
    /// The body of a success answer with `status`.
    fn decode_success(status: u16, body: &[u8]) -> Result<Self, crate::decode::PathError>;
}

/// Sorts a non-success answer: documented error statuses
/// (`documented(status)`) decode into `E`, anything else is kept raw.
fn error_answer<E: DecodeError + std::fmt::Debug>(
    status: u16,
    body: Vec<u8>,
    meta: ResponseMeta,
    spec: &OpSpec,
) -> Error<E> {
    if spec.documented(status) {
        if let Some(decoded) = E::decode_error(status, &body) {
            return Error::Api {
                status,
                body: decoded,
                meta: Box::new(meta),
            };
        }
    }
    Error::UnexpectedResponse {
        status,
        body: RawBody(body),
        meta: Box::new(meta),
    }
}

/// The error of an answered attempt whose body is missing.
fn cut_error<E: std::fmt::Debug>(
    core: &ClientCore,
    status: u16,
    reason: Cut,
    meta: ResponseMeta,
) -> Error<E> {
    match reason {
        Cut::Read(source) => Error::IncompleteBody {
            status,
            source: core.scrub(source),
            meta: Box::new(meta),
        },
        Cut::TooLarge(limit) => Error::BodyTooLarge {
            status,
            limit,
            meta: Box::new(meta),
        },
    }
}

/// Sends one operation's request, retrying as the policy allows, and sorts
/// the answer: a success status gives its body, a documented error status
/// (`spec.errors`) decodes into `E`, anything else is kept raw.
pub async fn send<E: DecodeError + std::fmt::Debug>(
    core: &ClientCore,
    spec: &OpSpec,
    parts: Parts,
    options: &CallOptions,
) -> Result<Received, Error<E>> {
    let call = core.call(spec, options);
    let request = core.request(spec, parts);
    match run(request, &call, false).await {
        (Attempt::Failed(source), attempts) => Err(Error::Transport {
            source: core.scrub(source),
            attempts,
        }),
        (
            Attempt::Cut {
                status,
                headers,
                reason,
            },
            attempts,
        ) => Err(cut_error(
            core,
            status,
            reason,
            ResponseMeta {
                status,
                headers,
                attempts,
            },
        )),
        (
            Attempt::Answer {
                status,
                headers,
                body,
            },
            attempts,
        ) => {
            let meta = ResponseMeta {
                status,
                headers,
                attempts,
            };
            if (200..300).contains(&status) {
                Ok(Received { body, meta })
            } else {
                Err(error_answer(status, body, meta, spec))
            }
        }
        // Not asked for; `run` hands out a live body only when streaming.
        (Attempt::Streaming { mut response }, attempts) => {
            let status = response.status().as_u16();
            let meta = ResponseMeta {
                status,
                headers: response.headers().clone(),
                attempts,
            };
            match read_body(&mut response, call.max_body_size).await {
                Ok(body) => Ok(Received { body, meta }),
                Err(reason) => Err(cut_error(core, status, reason, meta)),
            }
        }
    }
}

/// [`send`] for a success body read as it arrives: the body of a success is
/// not read here but handed out as a [`ByteStream`]; error answers are read
/// and sorted as [`send`] does.
pub async fn send_streaming<E: DecodeError + std::fmt::Debug>(
    core: &ClientCore,
    spec: &OpSpec,
    parts: Parts,
    options: &CallOptions,
) -> Result<ByteStream<E>, Error<E>> {
    let call = core.call(spec, options);
    let request = core.request(spec, parts);
    match run(request, &call, true).await {
        (Attempt::Failed(source), attempts) => Err(Error::Transport {
            source: core.scrub(source),
            attempts,
        }),
        (Attempt::Streaming { response }, attempts) => {
            let meta = ResponseMeta {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                attempts,
            };
            Ok(ByteStream {
                response,
                meta,
                error: std::marker::PhantomData,
            })
        }
        (
            Attempt::Cut {
                status,
                headers,
                reason,
            },
            attempts,
        ) => Err(cut_error(
            core,
            status,
            reason,
            ResponseMeta {
                status,
                headers,
                attempts,
            },
        )),
        (
            Attempt::Answer {
                status,
                headers,
                body,
            },
            attempts,
        ) => {
            let meta = ResponseMeta {
                status,
                headers,
                attempts,
            };
            Err(error_answer(status, body, meta, spec))
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
        f.debug_struct("ByteStream")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl<E: std::fmt::Debug> ByteStream<E> {
    /// The status, headers and attempts of the response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The `Content-Type` header, if present and text.
    pub fn content_type(&self) -> Option<&str> {
        self.meta
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The body's length as announced by the server, if it announced one.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The next chunk of the body, or `None` at its end. A body that stops
    /// early (the connection dropped, a timeout) is
    /// [`Error::IncompleteBody`], with the status that was received.
    pub async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, Error<E>> {
        self.response
            .chunk()
            .await
            .map_err(|source| Error::IncompleteBody {
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

/// Decodes the success body of an operation whose success statuses
/// document different bodies, by its status.
pub fn decode_by_status<T: DecodeSuccess, E: std::fmt::Debug>(
    response: Received,
) -> Result<Response<T>, Error<E>> {
    let Received { body, meta } = response;
    let decoded = T::decode_success(meta.status, &body);
    decoded_or_kept(decoded, body, meta)
}

/// Decodes a JSON success body.
pub fn decode_json<T: DeserializeOwned, E: std::fmt::Debug>(
    response: Received,
) -> Result<Response<T>, Error<E>> {
    let Received { body, meta } = response;
    let decoded = crate::decode::from_slice(&body);
    decoded_or_kept(decoded, body, meta)
}

/// The decoded success value, or the decode error keeping the raw body.
fn decoded_or_kept<T, E: std::fmt::Debug>(
    decoded: Result<T, crate::decode::PathError>,
    body: Vec<u8>,
    meta: ResponseMeta,
) -> Result<Response<T>, Error<E>> {
    match decoded {
        Ok(value) => Ok(Response { value, meta }),
        Err(e) => Err(Error::Decode {
            status: meta.status,
            path: e.path,
            body: RawBody(body),
            source: e.source,
            meta: Box::new(meta),
        }),
    }
}

/// Decodes a text success body.
pub fn decode_text<E: std::fmt::Debug>(response: Received) -> Result<Response<String>, Error<E>> {
    let Received { body, meta } = response;
    match String::from_utf8(body) {
        Ok(value) => Ok(Response { value, meta }),
        Err(e) => Err(Error::UnexpectedResponse {
            status: meta.status,
            body: RawBody(e.into_bytes()),
            meta: Box::new(meta),
        }),
    }
}

/// Keeps a success body as bytes.
pub fn decode_bytes<E: std::fmt::Debug>(response: Received) -> Result<Response<Vec<u8>>, Error<E>> {
    Ok(Response {
        value: response.body,
        meta: response.meta,
    })
}

/// A success whose body is not documented (and is ignored).
pub fn decode_empty<E: std::fmt::Debug>(response: Received) -> Result<Response<()>, Error<E>> {
    Ok(Response {
        value: (),
        meta: response.meta,
    })
}
