//! The `#[cfg]` attributes of area features, printed from the plan that
//! `lower::features` worked out ([`crate::ir::Features`]).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

/// The feature plan, as the emitter reads it.
pub(super) type Plan = crate::ir::Features;

impl crate::ir::Features {
    /// The `#[cfg]` attribute for an item compiled under these features
    /// (nothing when every feature compiles it, or there are no features).
    pub(crate) fn cfg(&self, features: &BTreeSet<String>) -> TokenStream {
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
    pub(crate) fn type_cfg(&self, name: &str) -> TokenStream {
        match self.types.get(name) {
            Some(f) => self.cfg(f),
            None => quote!(),
        }
    }

    /// The `#[cfg]` attribute of an item of one area.
    pub(crate) fn feature_cfg(&self, feature: &str) -> TokenStream {
        self.cfg(&BTreeSet::from([feature.to_string()]))
    }

    /// The `#[cfg]` attribute of an operation.
    pub(crate) fn operation_cfg(&self, operation_id: &str) -> TokenStream {
        match self.operations.get(operation_id) {
            Some(f) => self.feature_cfg(f),
            None => quote!(),
        }
    }
}
