//! Errors reported by every stage of the generator.
//!
//! Every problem found in a fragment names the file and the JSON pointer of the
//! offending node, so a maintainer can jump straight to it.

use std::fmt;
use std::path::PathBuf;

/// A problem in one fragment, located by file and JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The fragment, as given to the generator (usually relative to `specs/`).
    pub file: PathBuf,
    /// A JSON pointer (RFC 6901) into the fragment, or a `line:column` pair for
    /// syntax errors found before a document tree exists.
    pub pointer: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "#"
        } else {
            &self.pointer
        };
        write!(f, "{}: {}: {}", self.file.display(), pointer, self.message)
    }
}

/// Everything that can stop code generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A fragment is malformed or uses something the generator does not support.
    #[error("{0}")]
    Spec(SpecError),
    /// Several fragment problems, reported together (sorted by file and pointer).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Specs(Vec<SpecError>),
    /// The codegen configuration is malformed or inconsistent with the fragments.
    #[error("{file}: {message}")]
    Config {
        /// The configuration file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory being read.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `mock_tests = true`, but some operations lack the examples their
    /// tests are written from (one `operationId: what` per line).
    #[error("`mock_tests = true` needs an example for every request body, success and error response; missing:\n  {}", .0.join("\n  "))]
    MissingExamples(Vec<String>),
    /// Emitted code did not parse; this is a bug in the generator, not in the spec.
    #[error("internal error: emitted code for `{item}` does not parse: {message}")]
    Emit {
        /// The item (module or type) whose code failed to parse.
        item: String,
        /// The parser's message.
        message: String,
    },
}

impl From<SpecError> for Error {
    fn from(e: SpecError) -> Self {
        Error::Spec(e)
    }
}

impl Error {
    /// One error, or several reported together (sorted by file and pointer).
    pub fn from_specs(mut errors: Vec<SpecError>) -> Error {
        errors.sort_by(|a, b| (&a.file, &a.pointer).cmp(&(&b.file, &b.pointer)));
        match errors.len() {
            1 => Error::Spec(errors.remove(0)),
            _ => Error::Specs(errors),
        }
    }

    /// The individual fragment problems carried by this error, if any.
    pub fn spec_errors(&self) -> Vec<&SpecError> {
        match self {
            Error::Spec(e) => vec![e],
            Error::Specs(es) => es.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// Shorthand used across the generator.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Escapes one reference token for use in a JSON pointer (RFC 6901).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a pointer by appending escaped tokens to `base`.
pub fn pointer(base: &str, tokens: &[&str]) -> String {
    let mut out = base.to_string();
    for t in tokens {
        out.push('/');
        out.push_str(&escape_pointer_token(t));
    }
    out
}
