//! Small pieces: secrets that stay out of `Debug`, path segment encoding.

/// A credential that never shows in `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Keeps a secret.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The secret itself, to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Characters left as they are in a path segment: RFC 3986 unreserved ones.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a value so it stays one path segment (`/`, `?`, `#`,
/// spaces and the like are escaped).
pub fn encode_path(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, PATH_SEGMENT).to_string()
}
