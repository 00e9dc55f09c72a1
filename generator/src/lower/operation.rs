//! Operation lowering: method, path template, parameters in a fixed order,
//! body with its media type, responses per status.

use std::collections::BTreeSet;

use openapiv3::{Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, StatusCode};

use super::{DKind, Dest, Lowerer, TypeId};
use crate::error::{SpecError, escape_pointer_token};
use crate::ir::{BodyMedia, HttpMethod, ParamLocation, PathPart, StatusMatch, Ty};
use crate::naming;

/// Header parameters the client sets itself; operations never expose them.
/// `Authorization` comes from the configured security scheme, the content
/// headers from the body and response handling.
pub const CLIENT_HEADERS: &[&str] = &["authorization", "content-type", "accept"];

#[derive(Debug, Clone)]
pub(crate) struct DraftOperation {
    pub fragment: usize,
    pub pointer: String,
    pub operation_id: String,
    pub method: String,
    pub http_method: HttpMethod,
    pub path: String,
    pub path_parts: Vec<PathPart>,
    pub params: Vec<DraftParam>,
    pub body: Option<DraftBody>,
    pub success_statuses: Vec<u16>,
    pub success: DraftContent,
    pub errors: Vec<(StatusMatch, Option<Ty<TypeId>>)>,
    pub summary: Option<String>,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub examples: crate::ir::Examples,
}

