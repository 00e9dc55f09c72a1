//! The codegen configuration (`specs/codegen.toml`).
//!
//! The configuration names every target crate: which fragments feed it, where
//! the crate is written, its default base URL, which security scheme it uses,
//! which path parameters are lifted into client configuration, and the
//! operation and type renames. Renames are the only place naming decisions that
//! override the spec live.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Every crate to generate.
    #[serde(rename = "target")]
    pub targets: Vec<Target>,
}

/// One generated crate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// A short name for messages (`whatsapp`).
    pub name: String,
    /// The package name of the generated crate (`whatsapp-cloud-api`).
    pub crate_name: String,
    /// The crate's one-line description.
    pub description: String,
    /// Where the crate is written, relative to the workspace root.
    pub output: PathBuf,
    /// The runtime crate (`generator/runtime`), as the generated crate's
    /// `Cargo.toml` names it: relative to `output`. By default `output` is
    /// taken to be relative to the workspace root.
    #[serde(default)]
    pub runtime: Option<String>,
    /// The directory holding the target's fragments, relative to `specs/`.
    /// Every `.yaml`, `.yml` and `.json` file below it is read.
    pub fragments: PathBuf,
    /// The default base URL; when absent, the first server of the first
    /// fragment that declares one.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The name of the security scheme (as declared in the fragments'
    /// `components.securitySchemes`) the client authenticates with; without
    /// it the client sends no credentials.
    #[serde(default)]
    pub auth: Option<String>,
    /// Path parameters that are client configuration rather than call arguments.
    #[serde(default)]
    pub client_params: Vec<ClientParam>,
    /// Path parameters whose value is a whole URL (such as the media download
    /// URL the API hands out): the request goes to that URL, not to the base URL.
    #[serde(default)]
    pub url_params: Vec<String>,
    /// Operations (by operationId) for which an answer with a 4xx status is
    /// final: not even 429 is retried, because the API counts failed calls
    /// and blocks the endpoint after a few.
    #[serde(default)]
    pub final_client_errors: Vec<String>,
    /// An inbound operation (the API calls the user's server): it gets no
    /// client method; a `webhooks` module parses and verifies its body instead.
    #[serde(default)]
    pub webhooks: Option<Webhooks>,
    /// The API's error codes, sorted into kinds callers can branch on.
    #[serde(default)]
    pub error_kinds: Option<ErrorKinds>,
    /// Types whose items, in lists that are received, decode on their own
    /// (`Vec<Item<T>>`): one that does not fit is kept whole with its error
    /// instead of failing the whole body. The items of a success response's
    /// `data` list always do.
    #[serde(default)]
    pub isolated_items: Vec<String>,
    /// Words kept whole when names are converted to snake_case (`WhatsApp`).
    #[serde(default)]
    pub words: Vec<String>,
    /// Emit the per-operation mock-server tests (`tests/operations.rs`);
    /// every operation then needs documented examples.
    #[serde(default)]
    pub mock_tests: bool,
    /// One cargo feature per fragment (all on by default), so a crate that
    /// needs one API area compiles only that area.
    #[serde(default)]
    pub area_features: bool,
    /// Extra `[dev-dependencies]` of the generated crate (for its examples),
    /// as TOML values: `axum = "0.8"`.
    #[serde(default)]
    pub dev_dependencies: BTreeMap<String, toml::Value>,
    /// Optional `[dependencies]` of the generated crate, as TOML values; an
    /// opt-in feature turns each on (`dep:name`).
    #[serde(default)]
    pub optional_dependencies: BTreeMap<String, toml::Value>,
    /// Features that are not areas and are off by default, for an extension
    /// that needs more than the client (cryptography, say).
    #[serde(default)]
    pub opt_in_features: Vec<OptInFeature>,
    /// Hand-written examples in the crate's `examples/` folder, with the
    /// area features each needs.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Members of a request body's `oneOf` that get a client method of their
    /// own (the same path and HTTP method, another body).
    #[serde(default)]
    pub body_variants: Vec<BodyVariant>,
    /// Hand-written Rust modules compiled into the crate, for conveniences
    /// built on the generated code.
    #[serde(default)]
    pub extensions: Vec<Extension>,
    /// operationId → Rust method name.
    #[serde(default)]
    pub operation_renames: BTreeMap<String, String>,
    /// Generated type name → replacement name.
    #[serde(default)]
    pub type_renames: BTreeMap<String, String>,
    /// Every setting must apply (the fragments are this project's own): a
    /// rename, body variant, webhook or error carrier that matches nothing is
    /// an error. Off when a target's settings are applied to a document they
    /// were not written for (`cargo xtask api-diff` on Meta's merged file);
    /// such settings are then left out with a warning.
    #[serde(skip, default = "strict")]
    pub strict: bool,
    /// Degrade instead of refusing: a schema the generator cannot express
    /// is read as any JSON value, and an operation it cannot express is left
    /// out, each with a located warning. Off for `codegen.toml`'s targets
    /// (the fragments are ours: every such case is an error); on for
    /// `cargo xtask generate` unless `--strict`.
    #[serde(skip)]
    pub degrade: bool,
    /// Set by `cargo xtask generate`: the OpenAPI document the crate comes
    /// from (as the user named it), and how its `Cargo.toml` names the
    /// runtime; `None` for `codegen.toml`'s targets.
    #[serde(skip)]
    pub document: Option<crate::ir::Document>,
}

