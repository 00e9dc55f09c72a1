//! The error kind table: `ErrorKind` and `kind()` on the API's error type.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::config::ErrorKinds;
use crate::error::{Error, Result};

/// Parses a Rust field path (`error.code`) into tokens.
fn field_path(path: &str) -> Result<TokenStream> {
    let expr: syn::Expr = syn::parse_str(&format!("self.{path}")).map_err(|e| Error::Config {
        file: "specs/codegen.toml".into(),
        message: format!("error_kinds: `{path}` is not a field path: {e}"),
    })?;
    Ok(quote!(#expr))
}

pub(super) fn error_kinds(table: &ErrorKinds, cfg: &TokenStream) -> Result<TokenStream> {
    let ty = ident(&table.type_name);
    let code = field_path(&table.code)?;
    let subcode = field_path(&table.subcode)?;
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    for k in &table.kinds {
        let name = ident(&k.name);
        let mut doc = format!(" {}", k.doc);
        let mut codes: Vec<String> = k.codes.iter().map(i64::to_string).collect();
        codes.extend(k.ranges.iter().map(|[a, b]| format!("{a}–{b}")));
        doc.push_str(&format!(" Codes: {}.", codes.join(", ")));
        variants.push(quote!(#[doc = #doc] #name,));
        let codes = k
            .codes
            .iter()
            .map(|c| proc_macro2::Literal::i64_unsuffixed(*c));
        let ranges = k.ranges.iter().map(|[a, b]| {
            let (a, b) = (
                proc_macro2::Literal::i64_unsuffixed(*a),
                proc_macro2::Literal::i64_unsuffixed(*b),
            );
            quote!(#a..=#b)
        });
        let patterns: Vec<TokenStream> = codes.map(|c| quote!(#c)).chain(ranges).collect();
        if !patterns.is_empty() {
            arms.push(quote!(#(#patterns)|* => ErrorKind::#name,));
        }
    }
    let source = format!(" Codes from: {}.", table.source);
    let ty_doc = " What this error means, from its code (see [`ErrorKind`]). A code the table does not know is [`ErrorKind::Unknown`], with the code and subcode kept.";
    Ok(quote! {
        /// The kinds of API error callers usually handle differently.
        ///
        #[doc = #source]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            #(#variants)*
            /// A code this version does not classify.
            Unknown {
                /// The error code.
                code: i64,
                /// The error subcode, if any.
                subcode: Option<i64>,
            },
        }

        impl ErrorKind {
            /// The kind of an error code (the subcode is kept for `Unknown`).
            pub fn from_code(code: i64, subcode: Option<i64>) -> Self {
                match code {
                    #(#arms)*
                    _ => ErrorKind::Unknown { code, subcode },
                }
            }
        }

        #cfg
        impl crate::types::#ty {
            #[doc = #ty_doc]
            pub fn kind(&self) -> ErrorKind {
                ErrorKind::from_code(#code, #subcode)
            }
        }
    })
}