#[derive(Debug, Clone)]
pub(crate) struct DraftParam {
    pub wire: String,
    pub rust: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: Ty<TypeId>,
    pub explode: bool,
    pub whole_url: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct DraftBody {
    pub media: BodyMedia,
    pub required: bool,
    pub ty: Ty<TypeId>,
    pub form_field: Option<String>,
    pub rust: String,
    pub alternatives: Vec<String>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DraftContent {
    Empty,
    Json(Ty<TypeId>),
    Text,
    Bytes,
}

impl<'a> Lowerer<'a> {
    pub(super) fn convert_operations(&mut self, errors: &mut Vec<SpecError>) {
        let mut seen_ids: BTreeSet<String> = BTreeSet::new();
        let mut seen_methods: BTreeSet<String> = BTreeSet::new();
        for fi in 0..self.fragments.len() {
            let frag = self.fragments[fi];
            for (path, item) in &frag.doc.paths.paths {
                let item_ptr = format!("#/paths/{}", escape_pointer_token(path));
                let item = match item {
                    ReferenceOr::Item(item) => item,
                    ReferenceOr::Reference { .. } => {
                        errors.push(self.err(fi, item_ptr, "path item `$ref`s are not supported"));
                        continue;
                    }
                };
                for (name, method, op) in methods(item) {
                    let Some(op) = op else { continue };
                    let ptr = format!("{item_ptr}/{name}");
                    match self.operation(fi, path, method, op, &item.parameters, &ptr) {
                        Ok(draft) => {
                            if !seen_ids.insert(draft.operation_id.clone()) {
                                errors.push(self.err(
                                    fi,
                                    format!("{ptr}/operationId"),
                                    format!("duplicate operationId `{}`", draft.operation_id),
                                ));
                            } else if !seen_methods.insert(draft.method.clone()) {
                                errors.push(self.err(
                                    fi,
                                    format!("{ptr}/operationId"),
                                    format!("operation `{}` would be a second client method named `{}`; add a rename", draft.operation_id, draft.method),
                                ));
                            } else {
                                self.operations.push(draft);
                            }
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
        for op in self.target.operation_renames.keys() {
            if !seen_ids.contains(op) {
                errors.push(SpecError {
                    file: "specs/codegen.toml".into(),
                    pointer: format!("#/target/{}/operation_renames", self.target.name),
                    message: format!("rename of unknown operationId `{op}`"),
                });
            }
        }
    }

    fn operation(
        &mut self,
        fi: usize,
        path: &str,
        http_method: HttpMethod,
        op: &'a openapiv3::Operation,
        shared_params: &'a [ReferenceOr<Parameter>],
        ptr: &str,
    ) -> Result<DraftOperation, SpecError> {
        // An inbound operation may lack an operationId; the configuration then
        // names it as `METHOD /path`, which stands in for the id.
        let method_and_path = format!("{} {path}", http_method.as_str());
        let is_webhook = self
            .target
            .webhooks
            .as_ref()
            .is_some_and(|w| w.operation == method_and_path);
        let operation_id = match (&op.operation_id, is_webhook) {
            (Some(id), _) => id.clone(),
            (None, true) => method_and_path,
            (None, false) => {
                return Err(self.err(
                    fi,
                    ptr,
                    "operation has no `operationId`; the client method is named after it",
                ));
            }
        };
        let method = self
            .target
            .operation_renames
            .get(&operation_id)
            .cloned()
            .unwrap_or_else(|| naming::snake_ident_with(&operation_id, &self.target.words));
        let builder = naming::type_name(&heck::ToUpperCamelCase::to_upper_camel_case(
            method.as_str(),
        ));

        // Parameters: operation-level ones override path-level ones by (name, in).
        let mut resolved: Vec<(usize, String, &Parameter)> = Vec::new();
        let all = shared_params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    p,
                    format!("#/paths/{}/parameters/{i}", escape_pointer_token(path)),
                )
            })
            .chain(
                op.parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, format!("{ptr}/parameters/{i}"))),
            );
        for (p, p_ptr) in all {
            let (pfi, pptr, param) =
                self.resolve_component(fi, p, &p_ptr, "parameters", |c| &c.parameters)?;
            let key = (param.parameter_data_ref().name.clone(), location_key(param));
            resolved
                .retain(|(_, _, q)| (q.parameter_data_ref().name.clone(), location_key(q)) != key);
            resolved.push((pfi, pptr, param));
        }

        let mut examples = crate::ir::Examples::default();
        let mut params = Vec::new();
        // Names the request builders use for their own setters.
        let mut used =
            BTreeSet::from(["body", "client", "retry", "timeout", "send"].map(String::from));
        for (pfi, pptr, param) in &resolved {
            let data = param.parameter_data_ref();
            let location = match param {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => {
                    return Err(self.err(
                        *pfi,
                        pptr.clone(),
                        "cookie parameters are not supported",
                    ));
                }
            };
            if location == ParamLocation::Header
                && CLIENT_HEADERS.contains(&data.name.to_ascii_lowercase().as_str())
            {
                continue;
            }
            if location == ParamLocation::Path
                && self
                    .target
                    .client_params
                    .iter()
                    .any(|c| c.name == data.name)
            {
                continue;
            }
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(s) => s,
                ParameterSchemaOrContent::Content(_) => {
                    return Err(self.err(
                        *pfi,
                        format!("{pptr}/content"),
                        "parameters described by `content` are not supported yet",
                    ));
                }
            };
            let example = data
                .example
                .clone()
                .or_else(|| {
                    data.examples.values().find_map(|e| match e {
                        ReferenceOr::Item(e) => e.value.clone(),
                        ReferenceOr::Reference { .. } => None,
                    })
                })
                .or_else(|| match schema {
                    ReferenceOr::Item(s) => s.schema_data.example.clone(),
                    ReferenceOr::Reference { .. } => None,
                });
            if let Some(example) = example {
                examples.params.insert(data.name.clone(), example);
            }
            let base = format!("{builder}{}", naming::type_suffix(&data.name));
            let usage = self.schema_ref(
                *pfi,
                schema.into(),
                &format!("{pptr}/schema"),
                Dest::root(base),
            )?;
            self.check_param_ty(*pfi, &format!("{pptr}/schema"), &usage.ty, location)?;
            let explode = match param {
                Parameter::Query { parameter_data, .. } => parameter_data.explode.unwrap_or(true),
                _ => false,
            };
            params.push(super::operation::DraftParam {
                wire: data.name.clone(),
                rust: naming::unique(
                    naming::snake_ident_with(&data.name, &self.target.words),
                    &mut used,
                ),
                location,
                required: data.required || location == ParamLocation::Path,
                ty: usage.ty,
                explode,
                whole_url: location == ParamLocation::Path
                    && self.target.url_params.contains(&data.name),
                doc: data
                    .description
                    .as_deref()
                    .map(str::trim)
                    .map(str::to_string)
                    .or(usage.doc),
            });
        }

        // The path template, checked against the declared path parameters.
        let mut path_parts = Vec::new();
        let mut template_params = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                return Err(self.err(
                    fi,
                    ptr,
                    format!("path template `{path}` has an unclosed `{{`"),
                ));
            };
            if open > 0 {
                path_parts.push(PathPart::Literal(rest[..open].to_string()));
            }
            let name = &rest[open + 1..close];
            if let Some(ci) = self
                .target
                .client_params
                .iter()
                .position(|c| c.name == name)
            {
                path_parts.push(PathPart::Client(ci));
            } else {
                match params
                    .iter()
                    .position(|p| p.location == ParamLocation::Path && p.wire == name)
                {
                    Some(pi) => {
                        path_parts.push(PathPart::Param(pi));
                        template_params.push(pi);
                    }
                    None => {
                        return Err(self.err(fi, ptr, format!("path template `{path}` names `{{{name}}}` but no path parameter declares it")));
                    }
                }
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            path_parts.push(PathPart::Literal(rest.to_string()));
        }
        if let Some(p) = params.iter().find(|p| {
            p.location == ParamLocation::Path && !path.contains(&format!("{{{}}}", p.wire))
        }) {
            return Err(self.err(
                fi,
                ptr,
                format!(
                    "path parameter `{}` does not appear in the template `{path}`",
                    p.wire
                ),
            ));
        }

        // Fixed order: path parameters in template order, then the other
        // required parameters, then optional ones (each in spec order).
        let mut order: Vec<usize> = template_params.clone();
        order.extend(
            (0..params.len())
                .filter(|i| params[*i].location != ParamLocation::Path && params[*i].required),
        );
        order.extend((0..params.len()).filter(|i| !params[*i].required));
        let remap: Vec<usize> = (0..params.len())
            .map(|old| order.iter().position(|o| *o == old).unwrap_or(old))
            .collect();
        for part in &mut path_parts {
            if let PathPart::Param(i) = part {
                *i = remap[*i];
            }
        }
        let mut slots: Vec<Option<DraftParam>> = params.into_iter().map(Some).collect();
        let params: Vec<DraftParam> = order.iter().filter_map(|i| slots[*i].take()).collect();

        let body = match &op.request_body {
            Some(rb) => {
                let (body, body_examples) =
                    self.body(fi, rb, &format!("{ptr}/requestBody"), &builder, &mut used)?;
                examples.bodies = body_examples;
                Some(body)
            }
            None => None,
        };

        // Responses.
        let mut success_statuses = Vec::new();
        let mut success: Option<DraftContent> = None;
        let mut errors = Vec::new();
        let mut entries: Vec<(StatusMatch, String, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(code, r)| {
                let m = match code {
                    StatusCode::Code(c) => StatusMatch::Code(*c),
                    StatusCode::Range(r) => StatusMatch::Range(*r),
                };
                (m, format!("{ptr}/responses/{code}"), r)
            })
            .collect();
        if let Some(d) = &op.responses.default {
            entries.push((StatusMatch::Default, format!("{ptr}/responses/default"), d));
        }
        for (status, rptr, r) in entries {
            let is_success = matches!(status, StatusMatch::Code(200..=299) | StatusMatch::Range(2));
            let name = match status {
                _ if is_success => format!("{builder}Response"),
                StatusMatch::Code(c) => format!("{builder}Error{c}"),
                StatusMatch::Range(r) => format!("{builder}Error{r}xx"),
                StatusMatch::Default => format!("{builder}ErrorDefault"),
            };
            let (rfi, rptr, resp) =
                self.resolve_component(fi, r, &rptr, "responses", |c| &c.responses)?;
            let (content, documented) = self.response_content(rfi, &rptr, resp, name)?;
            let code = match status {
                StatusMatch::Code(c) => Some(c),
                StatusMatch::Range(r) => Some(r * 100),
                StatusMatch::Default => None,
            };
            for (example_name, value) in documented {
                match code {
                    Some(c) if is_success => examples.success.push((c, example_name, value)),
                    Some(c) => examples.errors.push((c, example_name, value)),
                    None => {}
                }
            }
            if is_success {
                if let StatusMatch::Code(c) = status {
                    success_statuses.push(c);
                }
                match &success {
                    None => success = Some(content),
                    Some(prev) if *prev == content || content == DraftContent::Empty => {}
                    Some(DraftContent::Empty) => success = Some(content),
                    Some(_) => {
                        return Err(self.err(
                            fi,
                            rptr,
                            "several success responses with different bodies are not supported yet",
                        ));
                    }
                }
            } else {
                let ty = match content {
                    DraftContent::Json(ty) => Some(ty),
                    _ => None,
                };
                errors.push((status, ty));
            }
        }
        let distinct: BTreeSet<&Ty<TypeId>> =
            errors.iter().filter_map(|(_, t)| t.as_ref()).collect();
        if distinct.len() > 1 && !self.same_shape(&distinct) {
            return Err(self.err(
                fi,
                format!("{ptr}/responses"),
                "error responses with different body types are not supported yet",
            ));
        }

        let text = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Ok(DraftOperation {
            fragment: fi,
            pointer: ptr.to_string(),
            operation_id,
            method,
            http_method,
            path: path.to_string(),
            path_parts,
            params,
            body,
            success_statuses,
            success: success.unwrap_or(DraftContent::Empty),
            errors,
            summary: text(&op.summary),
            doc: text(&op.description),
            deprecated: op.deprecated,
            examples,
        })
    }

