//! Stage 2: lower fragments into the IR.
//!
//! 1. Fragments are sorted by path, so every later decision is independent of
//!    the order they were read in.
//! 2. Every named schema of every fragment is reserved an id before any is
//!    converted, so forward and cyclic `$ref`s resolve.
//! 3. Schemas and operations are converted ([`schema`], [`operation`]). A
//!    `$ref` resolves inside its own fragment, or in the fragment an explicit
//!    `other.yaml#/...` reference names: never by bare name across fragments.
//! 4. Types are merged across fragments and named ([`merge`]).
//!
//! Until then types and operations are drafts ([`draft`]).

mod draft;
mod errors;
mod features;
mod finish;
mod flow;
mod foreign;
mod inbound;
mod members;
mod merge;
mod operation;
mod schema;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use openapiv3::{ReferenceOr, SecurityScheme};

use crate::config::Target;
use crate::error::{Error, Result, SpecError, escape_pointer_token};
use crate::ir::{self, Api, Ty};
use crate::load::Fragment;
use crate::naming;

use draft::{DKind, DraftOperation, DraftType, TypeId};
pub use foreign::Foreign;
pub(crate) use schema::Dest;

/// Lowering state for one target.
pub(crate) struct Lowerer<'a> {
    pub target: &'a Target,
    pub fragments: Vec<&'a Fragment>,
    pub types: Vec<DraftType>,
    /// (fragment index, schema name) → id.
    pub named: BTreeMap<(usize, String), TypeId>,
    /// Draft operations, with types as draft ids.
    pub operations: Vec<DraftOperation>,
    /// The requests the API sends (webhooks, callbacks).
    pub inbound: Vec<draft::DraftInbound>,
    /// Diagnostics that do not stop generation.
    pub warnings: std::cell::RefCell<Vec<SpecError>>,
    /// What degrade mode left out (see [`Target::degrade`]).
    pub skipped: ir::Skipped,
    /// The schemas of the crates generated before this one.
    pub foreign: &'a Foreign,
    /// Which of them this target's types come from.
    pub used: foreign::Used,
    /// The `allOf`s being merged, innermost last (fragment, pointer): one
    /// that includes itself is an error, not endless recursion.
    pub merging: std::cell::RefCell<Vec<(usize, String)>>,
}

/// Lowers the fragments of one target into its IR.
pub fn lower(target: &Target, fragments: &[Fragment]) -> Result<Api> {
    lower_with(target, fragments, &Foreign::default())
}

/// [`lower`] for a target whose fragments may use the schemas of the
/// crates generated before it (see [`Foreign`]).
pub fn lower_with(target: &Target, fragments: &[Fragment], foreign: &Foreign) -> Result<Api> {
    let mut sorted: Vec<&Fragment> = fragments.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut lowerer = Lowerer {
        target,
        fragments: sorted,
        types: Vec::new(),
        named: BTreeMap::new(),
        operations: Vec::new(),
        inbound: Vec::new(),
        warnings: Default::default(),
        skipped: Default::default(),
        foreign,
        used: Default::default(),
        merging: Default::default(),
    };
    lowerer.reserve();
    let mut errors = Vec::new();
    lowerer.convert_named(&mut errors);
    lowerer.convert_operations(&mut errors);
    lowerer.convert_inbound(&mut errors);
    if target.degrade {
        // Inline types of a schema or operation that failed may be left
        // unconverted: any JSON value.
        for t in &mut lowerer.types {
            if t.kind == DKind::Pending {
                t.kind = DKind::Alias(Ty::Json);
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.file, &a.pointer).cmp(&(&b.file, &b.pointer)));
        errors.dedup();
        return Err(if errors.len() == 1 {
            Error::Spec(errors.remove(0))
        } else {
            Error::Specs(errors)
        });
    }
    let mut info = lowerer.target_info()?;
    info.dependencies = lowerer.dependencies();
    merge::assemble(lowerer, info)
}

impl<'a> Lowerer<'a> {
    /// Reserves an id for every named schema of every fragment.
    fn reserve(&mut self) {
        for fi in 0..self.fragments.len() {
            let frag = self.fragments[fi];
            let Some(components) = &frag.doc.components else {
                continue;
            };
            for name in components.schemas.keys() {
                let pointer = format!("#/components/schemas/{}", escape_pointer_token(name));
                let base = naming::type_name(name);
                let id = self.new_type(name.clone(), base, None, fi, &pointer, None);
                self.named.insert((fi, name.clone()), id);
            }
        }
    }

