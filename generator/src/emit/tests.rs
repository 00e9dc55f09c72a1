//! The generated crate's own mock-server tests: one test per operation (and
//! one more per further request body example), written from the examples the
//! fragments document.
//!
//! Each test calls the operation with the documented parameter and body
//! examples, checks the request the mock server received (method, path,
//! query, headers, credentials, body and its media type), serves every
//! documented success example and checks that it decodes into the typed value
//! (which encodes back to the example), then serves the documented error
//! example and checks that it surfaces as `Error::Api` with its typed body.
//!
//! An operation without the examples a test needs is listed in
//! [`MockTests::gaps`]; the freshness test of the repository requires that
//! list to be empty for the targets that emit these tests.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::error::{Error, Result};
use crate::ir::{
    Api, BodyMedia, Operation, ParamLocation, PathPart, ResponseContent, Ty, TypeKind,
};

/// The helpers at the top of every generated test file.
const SUPPORT: &str = include_str!("../../templates/mock_support.rs");

/// The emitted test file and what it could not cover.
pub struct MockTests {
    /// The test file's source.
    pub source: String,
    /// `operationId: what is missing`, one per operation lacking an example.
    pub gaps: Vec<String>,
}

/// Emits `tests/operations.rs` for the crate.
pub fn emit(api: &Api, plan: &super::features::Plan) -> Result<MockTests> {
    let lib = ident(&api.target.lib_name);
    let mut gaps = Vec::new();
    let mut used = BTreeSet::new();
    let mut tests: Vec<(String, TokenStream)> = Vec::new();
    for op in &api.operations {
        let cfg = plan.operation_cfg(&op.operation_id);
        match operation_tests(api, op, &cfg, &mut used) {
            Ok(t) => tests.extend(t.into_iter().map(|t| (op.operation_id.clone(), t))),
            Err(gap) => gaps.push(format!("{}: {gap}", op.operation_id)),
        }
    }
    let support: syn::File = syn::parse_str(SUPPORT).map_err(|e| Error::Emit {
        item: "mock test support".into(),
        message: e.to_string(),
    })?;
    let (header, sent) = match &api.target.auth {
        crate::ir::Auth::Bearer => ("authorization".to_string(), "Bearer test-token"),
        crate::ir::Auth::ApiKeyHeader { header } => (header.to_ascii_lowercase(), "test-token"),
        other => {
            return Err(Error::Config {
                file: std::path::PathBuf::from("specs/codegen.toml"),
                message: format!(
                    "target `{}`: generated mock tests need bearer or header API key credentials, not {other:?}",
                    api.target.crate_name
                ),
            });
        }
    };
    let tokens = quote! {
        //! Every operation against a mock server, from the examples its
        //! fragment documents: the request it sends, and the typed decoding of
        //! its success and error examples.

        // Deprecated operations are tested too, and not every crate's tests
        // use every helper (a crate without JSON bodies never checks one).
        #![allow(deprecated, dead_code)]
        // Formatted by the generator; rustfmt would make `codegen --check` fail.
        #![cfg_attr(rustfmt, rustfmt::skip)]

        use #lib::reqwest;
        use #lib::{Client, Error, RetryPolicy};

        /// The credentials every test client is built with.
        const TOKEN: &str = "test-token";

        /// The header the credentials travel in, and its value.
        const CREDENTIALS_HEADER: &str = #header;
        const CREDENTIALS_SENT: &str = #sent;
    };
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Emit {
        item: "mock tests".into(),
        message: e.to_string(),
    })?;
    file.items.extend(support.items);
    // The tests are many and independent: formatted in parallel, in order.
    let mut source = format!("{}{}", super::PREAMBLE, prettyplease::unparse(&file));
    for text in super::format_parallel(tests)? {
        source.push_str(&text);
    }
    Ok(MockTests { source, gaps })
}

/// A JSON value as the compact text the tests parse.
fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The text a scalar example is sent as (in a path, a query or a header).
fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value for a required parameter that documents no example: a plain
/// string, number or boolean, or the first value of a string enum.
fn stand_in(api: &Api, ty: &Ty) -> Option<serde_json::Value> {
    match ty {
        Ty::String => Some("1234567890".into()),
        Ty::I32 | Ty::I64 => Some(1.into()),
        Ty::F64 => Some(serde_json::json!(1.5)),
        Ty::Bool => Some(true.into()),
        Ty::Named(n) => match &api.types.get(n)?.kind {
            TypeKind::Enum(e) => e.variants.first().map(|v| v.wire.clone().into()),
            TypeKind::Alias(t) => stand_in(api, t),
            _ => None,
        },
        _ => None,
    }
}

