//! Schemas of other generated crates: a fragment may use a schema of
//! another target's fragments by a relative `$ref`
//! (`../whatsapp/messages.yaml#/components/schemas/Message`). The type is
//! not generated again: the crate depends on the other one and names its
//! type ([`Ty::Extern`]), so a value built for one crate is a value of the
//! other. Targets are generated in the configuration's order, so the crate
//! used must come first.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::config::Target;
use crate::error::SpecError;
use crate::ir::{Api, Dependency, ExternTy, Ty, TypeKind};

use super::{Lowerer, normalize_path, unescape_pointer_token};

/// The schemas of the crates generated so far, by the fragment (path
/// relative to `specs/`) and name they are defined under.
#[derive(Debug, Clone, Default)]
pub struct Foreign {
    crates: Vec<ForeignCrate>,
    schemas: BTreeMap<(PathBuf, String), ForeignType>,
}

#[derive(Debug, Clone)]
struct ForeignCrate {
    fragments: PathBuf,
    crate_name: String,
    lib_name: String,
    output: PathBuf,
}

#[derive(Debug, Clone)]
struct ForeignType {
    krate: usize,
    name: String,
    /// The area features that compile the type, any one of them (none:
    /// always compiled).
    features: BTreeSet<String>,
    /// For a struct: its required members and the members fixed to one
    /// value, which tell it apart from the other members of a union.
    signature: Option<Signature>,
}

/// Required members and members fixed to one value.
pub(crate) type Signature = (Vec<String>, Vec<(String, String)>);

impl Foreign {
    /// Makes the schemas of `api`, generated for `target`, usable by the
    /// targets after it.
    pub fn add(&mut self, target: &Target, api: &Api) {
        let krate = self.crates.len();
        self.crates.push(ForeignCrate {
            fragments: normalize_path(&target.fragments),
            crate_name: target.crate_name.clone(),
            lib_name: target.lib_name(),
            output: target.output.clone(),
        });
        for (name, def) in &api.types {
            let features = api.features.types.get(name).cloned().unwrap_or_default();
            let signature = match &def.kind {
                TypeKind::Struct(s) => Some((
                    s.fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| f.wire.clone())
                        .collect(),
                    s.fields
                        .iter()
                        .filter_map(|f| Some((f.wire.clone(), f.constant.clone()?)))
                        .collect(),
                )),
                _ => None,
            };
            for source in &def.sources {
                let Some(schema) = source.pointer.strip_prefix("#/components/schemas/") else {
                    continue;
                };
                if schema.contains('/') {
                    continue;
                }
                let key = (
                    PathBuf::from(&source.fragment),
                    unescape_pointer_token(schema),
                );
                self.schemas.insert(
                    key,
                    ForeignType {
                        krate,
                        name: name.clone(),
                        features: features.clone(),
                        signature: signature.clone(),
                    },
                );
            }
        }
    }

    /// The name of the crate whose fragments directory holds `file`.
    pub(super) fn owner_name(&self, file: &Path) -> Option<&str> {
        self.owner(file).map(|c| self.crates[c].crate_name.as_str())
    }

    /// The crate whose fragments directory holds `file`.
    fn owner(&self, file: &Path) -> Option<usize> {
        self.crates
            .iter()
            .position(|c| file.starts_with(&c.fragments))
    }
}

/// The other crates a target's types were taken from, with the features
/// they need (see [`Lowerer::foreign_ref`]).
#[derive(Debug, Default)]
pub(crate) struct Used(RefCell<BTreeMap<usize, BTreeSet<BTreeSet<String>>>>);

impl Lowerer<'_> {
    /// The type a `$ref` names when it points into another crate's
    /// fragments; `None` for a reference into this target's own.
    pub(crate) fn foreign_ref(
        &self,
        fi: usize,
        reference: &str,
        at: &str,
    ) -> Result<Option<Ty<super::TypeId>>, SpecError> {
        let Some((c, _, found)) = self.foreign_lookup(fi, reference, at)? else {
            return Ok(None);
        };
        let mut used = self.used.0.borrow_mut();
        used.entry(found.krate)
            .or_default()
            .insert(found.features.clone());
        drop(used);
        Ok(Some(Ty::Extern(ExternTy {
            lib: c.lib_name.clone(),
            name: found.name.clone(),
        })))
    }

    /// The schema a `$ref` into another crate's fragments names: its name
    /// there and, for a struct, its [`Signature`]; `None` for a reference
    /// into this target's own fragments.
    pub(crate) fn foreign_schema(
        &self,
        fi: usize,
        reference: &str,
        at: &str,
    ) -> Result<Option<(String, Option<Signature>)>, SpecError> {
        Ok(self
            .foreign_lookup(fi, reference, at)?
            .map(|(_, name, t)| (name, t.signature.clone())))
    }

    fn foreign_lookup(
        &self,
        fi: usize,
        reference: &str,
        at: &str,
    ) -> Result<Option<(&ForeignCrate, String, &ForeignType)>, SpecError> {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        if file.is_empty() {
            return Ok(None);
        }
        let wanted = self.ref_path(fi, file);
        if self.fragment_at(&wanted).is_some() {
            return Ok(None);
        }
        let Some(krate) = self.foreign.owner(&wanted) else {
            return Ok(None);
        };
        let c = &self.foreign.crates[krate];
        let name = self.schema_name(fi, reference, pointer, at)?;
        let found = self
            .foreign
            .schemas
            .get(&(wanted, name.clone()))
            .ok_or_else(|| {
                self.err(
                    fi,
                    at,
                    format!(
                        "`$ref: {reference}` points at a schema that crate `{}` does not have",
                        c.crate_name
                    ),
                )
            })?;
        Ok(Some((c, name, found)))
    }

    /// The crates this target uses types of, for its `Cargo.toml`.
    pub(crate) fn dependencies(&self) -> Vec<Dependency> {
        let used = self.used.0.borrow();
        used.iter()
            .map(|(&krate, features)| {
                let c = &self.foreign.crates[krate];
                Dependency {
                    crate_name: c.crate_name.clone(),
                    lib_name: c.lib_name.clone(),
                    path: relative(&self.target.output, &c.output),
                    features: pick_features(features),
                }
            })
            .collect()
    }
}

/// Features that compile every used type, each of which needs any one of
/// its set: the types with one choice first, then the first feature of
/// each type no chosen feature compiles yet.
fn pick_features(needs: &BTreeSet<BTreeSet<String>>) -> Vec<String> {
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    let mut needs: Vec<&BTreeSet<String>> = needs.iter().filter(|n| !n.is_empty()).collect();
    needs.sort_by_key(|n| n.len());
    for need in needs {
        if need.is_disjoint(&chosen) {
            chosen.extend(need.iter().next().cloned());
        }
    }
    chosen.into_iter().collect()
}

/// `to` relative to `from` (both relative to the workspace root).
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_compiled_by_a_chosen_feature_adds_none() {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let needs = [
            set(&["media", "messages", "zeta"]),
            set(&["messages"]),
            set(&[]),
            set(&["webhooks", "x"]),
        ]
        .into_iter()
        .collect();
        assert_eq!(pick_features(&needs), ["messages", "webhooks"]);
    }

    #[test]
    fn sibling_crates_are_one_level_up() {
        assert_eq!(
            relative(
                Path::new("generated/d360-messaging"),
                Path::new("generated/whatsapp-cloud-api")
            ),
            "../whatsapp-cloud-api"
        );
        assert_eq!(relative(Path::new("a/b/c"), Path::new("a/d")), "../../d");
    }
}