    fn convert_named(&mut self, errors: &mut Vec<SpecError>) {
        let named: Vec<((usize, String), TypeId)> =
            self.named.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for ((fi, name), id) in named {
            let frag = self.fragments[fi];
            let Some(schema) = frag
                .doc
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(&name))
            else {
                continue;
            };
            let ptr = self.types[id].pointer.clone();
            if let ReferenceOr::Item(s) = schema {
                self.types[id].doc = s
                    .schema_data
                    .description
                    .as_deref()
                    .map(str::trim)
                    .map(str::to_string);
            }
            if let Err(e) = self.schema_ref(fi, schema.into(), &ptr, Dest::Define(id)) {
                if self.target.degrade {
                    self.types[id].kind = DKind::Alias(Ty::Json);
                    self.skipped.schemas += 1;
                    self.warn_skipped(e, "the schema is read as any JSON value");
                } else {
                    errors.push(e);
                }
            }
        }
    }

    /// Records an error that degrade mode turned into a warning.
    pub(crate) fn warn_skipped(&self, e: SpecError, fallback: &str) {
        self.warnings.borrow_mut().push(SpecError {
            message: format!("{} ({fallback})", e.message),
            ..e
        });
    }

    /// Creates a draft type.
    pub(crate) fn new_type(
        &mut self,
        original: String,
        base: String,
        parent: Option<(TypeId, String)>,
        fragment: usize,
        pointer: &str,
        doc: Option<String>,
    ) -> TypeId {
        self.types.push(DraftType {
            original,
            base,
            parent,
            fragment,
            pointer: pointer.to_string(),
            doc,
            kind: DKind::Pending,
        });
        TypeId::new(self.types.len() - 1)
    }

    /// A located error in fragment `fi`.
    pub(crate) fn err(
        &self,
        fi: usize,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> SpecError {
        SpecError {
            file: self.fragments[fi].path.clone(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// The path (relative to `specs/`) of the file a `$ref` in fragment
    /// `fi` names.
    pub(crate) fn ref_path(&self, fi: usize, file: &str) -> PathBuf {
        let base = self.fragments[fi].path.parent().unwrap_or(Path::new(""));
        normalize_path(&base.join(file))
    }

    /// The index of this target's fragment at `path`.
    pub(crate) fn fragment_at(&self, path: &Path) -> Option<usize> {
        self.fragments
            .iter()
            .position(|f| normalize_path(&f.path) == path)
    }

    /// Splits a `$ref` into the fragment it points into and the pointer inside it.
    pub(crate) fn split_ref(
        &self,
        fi: usize,
        reference: &str,
        at: &str,
    ) -> Result<(usize, String), SpecError> {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let target_fi = if file.is_empty() {
            fi
        } else {
            let wanted = self.ref_path(fi, file);
            self.fragment_at(&wanted)
                .ok_or_else(|| match self.foreign.owner_name(&wanted) {
                    Some(krate) => self.err(fi, at, format!("`$ref` names fragment `{file}` of crate `{krate}`: another crate's schema can be used only whole (as a field, an item, a body, a response or a member of a union without discriminator), not merged (`allOf`) or as a tagged variant")),
                    None => self.err(fi, at, format!("`$ref` names fragment `{file}`, which is not among this target's fragments")),
                })?
        };
        Ok((target_fi, pointer.to_string()))
    }

    /// The schema name in a `$ref`'s pointer (`/components/schemas/<name>`).
    pub(crate) fn schema_name(
        &self,
        fi: usize,
        reference: &str,
        pointer: &str,
        at: &str,
    ) -> Result<String, SpecError> {
        pointer
            .strip_prefix("/components/schemas/")
            .filter(|n| !n.contains('/'))
            .map(unescape_pointer_token)
            .ok_or_else(|| {
                self.err(
                    fi,
                    at,
                    format!("`$ref: {reference}` must point at `#/components/schemas/<name>`"),
                )
            })
    }

    /// Resolves a schema `$ref` to its reserved id.
    pub(crate) fn resolve_schema_ref(
        &self,
        fi: usize,
        reference: &str,
        at: &str,
    ) -> Result<TypeId, SpecError> {
        let (target_fi, pointer) = self.split_ref(fi, reference, at)?;
        let name = self.schema_name(fi, reference, &pointer, at)?;
        self.named
            .get(&(target_fi, name.clone()))
            .copied()
            .ok_or_else(|| {
                self.err(
                    fi,
                    at,
                    format!("`$ref: {reference}` points at a schema that does not exist"),
                )
            })
    }

    /// Resolves a `$ref` to a component of another kind (`parameters`,
    /// `requestBodies`, `responses`), following chains of references.
    pub(crate) fn resolve_component<'f, T>(
        &self,
        fi: usize,
        item: &'f ReferenceOr<T>,
        at: &str,
        kind: &str,
        get: impl Fn(&'f openapiv3::Components) -> &'f indexmap::IndexMap<String, ReferenceOr<T>>,
    ) -> Result<(usize, String, &'f T), SpecError>
    where
        'a: 'f,
    {
        let mut current = item;
        let mut fi_now = fi;
        let mut ptr_now = at.to_string();
        for _ in 0..16 {
            match current {
                ReferenceOr::Item(t) => return Ok((fi_now, ptr_now, t)),
                ReferenceOr::Reference { reference } => {
                    let (target_fi, pointer) = self.split_ref(fi_now, reference, &ptr_now)?;
                    let prefix = format!("/components/{kind}/");
                    let name = pointer
                        .strip_prefix(&prefix)
                        .filter(|n| !n.contains('/'))
                        .map(unescape_pointer_token)
                        .ok_or_else(|| {
                            self.err(
                                fi_now,
                                &ptr_now,
                                format!(
                                    "`$ref: {reference}` must point at `#/components/{kind}/<name>`"
                                ),
                            )
                        })?;
                    let frag: &'f Fragment = self.fragments[target_fi];
                    current = frag
                        .doc
                        .components
                        .as_ref()
                        .and_then(|c| get(c).get(&name))
                        .ok_or_else(|| {
                            self.err(
                                fi_now,
                                &ptr_now,
                                format!(
                                    "`$ref: {reference}` points at a component that does not exist"
                                ),
                            )
                        })?;
                    fi_now = target_fi;
                    ptr_now = format!("#/components/{kind}/{}", escape_pointer_token(&name));
                }
            }
        }
        Err(self.err(fi, at, "`$ref` chain is too long or cyclic"))
    }

    /// The credentials of the security scheme `name`, which every fragment
    /// that declares it must declare alike. OAuth2 and OpenID Connect are a
    /// bearer token the caller obtains.
    pub(crate) fn auth(&self, name: &str) -> Result<ir::Auth> {
        let mut auth: Option<(ir::Auth, &Path)> = None;
        for f in &self.fragments {
            let Some(scheme) = f
                .doc
                .components
                .as_ref()
                .and_then(|c| c.security_schemes.get(name))
            else {
                continue;
            };
            let ptr = format!(
                "#/components/securitySchemes/{}",
                escape_pointer_token(name)
            );
            let here = match scheme {
                ReferenceOr::Item(s) => scheme_auth(s).ok_or_else(|| {
                    Error::Spec(SpecError {
                        file: f.path.clone(),
                        pointer: ptr.clone(),
                        message: "unsupported security scheme: HTTP schemes other than bearer and basic cannot be sent".into(),
                    })
                })?,
                ReferenceOr::Reference { .. } => {
                    return Err(Error::Spec(SpecError {
                        file: f.path.clone(),
                        pointer: ptr,
                        message: "a security scheme `$ref` is not supported".into(),
                    }));
                }
            };
            match &auth {
                Some((prev, prev_file)) if *prev != here => {
                    return Err(Error::Spec(SpecError {
                        file: f.path.clone(),
                        pointer: ptr,
                        message: format!(
                            "security scheme `{name}` differs from the one in {}",
                            prev_file.display()
                        ),
                    }));
                }
                Some(_) => {}
                None => auth = Some((here, &f.path)),
            }
        }
        auth.map(|(a, _)| a).ok_or_else(|| Error::Config {
            file: PathBuf::from("specs/codegen.toml"),
            message: format!(
                "target `{}`: no fragment declares the security scheme `{name}`",
                self.target.name
            ),
        })
    }

    /// Whether any fragment declares the security scheme `name`.
    fn declares_scheme(&self, name: &str) -> bool {
        self.fragments.iter().any(|f| {
            f.doc
                .components
                .as_ref()
                .is_some_and(|c| c.security_schemes.contains_key(name))
        })
    }

    /// Crate-level settings: base URL, auth and client parameters.
    fn target_info(&self) -> Result<ir::TargetInfo> {
        let t = self.target;
        let config_err = |message: String| Error::Config {
            file: PathBuf::from("specs/codegen.toml"),
            message,
        };
        let base_url = match &t.base_url {
            Some(u) => u.clone(),
            None => self
                .fragments
                .iter()
                .find_map(|f| f.doc.servers.first().map(|s| s.url.clone()))
                .ok_or_else(|| {
                    config_err(format!(
                        "target `{}`: no `base_url` configured and no fragment declares a server",
                        t.name
                    ))
                })?,
        };
        let auth = match &t.auth {
            None => ir::Auth::None,
            // A target's settings applied to a document they were not
            // written for (`Target::strict` off): a scheme it does not
            // declare leaves the client without credentials.
            Some(scheme) if !t.strict && !self.declares_scheme(scheme) => {
                self.warnings.borrow_mut().push(SpecError {
                    file: self.fragments.first().map(|f| f.path.clone()).unwrap_or_default(),
                    pointer: "#/components/securitySchemes".into(),
                    message: format!(
                        "no security scheme `{scheme}` is declared (the client sends no credentials)"
                    ),
                });
                ir::Auth::None
            }
            Some(scheme) => self.auth(scheme)?,
        };
        let client_params = t
            .client_params
            .iter()
            .map(|p| ir::ClientParam {
                wire: p.name.clone(),
                rust: naming::snake_ident_with(&p.name, &t.words),
                default: p.default.clone(),
                doc: p.doc.clone(),
            })
            .collect();
        Ok(ir::TargetInfo {
            crate_name: t.crate_name.clone(),
            lib_name: t.lib_name(),
            mock_tests: t.mock_tests,
            area_features: t.area_features,
            dev_dependencies: t
                .dev_dependencies
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            optional_dependencies: t
                .optional_dependencies
                .iter()
                .map(|(k, v)| (k.clone(), optional(v).to_string()))
                .collect(),
            opt_in_features: t.opt_in_features.clone(),
            examples: t
                .examples
                .iter()
                .map(|e| (e.name.clone(), e.features.clone()))
                .collect(),
            runtime: match &t.document {
                Some(d) => d.runtime.clone(),
                None => ir::RuntimeSource::Path(t.runtime_path()),
            },
            document: t.document.clone(),
            extensions: t
                .extensions
                .iter()
                .map(|e| ir::ExtensionModule {
                    module: e.module(),
                    file: e.file.to_string_lossy().replace('\\', "/"),
                    features: e.features.clone(),
                    source: e.source.clone(),
                })
                .collect(),
            description: t.description.clone(),
            base_url: base_url.trim_end_matches('/').to_string(),
            auth,
            client_params,
            fragments: self
                .fragments
                .iter()
                .map(|f| f.path.to_string_lossy().replace('\\', "/"))
                .collect(),
            // Resolved against the merged types in `merge::assemble`.
            errors: None,
            // The types taken from other crates are known once every
            // schema is converted (`lower_with`).
            dependencies: Vec::new(),
        })
    }
}

/// A dependency's TOML value (`"1"` or a table) with `optional = true`.
fn optional(value: &toml::Value) -> toml::Value {
    let mut table = match value {
        toml::Value::Table(t) => t.clone(),
        version => toml::Table::from_iter([("version".to_string(), version.clone())]),
    };
    table.insert("optional".into(), toml::Value::Boolean(true));
    toml::Value::Table(table)
}

/// Unescapes one JSON pointer token.
pub(crate) fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Removes `.` and resolves `..` without touching the file system.
pub(crate) fn normalize_path(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The credentials a security scheme asks for, if the client can send them.
pub(crate) fn scheme_auth(scheme: &SecurityScheme) -> Option<ir::Auth> {
    Some(match scheme {
        SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => {
            ir::Auth::Bearer
        }
        SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => {
            ir::Auth::Basic
        }
        SecurityScheme::HTTP { .. } => return None,
        SecurityScheme::APIKey { location, name, .. } => match location {
            openapiv3::APIKeyLocation::Header => ir::Auth::ApiKeyHeader {
                header: name.clone(),
            },
            openapiv3::APIKeyLocation::Query => ir::Auth::ApiKeyQuery { name: name.clone() },
            openapiv3::APIKeyLocation::Cookie => ir::Auth::ApiKeyCookie { name: name.clone() },
        },
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => ir::Auth::Bearer,
    })
}
