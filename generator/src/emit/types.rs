//! Schema types: structs, open string enums and aliases.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use syn::parse::Parser;

use super::docs;
use crate::ir::{
    Api, ChoiceDef, EnumDef, Extra, Field, FromImpl, JsonKind, NewArg, StatusMatch, StructDef,
    TaggedDef, Ty, TypeDef, TypeKind, UntaggedDef,
};

/// Every type, formatted, in name order. Types are generated and formatted
/// in contiguous chunks on separate threads and joined in order; formatting
/// item by item gives the same bytes as formatting one file (prettyplease
/// lays out each item on its own), so the output does not depend on the
/// number of threads.
pub(super) fn emit_formatted(
    api: &Api,
    plan: &super::features::Plan,
) -> crate::error::Result<Vec<(String, String)>> {
    let defs: Vec<&TypeDef> = api.types.values().collect();
    let texts = crate::parallel::map(&defs, |def| formatted(api, plan, def));
    defs.iter()
        .zip(texts)
        .map(|(def, text)| {
            let text = text.unwrap_or_else(|| {
                Err(crate::error::Error::Emit {
                    item: def.name.clone(),
                    message: "the formatter thread panicked".into(),
                })
            })?;
            Ok((def.name.clone(), text))
        })
        .collect()
}

/// One type's items, behind its feature `cfg`, formatted.
fn formatted(
    api: &Api,
    plan: &super::features::Plan,
    def: &TypeDef,
) -> crate::error::Result<String> {
    let emit_err = |e: syn::Error| crate::error::Error::Emit {
        item: def.name.clone(),
        message: e.to_string(),
    };
    let mut file: syn::File = syn::parse2(type_def(api, def)).map_err(emit_err)?;
    let cfg = plan.type_cfg(&def.name);
    if !cfg.is_empty() {
        let attrs = syn::Attribute::parse_outer.parse2(cfg).map_err(emit_err)?;
        for item in &mut file.items {
            if let Some(item_attrs) = item_attrs(item) {
                item_attrs.splice(0..0, attrs.iter().cloned());
            }
        }
    }
    Ok(prettyplease::unparse(&file))
}

/// The attributes of an item, for the kinds a type's code consists of.
fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    match item {
        syn::Item::Struct(i) => Some(&mut i.attrs),
        syn::Item::Enum(i) => Some(&mut i.attrs),
        syn::Item::Impl(i) => Some(&mut i.attrs),
        syn::Item::Type(i) => Some(&mut i.attrs),
        syn::Item::Const(i) => Some(&mut i.attrs),
        syn::Item::Fn(i) => Some(&mut i.attrs),
        syn::Item::Mod(i) => Some(&mut i.attrs),
        _ => None,
    }
}

fn type_def(api: &Api, def: &TypeDef) -> TokenStream {
    let mut out = match &def.kind {
        TypeKind::Struct(s) => struct_def(def, s),
        TypeKind::Enum(e) => enum_def(def, e),
        TypeKind::Alias(t) => alias_def(def, t),
        TypeKind::Tagged(t) => tagged_def(api, def, t),
        TypeKind::Untagged(u) => untagged_def(def, u),
        TypeKind::Choice(c) => choice_def(def, c),
        TypeKind::ByStatus(b) => by_status_def(def, b),
    };
    out.extend(conversions(def));
    // Enums have their own `Display`; aliases are other types.
    if def.json_display
        && !matches!(
            def.kind,
            TypeKind::Enum(_) | TypeKind::Alias(_) | TypeKind::ByStatus(_)
        )
    {
        let name = ident(&def.name);
        out.extend(quote! {
            /// The error body as compact JSON, on one line.
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match ::serde_json::to_string(self) {
                        Ok(text) => f.write_str(&text),
                        Err(_) => f.write_str("(an error body that does not encode)"),
                    }
                }
            }
        });
    }
    out
}

