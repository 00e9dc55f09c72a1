//! The client, its builder, and one request builder per operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::features::Plan;
use super::types::{ident, rust_ty};
use super::{Items, docs};
use crate::ir::{
    Api, Auth, BodyMedia, FlatField, Operation, Param, ParamLocation, PathPart, ResponseContent,
    StatusMatch, Ty,
};

pub(super) fn emit(api: &Api, plan: &Plan, items: &mut Items) {
    items.insert(("client".into(), "Client".into()), client(api, plan));
    for op in &api.operations {
        let cfg = plan.operation_cfg(&op.operation_id);
        items.insert(
            ("operations".into(), op.builder.clone()),
            builder(api, op, &cfg),
        );
    }
}

fn types_prefix() -> TokenStream {
    quote!(crate::types::)
}

/// The argument type a caller passes for a parameter.
fn arg_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(impl Into<String>),
        t => rust_ty(t, &types_prefix()),
    }
}

fn arg_value(name: &proc_macro2::Ident, ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(#name.into()),
        _ => quote!(#name),
    }
}

fn client(api: &Api, plan: &Plan) -> TokenStream {
    let t = &api.target;
    let base_url = &t.base_url;
    let (cred_name, cred_doc, authorize) = match &t.auth {
        Auth::Bearer => (
            ident("token"),
            "The access token, sent as `Authorization: Bearer <token>`.",
            quote!(request.bearer_auth(self.credentials.expose())),
        ),
        Auth::ApiKeyHeader { header } => (
            ident("api_key"),
            "The API key, sent in the `{header}` header.",
            quote! {
                match ::reqwest::header::HeaderValue::from_str(self.credentials.expose()) {
                    Ok(mut value) => {
                        value.set_sensitive(true);
                        request.header(#header, value)
                    }
                    // An API key that is not a valid header value cannot be sent;
                    // the request then fails with an authorization error.
                    Err(_) => request,
                }
            },
        ),
    };
    let cred_doc = match &t.auth {
        Auth::ApiKeyHeader { header } => format!(" {}", cred_doc.replace("{header}", header)),
        Auth::Bearer => format!(" {cred_doc}"),
    };
    let param_fields: Vec<_> = t.client_params.iter().map(|p| ident(&p.rust)).collect();
    let param_defaults: Vec<_> = t.client_params.iter().map(|p| p.default.clone()).collect();
    let param_getter_docs: Vec<_> = t
        .client_params
        .iter()
        .map(|p| format!(" The value used for `{{{}}}` in request paths.", p.wire))
        .collect();
    let param_setter_docs: Vec<_> = t
        .client_params
        .iter()
        .map(|p| {
            let d = p.doc.clone().unwrap_or_else(|| {
                format!("Sets the value used for `{{{}}}` in request paths.", p.wire)
            });
            format!(" {d} Default: `{}`.", p.default)
        })
        .collect();
    let methods = api
        .operations
        .iter()
        .map(|op| client_method(api, op, &plan.operation_cfg(&op.operation_id)));
    let literals = |codes: Vec<i64>| -> Vec<proc_macro2::Literal> {
        codes
            .into_iter()
            .map(proc_macro2::Literal::i64_unsuffixed)
            .collect()
    };
    let rate_limit_codes = literals(
        t.errors
            .as_ref()
            .map(|e| e.rate_limit_codes())
            .unwrap_or_default(),
    );
    let transient_codes = literals(
        t.errors
            .as_ref()
            .map(|e| e.transient_codes())
            .unwrap_or_default(),
    );
    // With only some areas enabled, the request helpers may go unused.
    let dead_ok = if plan.features.is_empty() {
        quote!()
    } else {
        quote!(#[allow(dead_code)])
    };
    quote! {
        /// The default base URL.
        pub const DEFAULT_BASE_URL: &str = #base_url;

        /// Error codes that mean "rate limited, try later": calls refused with
        /// one of these are retried by the default [`RetryPolicy`](crate::RetryPolicy).
        pub const RATE_LIMIT_CODES: &[i64] = &[#(#rate_limit_codes),*];

        /// Error codes that mean "a temporary problem on the API's side": calls
        /// refused with one of these are retried by the default
        /// [`RetryPolicy`](crate::RetryPolicy) for idempotent methods, as are
        /// errors marked `is_transient`.
        pub const TRANSIENT_CODES: &[i64] = &[#(#transient_codes),*];

        /// How long connecting may take by default.
        pub const DEFAULT_CONNECT_TIMEOUT: ::std::time::Duration = ::std::time::Duration::from_secs(10);

        /// How long a whole call may take by default: every attempt, the waits
        /// between them and reading the body.
        pub const DEFAULT_TIMEOUT: ::std::time::Duration = ::std::time::Duration::from_secs(60);

        /// How long one attempt may take by default (reading its body included).
        pub const DEFAULT_ATTEMPT_TIMEOUT: ::std::time::Duration = ::std::time::Duration::from_secs(30);

        /// The largest JSON, text or error body read by default (16 MiB); a
        /// larger one is [`Error::BodyTooLarge`](crate::Error::BodyTooLarge).
        pub const DEFAULT_MAX_BODY_SIZE: u64 = 16 << 20;

        /// The largest binary body (a download) read into memory by default
        /// (128 MiB); `send_streaming` reads any size chunk by chunk.
        pub const DEFAULT_MAX_DOWNLOAD_SIZE: u64 = 128 << 20;

        /// The API client: cheap to clone, holds one connection pool.
        ///
        /// Its `Debug` output never shows the credentials.
        #[derive(Clone)]
        pub struct Client {
            http: ::reqwest::Client,
            base_url: String,
            credentials: crate::runtime::Secret,
            retry: crate::RetryPolicy,
            hooks: crate::runtime::Hooks,
            limits: Limits,
            #( #param_fields: String, )*
        }

        /// The client's timeouts and body limits.
        #[derive(Debug, Clone, Copy)]
        struct Limits {
            timeout: ::std::time::Duration,
            attempt_timeout: ::std::time::Duration,
            connect_timeout: ::std::time::Duration,
            max_body_size: u64,
            max_download_size: u64,
        }

        impl Default for Limits {
            fn default() -> Self {
                Limits {
                    timeout: DEFAULT_TIMEOUT,
                    attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
                    connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                    max_body_size: DEFAULT_MAX_BODY_SIZE,
                    max_download_size: DEFAULT_MAX_DOWNLOAD_SIZE,
                }
            }
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Client")
                    .field("base_url", &self.base_url)
                    .field("credentials", &self.credentials)
                    .field("retry", &self.retry)
                    .field("hooks", &self.hooks)
                    .field("limits", &self.limits)
                    #( .field(stringify!(#param_fields), &self.#param_fields) )*
                    .finish_non_exhaustive()
            }
        }

        impl Client {
            /// Creates a client with the default base URL and settings.
            pub fn new(#cred_name: impl Into<String>) -> Result<Self, crate::BuildError> {
                Self::builder(#cred_name).build()
            }

            /// Starts configuring a client.
            ///
            #[doc = #cred_doc]
            pub fn builder(#cred_name: impl Into<String>) -> ClientBuilder {
                ClientBuilder {
                    credentials: crate::runtime::Secret::new(#cred_name.into()),
                    base_url: DEFAULT_BASE_URL.to_string(),
                    http: None,
                    retry: crate::RetryPolicy::default(),
                    hooks: crate::runtime::Hooks::default(),
                    limits: Limits::default(),
                    #( #param_fields: #param_defaults.to_string(), )*
                }
            }

            /// The base URL requests are sent to.
            pub fn base_url(&self) -> &str {
                &self.base_url
            }

            #(
                #[doc = #param_getter_docs]
                pub fn #param_fields(&self) -> &str {
                    &self.#param_fields
                }
            )*

            #dead_ok
            pub(crate) fn http(&self) -> &::reqwest::Client {
                &self.http
            }

            /// The retry policy calls use unless they set their own.
            pub fn retry_policy(&self) -> &crate::RetryPolicy {
                &self.retry
            }

            #dead_ok
            pub(crate) fn authorize(&self, request: ::reqwest::RequestBuilder) -> ::reqwest::RequestBuilder {
                #authorize
            }

            /// The settings a call runs with: its own options, else the client's.
            #dead_ok
            pub(crate) fn call(&self, options: &crate::runtime::CallOptions, kind: crate::runtime::CallKind) -> crate::runtime::Call<'_> {
                let default_size = if kind.binary { self.limits.max_download_size } else { self.limits.max_body_size };
                crate::runtime::Call {
                    policy: options.retry.clone().unwrap_or_else(|| self.retry.clone()),
                    kind,
                    hooks: &self.hooks,
                    timeout: Some(options.timeout.unwrap_or(self.limits.timeout)),
                    attempt_timeout: Some(options.attempt_timeout.unwrap_or(self.limits.attempt_timeout)),
                    max_body_size: options.max_body_size.unwrap_or(default_size),
                }
            }

            #(#methods)*
        }

        /// Configures a [`Client`].
        #[derive(Clone)]
        pub struct ClientBuilder {
            credentials: crate::runtime::Secret,
            base_url: String,
            http: Option<::reqwest::Client>,
            retry: crate::RetryPolicy,
            hooks: crate::runtime::Hooks,
            limits: Limits,
            #( #param_fields: String, )*
        }

        impl ::std::fmt::Debug for ClientBuilder {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("ClientBuilder")
                    .field("base_url", &self.base_url)
                    .field("credentials", &self.credentials)
                    .field("hooks", &self.hooks)
                    #( .field(stringify!(#param_fields), &self.#param_fields) )*
                    .finish_non_exhaustive()
            }
        }

        impl ClientBuilder {
            /// Sends requests to another base URL (a proxy or a test server).
            /// A trailing `/` is ignored.
            pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
                self.base_url = base_url.into().trim_end_matches('/').to_string();
                self
            }

            #(
                #[doc = #param_setter_docs]
                pub fn #param_fields(mut self, value: impl Into<String>) -> Self {
                    self.#param_fields = value.into();
                    self
                }
            )*

            /// Sets the retry policy for every call (calls can set their own).
            pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                self.retry = policy;
                self
            }

            /// Adds a hook that sees (and may change) every request before it is
            /// sent and every outcome after: for extra headers, tracing or
            /// metrics. Hooks run in the order they were added.
            pub fn hook(mut self, hook: impl crate::Hook + 'static) -> Self {
                self.hooks.0.push(::std::sync::Arc::new(hook));
                self
            }

            /// Sets how long a whole call may take: every attempt, the waits
            /// between them and reading the body ([`DEFAULT_TIMEOUT`] unless
            /// set; calls can set their own).
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.limits.timeout = timeout;
                self
            }

            /// Sets how long one attempt may take, reading its body included
            /// ([`DEFAULT_ATTEMPT_TIMEOUT`] unless set; calls can set their own).
            pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.limits.attempt_timeout = timeout;
                self
            }

            /// Sets how long connecting may take ([`DEFAULT_CONNECT_TIMEOUT`] unless set).
            pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.limits.connect_timeout = timeout;
                self
            }

            /// Sets the largest JSON, text or error body read, in bytes
            /// ([`DEFAULT_MAX_BODY_SIZE`] unless set; calls can set their own).
            pub fn max_body_size(mut self, bytes: u64) -> Self {
                self.limits.max_body_size = bytes;
                self
            }

            /// Sets the largest binary body (a download) read into memory, in
            /// bytes ([`DEFAULT_MAX_DOWNLOAD_SIZE`] unless set).
            pub fn max_download_size(mut self, bytes: u64) -> Self {
                self.limits.max_download_size = bytes;
                self
            }

            /// Uses this `reqwest` client (its pool, proxy, TLS and redirect
            /// settings) instead of a new one. The client this builder makes
            /// follows no redirects and connects within the connect timeout;
            /// one of your own keeps whatever you chose (reqwest's default
            /// follows up to 10 redirects, dropping credentials across hosts).
            /// Call and attempt timeouts and body limits apply either way.
            pub fn http_client(mut self, http: ::reqwest::Client) -> Self {
                self.http = Some(http);
                self
            }

            /// Builds the client.
            pub fn build(self) -> Result<Client, crate::BuildError> {
                let http = match self.http {
                    Some(http) => http,
                    // API calls never follow redirects: a 3xx comes back as an
                    // error with its status and `Location`, so a redirected
                    // send can never turn into a false success. Downloads
                    // follow them in the runtime, without credentials to
                    // another origin.
                    None => ::reqwest::Client::builder()
                        .connect_timeout(self.limits.connect_timeout)
                        .redirect(::reqwest::redirect::Policy::none())
                        .build()
                        .map_err(crate::BuildError::from)?,
                };
                Ok(Client {
                    http,
                    base_url: self.base_url,
                    credentials: self.credentials,
                    retry: self.retry,
                    hooks: self.hooks,
                    limits: self.limits,
                    #( #param_fields: self.#param_fields, )*
                })
            }
        }
    }
}

