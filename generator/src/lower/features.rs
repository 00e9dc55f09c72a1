//! One cargo feature per API area (per fragment), so a crate that needs one
//! area compiles only its operations and the types they reach.
//!
//! Each fragment's file stem names a feature (`messages`, `media`, ...). An
//! operation belongs to its fragment's feature; the inbound webhook (and its
//! `webhooks` module) to its fragment's. A type is compiled when any feature
//! that reaches it is on: the features of the operations whose parameters,
//! bodies or responses refer to it (directly or through other types), and of
//! the fragments that define it. A type every feature reaches carries no
//! `cfg` at all.
//!
//! Architecture invariant: whatever a compiled item refers to is compiled
//! too. A type's feature set is closed under references (if `A` refers to
//! `B`, `B`'s set holds `A`'s), and an operation's types all hold its feature.

use std::collections::{BTreeMap, BTreeSet};

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::ir::{AXUM_FEATURE, Api, Features, Ty, TypeKind};

/// The feature named after a fragment path (`whatsapp/messages.yaml` →
/// `messages`), or after the fragment part of a source (`…yaml#/…`).
pub(super) fn feature_of(source: &str) -> String {
    let path = source.split('#').next().unwrap_or(source);
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    stem.to_string()
}

/// The named types a type refers to.
fn refs(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Named(n) => out.push(n.clone()),
        Ty::Array(t) | Ty::Item(t) | Ty::Map(t) => refs(t, out),
        _ => {}
    }
}

fn type_refs(api: &Api, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(def) = api.types.get(name) else {
        return out;
    };
    match &def.kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                refs(&f.ty, &mut out);
            }
            if let crate::ir::Extra::Typed(_, t) = &s.extra {
                refs(t, &mut out);
            }
            out.extend(s.choices.iter().map(|c| c.ty.clone()));
        }
        TypeKind::Choice(c) => c.variants.iter().for_each(|v| refs(&v.ty, &mut out)),
        TypeKind::Enum(_) => {}
        TypeKind::Alias(t) => refs(t, &mut out),
        TypeKind::Tagged(t) => t.variants.iter().for_each(|v| refs(&v.ty, &mut out)),
        TypeKind::Untagged(u) => u.variants.iter().for_each(|v| refs(&v.ty, &mut out)),
        TypeKind::ByStatus(b) => b
            .variants
            .iter()
            .flat_map(|v| &v.ty)
            .for_each(|t| refs(t, &mut out)),
    }
    out
}

/// Works out the plan on an otherwise final `api`; empty when the target
/// does not use area features.
pub(super) fn plan(api: &Api) -> Features {
    if !api.target.area_features {
        return Features::default();
    }
    let mut roots: Vec<(String, String)> = Vec::new();
    let mut operations = BTreeMap::new();
    let mut features = BTreeSet::new();
    for op in &api.operations {
        let feature = feature_of(&op.source);
        features.insert(feature.clone());
        operations.insert(op.operation_id.clone(), feature.clone());
        let mut tys = Vec::new();
        for p in &op.params {
            refs(&p.ty, &mut tys);
        }
        if let Some(b) = &op.body {
            refs(&b.ty, &mut tys);
        }
        if let crate::ir::ResponseContent::Json(t) = &op.success.content {
            refs(t, &mut tys);
        }
        if let Some(t) = &op.success.events {
            refs(t, &mut tys);
        }
        for e in &op.errors {
            if let Some(t) = &e.ty {
                refs(t, &mut tys);
            }
        }
        refs(&op.error_ty, &mut tys);
        roots.extend(tys.into_iter().map(|t| (t, feature.clone())));
    }
    let webhook = api.webhook.as_ref().map(|w| {
        let feature = feature_of(&w.source);
        features.insert(feature.clone());
        let mut tys = Vec::new();
        refs(&w.payload, &mut tys);
        roots.extend(tys.into_iter().map(|t| (t, feature.clone())));
        feature
    });
    for def in api.types.values() {
        for s in &def.sources {
            let feature = feature_of(&s.fragment);
            features.insert(feature.clone());
            roots.push((def.name.clone(), feature));
        }
    }
    // Propagate each feature along references.
    let mut types: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = roots;
    while let Some((name, feature)) = stack.pop() {
        if !api.types.contains_key(&name) {
            continue;
        }
        if types
            .entry(name.clone())
            .or_default()
            .insert(feature.clone())
        {
            for r in type_refs(api, &name) {
                stack.push((r, feature.clone()));
            }
        }
    }
    let mut fragments = BTreeMap::new();
    for p in &api.target.fragments {
        let f = feature_of(p);
        if features.contains(&f) {
            fragments.entry(f).or_insert_with(|| p.clone());
        }
    }
    Features {
        fragments,
        features: features.into_iter().collect(),
        operations,
        types,
        webhook,
    }
}

/// Checks the configuration's feature names against the plan: every
/// example and extension needs areas the target has, and no fragment takes
/// the name of the `axum` feature.
pub(super) fn check(api: &Api, strict: bool) -> Result<()> {
    let config_err = |message: String| Error::Config {
        file: PathBuf::from("specs/codegen.toml"),
        message,
    };
    let plan = &api.features;
    if api.webhook.is_some() && plan.features.iter().any(|f| f == AXUM_FEATURE) {
        return Err(config_err(format!(
            "target `{}`: a fragment named `{AXUM_FEATURE}` would clash with the feature that turns on `webhooks::axum`",
            api.target.crate_name
        )));
    }
    if !strict {
        // The target's settings applied to a document they were not written
        // for (`api-diff`): its examples and extensions are not generated.
        return Ok(());
    }
    let opt_in = &api.target.opt_in_features;
    let known = |f: &String| {
        plan.features.contains(f)
            || (api.webhook.is_some() && f == AXUM_FEATURE)
            || opt_in.iter().any(|o| &o.name == f)
    };
    for o in opt_in {
        // `dep:name` of an optional dependency, or a feature of the runtime.
        let dependency = |e: &String| {
            e.strip_prefix("dep:").is_some_and(|d| {
                api.target
                    .optional_dependencies
                    .iter()
                    .any(|(name, _)| name == d)
            }) || e.starts_with("fragment-codegen-runtime/")
        };
        if plan.features.contains(&o.name) || o.name == AXUM_FEATURE {
            return Err(config_err(format!(
                "opt-in feature `{}` of target `{}` takes the name of an area or of `{AXUM_FEATURE}`",
                o.name, api.target.crate_name
            )));
        }
        if let Some(unknown) = o.enables.iter().find(|e| !known(e) && !dependency(e)) {
            return Err(config_err(format!(
                "opt-in feature `{}` turns on `{unknown}`, which is neither a feature nor an optional dependency of target `{}`",
                o.name, api.target.crate_name
            )));
        }
    }
    for (name, needs) in &api.target.examples {
        if let Some(unknown) = needs.iter().find(|f| !known(f)) {
            return Err(config_err(format!(
                "example `{name}` needs feature `{unknown}`, which is not an area of target `{}` (areas: {})",
                api.target.crate_name,
                plan.features.join(", ")
            )));
        }
    }
    for ext in &api.target.extensions {
        if let Some(unknown) = ext.features.iter().find(|f| !known(f)) {
            return Err(config_err(format!(
                "extension `{}` needs feature `{unknown}`, which is not an area of target `{}`",
                ext.file, api.target.crate_name
            )));
        }
    }
    Ok(())
}