fn strict() -> bool {
    true
}

/// One member of an operation's request body `oneOf`, exposed as a client
/// method of its own. The operation's own method keeps the other member
/// (exactly one must remain). The new method's builder takes the member's
/// required fields as arguments and its optional fields as setters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyVariant {
    /// The operationId whose body is split.
    pub operation: String,
    /// The schema name of the member (a `$ref` of the body's `oneOf`).
    pub schema: String,
    /// The client method for it (snake_case).
    pub method: String,
    /// The schema name of the member of the success response's `oneOf` this
    /// body is answered with; the operation's own method keeps the other one.
    /// Without it, both methods share the success response.
    #[serde(default)]
    pub response: Option<String>,
}

/// A feature that is off by default: what it is for, and what it turns on
/// (areas, other features, `dep:` optional dependencies).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptInFeature {
    /// The feature's name.
    pub name: String,
    /// One line saying what it adds (in `Cargo.toml` and `FEATURES.md`).
    pub doc: String,
    /// What it turns on.
    #[serde(default)]
    pub enables: Vec<String>,
}

/// A hand-written module of a generated crate: Rust source kept beside the
/// fragments and copied into the crate, so conveniences built on the
/// generated types and calls are compiled (and break) with them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// The Rust file, relative to `specs/`; its stem is the module name.
    pub file: PathBuf,
    /// The area features it needs; the module compiles only when all are on.
    #[serde(default)]
    pub features: Vec<String>,
    /// The file's text, read when the configuration is loaded.
    #[serde(skip)]
    pub source: String,
}

impl Extension {
    /// The module name: the file stem.
    pub fn module(&self) -> String {
        self.file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Module names a generated crate uses itself.
pub const GENERATED_MODULES: &[&str] = &[
    "client",
    "errors",
    "operations",
    "runtime",
    "types",
    "webhooks",
];

/// The data table of known error codes: one place, with its source named.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorKinds {
    /// Where the codes come from (the API's error code reference).
    pub source: String,
    /// The generated types that carry a code: each gets `kind()` and a
    /// one-line `Display`.
    #[serde(rename = "carrier")]
    pub carriers: Vec<ErrorCarrier>,
    /// The kinds, in the order they are tried.
    #[serde(rename = "kind")]
    pub kinds: Vec<ErrorKind>,
}

/// A generated type that carries an error code. Paths are Rust field paths
/// (`error.code`), checked against the type when the crate is generated.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCarrier {
    /// The generated type name (`GraphAPIError`).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The numeric code (`error.code`).
    pub code: String,
    /// The optional subcode (`error.error_subcode`).
    #[serde(default)]
    pub subcode: Option<String>,
    /// The message, for `Display` (`error.message`).
    #[serde(default)]
    pub message: Option<String>,
    /// A trace id to quote to support, for `Display` (`error.fbtrace_id`).
    #[serde(default)]
    pub trace: Option<String>,
    /// A boolean that marks the error transient (`error.is_transient`); the
    /// retry policy reads it (for the first carrier).
    #[serde(default)]
    pub transient: Option<String>,
}