fn op_doc(op: &Operation) -> String {
    let mut doc = String::new();
    if let Some(s) = &op.summary {
        doc.push_str(s.trim_end_matches('.'));
        doc.push_str(".\n\n");
    }
    if let Some(d) = &op.doc {
        doc.push_str(d);
        doc.push_str("\n\n");
    }
    let variant = match &op.body_variant {
        Some(schema) => format!(", body `{schema}`"),
        None => String::new(),
    };
    match op.params.iter().find(|p| p.whole_url) {
        // The request goes to a URL the API handed out, not to the path.
        Some(p) => doc.push_str(&format!(
            "`{}` to the URL given as `{}` (the spec's path `{}`; operationId `{}`{variant}, from `specs/{}`).",
            op.http_method.as_str(),
            p.rust,
            op.path,
            op.operation_id,
            op.source
        )),
        None => doc.push_str(&format!(
            "`{} {}` (operationId `{}`{variant}, from `specs/{}`).",
            op.http_method.as_str(),
            op.path,
            op.operation_id,
            op.source
        )),
    }
    doc
}

fn required_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| p.required)
}

/// The struct a flattened body is, with each flat entry's field.
fn flat_fields<'a>(
    api: &'a Api,
    b: &'a crate::ir::Body,
) -> Option<Vec<(&'a FlatField, &'a crate::ir::Field)>> {
    let def = struct_of(api, &b.ty)?;
    b.flat
        .as_ref()?
        .iter()
        .map(|flat| Some((flat, def.fields.iter().find(|f| f.rust == flat.field)?)))
        .collect()
}

