//! The error kind table: `ErrorKind`, and `kind()` plus a one-line `Display`
//! on every type that carries an error code.

use proc_macro2::TokenStream;
use quote::quote;

use super::features::Plan;
use super::types::ident;
use crate::ir::{ErrorCarrier, ErrorTable, FieldPath, Ty};

/// The body of a private method returning `Option<...>` of the member at
/// `path`: integers as `i64`, strings as `&str`.
fn read(path: &FieldPath) -> TokenStream {
    let mut steps = vec![quote!(let v = self;)];
    for s in &path.steps {
        let f = ident(&s.rust);
        steps.push(match (s.optional, s.boxed) {
            (false, false) => quote!(let v = &v.#f;),
            (false, true) => quote!(let v = &*v.#f;),
            (true, false) => quote!(let v = v.#f.as_ref()?;),
            (true, true) => quote!(let v = v.#f.as_deref()?;),
        });
    }
    let value = match path.ty {
        Ty::I32 => quote!(Some(i64::from(*v))),
        Ty::I64 => quote!(Some(*v)),
        _ => quote!(Some(v.as_str())),
    };
    quote!(#(#steps)* #value)
}

/// `kind()`, `Display` and the runtime's `ApiError` for one carrier.
fn carrier(c: &ErrorCarrier, cfg: &TokenStream) -> TokenStream {
    let ty = ident(&c.type_name);
    let code = read(&c.code);
    let optional = |p: &Option<FieldPath>| p.as_ref().map_or(quote!(None), read);
    let subcode = optional(&c.subcode);
    let message = optional(&c.message);
    let trace = optional(&c.trace);
    let kind_doc = " What this error means, from its code (see [`ErrorKind`]); a code the table does not know is [`ErrorKind::Unrecognized`], with the code and subcode kept.";
    let display_doc = format!(
        " One line: the message, then the code{}{}.",
        if c.subcode.is_some() { ", subcode" } else { "" },
        if c.trace.is_some() {
            " and trace id"
        } else {
            ""
        },
    );
    quote! {
        #cfg
        impl crate::types::#ty {
            #[doc = #kind_doc]
            pub fn kind(&self) -> ErrorKind {
                ErrorKind::from_code(self.error_code().unwrap_or_default(), self.error_subcode())
            }

            fn error_code(&self) -> Option<i64> {
                #code
            }

            fn error_subcode(&self) -> Option<i64> {
                #subcode
            }

            fn error_message(&self) -> Option<&str> {
                #message
            }

            fn error_trace(&self) -> Option<&str> {
                #trace
            }
        }

        #cfg
        #[doc = #display_doc]
        impl ::std::fmt::Display for crate::types::#ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.error_message().unwrap_or("error"))?;
                write!(f, " (code {}", self.error_code().unwrap_or_default())?;
                if let Some(subcode) = self.error_subcode() {
                    write!(f, ", subcode {subcode}")?;
                }
                if let Some(trace) = self.error_trace() {
                    write!(f, ", trace {trace}")?;
                }
                f.write_str(")")
            }
        }

        #cfg
        impl ::fragment_codegen_runtime::ApiError for crate::types::#ty {
            type Kind = ErrorKind;

            fn error_kind(&self) -> Option<ErrorKind> {
                self.error_code().map(|code| ErrorKind::from_code(code, self.error_subcode()))
            }

            fn kind_of_json(body: &::serde_json::Value) -> Option<ErrorKind> {
                ErrorKind::from_json(body)
            }

            fn kind_of_status(status: u16) -> Option<ErrorKind> {
                ErrorKind::from_status(status)
            }
        }
    }
}

/// The `errors` module.
pub(super) fn error_kinds(table: &ErrorTable, plan: &Plan) -> TokenStream {
    let arms = KindArms::of(table);
    let variants = &arms.variants;
    let source = format!(" Codes from: {}.", table.source);
    let kind_impl = error_kind_impl(table, &arms);
    let carriers = table
        .carriers
        .iter()
        .map(|c| carrier(c, &plan.type_cfg(&c.type_name)));
    quote! {
        /// The kinds of API error callers usually handle differently.
        ///
        #[doc = #source]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            #(#variants)*
            /// A code this version does not classify.
            Unrecognized {
                /// The error code.
                code: i64,
                /// The error subcode, if any.
                subcode: Option<i64>,
            },
        }

        #kind_impl

        /// Classifies errors: `kind()` on the crate's `Error`, `error_kind()`
        /// on the error types that carry a code.
        pub use ::fragment_codegen_runtime::ApiError;

        #(#carriers)*
    }
}