/// One kind of error.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorKind {
    /// The variant name (`RateLimit`).
    pub name: String,
    /// One sentence: what it means and what to do.
    pub doc: String,
    /// The codes of this kind.
    #[serde(default)]
    pub codes: Vec<i64>,
    /// Code ranges of this kind, inclusive (`[[200, 299]]`).
    #[serde(default)]
    pub ranges: Vec<[i64; 2]>,
    /// HTTP statuses that mean this kind when the body carries no code (a
    /// bare `429` is a rate limit).
    #[serde(default)]
    pub statuses: Vec<u16>,
    /// The request was refused, not processed: the default retry policy
    /// retries it whatever the method.
    #[serde(default)]
    pub rate_limit: bool,
    /// A temporary problem on the API's side: the default retry policy
    /// retries it for idempotent methods (as it does errors marked
    /// `is_transient`).
    #[serde(default)]
    pub transient: bool,
}

/// A hand-written example of a generated crate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The file stem under `examples/`.
    pub name: String,
    /// The features it needs (`required-features`).
    #[serde(default)]
    pub features: Vec<String>,
}

/// The inbound webhook operation of a target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhooks {
    /// The operationId of the inbound operation (or `METHOD /path` when it has
    /// none); its request body is the payload.
    pub operation: String,
    /// The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`.
    pub signature_header: String,
}

/// A path parameter filled in from client configuration (`{Version}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientParam {
    /// The parameter name as the fragments spell it (`Version`).
    pub name: String,
    /// The value used when the caller does not set one (`v23.0`).
    pub default: String,
    /// One sentence for the builder setter's documentation.
    #[serde(default)]
    pub doc: Option<String>,
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// Parses configuration text; `path` is only used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let mut config: Config = toml::from_str(text).map_err(|e| Error::Config {
            file: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let specs_root = path.parent().unwrap_or(Path::new(""));
        for t in &mut config.targets {
            let mut modules = std::collections::BTreeSet::new();
            for ext in &mut t.extensions {
                let module = ext.module();
                if !crate::naming::is_snake_ident(&module)
                    || GENERATED_MODULES.contains(&module.as_str())
                    || !modules.insert(module.clone())
                    || ext.file.extension().is_none_or(|e| e != "rs")
                {
                    return Err(Error::Config {
                        file: path.to_path_buf(),
                        message: format!(
                            "target `{}`: extension `{}` must be a `.rs` file whose stem is a snake_case module name, unique and not one of {}",
                            t.name,
                            ext.file.display(),
                            GENERATED_MODULES.join(", ")
                        ),
                    });
                }
                let full = specs_root.join(&ext.file);
                ext.source = std::fs::read_to_string(&full).map_err(|e| Error::Config {
                    file: path.to_path_buf(),
                    message: format!(
                        "target `{}`: extension `{}` cannot be read: {e}",
                        t.name,
                        ext.file.display()
                    ),
                })?;
                if let Err(e) = syn::parse_file(&ext.source) {
                    return Err(Error::Config {
                        file: full,
                        message: format!("the extension module does not parse as Rust: {e}"),
                    });
                }
            }
        }
        let problems: Vec<String> = config.targets.iter().flat_map(check_target).collect();
        if !problems.is_empty() {
            return Err(Error::Config {
                file: path.to_path_buf(),
                message: problems.join("\n"),
            });
        }
        let mut names = std::collections::BTreeSet::new();
        for t in &config.targets {
            if !names.insert(&t.name) {
                return Err(Error::Config {
                    file: path.to_path_buf(),
                    message: format!("target `{}` is defined twice", t.name),
                });
            }
            for (op, method) in &t.operation_renames {
                if !crate::naming::is_snake_ident(method) {
                    return Err(Error::Config {
                        file: path.to_path_buf(),
                        message: format!(
                            "target `{}`: rename of operation `{op}` to `{method}` is not a snake_case Rust identifier",
                            t.name
                        ),
                    });
                }
            }
            for (from, to) in &t.type_renames {
                if !crate::naming::is_type_ident(to) {
                    return Err(Error::Config {
                        file: path.to_path_buf(),
                        message: format!(
                            "target `{}`: rename of type `{from}` to `{to}` is not an UpperCamelCase Rust type name",
                            t.name
                        ),
                    });
                }
            }
        }
        Ok(config)
    }

    /// Looks a target up by name.
    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.name == name)
    }
}

