//! The client, its builder, and one request builder per operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::features::Plan;
use super::types::{ident, param_ty, rust_ty};
use super::{Items, Module, docs};
use crate::ir::{
    Api, Auth, BodyMedia, FlatField, Operation, Param, ParamLocation, PathPart, ResponseContent,
    StatusMatch, Ty,
};

pub(super) fn emit(api: &Api, plan: &Plan, items: &mut Items) {
    items.insert((Module::Client, "Client".into()), client(api, plan));
    // The documented error statuses, one list per distinct set, shared by
    // the operations' `SPEC`s (sorted first: `!` orders before letters).
    let mut lists: std::collections::BTreeMap<String, TokenStream> =
        std::collections::BTreeMap::new();
    for op in &api.operations {
        let (name, list) = error_list(op);
        lists.insert(
            name.to_string(),
            quote! {
                #[allow(dead_code)]
                const #name: &[rt::ErrorStatus] = &[#list];
            },
        );
    }
    let lists = lists.into_values();
    items.insert(
        (Module::Operations, "!errors".into()),
        quote! {
            #(#lists)*
        },
    );
    for op in &api.operations {
        let cfg = plan.operation_cfg(&op.operation_id);
        items.insert(
            (Module::Operations, op.builder.clone()),
            builder(api, op, &cfg),
        );
    }
}

fn types_prefix() -> TokenStream {
    quote!(crate::types::)
}