/// The pieces of `ErrorKind` each kind of the table contributes.
#[derive(Default)]
struct KindArms {
    /// The variants, documented.
    variants: Vec<TokenStream>,
    /// The arms of `from_code`.
    codes: Vec<TokenStream>,
    /// The arms of `from_status`.
    statuses: Vec<TokenStream>,
    /// The kinds `is_rate_limit` matches.
    rate_limited: Vec<TokenStream>,
    /// The kinds `is_transient` matches.
    transient: Vec<TokenStream>,
}

impl KindArms {
    fn of(table: &ErrorTable) -> Self {
        let mut arms = KindArms::default();
        for k in &table.kinds {
            let name = ident(&k.name);
            let doc = kind_doc(k);
            arms.variants.push(quote!(#[doc = #doc] #name,));
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
                arms.codes.push(quote!(#(#patterns)|* => ErrorKind::#name,));
            }
            if !k.statuses.is_empty() {
                let statuses = k
                    .statuses
                    .iter()
                    .map(|s| proc_macro2::Literal::u16_unsuffixed(*s));
                arms.statuses
                    .push(quote!(#(#statuses)|* => Some(ErrorKind::#name),));
            }
            if k.rate_limit {
                arms.rate_limited.push(quote!(ErrorKind::#name));
            }
            if k.transient {
                arms.transient.push(quote!(ErrorKind::#name));
            }
        }
        arms
    }
}

/// A kind's documentation: its text, its codes and the statuses it stands
/// for without a code.
fn kind_doc(k: &crate::config::ErrorKind) -> String {
    let mut doc = format!(" {}", k.doc);
    let mut codes: Vec<String> = k.codes.iter().map(i64::to_string).collect();
    codes.extend(k.ranges.iter().map(|[a, b]| format!("{a}–{b}")));
    if !codes.is_empty() {
        doc.push_str(&format!(" Codes: {}.", codes.join(", ")));
    }
    if !k.statuses.is_empty() {
        let statuses: Vec<String> = k.statuses.iter().map(u16::to_string).collect();
        doc.push_str(&format!(
            " Also HTTP {} without a code.",
            statuses.join(", ")
        ));
    }
    doc
}

/// `impl ErrorKind`: classifying codes, statuses and JSON bodies.
fn error_kind_impl(table: &ErrorTable, arms: &KindArms) -> TokenStream {
    let matches_any = |kinds: &[TokenStream]| {
        if kinds.is_empty() {
            quote!(false)
        } else {
            quote!(matches!(self, #(#kinds)|*))
        }
    };
    let is_rate_limit = matches_any(&arms.rate_limited);
    let is_transient = matches_any(&arms.transient);
    let code_arms = &arms.codes;
    let status_arms = &arms.statuses;
    let pointers: Vec<(String, String)> = table
        .carriers
        .iter()
        .map(|c| {
            (
                c.code.pointer(),
                c.subcode
                    .as_ref()
                    .map(FieldPath::pointer)
                    .unwrap_or_default(),
            )
        })
        .collect();
    let code_pointers: Vec<&String> = pointers.iter().map(|(c, _)| c).collect();
    let subcode_pointers: Vec<&String> = pointers.iter().map(|(_, s)| s).collect();
    quote! {
        impl ErrorKind {
            /// The kind of an error code (the subcode is kept for `Unrecognized`).
            pub fn from_code(code: i64, subcode: Option<i64>) -> Self {
                match code {
                    #(#code_arms)*
                    _ => ErrorKind::Unrecognized { code, subcode },
                }
            }

            /// The kind an HTTP status means when the body carries no code
            /// (a bare `429`), if any.
            pub fn from_status(status: u16) -> Option<Self> {
                match status {
                    #(#status_arms)*
                    _ => None,
                }
            }

            /// The request was refused for its rate, not processed: the
            /// default retry policy retries it for every method.
            pub fn is_rate_limit(&self) -> bool {
                #is_rate_limit
            }

            /// A temporary problem on the API's side: the default retry
            /// policy retries it for idempotent methods.
            pub fn is_transient(&self) -> bool {
                #is_transient
            }

            /// Trying again later may succeed: a rate limit or a transient
            /// problem (what the default retry policy retries, for some or all
            /// methods).
            pub fn is_retryable(&self) -> bool {
                self.is_rate_limit() || self.is_transient()
            }

            /// The kind of a JSON error body, by the code at the first of the
            /// configured places that holds one.
            pub fn from_json(body: &::serde_json::Value) -> Option<Self> {
                const PLACES: &[(&str, &str)] = &[#((#code_pointers, #subcode_pointers)),*];
                PLACES.iter().find_map(|(code, subcode)| {
                    let code = body.pointer(code)?.as_i64()?;
                    let subcode = body.pointer(subcode).and_then(::serde_json::Value::as_i64);
                    Some(ErrorKind::from_code(code, subcode))
                })
            }
        }
    }
}
