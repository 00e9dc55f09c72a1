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

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Ty, TypeKind};

/// Which feature each item belongs to.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every feature, sorted. Empty when the target has no area features.
    pub features: Vec<String>,
    /// Feature of each operation, by operationId.
    pub operations: BTreeMap<String, String>,
    /// The features that compile each type, by type name.
    pub types: BTreeMap<String, BTreeSet<String>>,
    /// The feature of the inbound webhook, if there is one.
    pub webhook: Option<String>,
}

/// The feature named after a fragment path (`whatsapp/messages.yaml` →
/// `messages`), or after the fragment part of a source (`…yaml#/…`).
pub fn feature_of(source: &str) -> String {
    let path = source.split('#').next().unwrap_or(source);
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    stem.to_string()
}

/// The named types a type refers to.
fn refs(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Named(n) => out.push(n.clone()),
        Ty::Array(t) | Ty::Map(t) => refs(t, out),
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
        }
        TypeKind::Enum(_) => {}
        TypeKind::Alias(t) => refs(t, &mut out),
        TypeKind::Tagged(t) => t.variants.iter().for_each(|v| refs(&v.ty, &mut out)),
        TypeKind::Untagged(u) => u.variants.iter().for_each(|v| refs(&v.ty, &mut out)),
    }
    out
}

/// Works out the plan; empty when the target does not use area features.
pub fn plan(api: &Api) -> Plan {
    if !api.target.area_features {
        return Plan::default();
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
            let feature = feature_of(s);
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
    Plan {
        features: features.into_iter().collect(),
        operations,
        types,
        webhook,
    }
}

impl Plan {
    /// The `#[cfg]` attribute for an item compiled under these features
    /// (nothing when every feature compiles it, or there are no features).
    pub fn cfg(&self, features: &BTreeSet<String>) -> TokenStream {
        if self.features.is_empty() || features.len() == self.features.len() {
            return quote!();
        }
        let names: Vec<&String> = features.iter().collect();
        match names.as_slice() {
            [] => quote!(),
            [one] => quote!(#[cfg(feature = #one)]),
            many => quote!(#[cfg(any(#(feature = #many),*))]),
        }
    }

    /// The `#[cfg]` attribute of a type.
    pub fn type_cfg(&self, name: &str) -> TokenStream {
        match self.types.get(name) {
            Some(f) => self.cfg(f),
            None => quote!(),
        }
    }

    /// The `#[cfg]` attribute of an item of one area.
    pub fn feature_cfg(&self, feature: &str) -> TokenStream {
        self.cfg(&BTreeSet::from([feature.to_string()]))
    }

    /// The `#[cfg]` attribute of an operation.
    pub fn operation_cfg(&self, operation_id: &str) -> TokenStream {
        match self.operations.get(operation_id) {
            Some(f) => self.feature_cfg(f),
            None => quote!(),
        }
    }
}
