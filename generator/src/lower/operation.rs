//! Operation lowering: method, path template, parameters in a fixed order,
//! body with its media type, responses per status.

use std::collections::BTreeSet;

use openapiv3::{Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, StatusCode};

use super::draft::{DKind, DraftBody, DraftContent, DraftOperation, DraftParam, TypeId};
use super::schema::SchemaRef;
use super::{Dest, Lowerer};
use crate::error::{SpecError, escape_pointer_token};
use crate::ir::{BodyMedia, HttpMethod, ParamLocation, PathPart, StatusMatch, Ty};
use crate::naming;

/// Header parameters the client sets itself; operations never expose them.
/// `Authorization` comes from the configured security scheme, the content
/// headers from the body and response handling.
pub const CLIENT_HEADERS: &[&str] = &["authorization", "content-type", "accept"];

/// A member of a split `oneOf`: its schema and JSON pointer.
type Member<'a> = (SchemaRef<'a>, String);

/// Named examples, in spec order.
type NamedExamples = Vec<(String, serde_json::Value)>;

/// Examples with their status, in spec order.
type StatusExamples = Vec<(u16, String, serde_json::Value)>;

/// A split `oneOf`: the member left, the members picked (in the order
/// asked for), and the examples of the whole.
type Split<'a> = (Member<'a>, Vec<Member<'a>>, NamedExamples);