/// The name of an operation's list of documented error statuses
/// (`ERRORS_400_401_4XX_ANY`), and the list.
fn error_list(op: &Operation) -> (proc_macro2::Ident, TokenStream) {
    let mut name = String::from("ERRORS");
    let mut list = Vec::new();
    for e in &op.errors {
        match e.status {
            StatusMatch::Code(c) => {
                name.push_str(&format!("_{c}"));
                let c = proc_macro2::Literal::u16_unsuffixed(c);
                list.push(quote!(Code(#c)));
            }
            StatusMatch::Range(r) => {
                name.push_str(&format!("_{r}XX"));
                let r = proc_macro2::Literal::u16_unsuffixed(r);
                list.push(quote!(Range(#r)));
            }
            StatusMatch::Default => {
                name.push_str("_ANY");
                list.push(quote!(AnyStatus));
            }
        }
    }
    if list.is_empty() {
        name = "NO_ERRORS".into();
    }
    (ident(&name), quote!(#(#list),*))
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
    let (cred_args, credentials) = credentials(&t.auth);
    let set_credentials = set_credentials(&t.auth, &cred_args, &credentials);
    let cred_names: Vec<&proc_macro2::Ident> = cred_args.iter().map(|(n, _)| n).collect();
    let cred_docs: Vec<&String> = cred_args.iter().map(|(_, d)| d).collect();
    let param_fields: Vec<_> = t.client_params.iter().map(|p| ident(&p.rust)).collect();
    let param_defaults: Vec<_> = t.client_params.iter().map(|p| p.default.clone()).collect();
    let param_getter_docs: Vec<_> = t
        .client_params
        .iter()
        .map(|p| format!(" The value used for `{{{}}}` in request paths.", p.wire))
        .collect();
    let methods = api
        .operations
        .iter()
        .map(|op| client_method(api, op, &plan.operation_cfg(&op.operation_id)));
    let profile = profile(&api.target);
    let client_builder = client_builder(&api.target);
    quote! {
        #profile

        /// The API client: cheap to clone, holds one connection pool.
        ///
        /// Its `Debug` output never shows the credentials.
        #[derive(Clone)]
        pub struct Client {
            core: rt::ClientCore,
            #( #param_fields: String, )*
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Client")
                    .field("core", &self.core)
                    #( .field(stringify!(#param_fields), &self.#param_fields) )*
                    .finish()
            }
        }

        impl Client {
            /// Creates a client with the default base URL and settings.
            pub fn new(#( #cred_names: impl Into<String> ),*) -> Result<Self, crate::BuildError> {
                Self::builder(#( #cred_names ),*).build()
            }

            /// Starts configuring a client.
            #(
                ///
                #[doc = #cred_docs]
            )*
            pub fn builder(#( #cred_names: impl Into<String> ),*) -> ClientBuilder {
                ClientBuilder {
                    core: rt::CoreBuilder::new(#credentials, DEFAULT_BASE_URL, &PROFILE),
                    #( #param_fields: #param_defaults.to_string(), )*
                }
            }

            /// The base URL requests are sent to.
            pub fn base_url(&self) -> &str {
                self.core.base_url()
            }

            #(
                #[doc = #param_getter_docs]
                pub fn #param_fields(&self) -> &str {
                    &self.#param_fields
                }
            )*

            /// The retry policy calls use unless they set their own.
            pub fn retry_policy(&self) -> &crate::RetryPolicy {
                self.core.retry_policy()
            }

            #set_credentials

            /// The runtime's part of the client, which sends the requests.
            #[allow(dead_code)]
            pub(crate) fn core(&self) -> &rt::ClientCore {
                &self.core
            }

            #(#methods)*
        }

        #client_builder
    }
}

/// The client's credential arguments (name, documentation), and the
/// runtime value built from them.
fn credentials(auth: &Auth) -> (Vec<(proc_macro2::Ident, String)>, TokenStream) {
    let secret = quote!(::fragment_codegen_runtime::Secret);
    let key = |place: &str| {
        vec![(
            ident("api_key"),
            format!(" The API key, sent in the {place}."),
        )]
    };
    match auth {
        Auth::Bearer => (
            vec![(
                ident("token"),
                " The access token, sent as `Authorization: Bearer <token>`.".to_string(),
            )],
            quote!(rt::Credentials::Bearer(#secret::new(token.into()))),
        ),
        Auth::ApiKeyHeader { header } => (
            key(&format!("`{header}` header")),
            quote!(rt::Credentials::Header { name: #header, value: #secret::new(api_key.into()) }),
        ),
        Auth::ApiKeyQuery { name } => (
            key(&format!("`{name}` query parameter")),
            quote!(rt::Credentials::Query { name: #name, value: #secret::new(api_key.into()) }),
        ),
        Auth::ApiKeyCookie { name } => (
            key(&format!("`{name}` cookie")),
            quote!(rt::Credentials::Cookie { name: #name, value: #secret::new(api_key.into()) }),
        ),
        Auth::Basic => (
            vec![
                (
                    ident("user"),
                    " The user name, for HTTP basic authentication.".to_string(),
                ),
                (
                    ident("password"),
                    " The password, for HTTP basic authentication.".to_string(),
                ),
            ],
            quote!(rt::Credentials::Basic { user: user.into(), password: #secret::new(password.into()) }),
        ),
        Auth::None => (Vec::new(), quote!(rt::Credentials::None)),
    }
}

/// Replacing the credentials of a built client (and of its clones).
fn set_credentials(
    auth: &Auth,
    cred_args: &[(proc_macro2::Ident, String)],
    credentials: &TokenStream,
) -> TokenStream {
    match auth {
        Auth::None => quote!(),
        auth => {
            let (setter, what) = match auth {
                Auth::Bearer => (ident("set_token"), "access token"),
                Auth::Basic => (ident("set_credentials"), "user name and password"),
                _ => (ident("set_api_key"), "API key"),
            };
            let doc = format!(
                " Replaces the {what} (an expired one, say) for this client and every clone of it; calls already sent keep the one they had."
            );
            let names: Vec<&proc_macro2::Ident> = cred_args.iter().map(|(n, _)| n).collect();
            quote! {
                #[doc = #doc]
                pub fn #setter(&self, #( #names: impl Into<String> ),*) {
                    self.core.set_credentials(#credentials);
                }
            }
        }
    }
}

/// The base URL, the retried codes and the `PROFILE` built from them.
fn profile(t: &crate::ir::TargetInfo) -> TokenStream {
    let base_url = &t.base_url;
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
    let pointer = |p: Option<String>| match p {
        Some(p) => quote!(Some(#p)),
        None => quote!(None),
    };
    let first = t.errors.as_ref().and_then(|e| e.carriers.first());
    let error_code = pointer(first.map(|c| c.code.pointer()));
    let transient_flag = pointer(
        first
            .and_then(|c| c.transient.as_ref())
            .map(|p| p.pointer()),
    );
    quote! {
        /// The default base URL.
        pub const DEFAULT_BASE_URL: &str = #base_url;

        /// Error codes that mean "rate limited, try later": calls refused with
        /// one of these are retried by the default [`RetryPolicy`](crate::RetryPolicy).
        pub const RATE_LIMIT_CODES: &[i64] = &[#(#rate_limit_codes),*];

        /// Error codes that mean "a temporary problem on the API's side": calls
        /// refused with one of these are retried by the default
        /// [`RetryPolicy`](crate::RetryPolicy) for idempotent methods, as are
        /// errors marked transient.
        pub const TRANSIENT_CODES: &[i64] = &[#(#transient_codes),*];

        /// What this API's answers mean to the runtime: its retried codes and
        /// where error bodies keep their code.
        pub static PROFILE: rt::Profile = rt::Profile {
            rate_limit_codes: RATE_LIMIT_CODES,
            transient_codes: TRANSIENT_CODES,
            error_code: #error_code,
            transient_flag: #transient_flag,
        };
    }
}

/// `ClientBuilder`: the runtime's builder, whose settings the runtime's
/// `client_builder_methods!` forwards, and the client parameters.
fn client_builder(t: &crate::ir::TargetInfo) -> TokenStream {
    let param_fields: Vec<_> = t.client_params.iter().map(|p| ident(&p.rust)).collect();
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
    quote! {
        /// Configures a [`Client`].
        #[derive(Clone, Debug)]
        pub struct ClientBuilder {
            core: rt::CoreBuilder,
            #( #param_fields: String, )*
        }

        impl ClientBuilder {
            rt::client_builder_methods!();

            #(
                #[doc = #param_setter_docs]
                pub fn #param_fields(mut self, value: impl Into<String>) -> Self {
                    self.#param_fields = value.into();
                    self
                }
            )*

            /// Builds the client.
            pub fn build(self) -> Result<Client, crate::BuildError> {
                Ok(Client {
                    core: self.core.build()?,
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
                let (ty, _) = param_ty(&f.ty, &types_prefix());
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
    let Members {
        fields,
        new_args,
        new_inits,
        setters,
    } = Members::of(api, op);
    let url_expr = url_expr(api, op);
    let pushes = param_pushes(op);
    let body_block = body_block(op);
    let error_ty = rust_ty(&op.error_ty, &tp);
    let (ok_ty, decode) = match &op.success.content {
        ResponseContent::Empty => (quote!(()), quote!(decode_empty)),
        ResponseContent::Json(t) if op.success.by_status => {
            (rust_ty(t, &tp), quote!(decode_by_status))
        }
        ResponseContent::Json(t) => {
            let t = rust_ty(t, &tp);
            (t, quote!(decode_json))
        }
        ResponseContent::Text => (quote!(String), quote!(decode_text)),
        ResponseContent::Bytes => (quote!(Vec<u8>), quote!(decode_bytes)),
    };
    let spec = op_spec(op);
    let send_doc = send_doc(op);
    let streaming = match &op.success.content {
        ResponseContent::Bytes => quote! {
            /// Sends the request like `send`, but hands the success body out
            /// as it arrives ([`ByteStream`](crate::ByteStream)) instead of
            /// reading it into memory: for large files.
            pub async fn send_streaming(self) -> Result<crate::ByteStream<#error_ty>, crate::Error<#error_ty>> {
                rt::send_streaming(self.client.core(), &Self::SPEC, self.parts()?, &self.options).await
            }
        },
        _ => quote!(),
    };
    let events = op.success.events.as_ref().map(|t| {
        let event_ty = rust_ty(t, &tp);
        quote! {
            /// Sends the request and reads the answer as server-sent events
            /// (`text/event-stream`), each event's `data` decoded, as they
            /// arrive. When the operation also answers in JSON, the request
            /// must ask for a stream (as the API documents it).
            pub async fn send_events(self) -> Result<crate::EventStream<#event_ty, #error_ty>, crate::Error<#error_ty>> {
                rt::send_streaming(self.client.core(), &Self::SPEC, self.parts()?, &self.options)
                    .await
                    .map(crate::EventStream::new)
            }
        }
    });
    let streaming = quote!(#streaming #events);
    let stream = pagination(op, &error_ty)
        .or_else(|| cursor_pagination(op, &error_ty))
        .unwrap_or_default();
    let params_new = new_args.clone();
    let new_allow = if params_new.len() > 6 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };
    let anonymous = if op.anonymous {
        quote!(parts.anonymous = true;)
    } else {
        quote!()
    };
    let parts_mut = if pushes.is_empty() && op.body.is_none() && !op.anonymous {
        quote!(let parts)
    } else {
        quote!(let mut parts)
    };

    quote! {
        #doc
        #cfg
        #[must_use = #must_use]
        #[derive(Clone)]
        pub struct #builder<'a> {
            client: &'a crate::Client,
            #( #fields, )*
            options: rt::CallOptions,
        }

        #cfg
        impl<'a> #builder<'a> {
            /// How the runtime sends this operation.
            const SPEC: rt::OpSpec = #spec;

            #new_allow
            pub(crate) fn new(client: &'a crate::Client, #(#params_new),*) -> Self {
                Self { client, #(#new_inits,)* options: Default::default() }
            }

            #(#setters)*

            #stream

            #streaming

            /// The request: its URL, parameters and body.
            // The error is the call's own error type, large or not.
            #[allow(clippy::result_large_err)]
            fn parts(&self) -> Result<rt::Parts, crate::Error<#error_ty>> {
                #parts_mut = rt::Parts::new(#url_expr);
                #anonymous
                #(#pushes)*
                #body_block
                Ok(parts)
            }
        }

        #cfg
        rt::request_builder!(#builder, #ok_ty, #error_ty, #decode, #send_doc);
    }
}

/// A request builder's fields, the arguments of its `new` and how they
/// initialise the fields, and its setters.
#[derive(Default)]
struct Members {
    fields: Vec<TokenStream>,
    new_args: Vec<TokenStream>,
    new_inits: Vec<TokenStream>,
    setters: Vec<TokenStream>,
}

impl Members {
    /// The parameters, then the body (flattened or whole).
    fn of(api: &Api, op: &Operation) -> Self {
        let mut m = Members::default();
        for p in &op.params {
            m.param(p);
        }
        if let Some(b) = op.body.as_ref().filter(|b| b.flat.is_some()) {
            m.flat_body(api, b);
        } else if let Some(b) = &op.body {
            m.body(b);
        }
        m
    }

    /// A field set by `new`.
    fn required(&mut self, name: &proc_macro2::Ident, ty: &TokenStream) {
        self.fields.push(quote!(#name: #ty));
        self.new_args.push(quote!(#name: #ty));
        self.new_inits.push(quote!(#name));
    }

    /// A field that starts as `None`.
    fn optional(&mut self, name: &proc_macro2::Ident, ty: &TokenStream) {
        self.fields.push(quote!(#name: Option<#ty>));
        self.new_inits.push(quote!(#name: None));
    }

    fn param(&mut self, p: &Param) {
        let name = ident(&p.rust);
        let ty = rust_ty(&p.ty, &types_prefix());
        if p.required {
            self.required(&name, &ty);
            return;
        }
        self.optional(&name, &ty);
        let pdoc = docs::or(
            p.doc.as_deref(),
            &format!("Sets the `{}` parameter.", p.wire),
        );
        let (arg, value) = match &p.ty {
            Ty::String => (quote!(value: impl Into<String>), quote!(value.into())),
            _ => (quote!(value: #ty), quote!(value)),
        };
        self.setters.push(quote! {
            #pdoc
            pub fn #name(mut self, #arg) -> Self {
                self.#name = Some(#value);
                self
            }
        });
    }

    /// A flattened body: the builder holds the struct; each optional
    /// field is a setter (without an argument when it has one value).
    fn flat_body(&mut self, api: &Api, b: &crate::ir::Body) {
        let tp = types_prefix();
        let name = ident(&b.rust);
        self.required(&name, &rust_ty(&b.ty, &tp));
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
                self.setters.push(quote! {
                    #fdoc
                    ///
                    #note
                    pub fn #setter(mut self) -> Self {
                        self.#name.#field = #value;
                        self
                    }
                });
            } else {
                let (arg, value) = match param_ty(&f.ty, &tp) {
                    (t, true) => (quote!(value: #t), wrap(quote!(value.into()))),
                    (t, false) => (quote!(value: #t), wrap(quote!(value))),
                };
                self.setters.push(quote! {
                    #fdoc
                    pub fn #setter(mut self, #arg) -> Self {
                        self.#name.#field = #value;
                        self
                    }
                });
            }
        }
    }

    /// A whole body: an argument when required, else a setter.
    fn body(&mut self, b: &crate::ir::Body) {
        let name = ident(&b.rust);
        let ty = rust_ty(&b.ty, &types_prefix());
        if b.required {
            self.required(&name, &ty);
            return;
        }
        self.optional(&name, &ty);
        let bdoc = docs::or(b.doc.as_deref(), "Sets the request body.");
        self.setters.push(quote! {
            #bdoc
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = Some(value);
                self
            }
        });
    }
}

/// The request's URL: base + path template, every parameter
/// percent-encoded as one segment.
fn url_expr(api: &Api, op: &Operation) -> TokenStream {
    // The URL is assembled with `concat` rather than `format!`: prettyplease
    // formats the pieces of an array but leaves macro arguments as they are.
    let mut url_parts = vec![quote!(self.client.base_url())];
    for part in &op.path_parts {
        match part {
            PathPart::Literal(l) => url_parts.push(quote!(#l)),
            PathPart::Client(i) => {
                let getter = ident(&api.target.client_params[*i].rust);
                url_parts.push(quote!(&rt::encode_path(self.client.#getter())));
            }
            PathPart::Param(i) => {
                let p = &op.params[*i];
                let name = ident(&p.rust);
                let s = match &p.ty {
                    Ty::String => quote!(&self.#name),
                    Ty::Named(_) => quote!(self.#name.as_str()),
                    _ => quote!(&self.#name.to_string()),
                };
                url_parts.push(quote!(&rt::encode_path(#s)));
            }
        }
    }
    // A whole-URL parameter (configured in `url_params`) replaces the URL: the
    // request goes exactly where the API said, with the same credentials.
    match op.params.iter().find(|p| p.whole_url) {
        Some(p) => {
            let name = ident(&p.rust);
            quote!(self.#name.clone())
        }
        None => quote!([#(#url_parts),*].concat()),
    }
}

/// The statements that add the query and header parameters to `parts`.
fn param_pushes(op: &Operation) -> Vec<TokenStream> {
    let mut pushes = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
    {
        let name = ident(&p.rust);
        let wire = &p.wire;
        let list = match p.location {
            ParamLocation::Query => quote!(query),
            ParamLocation::Cookie => quote!(cookies),
            _ => quote!(headers),
        };
        let (binding, push) = match (&p.ty, p.object) {
            (_, Some(style)) => {
                use crate::ir::ObjectStyle;
                let pairs = |style: &str| {
                    let style = ident(style);
                    quote!(parts.object_query.extend(rt::object_query(#wire, value, rt::ObjectStyle::#style)?);)
                };
                let push = match style {
                    ObjectStyle::Json => quote!(parts.#list.push((#wire, rt::json_text(value)?));),
                    ObjectStyle::DeepObject => pairs("DeepObject"),
                    ObjectStyle::FormExploded => pairs("FormExploded"),
                    ObjectStyle::Form => pairs("Form"),
                };
                (quote!(value), push)
            }
            (Ty::Array(inner), _) => {
                let item = value_to_string(quote!(item), inner);
                if p.explode && p.location == ParamLocation::Query {
                    (
                        quote!(values),
                        quote! { for item in values { parts.query.push((#wire, #item)); } },
                    )
                } else {
                    let joined = if **inner == Ty::String {
                        quote!(values.join(","))
                    } else {
                        quote!(values.iter().map(|item| #item).collect::<Vec<_>>().join(","))
                    };
                    (quote!(values), quote!(parts.#list.push((#wire, #joined));))
                }
            }
            (t, _) => {
                let v = value_to_string(quote!(value), t);
                (quote!(value), quote!(parts.#list.push((#wire, #v));))
            }
        };
        pushes.push(if p.required {
            quote! { { let #binding = &self.#name; #push } }
        } else {
            quote! { if let Some(#binding) = &self.#name { #push } }
        });
    }
    pushes
}

/// The statement that sets the body of `parts`, in its media type.
fn body_block(op: &Operation) -> TokenStream {
    match &op.body {
        None => quote!(),
        Some(b) => {
            let name = ident(&b.rust);
            let send_one = |value: TokenStream| match (b.media, &b.form_field) {
                (BodyMedia::Json, _) => quote!(parts.body = rt::Body::json(#value)?;),
                (BodyMedia::Form, Some(field)) => {
                    quote!(parts.body = rt::Body::Form(vec![(#field.to_string(), ::std::string::ToString::to_string(#value))]);)
                }
                (BodyMedia::Form, None) => match &b.form {
                    Some(form) => {
                        let pairs = form_struct(form, &value);
                        quote!(parts.body = rt::Body::Form({ #pairs });)
                    }
                    None => quote!(parts.body = rt::Body::Form(rt::form_pairs(#value)?);),
                },
                (BodyMedia::Multipart, Some(field)) => quote! {
                    parts.body = rt::Body::Multipart(crate::reqwest::multipart::Form::new().text(#field, ::std::string::ToString::to_string(#value)));
                },
                (BodyMedia::Raw, _) => {
                    let media_type = &b.media_type;
                    quote!(parts.body = rt::Body::raw(#value, #media_type);)
                }
                (BodyMedia::Multipart, None) => match &b.form {
                    Some(form) => {
                        let form = multipart_struct(form, &value);
                        quote!(parts.body = rt::Body::Multipart({ #form });)
                    }
                    None => {
                        quote!(parts.body = rt::Body::Multipart(rt::multipart_form(#value)?);)
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
    }
}

/// The operation's `SPEC`: how the runtime sends it.
fn op_spec(op: &Operation) -> TokenStream {
    let http_method = ident(match op.http_method {
        crate::ir::HttpMethod::Get => "Get",
        crate::ir::HttpMethod::Put => "Put",
        crate::ir::HttpMethod::Post => "Post",
        crate::ir::HttpMethod::Delete => "Delete",
        crate::ir::HttpMethod::Options => "Options",
        crate::ir::HttpMethod::Head => "Head",
        crate::ir::HttpMethod::Patch => "Patch",
        crate::ir::HttpMethod::Trace => "Trace",
    });
    let binary = op.success.content == ResponseContent::Bytes;
    let follow = op.params.iter().any(|p| p.whole_url);
    let (errors, _) = error_list(op);
    let final_client_errors = op.final_client_errors;
    quote! {
        rt::OpSpec { method: rt::Method::#http_method, binary: #binary, follow_redirects: #follow, final_client_errors: #final_client_errors, errors: #errors }
    }
}

/// The documentation of `send`: what success is, where errors decode, and
/// how the body is sent.
fn send_doc(op: &Operation) -> String {
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
        alt = format!(" The body is sent as `{}`", b.media_type);
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
    format!(" {send_doc}{alt}")
}

/// The struct a body type names, if it is one.
fn struct_of<'a>(api: &'a Api, ty: &Ty) -> Option<&'a crate::ir::StructDef> {
    crate::ir::struct_def(&api.types, ty)
}

/// The statements that send a form body field by field, as `lower`
/// decided ([`crate::ir::FormBody`]): `text(name, value)` adds a text field,
/// `file(name, place)` a file part. The struct is bound to `source`.
fn form_fields(
    form: &crate::ir::FormBody,
    text: impl Fn(TokenStream, TokenStream) -> TokenStream,
    file: impl Fn(TokenStream, TokenStream) -> TokenStream,
) -> Vec<TokenStream> {
    use crate::ir::FormValue;
    let mut out = Vec::new();
    for f in &form.fields {
        let rust = ident(&f.rust);
        let wire = &f.wire;
        // `place` is the value (for method calls), `reference` a reference to it.
        let add = |place: TokenStream, reference: TokenStream| match f.value {
            FormValue::File => file(quote!(#wire.to_string()), place),
            FormValue::Text => text(quote!(#wire.to_string()), quote!(#place.clone())),
            FormValue::Json => text(
                quote!(#wire.to_string()),
                quote!(rt::text_value(#reference)?),
            ),
        };
        if f.double_option {
            let a = add(quote!(v), quote!(v));
            out.push(quote!(if let Some(Some(v)) = &source.#rust { #a }));
        } else if f.optional {
            let a = add(quote!(v), quote!(v));
            out.push(quote!(if let Some(v) = &source.#rust { #a }));
        } else {
            out.push(add(quote!(source.#rust), quote!(&source.#rust)));
        }
    }
    let n = ident(&form.extra);
    let a = text(quote!(name.clone()), quote!(rt::text_value(v)?));
    out.push(quote!(for (name, v) in &source.#n { #a }));
    out
}

/// A multipart form built field by field ([`form_fields`]); binary fields
/// become file parts with their file name and media type.
fn multipart_struct(form: &crate::ir::FormBody, value: &TokenStream) -> TokenStream {
    let parts = form_fields(
        form,
        |name, v| quote!(form = form.text(#name, #v);),
        |name, place| quote!(form = form.part(#name, #place.to_part()?);),
    );
    quote! {
        let source = #value;
        let mut form = crate::reqwest::multipart::Form::new();
        #(#parts)*
        form
    }
}

/// A URL-encoded form built field by field ([`form_fields`]).
fn form_struct(form: &crate::ir::FormBody, value: &TokenStream) -> TokenStream {
    let pairs = form_fields(
        form,
        |name, v| quote!(pairs.push((#name, #v));),
        |name, place| quote!(pairs.push((#name, rt::text_value(&#place)?));),
    );
    quote! {
        let source = #value;
        let mut pairs: Vec<(String, String)> = Vec::new();
        #(#pairs)*
        pairs
    }
}

/// `into_stream` for list operations, from the operation's
/// [`Pagination`](crate::ir::Pagination).
/// The expression reading a path of members from `page`: an
/// `Option<&T>`.
fn member_path(path: &[crate::ir::Member]) -> TokenStream {
    let mut expr = quote!(Some(&page));
    for m in path {
        let name = ident(&m.rust);
        expr = if m.optional {
            quote!(#expr.and_then(|v| v.#name.as_ref()))
        } else {
            quote!(#expr.map(|v| &v.#name))
        };
    }
    expr
}

/// `into_stream` of a list operation with a cursor of another shape (see
/// `CursorPagination`).
fn cursor_pagination(op: &Operation, error_ty: &TokenStream) -> Option<TokenStream> {
    let p = op.cursor_pagination.as_ref()?;
    let setter = ident(&p.setter);
    let item_ty = rust_ty(&p.item, &quote!(crate::types::));
    let items_name = ident(&p.items.rust);
    let items = if p.items.optional {
        quote!(page.#items_name.take().unwrap_or_default())
    } else {
        quote!(std::mem::take(&mut page.#items_name))
    };
    let cursor = member_path(&p.cursor);
    let more = match &p.more {
        // Without the flag, the cursor's presence decides.
        Some((path, true)) => {
            let get = member_path(path);
            quote!(#get.copied().unwrap_or(true))
        }
        Some((path, false)) => {
            let get = member_path(path);
            quote!(!#get.copied().unwrap_or(false))
        }
        None => quote!(true),
    };
    let (param, field) = &p.wire;
    let doc = format!(
        " Every item of every page, in order: sends this request, then the same request with `{param}` set to each page's `{field}` until the API reports no next page (or an empty page repeats a cursor). `max_pages` caps the number of pages fetched. An error ends the stream after yielding it."
    );
    let next = quote! {
        let more = #more;
        let next = #cursor
            .filter(|cursor| more && !cursor.is_empty())
            .cloned();
    };
    Some(into_stream(&doc, &item_ty, error_ty, next, items, &setter))
}

/// A list operation's `into_stream`: `next` binds the next page's cursor
/// (from `page`), `items` takes the page's items, `setter` sets the cursor.
fn into_stream(
    doc: &str,
    item_ty: &TokenStream,
    error_ty: &TokenStream,
    next: TokenStream,
    items: TokenStream,
    setter: &proc_macro2::Ident,
) -> TokenStream {
    quote! {
        #[doc = #doc]
        pub fn into_stream(
            self,
            max_pages: Option<usize>,
        ) -> impl rt::Stream<Item = Result<#item_ty, crate::Error<#error_ty>>> + 'a {
            rt::paginate(
                self,
                max_pages,
                |request: Self| async move {
                    let mut page = request.send().await?;
                    #next
                    Ok(rt::Page { items: #items, next })
                },
                |request, cursor| request.#setter(cursor),
            )
        }
    }
}

fn pagination(op: &Operation, error_ty: &TokenStream) -> Option<TokenStream> {
    let p = op.pagination.as_ref()?;
    let get = |base: TokenStream, m: &crate::ir::Member| {
        let name = ident(&m.rust);
        if m.optional {
            quote!(#base.#name.as_ref())
        } else {
            quote!(Some(&#base.#name))
        }
    };
    let setter = ident(&p.after_setter);
    let item_ty = rust_ty(&p.item, &quote!(crate::types::));
    let data_name = ident(&p.data.rust);
    let items = if p.data.optional {
        quote!(page.#data_name.take().unwrap_or_default())
    } else {
        quote!(std::mem::take(&mut page.#data_name))
    };
    let paging_get = get(quote!(page), &p.paging);
    let cursors_get = get(quote!(paging), &p.cursors);
    let after_get = get(quote!(cursors), &p.after);
    // With a `next` link in the schema, its absence marks the last page.
    let has_next = match &p.next {
        Some(next) => {
            let next_get = get(quote!(paging), next);
            quote!(#paging_get.is_some_and(|paging| #next_get.is_some()))
        }
        None => quote!(true),
    };
    let doc = " Every item of every page, in order: sends this request, then the same request with `after` set to each page's `paging.cursors.after` until the API reports no next page (or an empty page repeats a cursor). `max_pages` caps the number of pages fetched. An error ends the stream after yielding it.";
    let next = quote! {
        let next = #paging_get
            .and_then(|paging| #cursors_get)
            .and_then(|cursors| #after_get)
            .cloned()
            .filter(|_| #has_next);
    };
    Some(into_stream(doc, &item_ty, error_ty, next, items, &setter))
}