fn client_method(api: &Api, op: &Operation, cfg: &TokenStream) -> TokenStream {
    let method = ident(&op.method);
    let builder = ident(&op.builder);
    let doc = docs::outer(&op_doc(op));
    let deprecated = if op.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    let mut args = Vec::new();
    let mut values = Vec::new();
    for p in required_params(op) {
        let name = ident(&p.rust);
        let ty = arg_ty(&p.ty);
        args.push(quote!(#name: #ty));
        values.push(arg_value(&name, &p.ty));
    }
    match op.body.as_ref() {
        // A flattened body: its required fields are arguments, passed to
        // the body struct's `new` in field order.
        Some(b @ crate::ir::Body { flat: Some(_), .. }) => {
            let mut names = Vec::new();
            for (flat, f) in flat_fields(api, b).unwrap_or_default() {
                if !flat.argument {
                    continue;
                }
                let name = ident(&flat.name);
                let ty = match &f.ty {
                    Ty::String => quote!(impl Into<String>),
                    t @ Ty::Named(_) => {
                        let t = rust_ty(t, &types_prefix());
                        quote!(impl Into<#t>)
                    }
                    t => rust_ty(t, &types_prefix()),
                };
                args.push(quote!(#name: #ty));
                names.push(name);
            }
            let body_ty = rust_ty(&b.ty, &types_prefix());
            values.push(quote!(#body_ty::new(#(#names),*)));
        }
        Some(b) if b.required => {
            let name = ident(&b.rust);
            let ty = arg_ty(&b.ty);
            args.push(quote!(#name: #ty));
            values.push(arg_value(&name, &b.ty));
        }
        _ => {}
    }
    let allow = if args.len() > 6 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };
    quote! {
        #doc
        #cfg
        #deprecated
        #allow
        pub fn #method(&self, #(#args),*) -> crate::operations::#builder<'_> {
            crate::operations::#builder::new(self, #(#values),*)
        }
    }
}

fn value_to_string(expr: TokenStream, ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(#expr.clone()),
        Ty::Named(_) => quote!(#expr.as_str().to_string()),
        _ => quote!(#expr.to_string()),
    }
}

fn builder(api: &Api, op: &Operation, cfg: &TokenStream) -> TokenStream {
    let builder = ident(&op.builder);
    let tp = types_prefix();
    let doc = docs::own(&format!(
        "Request builder for [`Client::{}`](crate::Client::{}): set optional parameters, then `.send().await`.",
        op.method, op.method
    ));
    let must_use = "a request does nothing until `.send().await`";

    let mut fields = Vec::new();
    let mut new_args = Vec::new();
    let mut new_inits = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let name = ident(&p.rust);
        let ty = rust_ty(&p.ty, &tp);
        if p.required {
            fields.push(quote!(#name: #ty));
            new_args.push(quote!(#name: #ty));
            new_inits.push(quote!(#name));
        } else {
            fields.push(quote!(#name: Option<#ty>));
            new_inits.push(quote!(#name: None));
            let pdoc = docs::or(
                p.doc.as_deref(),
                &format!("Sets the `{}` parameter.", p.wire),
            );
            let (arg, value) = match &p.ty {
                Ty::String => (quote!(value: impl Into<String>), quote!(value.into())),
                _ => (quote!(value: #ty), quote!(value)),
            };
            setters.push(quote! {
                #pdoc
                pub fn #name(mut self, #arg) -> Self {
                    self.#name = Some(#value);
                    self
                }
            });
        }
    }
    if let Some(b) = op.body.as_ref().filter(|b| b.flat.is_some()) {
        // A flattened body: the builder holds the struct; each optional
        // field is a setter (without an argument when it has one value).
        let name = ident(&b.rust);
        let ty = rust_ty(&b.ty, &tp);
        fields.push(quote!(#name: #ty));
        new_args.push(quote!(#name: #ty));
        new_inits.push(quote!(#name));
        for (flat, f) in flat_fields(api, b).unwrap_or_default() {
            if flat.argument {
                continue;
            }
            let setter = ident(&flat.name);
            let field = ident(&f.rust);
            let fdoc = docs::or(f.doc.as_deref(), &format!("Sets the `{}` member.", f.wire));
            let wrap = |v: TokenStream| {
                let v = if f.boxed { quote!(Box::new(#v)) } else { v };
                if f.double_option() {
                    quote!(Some(Some(#v)))
                } else {
                    quote!(Some(#v))
                }
            };
            if flat.unit {
                let value = wrap(quote!(Default::default()));
                let note = docs::own("The member has one possible value, which this sends.");
                setters.push(quote! {
                    #fdoc
                    ///
                    #note
                    pub fn #setter(mut self) -> Self {
                        self.#name.#field = #value;
                        self
                    }
                });
            } else {
                let (arg, value) = match &f.ty {
                    Ty::String => (quote!(value: impl Into<String>), wrap(quote!(value.into()))),
                    t @ Ty::Named(_) => {
                        let t = rust_ty(t, &tp);
                        (quote!(value: impl Into<#t>), wrap(quote!(value.into())))
                    }
                    t => {
                        let t = rust_ty(t, &tp);
                        (quote!(value: #t), wrap(quote!(value)))
                    }
                };
                setters.push(quote! {
                    #fdoc
                    pub fn #setter(mut self, #arg) -> Self {
                        self.#name.#field = #value;
                        self
                    }
                });
            }
        }
    } else if let Some(b) = &op.body {
        let name = ident(&b.rust);
        let ty = rust_ty(&b.ty, &tp);
        if b.required {
            fields.push(quote!(#name: #ty));
            new_args.push(quote!(#name: #ty));
            new_inits.push(quote!(#name));
        } else {
            fields.push(quote!(#name: Option<#ty>));
            new_inits.push(quote!(#name: None));
            let bdoc = docs::or(b.doc.as_deref(), "Sets the request body.");
            setters.push(quote! {
                #bdoc
                pub fn #name(mut self, value: #ty) -> Self {
                    self.#name = Some(value);
                    self
                }
            });
        }
    }

    // URL: base + path template, every parameter percent-encoded as one segment.
    // The URL is assembled with `concat` rather than `format!`: prettyplease
    // formats the pieces of an array but leaves macro arguments as they are.
    let mut url_parts = vec![quote!(self.client.base_url())];
    for part in &op.path_parts {
        match part {
            PathPart::Literal(l) => url_parts.push(quote!(#l)),
            PathPart::Client(i) => {
                let getter = ident(&api.target.client_params[*i].rust);
                url_parts.push(quote!(&crate::runtime::encode_path(self.client.#getter())));
            }
            PathPart::Param(i) => {
                let p = &op.params[*i];
                let name = ident(&p.rust);
                let s = match &p.ty {
                    Ty::String => quote!(&self.#name),
                    Ty::Named(_) => quote!(self.#name.as_str()),
                    _ => quote!(&self.#name.to_string()),
                };
                url_parts.push(quote!(&crate::runtime::encode_path(#s)));
            }
        }
    }
    // A whole-URL parameter (configured in `url_params`) replaces the URL: the
    // request goes exactly where the API said, with the same credentials.
    let url_expr = match op.params.iter().find(|p| p.whole_url) {
        Some(p) => {
            let name = ident(&p.rust);
            quote!(self.#name.clone())
        }
        None => quote!([#(#url_parts),*].concat()),
    };
    let http_method = ident(op.http_method.as_str());
    let idempotent = op.http_method.is_idempotent();
    let binary = op.success.content == ResponseContent::Bytes;
    let follow = op.params.iter().any(|p| p.whole_url);

    let mut query = Vec::new();
    let mut headers = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
    {
        let name = ident(&p.rust);
        let wire = &p.wire;
        let (binding, push) = match &p.ty {
            Ty::Array(inner) => {
                let item = value_to_string(quote!(item), inner);
                if p.explode && p.location == ParamLocation::Query {
                    (
                        quote!(values),
                        quote! { for item in values { query.push((#wire, #item)); } },
                    )
                } else {
                    let joined = if **inner == Ty::String {
                        quote!(values.join(","))
                    } else {
                        quote!(values.iter().map(|item| #item).collect::<Vec<_>>().join(","))
                    };
                    match p.location {
                        ParamLocation::Query => {
                            (quote!(values), quote!(query.push((#wire, #joined));))
                        }
                        _ => (
                            quote!(values),
                            quote!(request = request.header(#wire, #joined);),
                        ),
                    }
                }
            }
            t => {
                let v = value_to_string(quote!(value), t);
                match p.location {
                    ParamLocation::Query => (quote!(value), quote!(query.push((#wire, #v));)),
                    _ => (quote!(value), quote!(request = request.header(#wire, #v);)),
                }
            }
        };
        let stmt = if p.required {
            quote! { { let #binding = &self.#name; #push } }
        } else {
            quote! { if let Some(#binding) = &self.#name { #push } }
        };
        match p.location {
            ParamLocation::Query => query.push(stmt),
            _ => headers.push(stmt),
        }
    }
    let query_block = if query.is_empty() {
        quote!()
    } else {
        quote! {
            let mut query: Vec<(&str, String)> = Vec::new();
            #(#query)*
            request = request.query(&query);
        }
    };

    let body_block = match &op.body {
        None => quote!(),
        Some(b) => {
            let name = ident(&b.rust);
            let send_one = |value: TokenStream| match (b.media, &b.form_field) {
                (BodyMedia::Json, _) => quote!(request = request.json(#value);),
                (BodyMedia::Form, Some(field)) => {
                    quote!(request = request.form(&[(#field, #value.to_string())]);)
                }
                (BodyMedia::Form, None) => match struct_of(api, &b.ty) {
                    Some(def) => {
                        let pairs = form_struct(def, &value);
                        quote!(request = request.form(&{ #pairs });)
                    }
                    None => quote!(request = request.form(#value);),
                },
                (BodyMedia::Multipart, Some(field)) => quote! {
                    request = request.multipart(::reqwest::multipart::Form::new().text(#field, #value.to_string()));
                },
                (BodyMedia::Multipart, None) => match struct_of(api, &b.ty) {
                    Some(def) => {
                        let form = multipart_struct(def, &value);
                        quote!(request = request.multipart({ #form });)
                    }
                    None => {
                        quote!(request = request.multipart(crate::runtime::multipart_form(#value)?);)
                    }
                },
            };
            if b.required {
                send_one(quote!(&self.#name))
            } else {
                let s = send_one(quote!(body));
                quote!(if let Some(body) = &self.#name { #s })
            }
        }
    };

    let error_ty = rust_ty(&op.error_ty, &tp);
    let (ok_ty, finish) = match &op.success.content {
        ResponseContent::Empty => (quote!(()), quote!(crate::runtime::decode_empty(response))),
        ResponseContent::Json(t) => {
            let t = rust_ty(t, &tp);
            (t, quote!(crate::runtime::decode_json(response)))
        }
        ResponseContent::Text => (
            quote!(String),
            quote!(crate::runtime::decode_text(response)),
        ),
        ResponseContent::Bytes => (
            quote!(Vec<u8>),
            quote!(crate::runtime::decode_bytes(response)),
        ),
    };
    let mut codes = Vec::new();
    let mut ranges = Vec::new();
    let mut has_default = false;
    for e in &op.errors {
        match e.status {
            StatusMatch::Code(c) => codes.push(proc_macro2::Literal::u16_unsuffixed(c)),
            StatusMatch::Range(r) => ranges.push(r * 100),
            StatusMatch::Default => has_default = true,
        }
    }
    let documented = if has_default {
        quote!(|_status: u16| true)
    } else if codes.is_empty() && ranges.is_empty() {
        quote!(|_status: u16| false)
    } else {
        let mut checks: Vec<TokenStream> = Vec::new();
        if !codes.is_empty() {
            checks.push(quote!(matches!(status, #(#codes)|*)));
        }
        checks.extend(ranges.iter().map(|r| {
            let start = proc_macro2::Literal::u16_unsuffixed(*r);
            let end = proc_macro2::Literal::u16_unsuffixed(r + 100);
            quote!((#start..#end).contains(&status))
        }));
        quote!(|status: u16| #(#checks)||*)
    };
    let send_doc = format!(
        "Sends the request. Success is {}; documented error statuses decode into `{}` inside [`Error::Api`](crate::Error::Api).",
        match &op.success.content {
            ResponseContent::Empty => "`()`".to_string(),
            ResponseContent::Json(_) => "the decoded JSON body".to_string(),
            ResponseContent::Text => "the body as text".to_string(),
            ResponseContent::Bytes => "the raw body".to_string(),
        },
        match &op.error_ty {
            Ty::Named(n) => n.clone(),
            _ => "a JSON value".to_string(),
        }
    );
    let mut alt = String::new();
    if let Some(b) = &op.body {
        alt = format!(" The body is sent as `{}`", b.media.as_str());
        if let Some(f) = &b.form_field {
            alt.push_str(&format!(" with the single field `{f}`"));
        }
        alt.push('.');
        if !b.alternatives.is_empty() {
            alt.push_str(&format!(
                " The spec also allows {}, which this client does not use.",
                b.alternatives.join(", ")
            ));
        }
    }
    let send_doc = docs::own(&format!("{send_doc}{alt}"));
    let streaming = match &op.success.content {
        ResponseContent::Bytes => quote! {
            /// Sends the request like `send`, but hands the success body out
            /// as it arrives ([`ByteStream`](crate::ByteStream)) instead of
            /// reading it into memory: for large files.
            pub async fn send_streaming(self) -> Result<crate::ByteStream<#error_ty>, crate::Error<#error_ty>> {
                let (request, call) = self.request()?;
                crate::runtime::execute_streaming::<#error_ty>(request, call, #documented).await
            }
        },
        _ => quote!(),
    };
    let stream = pagination(api, op, &error_ty).unwrap_or_default();
    let params_new = new_args.clone();
    let new_allow = if params_new.len() > 6 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };

    quote! {
        #doc
        #cfg
        #[must_use = #must_use]
        #[derive(Clone)]
        pub struct #builder<'a> {
            client: &'a crate::Client,
            #( #fields, )*
            options: crate::runtime::CallOptions,
        }

        #cfg
        impl<'a> #builder<'a> {
            #new_allow
            pub(crate) fn new(client: &'a crate::Client, #(#params_new),*) -> Self {
                Self { client, #(#new_inits,)* options: Default::default() }
            }

            #(#setters)*

            /// Uses this retry policy for this call instead of the client's.
            pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                self.options.retry = Some(policy);
                self
            }

            /// Sets how long this whole call may take (every attempt, the
            /// waits between them and reading the body), instead of the
            /// client's timeout.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Sets how long each attempt of this call may take, instead of
            /// the client's attempt timeout.
            pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.attempt_timeout = Some(timeout);
                self
            }

            /// Sets the largest body this call reads, in bytes, instead of the
            /// client's limit.
            pub fn max_body_size(mut self, bytes: u64) -> Self {
                self.options.max_body_size = Some(bytes);
                self
            }

            #stream

            #send_doc
            pub async fn send(self) -> Result<#ok_ty, crate::Error<#error_ty>> {
                self.send_with_meta().await.map(crate::Response::into_value)
            }

            /// Sends the request like `send`, and also returns the response's
            /// status, headers (with the usage headers parsed on demand) and
            /// the number of attempts.
            pub async fn send_with_meta(self) -> Result<crate::Response<#ok_ty>, crate::Error<#error_ty>> {
                let (request, call) = self.request()?;
                let response = crate::runtime::execute::<#error_ty>(request, call, #documented).await?;
                #finish
            }

            #streaming

            /// The request as it is sent, and the settings it runs with.
            // The error is the call's own error type, large or not.
            #[allow(clippy::result_large_err)]
            fn request(&self) -> Result<(::reqwest::RequestBuilder, crate::runtime::Call<'a>), crate::Error<#error_ty>> {
                let url = #url_expr;
                let mut request = self.client.http().request(::reqwest::Method::#http_method, url);
                #query_block
                #(#headers)*
                request = self.client.authorize(request);
                #body_block
                let kind = crate::runtime::CallKind { idempotent: #idempotent, binary: #binary, follow_redirects: #follow };
                Ok((request, self.client.call(&self.options, kind)))
            }
        }

        #cfg
        /// `.await` on the builder sends it, like `.send().await`.
        impl<'a> ::std::future::IntoFuture for #builder<'a> {
            type Output = Result<#ok_ty, crate::Error<#error_ty>>;
            type IntoFuture = ::futures::future::BoxFuture<'a, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
}

/// The struct a body type names, if it is one.
fn struct_of<'a>(api: &'a Api, ty: &Ty) -> Option<&'a crate::ir::StructDef> {
    match ty {
        Ty::Named(n) => match &api.types.get(n)?.kind {
            crate::ir::TypeKind::Struct(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// The statements that add a body struct's fields to a form, one by one:
/// `text(name, value)` adds a text field (both are `String` expressions),
/// `file(name, place)` a binary field when the form takes files. Strings are
/// sent as they are, anything else as JSON text (which is how the Graph API
/// reads form fields), absent optional fields are left out, and members kept
/// in the struct's extra map are sent too. The struct is bound to `source`.
fn form_fields(
    def: &crate::ir::StructDef,
    text: impl Fn(TokenStream, TokenStream) -> TokenStream,
    file: Option<&dyn Fn(TokenStream, TokenStream) -> TokenStream>,
) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for f in &def.fields {
        let rust = ident(&f.rust);
        let wire = &f.wire;
        // `place` is the value (for method calls), `reference` a reference to it.
        let add = |place: TokenStream, reference: TokenStream| match (&f.ty, file) {
            (Ty::Bytes, Some(file)) => file(quote!(#wire.to_string()), place),
            (Ty::String, _) => text(quote!(#wire.to_string()), quote!(#place.clone())),
            _ => text(
                quote!(#wire.to_string()),
                quote!(crate::runtime::text_value(#reference)?),
            ),
        };
        if f.optional() {
            let a = add(quote!(v), quote!(v));
            out.push(quote!(if let Some(v) = &source.#rust { #a }));
        } else {
            out.push(add(quote!(source.#rust), quote!(&source.#rust)));
        }
    }
    let (crate::ir::Extra::Keep(n) | crate::ir::Extra::Typed(n, _)) = &def.extra;
    let n = ident(n);
    let a = text(quote!(name.clone()), quote!(crate::runtime::text_value(v)?));
    out.push(quote!(for (name, v) in &source.#n { #a }));
    out
}

/// A multipart form built field by field ([`form_fields`]); binary fields
/// become file parts with their file name and media type.
fn multipart_struct(def: &crate::ir::StructDef, value: &TokenStream) -> TokenStream {
    let file =
        |name: TokenStream, place: TokenStream| quote!(form = form.part(#name, #place.to_part()?););
    let parts = form_fields(
        def,
        |name, v| quote!(form = form.text(#name, #v);),
        Some(&file),
    );
    quote! {
        let source = #value;
        let mut form = ::reqwest::multipart::Form::new();
        #(#parts)*
        form
    }
}

/// A URL-encoded form built field by field ([`form_fields`]).
fn form_struct(def: &crate::ir::StructDef, value: &TokenStream) -> TokenStream {
    let pairs = form_fields(def, |name, v| quote!(pairs.push((#name, #v));), None);
    quote! {
        let source = #value;
        let mut pairs: Vec<(String, String)> = Vec::new();
        #(#pairs)*
        pairs
    }
}

/// A field of a struct by wire name.
fn field<'a>(def: &'a crate::ir::StructDef, wire: &str) -> Option<&'a crate::ir::Field> {
    def.fields.iter().find(|f| f.wire == wire)
}

/// Reads a field as an `Option<&T>`-like expression: optional fields are
/// `Option`s already, required ones are wrapped.
fn get_opt(base: TokenStream, f: &crate::ir::Field) -> TokenStream {
    let name = ident(&f.rust);
    if f.optional() {
        quote!(#base.#name.as_ref())
    } else {
        quote!(Some(&#base.#name))
    }
}

/// `into_stream` for list operations: the success body has `data: [items]`
/// and `paging` with `cursors.after`, and the operation takes an optional
/// `after` query parameter. Which operations are lists is derived from this
/// shape, not listed by hand.
fn pagination(api: &Api, op: &Operation, error_ty: &TokenStream) -> Option<TokenStream> {
    let ResponseContent::Json(page_ty) = &op.success.content else {
        return None;
    };
    let page = struct_of(api, page_ty)?;
    let data = field(page, "data")?;
    let Ty::Array(item) = &data.ty else {
        return None;
    };
    let paging_field = field(page, "paging")?;
    let paging = struct_of(api, &paging_field.ty)?;
    let cursors_field = field(paging, "cursors")?;
    let cursors = struct_of(api, &cursors_field.ty)?;
    let after_field = field(cursors, "after")?;
    if after_field.ty != Ty::String
        || after_field.boxed
        || paging_field.boxed
        || cursors_field.boxed
    {
        return None;
    }
    let after_param = op.params.iter().find(|p| {
        p.wire == "after"
            && !p.required
            && p.location == crate::ir::ParamLocation::Query
            && p.ty == Ty::String
    })?;
    let setter = ident(&after_param.rust);
    let item_ty = rust_ty(item, &quote!(crate::types::));
    let data_name = ident(&data.rust);
    let items = if data.optional() {
        quote!(page.#data_name.take().unwrap_or_default())
    } else {
        quote!(std::mem::take(&mut page.#data_name))
    };
    let paging_get = get_opt(quote!(page), paging_field);
    let cursors_get = get_opt(quote!(paging), cursors_field);
    let after_get = get_opt(quote!(cursors), after_field);
    // With a `next` link in the schema, its absence marks the last page.
    let has_next = match field(paging, "next") {
        Some(next) => {
            let next_get = get_opt(quote!(paging), next);
            quote!(#paging_get.is_some_and(|paging| #next_get.is_some()))
        }
        None => quote!(true),
    };
    let doc = " Every item of every page, in order: sends this request, then the same request with `after` set to each page's `paging.cursors.after` until the API reports no next page (or an empty page repeats a cursor). `max_pages` caps the number of pages fetched. An error ends the stream after yielding it.";
    Some(quote! {
        #[doc = #doc]
        pub fn into_stream(
            self,
            max_pages: Option<usize>,
        ) -> impl ::futures::Stream<Item = Result<#item_ty, crate::Error<#error_ty>>> + 'a {
            crate::runtime::paginate(
                self,
                max_pages,
                |request: Self| async move {
                    let mut page = request.send().await?;
                    let next = #paging_get
                        .and_then(|paging| #cursors_get)
                        .and_then(|cursors| #after_get)
                        .cloned()
                        .filter(|_| #has_next);
                    Ok(crate::runtime::Page { items: #items, next })
                },
                |request, after| request.#setter(after),
            )
        }
    })
}