    /// Error bodies that are different draft types may still be copies of one
    /// schema (inline in each response); those are accepted and merged later.
    fn same_shape(&self, tys: &BTreeSet<&Ty<TypeId>>) -> bool {
        let kinds: BTreeSet<String> = tys
            .iter()
            .map(|t| match t {
                Ty::Named(id) => self.types[*id].original.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        kinds.len() == 1
    }

    fn check_param_ty(
        &self,
        fi: usize,
        ptr: &str,
        ty: &Ty<TypeId>,
        location: ParamLocation,
    ) -> Result<(), SpecError> {
        let simple = |t: &Ty<TypeId>| match t {
            Ty::String | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool => true,
            Ty::Named(id) => matches!(self.types[*id].kind, DKind::Enum { .. } | DKind::Pending),
            _ => false,
        };
        let ok = match ty {
            Ty::Array(inner) => location == ParamLocation::Query && simple(inner),
            t => simple(t),
        };
        if ok {
            Ok(())
        } else {
            Err(self.err(fi, ptr, "only strings, numbers, booleans, string enums (and arrays of them in the query) are supported as parameters"))
        }
    }

    fn body(
        &mut self,
        fi: usize,
        rb: &'a ReferenceOr<openapiv3::RequestBody>,
        ptr: &str,
        builder: &str,
        used: &mut BTreeSet<String>,
    ) -> Result<(DraftBody, Vec<(String, serde_json::Value)>), SpecError> {
        let (bfi, bptr, rb) =
            self.resolve_component(fi, rb, ptr, "requestBodies", |c| &c.request_bodies)?;
        // Preference when several media types are offered: JSON, then a form,
        // then multipart. The others are listed in the method's documentation.
        let pick = |want: BodyMedia| {
            rb.content.iter().find(|(m, _)| {
                let m = essence(m);
                match want {
                    BodyMedia::Json => is_json(&m),
                    BodyMedia::Form => m == "application/x-www-form-urlencoded",
                    BodyMedia::Multipart => m == "multipart/form-data",
                }
            })
        };
        let (media, (media_name, content)) =
            [BodyMedia::Json, BodyMedia::Form, BodyMedia::Multipart]
                .into_iter()
                .find_map(|m| pick(m).map(|c| (m, c)))
                .ok_or_else(|| {
                    let offered: Vec<&str> = rb.content.keys().map(String::as_str).collect();
                    self.err(
                        bfi,
                        format!("{bptr}/content"),
                        format!(
                            "unsupported request body media type(s): {}",
                            offered.join(", ")
                        ),
                    )
                })?;
        let cptr = format!("{bptr}/content/{}", escape_pointer_token(media_name));
        let schema = content
            .schema
            .as_ref()
            .ok_or_else(|| self.err(bfi, cptr.clone(), "request body has no schema"))?;
        let usage = self.schema_ref(
            bfi,
            schema.into(),
            &format!("{cptr}/schema"),
            Dest::root(format!("{builder}Request")),
        )?;
        let is_object = |t: &Ty<TypeId>| match t {
            Ty::Named(id) => matches!(self.types[*id].kind, DKind::Struct { .. } | DKind::Pending),
            Ty::JsonObject | Ty::Map(_) => true,
            _ => false,
        };
        let mut form_field = None;
        let mut rust = "body".to_string();
        if media != BodyMedia::Json && !is_object(&usage.ty) {
            // A form body that is a single primitive is sent as one field,
            // named by the schema's `title` (as the 360dialog fragments do).
            let scalar = matches!(
                usage.ty,
                Ty::String | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool | Ty::Bytes
            );
            match (&usage.title, scalar) {
                (Some(title), true) => {
                    used.remove("body");
                    rust =
                        naming::unique(naming::snake_ident_with(title, &self.target.words), used);
                    form_field = Some(title.clone());
                }
                _ => {
                    return Err(self.err(
                        bfi,
                        format!("{cptr}/schema"),
                        "a form or multipart body must be an object, or a primitive with a `title` naming its field",
                    ));
                }
            }
        }
        let alternatives = rb
            .content
            .keys()
            .filter(|m| *m != media_name)
            .cloned()
            .collect();
        let body = DraftBody {
            media,
            required: rb.required,
            ty: usage.ty,
            form_field,
            rust,
            alternatives,
            doc: rb.description.as_deref().map(str::trim).map(str::to_string),
        };
        Ok((body, media_examples(content)))
    }

    fn response_content(
        &mut self,
        fi: usize,
        ptr: &str,
        resp: &'a openapiv3::Response,
        name: String,
    ) -> Result<(DraftContent, Vec<(String, serde_json::Value)>), SpecError> {
        let json = resp.content.iter().find(|(m, _)| is_json(&essence(m)));
        if let Some((media, content)) = json {
            let cptr = format!("{ptr}/content/{}", escape_pointer_token(media));
            let ty = match &content.schema {
                Some(schema) => {
                    self.schema_ref(
                        fi,
                        schema.into(),
                        &format!("{cptr}/schema"),
                        Dest::root(name),
                    )?
                    .ty
                }
                None => Ty::Json,
            };
            return Ok((DraftContent::Json(ty), media_examples(content)));
        }
        let content = match resp.content.keys().next() {
            None => DraftContent::Empty,
            Some(m) if m.starts_with("text/") => DraftContent::Text,
            Some(_) => DraftContent::Bytes,
        };
        Ok((content, Vec::new()))
    }
}

/// A media type's examples: its `example` (named `example`), then its
/// `examples` in spec order. Examples given by `$ref` are not followed.
fn media_examples(content: &openapiv3::MediaType) -> Vec<(String, serde_json::Value)> {
    let mut out: Vec<(String, serde_json::Value)> = content
        .example
        .iter()
        .map(|v| ("example".to_string(), v.clone()))
        .collect();
    for (name, e) in &content.examples {
        if let ReferenceOr::Item(e) = e {
            if let Some(v) = &e.value {
                out.push((name.clone(), v.clone()));
            }
        }
    }
    out
}

fn location_key(p: &Parameter) -> u8 {
    match p {
        Parameter::Query { .. } => 0,
        Parameter::Header { .. } => 1,
        Parameter::Path { .. } => 2,
        Parameter::Cookie { .. } => 3,
    }
}

fn methods(item: &PathItem) -> [(&'static str, HttpMethod, &Option<openapiv3::Operation>); 8] {
    [
        ("get", HttpMethod::Get, &item.get),
        ("put", HttpMethod::Put, &item.put),
        ("post", HttpMethod::Post, &item.post),
        ("delete", HttpMethod::Delete, &item.delete),
        ("options", HttpMethod::Options, &item.options),
        ("head", HttpMethod::Head, &item.head),
        ("patch", HttpMethod::Patch, &item.patch),
        ("trace", HttpMethod::Trace, &item.trace),
    ]
}

/// A media type without parameters, lowercased (`application/json`).
fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `application/json` or any `+json` type.
fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}