/// An identifier for a generated name.
pub(super) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type for `ty`; `prefix` qualifies named types (`types::`) when
/// used outside the `types` module.
pub(super) fn rust_ty(ty: &Ty, prefix: &TokenStream) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F64 => quote!(f64),
        Ty::Bool => quote!(bool),
        Ty::Json => quote!(::serde_json::Value),
        Ty::JsonObject => quote!(::serde_json::Map<String, ::serde_json::Value>),
        Ty::Bytes => quote!(crate::FilePart),
        Ty::Array(t) => {
            let t = rust_ty(t, prefix);
            quote!(Vec<#t>)
        }
        Ty::Item(t) => {
            let t = rust_ty(t, prefix);
            quote!(crate::Item<#t>)
        }
        Ty::Map(t) => {
            let t = rust_ty(t, prefix);
            quote!(::std::collections::BTreeMap<String, #t>)
        }
        Ty::Named(n) => {
            let n = ident(n);
            quote!(#prefix #n)
        }
        Ty::Extern(t) => {
            let (lib, name) = (ident(&t.lib), ident(&t.name));
            quote!(::#lib::types::#name)
        }
    }
}

/// The type of a parameter that takes a value of `ty`: strings and named
/// types (this crate's or another's) as `impl Into<T>`, with `true` when the
/// value needs `.into()`; anything else as itself.
pub(super) fn param_ty(ty: &Ty, prefix: &TokenStream) -> (TokenStream, bool) {
    match ty {
        Ty::String | Ty::Named(_) | Ty::Extern(_) => {
            let t = rust_ty(ty, prefix);
            (quote!(impl Into<#t>), true)
        }
        t => (rust_ty(t, prefix), false),
    }
}

fn source_note(def: &TypeDef) -> String {
    let mut note = format!("Schema `{}`", def.original);
    match def.sources.len() {
        0 => {}
        1 => note.push_str(&format!(", from `{}`.", def.sources[0])),
        n => note.push_str(&format!(
            ", merged from {n} identical definitions (first: `{}`).",
            def.sources[0]
        )),
    }
    note
}

fn type_doc(def: &TypeDef) -> TokenStream {
    let text = match def.doc.as_deref() {
        Some(d) => format!("{d}\n\n{}", source_note(def)),
        None => source_note(def),
    };
    docs::outer(&text)
}

fn field_ty(f: &Field) -> TokenStream {
    let inner = rust_ty(&f.ty, &quote!());
    let inner = if f.boxed { quote!(Box<#inner>) } else { inner };
    if f.double_option() {
        quote!(Option<Option<#inner>>)
    } else if f.optional() {
        quote!(Option<#inner>)
    } else {
        inner
    }
}

fn struct_def(def: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let mut fields = Vec::new();
    for f in &s.fields {
        let rust = ident(&f.rust);
        let ty = field_ty(f);
        let fallback = match &f.constant {
            Some(c) => format!("Always `{c}`; filled in by default."),
            None => format!("The `{}` member.", f.wire),
        };
        let fdoc = docs::or(f.doc.as_deref(), &fallback);
        // Serialisation attributes only: decoding is the visitor below.
        let mut serde_args = Vec::new();
        if f.rust != f.wire {
            let wire = &f.wire;
            serde_args.push(quote!(rename = #wire));
        }
        if f.double_option() {
            serde_args.push(quote!(
                skip_serializing_if = "Option::is_none",
                serialize_with = "::fragment_codegen_runtime::__private::nullable::serialize"
            ));
        } else if f.optional()
            && !(f.required && f.nullable)
            && !(f.constant.is_some() && f.required)
        {
            serde_args.push(quote!(skip_serializing_if = "Option::is_none"));
        }
        let serde_attr = if serde_args.is_empty() {
            quote!()
        } else {
            quote!(#[serde(#(#serde_args),*)])
        };
        fields.push(quote! { #fdoc #serde_attr pub #rust: #ty, });
    }
    match &s.extra {
        Extra::Keep(n) => {
            let n = ident(n);
            fields.push(quote! {
                /// Members the schema does not list, kept as received (the live
                /// API sends more than it documents).
                #[serde(flatten, skip_serializing_if = "::serde_json::Map::is_empty")]
                pub #n: ::serde_json::Map<String, ::serde_json::Value>,
            });
        }
        Extra::Typed(n, t) => {
            let n = ident(n);
            let t = rust_ty(t, &quote!());
            fields.push(quote! {
                /// Members beyond the listed ones (`additionalProperties`).
                #[serde(flatten, skip_serializing_if = "::std::collections::BTreeMap::is_empty")]
                pub #n: ::std::collections::BTreeMap<String, #t>,
            });
        }
    }

    let args = s.new_args();
    let derive_default = args.is_empty();
    let params = new_params(&args);
    let chosen = choice_assignments(s);
    let inits = s.fields.iter().map(|f| {
        let rust = ident(&f.rust);
        if s.choices.iter().any(|c| c.fields.contains(&f.rust)) {
            quote!(#rust)
        } else if f.optional() {
            quote!(#rust: None)
        } else if f.constant.is_some() {
            quote!(#rust: Default::default())
        } else {
            match (param_ty(&f.ty, &quote!()).1, f.boxed) {
                (true, true) => quote!(#rust: Box::new(#rust.into())),
                (true, false) => quote!(#rust: #rust.into()),
                (false, true) => quote!(#rust: Box::new(#rust)),
                (false, false) => quote!(#rust),
            }
        }
    });
    let extra_init = match &s.extra {
        Extra::Keep(n) | Extra::Typed(n, _) => {
            let n = ident(n);
            quote!(#n: Default::default(),)
        }
    };
    let allow = if args.len() > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };
    let derives = if derive_default {
        quote!(#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, ::serde::Serialize)])
    };
    let deserialize = struct_deserialize(def, s);
    let setters = struct_setters(s);
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #deserialize

        impl #name {
            /// Creates a value from its required fields; optional fields start
            /// empty and constant fields hold their value.
            #allow
            pub fn new(#(#params),*) -> Self {
                #chosen
                Self { #(#inits,)* #extra_init }
            }

            #setters
        }
    }
}

/// The builder-style setters `lower` named (see `Field::setter`).
fn struct_setters(s: &StructDef) -> TokenStream {
    let mut out = TokenStream::new();
    for f in &s.fields {
        let Some(setter) = &f.setter else { continue };
        let setter = ident(setter);
        let field = ident(&f.rust);
        let (param, value) = match param_ty(&f.ty, &quote!()) {
            (param, true) => (param, quote!(value.into())),
            (param, false) => (param, quote!(value)),
        };
        let value = if f.boxed {
            quote!(Box::new(#value))
        } else {
            value
        };
        let value = if f.double_option() {
            quote!(Some(Some(#value)))
        } else {
            quote!(Some(#value))
        };
        let doc = format!(" Sets `{}`.", f.wire);
        out.extend(quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: #param) -> Self {
                self.#field = #value;
                self
            }
        });
    }
    out
}

/// `Deserialize` for a struct: a visitor that matches the listed members by
/// name and collects the others into the `extra` map as it goes, instead of
/// serde's `flatten` (which buffers the whole object first). Missing
/// optional members are `None`; a missing required one is an error naming
/// it, unless it is a constant (which then holds its value).
fn struct_deserialize(def: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let expecting = format!("an object `{}`", def.name);
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    for (i, f) in s.fields.iter().enumerate() {
        let slot = ident(&format!("field_{i}"));
        let rust = ident(&f.rust);
        let wire = &f.wire;
        let inner = rust_ty(&f.ty, &quote!());
        let inner = if f.boxed { quote!(Box<#inner>) } else { inner };
        let lenient = f.lenient;
        // What one member decodes into, as the field holds it.
        let read = if f.double_option() {
            quote!(Some(map.next_value::<Option<#inner>>()?))
        } else if f.optional() {
            if lenient {
                quote!(map.next_value::<Option<rt::Lenient<#inner>>>()?.map(|l| l.0))
            } else {
                quote!(map.next_value::<Option<#inner>>()?)
            }
        } else if lenient {
            quote!(Some(map.next_value::<rt::Lenient<#inner>>()?.0))
        } else {
            quote!(Some(map.next_value::<#inner>()?))
        };
        let slot_ty = if f.double_option() {
            quote!(Option<Option<#inner>>)
        } else {
            quote!(Option<#inner>)
        };
        slots.push(quote!(let mut #slot: #slot_ty = None;));
        arms.push(quote!(#wire => #slot = #read,));
        inits.push(if f.optional() {
            quote!(#rust: #slot)
        } else if f.constant.is_some() {
            quote!(#rust: #slot.unwrap_or_default())
        } else {
            quote!(#rust: #slot.ok_or_else(|| __A::Error::missing_field(#wire))?)
        });
    }
    let (extra_name, extra_ty) = match &s.extra {
        Extra::Keep(n) => (
            ident(n),
            quote!(::serde_json::Map<String, ::serde_json::Value>),
        ),
        Extra::Typed(n, t) => {
            let t = rust_ty(t, &quote!());
            (ident(n), quote!(::std::collections::BTreeMap<String, #t>))
        }
    };
    let uses_error = s
        .fields
        .iter()
        .any(|f| !f.optional() && f.constant.is_none());
    let error_import = if uses_error {
        quote!(
            use ::serde::de::Error as _;
        )
    } else {
        quote!()
    };
    quote! {
        impl rt::decode::FromEntries for #name {
            fn from_entries<'de, __A: ::serde::de::MapAccess<'de>>(
                mut map: rt::decode::Entries<'de, __A>,
            ) -> Result<Self, __A::Error> {
                #error_import
                #(#slots)*
                let mut #extra_name = <#extra_ty>::new();
                while let Some(key) = map.next_key()? {
                    match key.as_str() {
                        #(#arms)*
                        _ => {
                            #extra_name.insert(key.into_string(), map.next_value()?);
                        }
                    }
                }
                Ok(Self { #(#inits,)* #extra_name })
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                rt::decode::object(deserializer, #expecting)
            }
        }
    }
}

fn enum_def(def: &TypeDef, e: &EnumDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let unknown = ident(&e.unknown);
    let variants: Vec<Ident> = e.variants.iter().map(|v| ident(&v.rust)).collect();
    let wires: Vec<&String> = e.variants.iter().map(|v| &v.wire).collect();
    let variant_docs: Vec<String> = wires.iter().map(|w| format!(" `{w}`")).collect();
    // A one-value enum is a constant: its value is the default.
    let (derive_default, default_attr) = if e.variants.len() == 1 {
        (quote!(Default,), quote!(#[default]))
    } else {
        (quote!(), quote!())
    };
    let variant_items = variants
        .iter()
        .zip(&variant_docs)
        .enumerate()
        .map(|(i, (v, d))| {
            let attr = if i == 0 {
                default_attr.clone()
            } else {
                quote!()
            };
            quote!(#[doc = #d] #attr #v,)
        });
    // An unlisted value converts into the catch-all variant.
    let from = if def.from.contains(&FromImpl::Str) {
        quote! {
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#variants, )*
                    other => Self::#unknown(other.to_string()),
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #( #wires => Self::#variants, )*
                    _ => Self::#unknown(value),
                }
            }
        }
        }
    } else {
        quote!()
    };
    quote! {
        #doc
        ///
        /// Values this version does not know decode into the catch-all
        /// variant instead of failing, and serialise back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, #derive_default)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_items)*
            /// A value not listed in the spec, kept as received.
            #unknown(String),
        }

        impl #name {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wires, )*
                    Self::#unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #from

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                let value = <rt::decode::Key<'de> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(match value.as_str() {
                    #( #wires => Self::#variants, )*
                    _ => Self::#unknown(value.into_string()),
                })
            }
        }

    }
}

fn alias_def(def: &TypeDef, t: &Ty) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let t = rust_ty(t, &quote!());
    quote! {
        #doc
        pub type #name = #t;
    }
}

/// The conversions `lower::members` planned (see `TypeDef::from`); an
/// enum's string conversions are printed with it (`enum_def`).
fn conversions(def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    let mut out = TokenStream::new();
    for from in &def.from {
        out.extend(match (from, &def.kind) {
            (FromImpl::Str, TypeKind::Struct(_)) => quote! {
                impl From<&str> for #name {
                    fn from(value: &str) -> Self {
                        Self::new(value)
                    }
                }

                impl From<String> for #name {
                    fn from(value: String) -> Self {
                        Self::new(value)
                    }
                }
            },
            (FromImpl::Str | FromImpl::StrRef, TypeKind::Choice(c)) => {
                choice_from(&name, c, from == &FromImpl::StrRef)
            }
            (FromImpl::Variant(i), TypeKind::Tagged(t)) => {
                let v = &t.variants[*i];
                variant_from(&name, &v.rust, &v.ty, v.boxed)
            }
            (FromImpl::Variant(i), TypeKind::Untagged(u)) => {
                let v = &u.variants[*i];
                variant_from(&name, &v.rust, &v.ty, v.boxed)
            }
            (FromImpl::StrVariant(i), TypeKind::Untagged(u)) => {
                let v = ident(&u.variants[*i].rust);
                quote! {
                    impl From<&str> for #name {
                        fn from(value: &str) -> Self {
                            Self::#v(value.to_string())
                        }
                    }
                }
            }
            _ => quote!(),
        });
    }
    out
}

/// `From` a string for a choice whose first member is a string
/// (`Message::text("+1555…", body)` sends `to`); `by_ref` converts a
/// `&String`.
fn choice_from(name: &Ident, c: &ChoiceDef, by_ref: bool) -> TokenStream {
    let Some(first) = c.variants.first() else {
        return quote!();
    };
    let rust = ident(&first.rust);
    let doc = format!(" A string sends `{}`.", first.wire);
    if by_ref {
        return quote! {
            #[doc = #doc]
            impl From<&String> for #name {
                fn from(value: &String) -> Self {
                    Self::#rust(value.clone())
                }
            }
        };
    }
    quote! {
        #[doc = #doc]
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::#rust(value.to_string())
            }
        }

        #[doc = #doc]
        impl From<String> for #name {
            fn from(value: String) -> Self {
                Self::#rust(value)
            }
        }
    }
}

/// `impl From<Payload> for Union` for a variant whose payload type no other
/// variant carries, so `Message::from(text_message)` and `.into()` work.
fn variant_from(name: &Ident, variant: &str, ty: &Ty, boxed: bool) -> TokenStream {
    let v = ident(variant);
    let t = rust_ty(ty, &quote!());
    let value = if boxed {
        quote!(Box::new(value))
    } else {
        quote!(value)
    };
    quote! {
        impl From<#t> for #name {
            fn from(value: #t) -> Self {
                Self::#v(#value)
            }
        }
    }
}

fn payload_ty(ty: &Ty, boxed: bool) -> TokenStream {
    let t = rust_ty(ty, &quote!());
    if boxed { quote!(Box<#t>) } else { t }
}

/// An accessor per shared field (see `TaggedDef::shared`), and the `with_`
/// setters `lower::members` named.
fn shared_methods(t: &TaggedDef) -> TokenStream {
    let mut out = TokenStream::new();
    let unknown = ident(&t.unknown);
    for f in &t.shared {
        let field = ident(&f.rust);
        let wire = &f.wire;
        let what = f.doc.as_deref().map(str::trim).filter(|d| !d.is_empty());
        // The return type, the value in a known variant (bound to `v`), and
        // the value read from an unknown variant's JSON (bound to `value`).
        // A primitive every kind requires is returned as it is: decoding an
        // unknown kind checks that its JSON value has it (see
        // `required_shared_checks`), so only a hand-built catch-all value
        // can lack it (and then gives the empty value).
        let plain = !f.optional;
        let (ret, known, raw) = match &f.ty {
            Ty::String if plain => (
                quote!(&str),
                quote!(v.#field.as_str()),
                Some(
                    quote!(value.get(#wire).and_then(::serde_json::Value::as_str).unwrap_or_default()),
                ),
            ),
            Ty::String => (
                quote!(Option<&str>),
                quote!(v.#field.as_deref()),
                Some(quote!(value.get(#wire).and_then(::serde_json::Value::as_str))),
            ),
            t @ (Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool) => {
                let rt = rust_ty(t, &quote!());
                let raw = match t {
                    Ty::I64 => quote!(value.get(#wire).and_then(::serde_json::Value::as_i64)),
                    Ty::I32 => {
                        quote!(value.get(#wire).and_then(::serde_json::Value::as_i64).and_then(|n| i32::try_from(n).ok()))
                    }
                    Ty::F64 => quote!(value.get(#wire).and_then(::serde_json::Value::as_f64)),
                    _ => quote!(value.get(#wire).and_then(::serde_json::Value::as_bool)),
                };
                if plain {
                    (rt, quote!(v.#field), Some(quote!(#raw.unwrap_or_default())))
                } else {
                    (quote!(Option<#rt>), quote!(v.#field), Some(raw))
                }
            }
            Ty::Array(item) => {
                let it = rust_ty(item, &quote!());
                let known = if f.optional {
                    quote!(v.#field.as_deref())
                } else {
                    quote!(Some(v.#field.as_slice()))
                };
                (quote!(Option<&[#it]>), known, None)
            }
            other => {
                let rt = rust_ty(other, &quote!());
                let known = if f.optional {
                    quote!(v.#field.as_ref())
                } else {
                    quote!(Some(&v.#field))
                };
                (quote!(Option<&#rt>), known, None)
            }
        };
        let arms = t.variants.iter().map(|v| {
            let rust = ident(&v.rust);
            quote!(Self::#rust(v) => #known,)
        });
        let raw_note = match (&raw, plain && is_primitive(&f.ty)) {
            (Some(_), true) => {
                "for a kind this version does not know, read from its JSON value (decoding checks it is there)"
            }
            (Some(_), false) => "for a kind this version does not know, read from its JSON value",
            (None, _) => "`None` for a kind this version does not know",
        };
        let doc = docs::outer(&match what {
            Some(w) => format!("{w}\n\nThe `{wire}` member, which every kind has; {raw_note}."),
            None => format!("The `{wire}` member, which every kind has; {raw_note}."),
        });
        let raw_arm = match raw {
            Some(raw) => quote!(Self::#unknown { value, .. } => #raw,),
            None => quote!(Self::#unknown { .. } => None,),
        };
        let accessor = ident(&f.accessor);
        out.extend(quote! {
            #doc
            pub fn #accessor(&self) -> #ret {
                match self {
                    #(#arms)*
                    #raw_arm
                }
            }
        });
        let Some(setter) = &f.setter else {
            continue;
        };
        let setter = ident(setter);
        let (param, convert) = match param_ty(&f.ty, &quote!()) {
            (param, true) => (param, quote!(.into())),
            (param, false) => (param, quote!()),
        };
        let assign = if f.optional {
            quote!(Some(new_value))
        } else {
            quote!(new_value)
        };
        let set_arms = t.variants.iter().map(|v| {
            let rust = ident(&v.rust);
            quote!(Self::#rust(v) => v.#field = #assign,)
        });
        let doc = format!(
            " Sets the `{wire}` member, whatever the kind (for a kind this version does not know, in its JSON value)."
        );
        out.extend(quote! {
            #[doc = #doc]
            pub fn #setter(mut self, #field: #param) -> Self {
                let new_value = #field #convert;
                match &mut self {
                    #(#set_arms)*
                    Self::#unknown { value, .. } => {
                        if let (Some(members), Ok(encoded)) = (value.as_object_mut(), ::serde_json::to_value(new_value)) {
                            members.insert(#wire.to_string(), encoded);
                        }
                    }
                }
                self
            }
        });
    }
    out
}

fn is_primitive(ty: &Ty) -> bool {
    matches!(ty, Ty::String | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool)
}

/// When a value of an unknown kind is decoded, the primitive members every
/// known kind requires must be in it, with their JSON type, so the shared
/// accessors can return them without an `Option`.
fn required_shared_checks(t: &TaggedDef) -> TokenStream {
    let checks = t
        .shared
        .iter()
        .filter(|f| !f.optional && is_primitive(&f.ty))
        .map(|f| {
            let wire = &f.wire;
            let is = match f.ty {
                Ty::String => quote!(::serde_json::Value::is_string),
                Ty::I32 | Ty::I64 => quote!(::serde_json::Value::is_i64),
                Ty::F64 => quote!(::serde_json::Value::is_number),
                _ => quote!(::serde_json::Value::is_boolean),
            };
            quote! {
                if !value.get(#wire).is_some_and(#is) {
                    return Err(<__A::Error as ::serde::de::Error>::missing_field(#wire));
                }
            }
        });
    quote!(#(#checks)*)
}

fn tagged_def(api: &Api, def: &TypeDef, t: &TaggedDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let shared = shared_methods(t);
    let constructors = variant_constructors(api, t);
    let checks = required_shared_checks(t);
    let scan = if t.scan {
        quote!(
            const SCAN: bool = true;
        )
    } else {
        quote!()
    };
    let commit = if t.commits.is_empty() {
        quote!()
    } else {
        let (keys, tags): (Vec<&String>, Vec<&String>) =
            t.commits.iter().map(|(k, v)| (k, v)).unzip();
        quote! {
            fn commit(key: &str) -> Option<&'static str> {
                match key {
                    #( #keys => Some(#tags), )*
                    _ => None,
                }
            }
        }
    };
    let tag = &t.tag;
    let unknown = ident(&t.unknown);
    let mut variants = Vec::new();
    let mut ser_arms = Vec::new();
    let mut de_arms = Vec::new();
    let mut tag_arms = Vec::new();
    for v in &t.variants {
        let rust = ident(&v.rust);
        let ty = payload_ty(&v.ty, v.boxed);
        let value = &v.tag_value;
        let vdoc = format!(" `{tag}: {value}`.");
        variants.push(quote!(#[doc = #vdoc] #rust(#ty),));
        ser_arms.push(quote!(Self::#rust(v) => (#value, ::serde_json::to_value(v)),));
        // A struct payload reads the rest of the object straight from the
        // input; any other payload decodes from the members as a JSON value.
        let is_struct = match &v.ty {
            Ty::Named(n) => matches!(api.types.get(n).map(|d| &d.kind), Some(TypeKind::Struct(_))),
            _ => false,
        };
        let decoded = if is_struct {
            let payload = rust_ty(&v.ty, &quote!());
            quote!(<#payload as rt::decode::FromEntries>::from_entries(entries)?)
        } else {
            quote!(rt::decode::convert(entries)?)
        };
        let decoded = if v.boxed {
            quote!(Box::new(#decoded))
        } else {
            decoded
        };
        de_arms.push(quote!(#value => Self::#rust(#decoded),));
        tag_arms.push(quote!(Self::#rust(_) => #value,));
    }
    let union_doc = format!(
        " Chosen by the `{tag}` member. Serialising writes `{tag}` exactly once; a value whose `{tag}` this version does not know decodes into [`{n}::{u}`], which keeps it whole.",
        n = def.name,
        u = t.unknown
    );
    let not_object = format!("a `{}` variant must serialise to a JSON object", def.name);
    let expecting = format!("an object `{}` with a `{tag}` member", def.name);
    quote! {
        #doc
        ///
        #[doc = #union_doc]
        #[derive(Debug, Clone, PartialEq)]
        // The variants mirror the API's kinds, whose sizes differ; boxing
        // them would make every match go through a `Box`.
        #[allow(clippy::large_enum_variant)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A tag this version does not know, with the whole value as received.
            #unknown {
                /// The tag value.
                tag: String,
                /// The whole value, tag included.
                value: ::serde_json::Value,
            },
        }

        impl #name {
            #constructors

            /// The tag value of this variant.
            pub fn tag(&self) -> &str {
                match self {
                    #(#tag_arms)*
                    Self::#unknown { tag, .. } => tag.as_str(),
                }
            }

            #shared
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::Error as _;
                let (tag, payload) = match self {
                    #(#ser_arms)*
                    Self::#unknown { value, .. } => return ::serde::Serialize::serialize(value, serializer),
                };
                let mut payload = payload.map_err(S::Error::custom)?;
                let ::serde_json::Value::Object(members) = &mut payload else {
                    return Err(S::Error::custom(#not_object));
                };
                members.insert(#tag.to_string(), ::serde_json::Value::String(tag.to_string()));
                ::serde::Serialize::serialize(&payload, serializer)
            }
        }

        /// Decodes without a detour through `serde_json::Value`: members
        /// before the tag are kept as text, and the variant reads the rest
        /// straight from the input.
        impl rt::decode::FromTagged for #name {
            const TAG: &'static str = #tag;

            #scan

            #commit

            fn from_tagged<'de, __A: ::serde::de::MapAccess<'de>>(
                tag: &str,
                entries: rt::decode::Entries<'de, __A>,
            ) -> Result<Self, __A::Error> {
                Ok(match tag {
                    #(#de_arms)*
                    _ => {
                        let value = entries.into_value()?;
                        #checks
                        Self::#unknown { value, tag: tag.to_string() }
                    }
                })
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                rt::decode::tagged(deserializer, #expecting)
            }
        }
    }
}

fn kind_check(kind: JsonKind, required: &[String], consts: &[(String, String)]) -> TokenStream {
    let (const_keys, const_values): (Vec<&String>, Vec<&String>) =
        consts.iter().map(|(k, v)| (k, v)).unzip();
    let is = |k: &str| {
        let k = ident(k);
        quote!(shape.kind == rt::decode::JsonKind::#k)
    };
    match kind {
        JsonKind::Object => {
            let object = is("Object");
            quote! {
                #object
                    #( && shape.has(#required) )*
                    #( && shape.string(#const_keys) == Some(#const_values) )*
            }
        }
        JsonKind::String => is("String"),
        JsonKind::Integer => is("Integer"),
        JsonKind::Number => quote!(shape.is_number()),
        JsonKind::Boolean => is("Boolean"),
        JsonKind::Array => is("Array"),
        JsonKind::Any => quote!(true),
    }
}

/// An operation's error (or success) bodies by status: the variant is
/// chosen by the answer's status (a code, then its range, then `default`),
/// and its body decodes into the variant's type.
fn by_status_def(def: &TypeDef, b: &crate::ir::ByStatusDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let mut variants = Vec::new();
    let mut display = Vec::new();
    let (mut codes, mut ranges, mut fallback) = (Vec::new(), Vec::new(), None);
    for v in &b.variants {
        let rust = ident(&v.rust);
        let (pattern, text) = status_pattern(v.status);
        let decode = match &v.ty {
            Some(ty) => {
                let payload = payload_ty(ty, v.boxed);
                let vdoc = format!(" The body of an answer with {text}.");
                variants.push(quote!(#[doc = #vdoc] #rust(#payload),));
                display.push(quote!(Self::#rust(v) => match ::serde_json::to_string(v) {
                    Ok(text) => f.write_str(&text),
                    Err(_) => f.write_str("(an error body that does not encode)"),
                },));
                let wrap = if v.boxed {
                    quote!(|v| Self::#rust(Box::new(v)))
                } else {
                    quote!(Self::#rust)
                };
                if b.success {
                    quote!(rt::decode::from_slice(body).map(#wrap))
                } else {
                    quote!(::serde_json::from_slice(body).ok().map(#wrap))
                }
            }
            None => {
                let vdoc = format!(" An answer with {text}, documented without a body.");
                variants.push(quote!(#[doc = #vdoc] #rust,));
                let shown = format!("({text} without a body)");
                display.push(quote!(Self::#rust => f.write_str(#shown),));
                if b.success {
                    quote!(Ok(Self::#rust))
                } else {
                    quote!(Some(Self::#rust))
                }
            }
        };
        match v.status {
            StatusMatch::Code(_) => codes.push(quote!(#pattern => #decode,)),
            StatusMatch::Range(_) => ranges.push(quote!(#pattern => #decode,)),
            StatusMatch::Default => fallback = Some(decode),
        }
    }
    let fallback = fallback.unwrap_or(if b.success {
        quote!(Err(rt::decode::undocumented_status(status)))
    } else {
        quote!(None)
    });
    let arms = quote! {
        // A code inside a documented range comes first, so arms overlap.
        #[allow(unreachable_patterns, clippy::match_overlapping_arm)]
        match status {
            #(#codes)*
            #(#ranges)*
            _ => #fallback,
        }
    };
    let (union_doc, decoding) = if b.success {
        (
            " The success bodies of an operation whose success statuses document different ones: the variant is the answer's status.",
            quote! {
                impl rt::DecodeSuccess for #name {
                    fn decode_success(status: u16, body: &[u8]) -> Result<Self, rt::decode::PathError> {
                        #arms
                    }
                }
            },
        )
    } else {
        (
            " The error bodies of an operation whose statuses document different ones: the variant is the answer's status (the code, else its range, else `default`); a body that does not fit it is kept raw in [`crate::Error::UnexpectedResponse`].",
            quote! {
                impl rt::DecodeError for #name {
                    fn decode_error(status: u16, body: &[u8]) -> Option<Self> {
                        #arms
                    }
                }

                /// The error body as compact JSON, on one line.
                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match self {
                            #(#display)*
                        }
                    }
                }
            },
        )
    };
    quote! {
        #doc
        ///
        #[doc = #union_doc]
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }

        #decoding
    }
}

/// The match pattern of a documented status, and how docs name it.
fn status_pattern(status: StatusMatch) -> (TokenStream, String) {
    match status {
        StatusMatch::Code(c) => {
            let lit = proc_macro2::Literal::u16_unsuffixed(c);
            (quote!(#lit), format!("HTTP {c}"))
        }
        StatusMatch::Range(r) => {
            let lo = proc_macro2::Literal::u16_unsuffixed(r * 100);
            let hi = proc_macro2::Literal::u16_unsuffixed(r * 100 + 99);
            (quote!(#lo..=#hi), format!("HTTP {r}XX"))
        }
        StatusMatch::Default => (quote!(_), "any other status".to_string()),
    }
}

fn untagged_def(def: &TypeDef, u: &UntaggedDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let other = ident(&u.unknown);
    let mut variants = Vec::new();
    let mut ser_arms = Vec::new();
    let mut attempts = Vec::new();
    let mut order = Vec::new();
    for v in &u.variants {
        let rust = ident(&v.rust);
        let ty = payload_ty(&v.ty, v.boxed);
        let vdoc = if v.required.is_empty() {
            format!(" Tried when the value is {}.", kind_name(v.kind))
        } else {
            format!(
                " Tried when the value is {} with `{}`.",
                kind_name(v.kind),
                v.required.join("`, `")
            )
        };
        variants.push(quote!(#[doc = #vdoc] #rust(#ty),));
        ser_arms.push(quote!(Self::#rust(v) => ::serde::Serialize::serialize(v, serializer),));
        let check = kind_check(v.kind, &v.required, &v.consts);
        let wrap = if v.boxed {
            quote!(Self::#rust(Box::new(v)))
        } else {
            quote!(Self::#rust(v))
        };
        attempts.push(quote! {
            if #check {
                if let Some(v) = rt::decode::attempt(&raw) {
                    return Ok(#wrap);
                }
            }
        });
        order.push(format!("`{}`", v.rust));
    }
    let union_doc = format!(
        " One of several shapes, told apart by their required members; decoding tries {} in that order, and keeps a value none accepts in [`{}::{}`].",
        order.join(", "),
        def.name,
        u.unknown
    );
    quote! {
        #doc
        ///
        #[doc = #union_doc]
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value no variant accepts, kept as received.
            #other(::serde_json::Value),
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    Self::#other(v) => ::serde::Serialize::serialize(v, serializer),
                }
            }
        }

        /// Decodes without cloning trees: the value's text is captured
        /// once, scanned for its type and keys, and each variant whose
        /// required keys are there is tried on the text.
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                let raw = <rt::decode::Raw as ::serde::Deserialize>::deserialize(deserializer)?;
                #[allow(unused_variables)]
                let shape = rt::decode::shape(&raw);
                #(#attempts)*
                Ok(Self::#other(rt::decode::value(&raw)?))
            }
        }
    }
}

fn kind_name(kind: JsonKind) -> &'static str {
    match kind {
        JsonKind::Object => "an object",
        JsonKind::String => "a string",
        JsonKind::Integer => "an integer",
        JsonKind::Number => "a number",
        JsonKind::Boolean => "a boolean",
        JsonKind::Array => "an array",
        JsonKind::Any => "anything",
    }
}

/// The parameter list of `new` (strings as `impl Into<String>`).
fn new_params(args: &[NewArg<'_>]) -> Vec<TokenStream> {
    args.iter()
        .map(|arg| {
            let rust = ident(arg.name());
            let f = match arg {
                NewArg::Field(f) => f,
                NewArg::Choice(c) => {
                    let t = ident(&c.ty);
                    return quote!(#rust: impl Into<#t>);
                }
            };
            let (param, _) = param_ty(&f.ty, &quote!());
            quote!(#rust: #param)
        })
        .collect()
}

/// In `new`, the fields of each choice: the chosen one set, the others empty.
fn choice_assignments(s: &StructDef) -> TokenStream {
    let mut out = TokenStream::new();
    for c in &s.choices {
        let arg = ident(&c.arg);
        let ty = ident(&c.ty);
        let fields: Vec<Ident> = c.fields.iter().map(|f| ident(f)).collect();
        let arms = fields.iter().enumerate().map(|(i, _)| {
            let values = fields.iter().enumerate().map(|(j, _)| {
                if i == j {
                    quote!(Some(value))
                } else {
                    quote!(None)
                }
            });
            let variant = ident(&c.variants[i]);
            quote!(#ty::#variant(value) => (#(#values),*),)
        });
        out.extend(quote! {
            let (#(#fields),*) = match #arg.into() {
                #(#arms)*
            };
        });
    }
    out
}

/// A choice type: one variant per member.
fn choice_def(def: &TypeDef, c: &ChoiceDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    let variants = c.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let ty = rust_ty(&v.ty, &quote!());
        let vdoc = format!(" Sends `{}`.", v.wire);
        quote!(#[doc = #vdoc] #rust(#ty),)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }
    }
}

/// One constructor per variant of a tagged union whose payload is a struct:
/// `Message::text(to, text)` is `Message::Text(TextMessage::new(to, text))`.
fn variant_constructors(api: &Api, t: &TaggedDef) -> TokenStream {
    let mut out = TokenStream::new();
    for c in &t.constructors {
        let v = &t.variants[c.variant];
        let Ty::Named(payload) = &v.ty else { continue };
        let Some(TypeKind::Struct(s)) = api.types.get(payload).map(|d| &d.kind) else {
            continue;
        };
        let args = s.new_args();
        let params = new_params(&args);
        let names: Vec<Ident> = args.iter().map(|a| ident(a.name())).collect();
        let variant = ident(&v.rust);
        let payload_ident = ident(payload);
        let doc = format!(
            " The `{}` kind: [`{payload}::new`] with these fields, optional ones empty.",
            v.tag_value
        );
        let value = if v.boxed {
            quote!(Box::new(#payload_ident::new(#(#names),*)))
        } else {
            quote!(#payload_ident::new(#(#names),*))
        };
        let fn_name = ident(&c.name);
        let allow = if args.len() > 7 {
            quote!(#[allow(clippy::too_many_arguments)])
        } else {
            quote!()
        };
        out.extend(quote! {
            #[doc = #doc]
            #allow
            pub fn #fn_name(#(#params),*) -> Self {
                Self::#variant(#value)
            }
        });
    }
    out
}