/// True for a Cargo package name whose library name is a Rust identifier:
/// ASCII letters, digits, `-` and `_`, starting with a letter.
fn is_package_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Every value of a target that generated code prints as a name, checked
/// before anything is generated; each problem names its key.
fn check_target(t: &Target) -> Vec<String> {
    let mut out = Vec::new();
    let mut problem = |key: String, message: &str| {
        out.push(format!("target `{}`: `{key}`: {message}", t.name));
    };
    if !is_package_name(&t.crate_name)
        || !crate::naming::is_snake_ident(&t.lib_name().to_ascii_lowercase())
    {
        problem(
            format!("crate_name = {:?}", t.crate_name),
            "not a Cargo package name (ASCII letters, digits, `-` and `_`, starting with a letter) whose library name is a Rust identifier",
        );
    }
    for (i, v) in t.body_variants.iter().enumerate() {
        if !crate::naming::is_snake_ident(&v.method) {
            problem(
                format!("body_variants[{i}].method = {:?}", v.method),
                "not a snake_case Rust identifier",
            );
        }
    }
    let Some(table) = &t.error_kinds else {
        return out;
    };
    let mut kinds = std::collections::BTreeSet::new();
    for (i, k) in table.kinds.iter().enumerate() {
        let key = format!("error_kinds.kind[{i}].name = {:?}", k.name);
        if !crate::naming::is_type_ident(&k.name) || k.name == crate::naming::CATCH_ALL {
            problem(
                key,
                &format!(
                    "not an UpperCamelCase Rust name other than `{}`",
                    crate::naming::CATCH_ALL
                ),
            );
        } else if !kinds.insert(&k.name) {
            problem(key, "listed twice");
        } else if k.rate_limit && k.transient {
            problem(key, "a kind cannot be both `rate_limit` and `transient`");
        }
    }
    let mut carriers = std::collections::BTreeSet::new();
    for (i, c) in table.carriers.iter().enumerate() {
        let key = format!("error_kinds.carrier[{i}].type = {:?}", c.type_name);
        if !crate::naming::is_type_ident(&c.type_name) {
            problem(key, "not an UpperCamelCase Rust type name");
        } else if !carriers.insert(&c.type_name) {
            problem(key, "listed twice");
        }
        let paths = [
            ("code", Some(&c.code)),
            ("subcode", c.subcode.as_ref()),
            ("message", c.message.as_ref()),
            ("trace", c.trace.as_ref()),
            ("transient", c.transient.as_ref()),
        ];
        for (what, path) in paths {
            let Some(path) = path else { continue };
            if !path.split('.').all(crate::naming::is_snake_ident) {
                problem(
                    format!("error_kinds.carrier[{i}].{what} = {path:?}"),
                    "not a path of Rust field names (`error.code`)",
                );
            }
        }
    }
    out
}

impl Target {
    /// The runtime path the generated `Cargo.toml` names (see [`Target::runtime`]).
    pub fn runtime_path(&self) -> String {
        self.runtime.clone().unwrap_or_else(|| {
            let up = self
                .output
                .components()
                .filter(|c| matches!(c, std::path::Component::Normal(_)))
                .count();
            format!("{}generator/runtime", "../".repeat(up))
        })
    }

    /// The Rust library name of the generated crate (`whatsapp_cloud_api`).
    pub fn lib_name(&self) -> String {
        self.crate_name.replace('-', "_")
    }
}
