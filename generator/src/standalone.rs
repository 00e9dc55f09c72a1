//! `cargo xtask generate SPEC --out DIR`: a client crate for any OpenAPI
//! document, without a `codegen.toml`.
//!
//! The settings a target spells out come from the document instead: the
//! base URL from its first server (variables at their defaults), the
//! credentials from the first security requirement the client can send
//! (none when the document has no scheme), the crate name from `info.title`
//! unless given. Constructs the generator cannot express degrade: the loader
//! rewrites keywords without a 3.0 form to their fallbacks, and `lower`
//! reads a schema it cannot express as any JSON value and leaves out an
//! operation it cannot express, each with a located warning
//! ([`crate::config::Target::degrade`]). `strict` turns all of them back
//! into errors. The crate written is a workspace of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::bundle::Origins;
use crate::error::{Error, Result, SpecError};
use crate::load::{Fragment, Mode};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// A spec file or a directory of fragments.
    pub spec: &'a Path,
    /// The crate's directory (created when missing).
    pub out: &'a Path,
    /// The package name; from `info.title` when `None`.
    pub name: Option<&'a str>,
    /// Every unsupported construct is an error instead of a warning.
    pub strict: bool,
    /// Where the crate's `Cargo.toml` takes the runtime from.
    pub runtime: Runtime<'a>,
}

/// Where a generated crate takes the runtime crate from (always by
/// version too, so that it can be published once the runtime is).
#[derive(Debug, Clone, Copy)]
pub enum Runtime<'a> {
    /// A directory holding the runtime crate, named relative to the crate.
    Path(&'a Path),
    /// A git repository holding the runtime crate.
    Git(&'a str),
    /// The registry, by version alone.
    Registry,
}

impl Runtime<'_> {
    /// The source the crate at `out` names.
    fn source(&self, out: &Path) -> Result<crate::ir::RuntimeSource> {
        use crate::ir::RuntimeSource;
        Ok(match self {
            Runtime::Path(dir) => {
                let absolute = |p: &Path| {
                    std::path::absolute(p).map_err(|source| Error::Io {
                        path: p.to_path_buf(),
                        source,
                    })
                };
                let (dir, out) = (absolute(dir)?, absolute(out)?);
                let relative = pathdiff::diff_paths(&dir, &out).unwrap_or(dir);
                RuntimeSource::Path(relative.to_string_lossy().replace('\\', "/"))
            }
            Runtime::Git(url) => RuntimeSource::Git(url.to_string()),
            Runtime::Registry => RuntimeSource::Registry,
        })
    }
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct Report {
    /// The package name.
    pub crate_name: String,
    /// Client operations generated.
    pub operations: usize,
    /// Types generated.
    pub types: usize,
    /// Files written.
    pub files: usize,
    /// What was left out.
    pub skipped: crate::ir::Skipped,
    /// Every warning, located.
    pub warnings: Vec<SpecError>,
    /// Milliseconds from reading to writing.
    pub millis: u128,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} operations, {} types, {} files, {} ms; skipped {} operations and {} schemas ({} warnings)",
            self.crate_name,
            self.operations,
            self.types,
            self.files,
            self.millis,
            self.skipped.operations,
            self.skipped.schemas,
            self.warnings.len()
        )
    }
}