/// Percent-encodes a path segment the way the client does (RFC 3986
/// unreserved characters stay).
fn encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The expression passed for a parameter or body: a string literal for
/// string arguments, otherwise the example decoded into the argument's type.
fn argument(ty: &Ty, what: &str, v: &serde_json::Value) -> TokenStream {
    match (ty, v) {
        (Ty::String, v) => match scalar_text(v) {
            Some(s) => quote!(#s),
            None => {
                let t = json_text(v);
                quote!(#t)
            }
        },
        _ => {
            let t = json_text(v);
            quote!(value(#what, #t))
        }
    }
}

/// The tests of one operation, or what it lacks.
fn operation_tests(
    api: &Api,
    op: &Operation,
    cfg: &TokenStream,
    used: &mut BTreeSet<String>,
) -> std::result::Result<Vec<TokenStream>, String> {
    let params = ParamCalls::of(api, op)?;
    let bodies = body_calls(api, op)?;
    let successes = success_checks(op)?;
    let error_check = error_check(op)?;
    let mut out = Vec::new();
    for (i, (name, body)) in bodies.into_iter().enumerate() {
        let base = if i == 0 && name == "request" {
            op.method.clone()
        } else {
            format!(
                "{}_{}",
                op.method,
                crate::naming::snake_ident_with(&name, &[])
            )
        };
        let test = ident(&crate::naming::unique(base, used));
        let checks = if i == 0 {
            let s = &successes;
            quote!(#(#s)* #error_check)
        } else {
            let first = &successes[0];
            quote!(#first)
        };
        out.push(test_fn(op, cfg, &test, &params, &name, body, checks));
    }
    Ok(out)
}

/// One test: calls the operation with the parameters and one body example,
/// then runs `checks` against what the server received.
fn test_fn(
    op: &Operation,
    cfg: &TokenStream,
    test: &proc_macro2::Ident,
    params: &ParamCalls,
    name: &str,
    body: Option<(BodyCall, TokenStream)>,
    checks: TokenStream,
) -> TokenStream {
    let method = ident(&op.method);
    let http = op.http_method.as_str();
    let (body_args, body_setter, body_check) = match body {
        Some((BodyCall::Arg(a), check)) => (vec![a], quote!(), check),
        Some((BodyCall::Setter(s), check)) => (Vec::new(), s, check),
        Some((BodyCall::Flat(a, s), check)) => (a, s, check),
        None => (Vec::new(), quote!(), quote!(BodyCheck::None)),
    };
    let all_args: Vec<&TokenStream> = params.args.iter().chain(&body_args).collect();
    let ParamCalls {
        setters,
        query,
        headers,
        path,
        ..
    } = params;
    let doc = format!(
        " `{http} {}` ({}), with {}.",
        op.path,
        op.operation_id,
        if name == "request" {
            "its documented parameters".to_string()
        } else {
            format!("request body example `{name}`")
        }
    );
    quote! {
        #[doc = #doc]
        #cfg
        #[tokio::test]
        async fn #test() {
            let server = wiremock::MockServer::start().await;
            let client = client(&server);
            let call = || client.#method(#(#all_args),*) #(#setters)* #body_setter;
            let expected = Expected {
                method: #http,
                path: #path.to_string(),
                query: vec![#(#query),*],
                headers: vec![#(#headers),*],
                body: #body_check,
            };
            #checks
        }
    }
}

/// How a test passes an operation's parameters, and what the request should
/// carry for them.
struct ParamCalls {
    /// The client method's arguments.
    args: Vec<TokenStream>,
    /// Setter calls on the request builder.
    setters: Vec<TokenStream>,
    /// The expected query pairs.
    query: Vec<TokenStream>,
    /// The expected headers.
    headers: Vec<TokenStream>,
    /// The expected path.
    path: String,
}

impl ParamCalls {
    /// Required parameters always (an example, or a stand-in), optional ones
    /// when they document a scalar or array example.
    fn of(api: &Api, op: &Operation) -> std::result::Result<Self, String> {
        let mut calls = ParamCalls {
            args: Vec::new(),
            setters: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            path: String::new(),
        };
        let mut path_values: Vec<Option<String>> = vec![None; op.params.len()];
        let mut whole_url = false;
        for (i, p) in op.params.iter().enumerate() {
            let what = format!("the example of parameter `{}`", p.wire);
            if p.whole_url {
                whole_url = true;
                calls
                    .args
                    .push(quote!(format!("{}/media-download", server.uri())));
                continue;
            }
            let Some((example, texts)) = param_example(api, op, p)? else {
                continue;
            };
            let arg = argument(&p.ty, &what, &example);
            if p.required {
                calls.args.push(arg);
            } else {
                let setter = ident(&p.rust);
                calls.setters.push(quote!(.#setter(#arg)));
            }
            let wire = &p.wire;
            match p.location {
                ParamLocation::Path => path_values[i] = texts.into_iter().next(),
                ParamLocation::Query => {
                    for t in texts {
                        calls.query.push(quote!((#wire, #t.to_string())));
                    }
                }
                ParamLocation::Header => {
                    for t in texts {
                        calls.headers.push(quote!((#wire, #t.to_string())));
                    }
                }
                // The mock tests do not check cookies.
                ParamLocation::Cookie => {}
            }
        }
        calls.path = if whole_url {
            "/media-download".to_string()
        } else {
            example_path(api, op, &path_values)
        };
        Ok(calls)
    }
}

/// A parameter's example (or stand-in) and the texts the request should
/// carry for it; `None` for an optional parameter a test leaves out.
fn param_example(
    api: &Api,
    op: &Operation,
    p: &crate::ir::Param,
) -> std::result::Result<Option<(serde_json::Value, Vec<String>)>, String> {
    let example = match op.examples.params.get(&p.wire) {
        Some(v) => v.clone(),
        None if p.required => stand_in(api, &p.ty)
            .ok_or_else(|| format!("required parameter `{}` has no example", p.wire))?,
        None => return Ok(None),
    };
    let texts: Vec<String> = match &example {
        serde_json::Value::Array(items) => {
            let items: Option<Vec<String>> = items.iter().map(scalar_text).collect();
            let Some(items) = items else {
                return Ok(None);
            };
            if p.explode && p.location == ParamLocation::Query {
                items
            } else {
                vec![items.join(",")]
            }
        }
        v => match scalar_text(v) {
            Some(s) => vec![s],
            None if p.required => {
                return Err(format!("parameter `{}` has a non-scalar example", p.wire));
            }
            None => return Ok(None),
        },
    };
    Ok(Some((example, texts)))
}

/// The path the request should go to, with the path parameters' texts.
fn example_path(api: &Api, op: &Operation, path_values: &[Option<String>]) -> String {
    let mut path = String::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(l) => path.push_str(l),
            PathPart::Client(ci) => {
                path.push_str(&encode_segment(&api.target.client_params[*ci].default))
            }
            PathPart::Param(pi) => {
                let v = path_values[*pi].as_deref().unwrap_or_default();
                path.push_str(&encode_segment(v));
            }
        }
    }
    path
}

/// A body passed with one call per documented example (named `request`
/// when there is no body or no example).
type BodyCalls = Vec<(String, Option<(BodyCall, TokenStream)>)>;

/// Request bodies: one test per documented example.
fn body_calls(api: &Api, op: &Operation) -> std::result::Result<BodyCalls, String> {
    let mut bodies: BodyCalls = Vec::new();
    match &op.body {
        None => bodies.push(("request".into(), None)),
        Some(b) => {
            if op.examples.bodies.is_empty() {
                if b.required {
                    return Err("the request body has no example".into());
                }
                bodies.push(("request".into(), None));
            }
            for (name, example) in &op.examples.bodies {
                let what = format!("request body example `{name}`");
                let (sent, check) = body_example(api, b, example)?;
                let call = if b.flat.is_some() {
                    flat_call(api, b, &what, &sent)?
                } else if b.required {
                    BodyCall::Arg(argument(&b.ty, &what, &sent))
                } else {
                    let setter = ident(&b.rust);
                    let arg = argument(&b.ty, &what, &sent);
                    BodyCall::Setter(quote!(.#setter(#arg)))
                };
                bodies.push((name.clone(), Some((call, check))));
            }
        }
    }
    Ok(bodies)
}

/// Success: every documented example (JSON), or a body of the documented kind.
fn success_checks(op: &Operation) -> std::result::Result<Vec<TokenStream>, String> {
    let success_status = op.success.statuses.first().copied().unwrap_or(200);
    let mut successes: Vec<TokenStream> = Vec::new();
    match &op.success.content {
        ResponseContent::Json(_) => {
            if op.examples.success.is_empty() {
                return Err("the success response has no example".into());
            }
            for (status, name, v) in &op.examples.success {
                let t = json_text(v);
                let what = format!("success example `{name}`");
                successes.push(quote! {
                    check_success(&server, &expected, #status, #what, #t, || call().send()).await;
                });
            }
        }
        ResponseContent::Empty => successes.push(quote! {
            serve(&server, #success_status, None, None).await;
            let value: () = call().send().await.expect("the call succeeds");
            assert_eq!(value, ());
            assert_request(&server, &expected).await;
        }),
        ResponseContent::Bytes => successes.push(quote! {
            let bytes: &[u8] = b"\x89PNG\r\n\x1a\n example bytes";
            serve(&server, #success_status, None, Some(bytes)).await;
            let value = call().send().await.expect("the call succeeds");
            assert_eq!(value, bytes);
            assert_request(&server, &expected).await;
        }),
        ResponseContent::Text => successes.push(quote! {
            serve(&server, #success_status, None, Some(b"example text")).await;
            let value = call().send().await.expect("the call succeeds");
            assert_eq!(value, "example text");
            assert_request(&server, &expected).await;
        }),
    }
    Ok(successes)
}

/// The documented error.
fn error_check(op: &Operation) -> std::result::Result<TokenStream, String> {
    let Some((err_status, err_name, err_value)) = op.examples.errors.first() else {
        return Err("no error response has an example".into());
    };
    let err_text = json_text(err_value);
    let err_what = format!("error example `{err_name}` (HTTP {err_status})");
    Ok(quote! {
        check_error(&server, &expected, #err_status, #err_what, #err_text, || call().send()).await;
    })
}

/// How a body example is passed: a required body is an argument of the
/// client method, an optional one is set with its setter.
enum BodyCall {
    Arg(TokenStream),
    Setter(TokenStream),
    /// A flattened body: the required members as arguments, the others set
    /// with their setters.
    Flat(Vec<TokenStream>, TokenStream),
}

/// The arguments and setters that send a flattened body example.
fn flat_call(
    api: &Api,
    b: &crate::ir::Body,
    what: &str,
    example: &serde_json::Value,
) -> std::result::Result<BodyCall, String> {
    let def = match &b.ty {
        Ty::Named(n) => match api.types.get(n).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => s,
            _ => return Err("a flattened body is not a struct".into()),
        },
        _ => return Err("a flattened body is not a struct".into()),
    };
    let mut args = Vec::new();
    let mut setters = Vec::new();
    for flat in b.flat.iter().flatten() {
        let Some(f) = def.fields.iter().find(|f| f.rust == flat.field) else {
            continue;
        };
        let member = example.get(&f.wire);
        let name = ident(&flat.name);
        match member {
            Some(v) if flat.argument => args.push(argument(&f.ty, what, v)),
            None if flat.argument => {
                return Err(format!("{what} lacks the required member `{}`", f.wire));
            }
            Some(_) if flat.unit => setters.push(quote!(.#name())),
            Some(v) => {
                let arg = argument(&f.ty, what, v);
                setters.push(quote!(.#name(#arg)));
            }
            None => {}
        }
    }
    Ok(BodyCall::Flat(args, quote!(#(#setters)*)))
}

/// The value to send for a body example, and the check of what arrives.
fn body_example(
    api: &Api,
    b: &crate::ir::Body,
    example: &serde_json::Value,
) -> std::result::Result<(serde_json::Value, TokenStream), String> {
    if let Some(field) = &b.form_field {
        // A single-field form: the example is the value, or an object holding it.
        let v = match example {
            serde_json::Value::Object(m) => m.get(field).cloned().unwrap_or_default(),
            v => v.clone(),
        };
        let text = scalar_text(&v).ok_or("a single-field form example is not a scalar")?;
        let check = match b.media {
            BodyMedia::Multipart => quote!(BodyCheck::Multipart(vec![#field])),
            _ => quote!(BodyCheck::Form(
                vec![(#field.to_string(), #text.to_string())]
            )),
        };
        return Ok((v, check));
    }
    match b.media {
        BodyMedia::Json => {
            let t = json_text(example);
            Ok((example.clone(), quote!(BodyCheck::Json(json(#t)))))
        }
        BodyMedia::Form => {
            let serde_json::Value::Object(members) = example else {
                return Err("a form body example is not an object".into());
            };
            let pairs = members.iter().map(|(k, v)| {
                let t = json_text(v);
                quote!((#k.to_string(), form_text(&json(#t))))
            });
            Ok((example.clone(), quote!(BodyCheck::Form(vec![#(#pairs),*]))))
        }
        BodyMedia::Raw => Err("a body of bytes has no JSON example to check".into()),
        BodyMedia::Multipart => {
            let serde_json::Value::Object(members) = example else {
                return Err("a multipart body example is not an object".into());
            };
            // Binary members are documented as a placeholder; a small file
            // stands in for them.
            let binary: BTreeSet<&str> = match &b.ty {
                Ty::Named(n) => match api.types.get(n).map(|t| &t.kind) {
                    Some(TypeKind::Struct(s)) => s
                        .fields
                        .iter()
                        .filter(|f| f.ty == Ty::Bytes)
                        .map(|f| f.wire.as_str())
                        .collect(),
                    _ => BTreeSet::new(),
                },
                _ => BTreeSet::new(),
            };
            let mut sent = members.clone();
            for name in &binary {
                if sent.contains_key(*name) {
                    sent.insert(
                        name.to_string(),
                        serde_json::json!({"file_name": "example.bin", "content_type": "application/octet-stream", "bytes": [1, 2, 3]}),
                    );
                }
            }
            let fields: Vec<&String> = sent.keys().collect();
            Ok((
                serde_json::Value::Object(sent.clone()),
                quote!(BodyCheck::Multipart(vec![#(#fields),*])),
            ))
        }
    }
}