impl<'a> Lowerer<'a> {
    pub(super) fn convert_operations(&mut self, errors: &mut Vec<SpecError>) {
        let mut seen_ids: BTreeSet<String> = BTreeSet::new();
        let mut seen_methods: BTreeSet<String> = BTreeSet::new();
        // The client's own methods: an operation named like one gets `_op`
        // appended (**client name rule**).
        let client_names: BTreeSet<String> = crate::ir::CLIENT_NAMES
            .iter()
            .map(|n| n.to_string())
            .chain(
                self.target
                    .client_params
                    .iter()
                    .map(|p| naming::snake_ident_with(&p.name, &self.target.words)),
            )
            .collect();
        for fi in 0..self.fragments.len() {
            let frag = self.fragments[fi];
            for (path, item) in &frag.doc.paths.paths {
                let item_ptr = format!("#/paths/{}", escape_pointer_token(path));
                let item = match item {
                    ReferenceOr::Item(item) => item,
                    ReferenceOr::Reference { .. } => {
                        let e = self.err(fi, item_ptr, "path item `$ref`s are not supported");
                        if self.target.degrade {
                            self.skipped.operations += 1;
                            self.warn_skipped(e, "its operations are left out");
                        } else {
                            errors.push(e);
                        }
                        continue;
                    }
                };
                for (name, method, op) in methods(item) {
                    let Some(op) = op else { continue };
                    let ptr = format!("{item_ptr}/{name}");
                    match self.operation(fi, path, method, op, &item.parameters, &ptr) {
                        Ok(drafts) => {
                            for mut draft in drafts {
                                if client_names.contains(&draft.method) {
                                    let wanted = std::mem::take(&mut draft.method);
                                    draft.method = format!("{wanted}_op");
                                    self.warnings.borrow_mut().push(self.err(
                                        fi,
                                        format!("{ptr}/operationId"),
                                        format!(
                                            "the client's own method is named `{wanted}`, so operation `{}` is the method `{}`",
                                            draft.operation_id, draft.method
                                        ),
                                    ));
                                }
                                let clash = if draft.body_variant.is_none()
                                    && !seen_ids.insert(draft.operation_id.clone())
                                {
                                    Some(self.err(
                                        fi,
                                        format!("{ptr}/operationId"),
                                        format!("duplicate operationId `{}`", draft.operation_id),
                                    ))
                                } else if !seen_methods.insert(draft.method.clone()) {
                                    Some(self.err(
                                        fi,
                                        format!("{ptr}/operationId"),
                                        format!("operation `{}` would be a second client method named `{}`; add a rename", draft.operation_id, draft.method),
                                    ))
                                } else {
                                    None
                                };
                                match clash {
                                    None => self.operations.push(draft),
                                    // A published document may repeat an
                                    // operationId: the later operation (in
                                    // fragment, path and method order) gets
                                    // a numbered method name.
                                    Some(e) if self.target.degrade => {
                                        draft.method =
                                            naming::unique(draft.method.clone(), &mut seen_methods);
                                        self.warn_skipped(
                                            e,
                                            &format!(
                                                "its client method is named `{}`",
                                                draft.method
                                            ),
                                        );
                                        self.operations.push(draft);
                                    }
                                    Some(e) => errors.push(e),
                                }
                            }
                        }
                        Err(e) if self.target.degrade => {
                            self.skipped.operations += 1;
                            self.warn_skipped(e, "the operation is left out");
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
        let mut unmatched = Vec::new();
        for op in self.target.operation_renames.keys() {
            if !seen_ids.contains(op) {
                unmatched.push(SpecError {
                    file: "specs/codegen.toml".into(),
                    pointer: format!("#/target/{}/operation_renames", self.target.name),
                    message: format!("rename of unknown operationId `{op}`"),
                });
            }
        }
        for v in &self.target.body_variants {
            if !seen_ids.contains(&v.operation) {
                unmatched.push(SpecError {
                    file: "specs/codegen.toml".into(),
                    pointer: format!("#/target/{}/body_variants", self.target.name),
                    message: format!(
                        "body variant `{}` of unknown operationId `{}`",
                        v.method, v.operation
                    ),
                });
            }
        }
        if self.target.strict {
            errors.extend(unmatched);
        } else {
            self.warnings.borrow_mut().extend(unmatched);
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
    ) -> Result<Vec<DraftOperation>, SpecError> {
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
            (None, false) if !self.target.strict => {
                // Named after the method and path (`get /pets/{id}` is
                // `get_pets_id`), with a warning.
                let name = naming::snake_ident(&format!(
                    "{} {}",
                    http_method.as_str().to_ascii_lowercase(),
                    path.replace(['{', '}'], "")
                ));
                self.warnings.borrow_mut().push(self.err(
                    fi,
                    ptr,
                    format!(
                        "operation has no `operationId`; named `{name}` after its method and path"
                    ),
                ));
                name
            }
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
        // Names the request builders use for their own methods and fields.
        let mut used: BTreeSet<String> = crate::ir::BUILDER_NAMES
            .iter()
            .map(|n| n.to_string())
            .collect();
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
            let mut usage = self.schema_ref(
                *pfi,
                schema.into(),
                &format!("{pptr}/schema"),
                Dest::root(base),
            )?;
            // A named schema that is only a primitive (`PageToken: {type:
            // string}`) is a parameter of that primitive.
            usage.ty = self.primitive_alias(usage.ty);
            self.check_param_ty(*pfi, &format!("{pptr}/schema"), &usage.ty, location)?;
            let explode = match param {
                Parameter::Query { parameter_data, .. } => parameter_data.explode.unwrap_or(true),
                _ => false,
            };
            params.push(DraftParam {
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
                    None if self.target.degrade => {
                        // A published document may use a path parameter it
                        // does not declare: a required string.
                        self.warn_skipped(
                            self.err(fi, ptr, format!("path template `{path}` names `{{{name}}}` but no path parameter declares it")),
                            "it is taken as a string parameter",
                        );
                        params.push(DraftParam {
                            wire: name.to_string(),
                            rust: naming::unique(
                                naming::snake_ident_with(name, &self.target.words),
                                &mut used,
                            ),
                            location: ParamLocation::Path,
                            required: true,
                            ty: Ty::String,
                            explode: false,
                            whole_url: self.target.url_params.iter().any(|u| u == name),
                            doc: None,
                        });
                        path_parts.push(PathPart::Param(params.len() - 1));
                        template_params.push(params.len() - 1);
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

        // Members of the body's `oneOf` configured as methods of their own
        // (`[[target.body_variants]]`): each gets its body and, when named,
        // its success response; this method keeps the one member left.
        let mut splits: Vec<&crate::config::BodyVariant> = self
            .target
            .body_variants
            .iter()
            .filter(|v| v.operation == operation_id)
            .collect();
        if !self.target.strict && !splits.is_empty() {
            // Split only a body the settings fit; otherwise keep the
            // operation whole, with a warning.
            let names: Vec<&str> = splits.iter().map(|v| v.schema.as_str()).collect();
            let unfit = match &op.request_body {
                Some(rb) => self
                    .split_body(fi, rb, &format!("{ptr}/requestBody"), &names)
                    .err(),
                None => Some(self.err(fi, ptr, "the operation has no request body to split")),
            };
            if let Some(e) = unfit {
                self.warnings.borrow_mut().push(e);
                splits.clear();
            }
        }
        let mut variant_bodies: Vec<(DraftBody, NamedExamples)> = Vec::new();
        let body = match &op.request_body {
            Some(rb) if !splits.is_empty() => {
                let names: Vec<&str> = splits.iter().map(|v| v.schema.as_str()).collect();
                let (rest, picked, all_examples) =
                    self.split_body(fi, rb, &format!("{ptr}/requestBody"), &names)?;
                let mut remaining = all_examples;
                for (split, (member, member_ptr)) in splits.iter().zip(picked) {
                    let variant_builder = naming::type_name(
                        &heck::ToUpperCamelCase::to_upper_camel_case(split.method.as_str()),
                    );
                    let (mut body, _) = self.body(
                        fi,
                        rb,
                        &format!("{ptr}/requestBody"),
                        &variant_builder,
                        &mut used.clone(),
                        Some((member, member_ptr.clone())),
                    )?;
                    body.flatten = true;
                    let mut mine = Vec::new();
                    let mut others = Vec::new();
                    for (name, value) in remaining {
                        if self.example_matches(fi, member, &member_ptr, &value)? {
                            mine.push((name, value));
                        } else {
                            others.push((name, value));
                        }
                    }
                    remaining = others;
                    variant_bodies.push((body, mine));
                }
                let (body, _) = self.body(
                    fi,
                    rb,
                    &format!("{ptr}/requestBody"),
                    &builder,
                    &mut used,
                    Some(rest),
                )?;
                examples.bodies = remaining;
                Some(body)
            }
            Some(rb) => {
                let (body, body_examples) = self.body(
                    fi,
                    rb,
                    &format!("{ptr}/requestBody"),
                    &builder,
                    &mut used,
                    None,
                )?;
                examples.bodies = body_examples;
                Some(body)
            }
            None if !splits.is_empty() => {
                return Err(self.err(
                    fi,
                    ptr,
                    format!("`[[target.body_variants]]` names operation `{operation_id}`, which has no request body"),
                ));
            }
            None => None,
        };
        // The success responses of the variant methods that name their own.
        let response_splits: Vec<&str> = splits
            .iter()
            .filter_map(|v| v.response.as_deref())
            .collect();
        let mut variant_success: Vec<Option<(DraftContent, StatusExamples)>> =
            vec![None; splits.len()];

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
            let (content, documented) = if is_success && !response_splits.is_empty() {
                let (rest, picked, all_examples) =
                    self.split_response(rfi, &rptr, resp, &response_splits)?;
                let mut remaining = all_examples;
                let mut picked = picked.into_iter();
                for (i, split) in splits.iter().enumerate() {
                    if split.response.is_none() {
                        continue;
                    }
                    let Some((member, member_ptr)) = picked.next() else {
                        break;
                    };
                    let variant_name = format!(
                        "{}Response",
                        naming::type_name(&heck::ToUpperCamelCase::to_upper_camel_case(
                            split.method.as_str()
                        ))
                    );
                    let ty = self
                        .schema_ref(rfi, member, &member_ptr, Dest::root(variant_name))?
                        .ty;
                    let mut mine = Vec::new();
                    let mut others = Vec::new();
                    for (example_name, value) in remaining {
                        if self.example_matches(rfi, member, &member_ptr, &value)? {
                            mine.push((example_name, value));
                        } else {
                            others.push((example_name, value));
                        }
                    }
                    remaining = others;
                    let code = match status {
                        StatusMatch::Code(c) => c,
                        StatusMatch::Range(r) => r * 100,
                        StatusMatch::Default => 200,
                    };
                    let entry = variant_success[i]
                        .get_or_insert((DraftContent::Json(ty.clone()), Vec::new()));
                    entry.1.extend(mine.into_iter().map(|(n, v)| (code, n, v)));
                }
                let (rest_schema, rest_ptr) = rest;
                let ty = self
                    .schema_ref(rfi, rest_schema, &rest_ptr, Dest::root(name))?
                    .ty;
                (DraftContent::Json(ty), remaining)
            } else {
                self.response_content(rfi, &rptr, resp, name)?
            };
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
            let e = self.err(
                fi,
                format!("{ptr}/responses"),
                "error responses with different body types are not supported yet",
            );
            if !self.target.degrade {
                return Err(e);
            }
            // Degrade mode: every error body decodes as a JSON value.
            self.warn_skipped(e, "error bodies decode as JSON values");
            for (_, ty) in &mut errors {
                if ty.is_some() {
                    *ty = Some(Ty::Json);
                }
            }
        }

        let text = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let main = DraftOperation {
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
            body_variant: None,
        };
        let mut out = Vec::new();
        for ((split, (body, body_examples)), own_success) in
            splits.iter().zip(variant_bodies).zip(variant_success)
        {
            let mut variant = main.clone();
            variant.method = split.method.clone();
            variant.body_variant = Some(split.schema.clone());
            // The summary is the member schema's description: what this
            // body does, where the operation's summary says what all do.
            variant.summary = match body.ty {
                Ty::Named(id) => self.types[id].doc.clone(),
                _ => None,
            };
            variant.doc = None;
            variant.body = Some(body);
            variant.examples.bodies = body_examples;
            if let Some((content, success_examples)) = own_success {
                variant.success = content;
                variant.examples.success = success_examples;
            }
            out.push(variant);
        }
        out.insert(0, main);
        Ok(out)
    }

    /// Splits a request body's `oneOf` into the members named `names` (by
    /// schema name) and the one member left, with the body's examples.
    fn split_body(
        &self,
        fi: usize,
        rb: &'a ReferenceOr<openapiv3::RequestBody>,
        ptr: &str,
        names: &[&str],
    ) -> Result<Split<'a>, SpecError> {
        let (bfi, bptr, rb) =
            self.resolve_component(fi, rb, ptr, "requestBodies", |c| &c.request_bodies)?;
        let (media, content) = rb
            .content
            .iter()
            .find(|(m, _)| is_json(&essence(m)))
            .ok_or_else(|| {
                self.err(
                    bfi,
                    format!("{bptr}/content"),
                    "a body split into methods (`[[target.body_variants]]`) must be JSON",
                )
            })?;
        let cptr = format!("{bptr}/content/{}/schema", escape_pointer_token(media));
        let schema = content
            .schema
            .as_ref()
            .ok_or_else(|| self.err(bfi, cptr.clone(), "request body has no schema"))?;
        let (rest, picked) = self.split_union(bfi, schema, &cptr, names)?;
        Ok((rest, picked, media_examples(content)))
    }

    /// [`Self::split_body`] for a success response.
    fn split_response(
        &self,
        fi: usize,
        ptr: &str,
        resp: &'a openapiv3::Response,
        names: &[&str],
    ) -> Result<Split<'a>, SpecError> {
        let (media, content) = resp
            .content
            .iter()
            .find(|(m, _)| is_json(&essence(m)))
            .ok_or_else(|| self.err(fi, format!("{ptr}/content"), "a success response split between methods (`[[target.body_variants]]`) must be JSON"))?;
        let cptr = format!("{ptr}/content/{}/schema", escape_pointer_token(media));
        let schema = content
            .schema
            .as_ref()
            .ok_or_else(|| self.err(fi, cptr.clone(), "the response has no schema"))?;
        let (rest, picked) = self.split_union(fi, schema, &cptr, names)?;
        let examples = media_examples(content).into_iter().collect();
        Ok((rest, picked, examples))
    }

    /// The members of an inline `oneOf`/`anyOf` of `$ref`s: the ones whose
    /// schema is named in `names` (in that order), and the single one left.
    fn split_union(
        &self,
        fi: usize,
        schema: &'a ReferenceOr<openapiv3::Schema>,
        ptr: &str,
        names: &[&str],
    ) -> Result<(Member<'a>, Vec<Member<'a>>), SpecError> {
        let (members, key) = match schema {
            ReferenceOr::Item(openapiv3::Schema {
                schema_kind: openapiv3::SchemaKind::OneOf { one_of },
                ..
            }) => (one_of, "oneOf"),
            ReferenceOr::Item(openapiv3::Schema {
                schema_kind: openapiv3::SchemaKind::AnyOf { any_of },
                ..
            }) => (any_of, "anyOf"),
            _ => {
                return Err(self.err(
                    fi,
                    ptr,
                    "a schema split into methods (`[[target.body_variants]]`) must be an inline `oneOf` of `$ref`s",
                ));
            }
        };
        let mut named: Vec<(String, Member<'a>)> = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let mptr = format!("{ptr}/{key}/{i}");
            let ReferenceOr::Reference { reference } = m else {
                return Err(self.err(fi, mptr, "a member of a split `oneOf` must be a `$ref`"));
            };
            let id = self.resolve_schema_ref(fi, reference, &mptr)?;
            named.push((self.types[id].original.clone(), (m.into(), mptr)));
        }
        let mut picked = Vec::new();
        for name in names {
            let at = named.iter().position(|(n, _)| n == name).ok_or_else(|| {
                self.err(
                    fi,
                    format!("{ptr}/{key}"),
                    format!("`[[target.body_variants]]` names `{name}`, which is not a member of this `{key}`"),
                )
            })?;
            picked.push(named.remove(at).1);
        }
        match <[_; 1]>::try_from(named) {
            Ok([(_, rest)]) => Ok((rest, picked)),
            Err(left) => Err(self.err(
                fi,
                format!("{ptr}/{key}"),
                format!(
                    "after the members split into methods, exactly one must be left for the operation's own method; {} are",
                    left.len()
                ),
            )),
        }
    }

    /// Whether an example value is an instance of the object schema `schema`
    /// as far as telling union members apart goes: it is an object with every
    /// required member, and members fixed to one value hold it.
    fn example_matches(
        &self,
        fi: usize,
        schema: SchemaRef<'a>,
        ptr: &str,
        example: &serde_json::Value,
    ) -> Result<bool, SpecError> {
        let Some(members) = example.as_object() else {
            return Ok(false);
        };
        let Some((required, consts)) = self.object_signature(fi, schema, ptr)? else {
            return Ok(false);
        };
        Ok(required.iter().all(|r| members.contains_key(r))
            && consts.iter().all(|(k, v)| {
                members
                    .get(k)
                    .is_none_or(|m| m.as_str() == Some(v.as_str()))
            }))
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

    /// The primitive a chain of aliases ends in, or the type itself.
    fn primitive_alias(&self, ty: Ty<TypeId>) -> Ty<TypeId> {
        let mut current = ty.clone();
        for _ in 0..=self.types.len() {
            match &current {
                Ty::Named(id) => match &self.types[*id].kind {
                    DKind::Alias(next) => current = next.clone(),
                    _ => return ty,
                },
                Ty::String | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool => return current,
                _ => return ty,
            }
        }
        ty
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
        schema_override: Option<(SchemaRef<'a>, String)>,
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
        let (schema, schema_ptr) = match schema_override {
            Some(over) => over,
            None => (
                content
                    .schema
                    .as_ref()
                    .ok_or_else(|| self.err(bfi, cptr.clone(), "request body has no schema"))?
                    .into(),
                format!("{cptr}/schema"),
            ),
        };
        let usage = self.schema_ref(
            bfi,
            schema,
            &schema_ptr,
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
            flatten: false,
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