/// Reads the document(s), with their paths relative to the spec's directory
/// (or the spec's file name) in messages. A single document is bundled
/// with the files its `$ref`s reach ([`crate::bundle`]); the [`Origins`]
/// say where its parts came from, and its warnings already name them.
pub(crate) fn load(spec: &Path, mode: Mode) -> Result<(Vec<Fragment>, Vec<SpecError>, Origins)> {
    if !spec.is_dir() {
        return load_bundled(spec, mode);
    }
    let mut files = Vec::new();
    crate::load::collect_files(spec, &mut files)?;
    files.sort();
    let root = spec.to_path_buf();
    let (mut fragments, mut warnings, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
        let name = file.strip_prefix(&root).unwrap_or(&file).to_path_buf();
        match crate::load::parse_with(&name, &text, mode) {
            Ok((fragment, w)) => {
                fragments.push(fragment);
                warnings.extend(w);
            }
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok((fragments, warnings, Origins::default())),
        1 => Err(Error::Spec(errors.remove(0))),
        _ => Err(Error::Specs(errors)),
    }
}

/// One document, bundled with the files it refers to.
fn load_bundled(spec: &Path, mode: Mode) -> Result<(Vec<Fragment>, Vec<SpecError>, Origins)> {
    let text = std::fs::read_to_string(spec).map_err(|source| Error::Io {
        path: spec.to_path_buf(),
        source,
    })?;
    let root = spec.parent().unwrap_or(Path::new(""));
    let name = PathBuf::from(spec.file_name().unwrap_or(spec.as_os_str()));
    let (value, mut warnings) = crate::load::read_yaml_with(&name, &text, mode)?;
    let bundled = crate::bundle::bundle(root, &name, value, mode).map_err(Error::from_specs)?;
    let origins = bundled.origins;
    warnings.extend(bundled.warnings);
    let (fragment, normalized) = crate::load::parse_value(&name, bundled.doc, mode)
        .map_err(|e| Error::Spec(origins.locate(e)))?;
    warnings.extend(normalized.into_iter().map(|w| origins.locate(w)));
    Ok((vec![fragment], warnings, origins))
}

/// A Cargo package name from a title: lowercase words joined by `-`.
pub fn crate_name(title: &str) -> String {
    let name = heck::ToKebabCase::to_kebab_case(title)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    match name.chars().next() {
        None => "api-client".into(),
        Some(c) if !c.is_ascii_alphabetic() => format!("api-{name}"),
        Some(_) => name,
    }
}

/// A server URL with its variables at their defaults, without a trailing `/`.
fn server_url(server: &openapiv3::Server) -> String {
    let mut url = server.url.clone();
    for (name, variable) in server.variables.iter().flatten() {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    url.trim_end_matches('/').to_string()
}

/// The security scheme the client sends: the first of the document's
/// security requirements it can send, else the first declared scheme it can
/// send; `None` when there is none.
fn auth(fragments: &[Fragment]) -> Option<String> {
    let sendable = |name: &str| {
        fragments.iter().any(|f| {
            f.doc
                .components
                .as_ref()
                .and_then(|c| c.security_schemes.get(name))
                .and_then(|s| s.as_item())
                .and_then(crate::lower::scheme_auth)
                .is_some()
        })
    };
    let required = fragments
        .iter()
        .flat_map(|f| f.doc.security.iter().flatten())
        .flat_map(|requirement| requirement.keys());
    let declared = fragments
        .iter()
        .filter_map(|f| f.doc.components.as_ref())
        .flat_map(|c| c.security_schemes.keys());
    required.chain(declared).find(|n| sendable(n)).cloned()
}

/// Generates the crate and writes it to `request.out`, as a workspace of
/// its own (so that it builds wherever it is written).
pub fn generate(request: &Request<'_>) -> Result<Report> {
    let (report, files) = render(request)?;
    for (path, content) in &files {
        let full = request.out.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let content = if path == Path::new("Cargo.toml") {
            format!("{content}\n[workspace]\n")
        } else {
            content.clone()
        };
        std::fs::write(&full, content).map_err(|source| Error::Io {
            path: full.clone(),
            source,
        })?;
    }
    Ok(report)
}

/// The crate's files, by path relative to `request.out`, without writing
/// them; `Cargo.toml` does not declare a workspace.
pub fn render(request: &Request<'_>) -> Result<(Report, BTreeMap<PathBuf, String>)> {
    let start = Instant::now();
    let mode = if request.strict {
        Mode::Strict
    } else {
        Mode::Lenient
    };
    let (fragments, mut warnings, origins) = load(request.spec, mode)?;
    let first = fragments.first().ok_or_else(|| Error::Io {
        path: request.spec.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no OpenAPI document (`.yaml`, `.yml` or `.json`) found",
        ),
    })?;
    let title = first.doc.info.title.clone();
    let name = request
        .name
        .map(str::to_string)
        .unwrap_or_else(|| crate_name(&title));
    let base_url = fragments
        .iter()
        .find_map(|f| f.doc.servers.first().map(server_url))
        .unwrap_or_else(|| {
            warnings.push(SpecError {
                file: first.path.clone(),
                pointer: "#/servers".into(),
                message: "no server is declared; the client's default base URL is `http://localhost` (set it with `Client::builder(..).base_url(..)`)".into(),
            });
            "http://localhost".into()
        });
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut text = format!(
        "[[target]]\nname = \"generated\"\ncrate_name = {}\ndescription = {}\noutput = \"\"\nfragments = \".\"\nbase_url = {}\n",
        quote(&name),
        quote(&format!(
            "A client for {title}, generated from its OpenAPI document."
        )),
        quote(&base_url),
    );
    if let Some(scheme) = auth(&fragments) {
        text.push_str(&format!("auth = {}\n", quote(&scheme)));
    }
    let config = crate::config::Config::parse(Path::new("--name"), &text)?;
    let mut target = config
        .targets
        .into_iter()
        .next()
        .ok_or_else(|| Error::Config {
            file: PathBuf::from("--name"),
            message: "no target".into(),
        })?;
    target.strict = request.strict;
    target.degrade = !request.strict;
    target.document = Some(crate::ir::Document {
        // The file's name alone, so that the output does not depend on
        // where the document was read from.
        path: request.spec.file_name().map_or_else(
            || request.spec.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        other_files: origins.files(),
        runtime: request.runtime.source(request.out)?,
    });
    let mut api = crate::lower::lower(&target, &fragments).map_err(|e| origins.relocate(e))?;
    // A type moved in from another file says that file in its docs.
    for def in api.types.values_mut() {
        for source in &mut def.sources {
            let located = origins.locate(SpecError {
                file: PathBuf::from(&source.fragment),
                pointer: source.pointer.clone(),
                message: String::new(),
            });
            source.fragment = located.file.to_string_lossy().replace('\\', "/");
            source.pointer = located.pointer;
        }
    }
    let files = crate::emit::emit(&api)?;
    warnings.extend(api.warnings.iter().map(|w| origins.locate(w.clone())));
    warnings
        .sort_by(|a, b| (&a.file, &a.pointer, &a.message).cmp(&(&b.file, &b.pointer, &b.message)));
    let report = Report {
        crate_name: name,
        operations: api.operations.len(),
        types: api.types.len(),
        files: files.len(),
        skipped: api.skipped,
        warnings,
        millis: start.elapsed().as_millis(),
    };
    Ok((report, files))
}
