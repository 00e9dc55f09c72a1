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

/// A component with `$ref`s followed: the fragment and pointer it was
/// found at, and the component.
type Resolved<'a, T> = (usize, String, &'a T);

/// The flattened body of a method split off a body's `oneOf`, with the
/// body examples that are instances of its member.
type VariantBody = (DraftBody, NamedExamples);

/// The names operations have taken so far, and the client's own.
struct TakenNames {
    /// The operationIds seen (body variant methods share their operation's).
    ids: BTreeSet<String>,
    /// The client method names given out.
    methods: BTreeSet<String>,
    /// The client's own method names.
    client: BTreeSet<String>,
}

/// An operation's responses, sorted by what the client does with them.
struct Responses {
    /// The success statuses that are single codes, in spec order.
    success_statuses: Vec<u16>,
    /// The one body of every success response.
    success: DraftContent,
    /// Every other status, with its body type if it is JSON.
    errors: Vec<(StatusMatch, Option<Ty<TypeId>>)>,
    /// The operation's own enum of error bodies, when they differ.
    error_by_status: Option<TypeId>,
    /// `success` is an enum of the success bodies by status.
    success_by_status: bool,
    /// The type of each event's `data` of a success `text/event-stream`.
    events: Option<Ty<TypeId>>,
    /// Per split body member (in configuration order): its own success
    /// body and examples, when it names a member of the success response.
    variant_success: Vec<Option<(DraftContent, StatusExamples)>>,
}

impl<'a> Lowerer<'a> {
    /// Lowers every operation of every fragment into `self.operations`, in
    /// fragment, path and method order.
    pub(super) fn convert_operations(&mut self, errors: &mut Vec<SpecError>) {
        let mut taken = TakenNames {
            ids: BTreeSet::new(),
            methods: BTreeSet::new(),
            // The client's own methods: an operation named like one gets
            // `_op` appended (**client name rule**).
            client: crate::ir::CLIENT_NAMES
                .iter()
                .map(|n| n.to_string())
                .chain(
                    self.target
                        .client_params
                        .iter()
                        .map(|p| naming::snake_ident_with(&p.name, &self.target.words)),
                )
                .collect(),
        };
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
                            for draft in drafts {
                                self.admit(fi, &ptr, draft, &mut taken, errors);
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
        self.check_settings_matched(&taken.ids, errors);
    }

    /// Adds a lowered method to `self.operations` under a name no other
    /// method and none of the client's own has. A repeated operationId or
    /// method name is an error, or in degrade mode a numbered method name
    /// with a warning.
    fn admit(
        &mut self,
        fi: usize,
        ptr: &str,
        mut draft: DraftOperation,
        taken: &mut TakenNames,
        errors: &mut Vec<SpecError>,
    ) {
        if taken.client.contains(&draft.method) {
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
        let clash = if draft.body_variant.is_none() && !taken.ids.insert(draft.operation_id.clone())
        {
            Some(self.err(
                fi,
                format!("{ptr}/operationId"),
                format!("duplicate operationId `{}`", draft.operation_id),
            ))
        } else if !taken.methods.insert(draft.method.clone()) {
            Some(self.err(
                fi,
                format!("{ptr}/operationId"),
                format!(
                    "operation `{}` would be a second client method named `{}`; add a rename",
                    draft.operation_id, draft.method
                ),
            ))
        } else {
            None
        };
        match clash {
            None => self.operations.push(draft),
            // A published document may repeat an operationId: the later
            // operation (in fragment, path and method order) gets a
            // numbered method name.
            Some(e) if self.target.degrade => {
                draft.method = naming::unique(draft.method.clone(), &mut taken.methods);
                self.warn_skipped(e, &format!("its client method is named `{}`", draft.method));
                self.operations.push(draft);
            }
            Some(e) => errors.push(e),
        }
    }

    /// Operation renames, body variants and `final_client_errors` must name an operationId that
    /// exists: an error in strict mode, a warning otherwise.
    fn check_settings_matched(&self, seen_ids: &BTreeSet<String>, errors: &mut Vec<SpecError>) {
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
        for op in &self.target.final_client_errors {
            if !seen_ids.contains(op) {
                unmatched.push(SpecError {
                    file: "specs/codegen.toml".into(),
                    pointer: format!("#/target/{}/final_client_errors", self.target.name),
                    message: format!("unknown operationId `{op}`"),
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

    /// Lowers one operation: its own client method first, then one method
    /// per member of its body's `oneOf` that `[[target.body_variants]]`
    /// splits off.
    fn operation(
        &mut self,
        fi: usize,
        path: &str,
        http_method: HttpMethod,
        op: &'a openapiv3::Operation,
        shared_params: &'a [ReferenceOr<Parameter>],
        ptr: &str,
    ) -> Result<Vec<DraftOperation>, SpecError> {
        let operation_id = self.operation_id(fi, path, http_method, op, ptr)?;
        let method = self
            .target
            .operation_renames
            .get(&operation_id)
            .cloned()
            .unwrap_or_else(|| naming::snake_ident_with(&operation_id, &self.target.words));
        let builder = builder_name(&method);

        let resolved = self.resolve_params(fi, path, op, shared_params, ptr)?;
        let mut examples = crate::ir::Examples::default();
        let mut params = Vec::new();
        // Names the request builders use for their own methods and fields.
        let mut used: BTreeSet<String> = crate::ir::BUILDER_NAMES
            .iter()
            .map(|n| n.to_string())
            .collect();
        for param in &resolved {
            if let Some(p) = self.param(param, &builder, &mut used, &mut examples)? {
                params.push(p);
            }
        }
        let (mut path_parts, template_params) =
            self.path_template(fi, path, ptr, &mut params, &mut used)?;
        let params = call_order(params, &template_params, &mut path_parts);

        let splits = self.body_splits(fi, op, &operation_id, ptr)?;
        let (body, body_examples, variant_bodies) =
            self.request_body(fi, op, ptr, &builder, &mut used, &splits)?;
        examples.bodies = body_examples;
        let responses = self.responses(fi, op, ptr, &builder, &splits, &mut examples)?;

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
            success_statuses: responses.success_statuses,
            success: responses.success,
            errors: responses.errors,
            error_by_status: responses.error_by_status,
            success_by_status: responses.success_by_status,
            events: responses.events,
            summary: text(&op.summary),
            doc: text(&op.description),
            deprecated: op.deprecated,
            anonymous: op.security.as_ref().is_some_and(Vec::is_empty),
            examples,
            body_variant: None,
        };
        Ok(self.with_variants(main, &splits, variant_bodies, responses.variant_success))
    }

    /// The operation's id. An inbound operation may lack an operationId; the
    /// configuration then names it as `METHOD /path`, which stands in for
    /// the id. Outside strict mode any other operation without one is named
    /// after its method and path, with a warning.
    fn operation_id(
        &self,
        fi: usize,
        path: &str,
        http_method: HttpMethod,
        op: &openapiv3::Operation,
        ptr: &str,
    ) -> Result<String, SpecError> {
        let method_and_path = format!("{} {path}", http_method.as_str());
        let is_webhook = self
            .target
            .webhooks
            .as_ref()
            .is_some_and(|w| w.operation == method_and_path);
        match (&op.operation_id, is_webhook) {
            (Some(id), _) => Ok(id.clone()),
            (None, true) => Ok(method_and_path),
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
                Ok(name)
            }
            (None, false) => Err(self.err(
                fi,
                ptr,
                "operation has no `operationId`; the client method is named after it",
            )),
        }
    }

    /// The parameters of the path item and of the operation, resolved, in
    /// spec order: an operation-level parameter overrides a path-level one
    /// of the same name and location.
    fn resolve_params(
        &self,
        fi: usize,
        path: &str,
        op: &'a openapiv3::Operation,
        shared_params: &'a [ReferenceOr<Parameter>],
        ptr: &str,
    ) -> Result<Vec<Resolved<'a, Parameter>>, SpecError> {
        let mut resolved: Vec<Resolved<'a, Parameter>> = Vec::new();
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
        Ok(resolved)
    }

    /// Lowers one resolved parameter, recording its example in `examples`.
    /// `None` for a parameter the client sets itself: a header in
    /// [`CLIENT_HEADERS`], or a path parameter that is a client parameter.
    fn param(
        &mut self,
        (pfi, pptr, param): &Resolved<'a, Parameter>,
        builder: &str,
        used: &mut BTreeSet<String>,
        examples: &mut crate::ir::Examples,
    ) -> Result<Option<DraftParam>, SpecError> {
        let (pfi, param) = (*pfi, *param);
        let data = param.parameter_data_ref();
        let location = match param {
            Parameter::Path { .. } => ParamLocation::Path,
            Parameter::Query { .. } => ParamLocation::Query,
            Parameter::Header { .. } => ParamLocation::Header,
            Parameter::Cookie { .. } => ParamLocation::Cookie,
        };
        if location == ParamLocation::Header
            && CLIENT_HEADERS.contains(&data.name.to_ascii_lowercase().as_str())
        {
            return Ok(None);
        }
        if location == ParamLocation::Path
            && self
                .target
                .client_params
                .iter()
                .any(|c| c.name == data.name)
        {
            return Ok(None);
        }
        let mut object = None;
        let (ty, doc) = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                if let Some(example) = param_example(data, schema) {
                    examples.params.insert(data.name.clone(), example);
                }
                let base = format!("{builder}{}", naming::type_suffix(&data.name));
                let sptr = format!("{pptr}/schema");
                let mut usage = self.schema_ref(pfi, schema.into(), &sptr, Dest::root(base))?;
                // A named schema that is only a primitive (`PageToken: {type:
                // string}`) is a parameter of that primitive.
                usage.ty = self.primitive_alias(usage.ty);
                object = self.object_style(param, &usage.ty);
                match self.check_param_ty(pfi, &sptr, &usage.ty, location) {
                    _ if object.is_some() => (usage.ty, usage.doc),
                    Ok(()) => (usage.ty, usage.doc),
                    Err(e) => (self.string_param(e)?, usage.doc),
                }
            }
            // A value written as JSON text (`content: {application/json:
            // {schema}}`), the one media type a parameter commonly has.
            ParameterSchemaOrContent::Content(content) => {
                let json = content.iter().find(|(m, _)| is_json(&essence(m)));
                match json.and_then(|(m, c)| Some((m, c.schema.as_ref()?))) {
                    Some((media, schema)) if location != ParamLocation::Path => {
                        let base = format!("{builder}{}", naming::type_suffix(&data.name));
                        let sptr = format!("{pptr}/content/{}/schema", escape_pointer_token(media));
                        let usage = self.schema_ref(pfi, schema.into(), &sptr, Dest::root(base))?;
                        object = Some(crate::ir::ObjectStyle::Json);
                        (usage.ty, usage.doc)
                    }
                    _ => {
                        let e = self.err(
                            pfi,
                            format!("{pptr}/content"),
                            "a parameter described by `content` must offer JSON with a schema, outside the path",
                        );
                        (self.string_param(e)?, None)
                    }
                }
            }
        };
        let explode = match param {
            Parameter::Query { parameter_data, .. } => parameter_data.explode.unwrap_or(true),
            _ => false,
        };
        Ok(Some(DraftParam {
            wire: data.name.clone(),
            rust: naming::unique(
                naming::snake_ident_with(&data.name, &self.target.words),
                used,
            ),
            location,
            required: data.required || location == ParamLocation::Path,
            ty,
            explode,
            whole_url: location == ParamLocation::Path
                && self.target.url_params.contains(&data.name),
            object,
            doc: data
                .description
                .as_deref()
                .map(str::trim)
                .map(str::to_string)
                .or(doc),
        }))
    }

    /// A body of a media type the client does not encode: a file part
    /// (bytes, with an optional media type that overrides the declared one).
    fn raw_body(&self, rb: &openapiv3::RequestBody, media_type: &str) -> DraftBody {
        DraftBody {
            media: BodyMedia::Raw,
            media_type: media_type.to_string(),
            required: rb.required,
            ty: Ty::Bytes,
            form_field: None,
            rust: "body".to_string(),
            alternatives: rb
                .content
                .keys()
                .filter(|m| *m != media_type)
                .cloned()
                .collect(),
            doc: rb.description.as_deref().map(str::trim).map(str::to_string),
            flatten: false,
        }
    }

    /// How a query parameter that is an object (a struct, a map) is
    /// written: `deepObject`, or `form` with or without `explode`; `None`
    /// for other parameters and styles.
    fn object_style(&self, param: &Parameter, ty: &Ty<TypeId>) -> Option<crate::ir::ObjectStyle> {
        use crate::ir::ObjectStyle;
        let Parameter::Query {
            parameter_data,
            style,
            ..
        } = param
        else {
            return None;
        };
        let object = match ty {
            Ty::Named(id) => matches!(self.types[*id].kind, DKind::Struct { .. }),
            Ty::Map(_) | Ty::JsonObject => true,
            _ => false,
        };
        match style {
            _ if !object => None,
            openapiv3::QueryStyle::DeepObject => Some(ObjectStyle::DeepObject),
            openapiv3::QueryStyle::Form if parameter_data.explode.unwrap_or(true) => {
                Some(ObjectStyle::FormExploded)
            }
            openapiv3::QueryStyle::Form => Some(ObjectStyle::Form),
            _ => None,
        }
    }

    /// A parameter whose type the client cannot write: an error, or in
    /// degrade mode a string the caller writes in the form the server
    /// expects, with a warning.
    fn string_param(&self, e: SpecError) -> Result<Ty<TypeId>, SpecError> {
        if !self.target.degrade {
            return Err(e);
        }
        self.warn_skipped(
            e,
            "the parameter is a string, written by the caller as the server expects it",
        );
        Ok(Ty::String)
    }

    /// The path template as parts, and the indices in `params` of the
    /// parameters it names, in template order. The template and the path
    /// parameters must match both ways: every name in the template is a
    /// client parameter or a declared path parameter, and every declared
    /// path parameter appears in the template.
    fn path_template(
        &self,
        fi: usize,
        path: &str,
        ptr: &str,
        params: &mut Vec<DraftParam>,
        used: &mut BTreeSet<String>,
    ) -> Result<(Vec<PathPart>, Vec<usize>), SpecError> {
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
                let pi = self.template_param(fi, path, ptr, name, params, used)?;
                path_parts.push(PathPart::Param(pi));
                template_params.push(pi);
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
        Ok((path_parts, template_params))
    }

    /// The index in `params` of the path parameter `name` that the path
    /// template names. One no parameter declares is an error, or in degrade
    /// mode a required string parameter added with a warning.
    fn template_param(
        &self,
        fi: usize,
        path: &str,
        ptr: &str,
        name: &str,
        params: &mut Vec<DraftParam>,
        used: &mut BTreeSet<String>,
    ) -> Result<usize, SpecError> {
        if let Some(pi) = params
            .iter()
            .position(|p| p.location == ParamLocation::Path && p.wire == name)
        {
            return Ok(pi);
        }
        let e = self.err(
            fi,
            ptr,
            format!("path template `{path}` names `{{{name}}}` but no path parameter declares it"),
        );
        if !self.target.degrade {
            return Err(e);
        }
        // A published document may use a path parameter it does not
        // declare: a required string.
        self.warn_skipped(e, "it is taken as a string parameter");
        params.push(DraftParam {
            wire: name.to_string(),
            rust: naming::unique(naming::snake_ident_with(name, &self.target.words), used),
            location: ParamLocation::Path,
            required: true,
            ty: Ty::String,
            explode: false,
            whole_url: self.target.url_params.iter().any(|u| u == name),
            object: None,
            doc: None,
        });
        Ok(params.len() - 1)
    }

    /// The members of the body's `oneOf` configured as methods of their own
    /// (`[[target.body_variants]]`), in configuration order. In strict mode
    /// an operation without a body to split is an error; otherwise a body
    /// the settings do not fit is kept whole, with a warning.
    fn body_splits(
        &self,
        fi: usize,
        op: &'a openapiv3::Operation,
        operation_id: &str,
        ptr: &str,
    ) -> Result<Vec<&'a crate::config::BodyVariant>, SpecError> {
        let target: &'a crate::config::Target = self.target;
        let mut splits: Vec<&'a crate::config::BodyVariant> = target
            .body_variants
            .iter()
            .filter(|v| v.operation == operation_id)
            .collect();
        if splits.is_empty() {
            return Ok(splits);
        }
        if self.target.strict {
            if op.request_body.is_none() {
                return Err(self.err(
                    fi,
                    ptr,
                    format!("`[[target.body_variants]]` names operation `{operation_id}`, which has no request body"),
                ));
            }
            return Ok(splits);
        }
        let names = split_names(&splits);
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
        Ok(splits)
    }

    /// The request body and its examples, and one flattened body per split
    /// member with the examples that are instances of that member. The
    /// operation's own body is the member left, with the other examples.
    fn request_body(
        &mut self,
        fi: usize,
        op: &'a openapiv3::Operation,
        ptr: &str,
        builder: &str,
        used: &mut BTreeSet<String>,
        splits: &[&crate::config::BodyVariant],
    ) -> Result<(Option<DraftBody>, NamedExamples, Vec<VariantBody>), SpecError> {
        let Some(rb) = &op.request_body else {
            return Ok((None, Vec::new(), Vec::new()));
        };
        let body_ptr = format!("{ptr}/requestBody");
        if splits.is_empty() {
            let (body, body_examples) = self.body(fi, rb, &body_ptr, builder, used, None)?;
            return Ok((Some(body), body_examples, Vec::new()));
        }
        let names = split_names(splits);
        let (rest, picked, mut remaining) = self.split_body(fi, rb, &body_ptr, &names)?;
        let mut variant_bodies = Vec::new();
        for (split, (member, member_ptr)) in splits.iter().zip(picked) {
            let (mut body, _) = self.body(
                fi,
                rb,
                &body_ptr,
                &builder_name(&split.method),
                &mut used.clone(),
                Some((member, member_ptr.clone())),
            )?;
            // Another crate's struct is built with its own `new` and
            // setters: the method takes it whole.
            body.flatten = !matches!(body.ty, Ty::Extern(_));
            let (mine, others) = self.partition_examples(fi, member, &member_ptr, remaining)?;
            remaining = others;
            variant_bodies.push((body, mine));
        }
        let (body, _) = self.body(fi, rb, &body_ptr, builder, used, Some(rest))?;
        Ok((Some(body), remaining, variant_bodies))
    }

    /// The responses, in spec order with `default` last, sorted into the
    /// success body and the error bodies; their examples go into
    /// `examples`. Split body members that name a success response member
    /// get that member as their success body.
    fn responses(
        &mut self,
        fi: usize,
        op: &'a openapiv3::Operation,
        ptr: &str,
        builder: &str,
        splits: &[&crate::config::BodyVariant],
        examples: &mut crate::ir::Examples,
    ) -> Result<Responses, SpecError> {
        let has_response_splits = splits.iter().any(|v| v.response.is_some());
        let mut variant_success = vec![None; splits.len()];
        let mut success_statuses = Vec::new();
        let mut successes = Vec::new();
        let mut events = None;
        let mut errors = Vec::new();
        for (status, rptr, r) in response_entries(op, ptr) {
            let is_success = matches!(status, StatusMatch::Code(200..=299) | StatusMatch::Range(2));
            let name = match status {
                _ if is_success => format!("{builder}Response"),
                StatusMatch::Code(c) => format!("{builder}Error{c}"),
                StatusMatch::Range(r) => format!("{builder}Error{r}xx"),
                StatusMatch::Default => format!("{builder}ErrorDefault"),
            };
            let (rfi, rptr, resp) =
                self.resolve_component(fi, r, &rptr, "responses", |c| &c.responses)?;
            let (content, documented) = if is_success && has_response_splits {
                let ((rest_schema, rest_ptr), remaining) =
                    self.split_success(rfi, &rptr, resp, status, splits, &mut variant_success)?;
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
            if !is_success {
                let ty = match content {
                    DraftContent::Json(ty) => Some(ty),
                    _ => None,
                };
                errors.push((status, ty));
                continue;
            }
            if let StatusMatch::Code(c) = status {
                success_statuses.push(c);
            }
            if events.is_none() {
                events = self.event_data(rfi, &rptr, resp, builder)?;
            }
            successes.push((status, rptr, content));
        }
        let error_by_status = self.error_bodies(fi, ptr, builder, &errors);
        let (success, success_by_status) = self.success_bodies(fi, ptr, builder, successes)?;
        Ok(Responses {
            success_statuses,
            success,
            success_by_status,
            events,
            errors,
            error_by_status,
            variant_success,
        })
    }

    /// The enum of an operation's success (or error) bodies by status,
    /// in status order (codes, then ranges, then `default`).
    fn by_status_type(
        &mut self,
        fi: usize,
        ptr: &str,
        builder: &str,
        mut variants: Vec<(StatusMatch, Option<Ty<TypeId>>)>,
        success: bool,
    ) -> TypeId {
        let (name, doc) = if success {
            (
                format!("{builder}Success"),
                format!("The success bodies of `{builder}`, by status."),
            )
        } else {
            (
                format!("{builder}Error"),
                format!("The error bodies of `{builder}`, by status."),
            )
        };
        let id = self.new_type(
            name.clone(),
            name,
            None,
            fi,
            &format!("{ptr}/responses"),
            Some(doc),
        );
        variants.sort_by_key(|(status, _)| *status);
        self.types[id].kind = DKind::ByStatus { variants, success };
        id
    }

    /// The type of each event's `data` when the response offers
    /// `text/event-stream` with a schema (alone, or beside JSON).
    fn event_data(
        &mut self,
        fi: usize,
        ptr: &str,
        resp: &'a openapiv3::Response,
        builder: &str,
    ) -> Result<Option<Ty<TypeId>>, SpecError> {
        let Some((media, content)) = resp
            .content
            .iter()
            .find(|(m, _)| essence(m) == "text/event-stream")
        else {
            return Ok(None);
        };
        let Some(schema) = &content.schema else {
            return Ok(None);
        };
        let sptr = format!("{ptr}/content/{}/schema", escape_pointer_token(media));
        let usage = self.schema_ref(
            fi,
            schema.into(),
            &sptr,
            Dest::root(format!("{builder}Event")),
        )?;
        Ok(Some(usage.ty))
    }

    /// The one success body of the operation: the body every success
    /// status documents (a status without one does not count); or, when
    /// they document different JSON bodies, an enum of them by status
    /// (`true`). Different bodies that are not all JSON are an error.
    fn success_bodies(
        &mut self,
        fi: usize,
        ptr: &str,
        builder: &str,
        successes: Vec<(StatusMatch, String, DraftContent)>,
    ) -> Result<(DraftContent, bool), SpecError> {
        let mut distinct: Vec<&DraftContent> = Vec::new();
        for (_, _, content) in &successes {
            if *content != DraftContent::Empty && !distinct.contains(&content) {
                distinct.push(content);
            }
        }
        if distinct.len() <= 1 {
            let one = distinct
                .first()
                .map_or(DraftContent::Empty, |c| (*c).clone());
            return Ok((one, false));
        }
        let mut variants = Vec::new();
        for (status, rptr, content) in successes {
            match content {
                DraftContent::Json(ty) => variants.push((status, Some(ty))),
                DraftContent::Empty => variants.push((status, None)),
                DraftContent::Text | DraftContent::Bytes => {
                    return Err(self.err(
                        fi,
                        rptr,
                        "success responses with different bodies, not all of them JSON, are not supported yet",
                    ));
                }
            }
        }
        let id = self.by_status_type(fi, ptr, builder, variants, true);
        Ok((DraftContent::Json(Ty::Named(id)), true))
    }

    /// Splits a success response's `oneOf` between the variant methods that
    /// name a member of it (`response` of `[[target.body_variants]]`): each
    /// gets its member as its success body, with the examples that are
    /// instances of it. Returns the member left and the other examples.
    fn split_success(
        &mut self,
        rfi: usize,
        rptr: &str,
        resp: &'a openapiv3::Response,
        status: StatusMatch,
        splits: &[&crate::config::BodyVariant],
        variant_success: &mut [Option<(DraftContent, StatusExamples)>],
    ) -> Result<(Member<'a>, NamedExamples), SpecError> {
        let response_splits: Vec<&str> = splits
            .iter()
            .filter_map(|v| v.response.as_deref())
            .collect();
        let (rest, picked, mut remaining) =
            self.split_response(rfi, rptr, resp, &response_splits)?;
        let mut picked = picked.into_iter();
        for (i, split) in splits.iter().enumerate() {
            if split.response.is_none() {
                continue;
            }
            let Some((member, member_ptr)) = picked.next() else {
                break;
            };
            let variant_name = format!("{}Response", builder_name(&split.method));
            let ty = self
                .schema_ref(rfi, member, &member_ptr, Dest::root(variant_name))?
                .ty;
            let (mine, others) = self.partition_examples(rfi, member, &member_ptr, remaining)?;
            remaining = others;
            let code = match status {
                StatusMatch::Code(c) => c,
                StatusMatch::Range(r) => r * 100,
                StatusMatch::Default => 200,
            };
            let entry =
                variant_success[i].get_or_insert((DraftContent::Json(ty.clone()), Vec::new()));
            entry.1.extend(mine.into_iter().map(|(n, v)| (code, n, v)));
        }
        Ok((rest, remaining))
    }

    /// The operation's own error type when its error statuses document
    /// different bodies: an enum with a variant per status, chosen by the
    /// answer's status. Bodies that are copies of one schema (inline in each
    /// response) count as one, and need none.
    fn error_bodies(
        &mut self,
        fi: usize,
        ptr: &str,
        builder: &str,
        errors: &[(StatusMatch, Option<Ty<TypeId>>)],
    ) -> Option<TypeId> {
        let distinct: BTreeSet<&Ty<TypeId>> =
            errors.iter().filter_map(|(_, t)| t.as_ref()).collect();
        if distinct.len() <= 1 || self.same_shape(&distinct) {
            return None;
        }
        let id = self.by_status_type(fi, ptr, builder, errors.to_vec(), false);
        Some(id)
    }

    /// The operation's own method followed by one method per split body
    /// member: a copy of it with that member's body, its body examples and,
    /// when it names one, its own success response.
    fn with_variants(
        &self,
        main: DraftOperation,
        splits: &[&crate::config::BodyVariant],
        variant_bodies: Vec<VariantBody>,
        variant_success: Vec<Option<(DraftContent, StatusExamples)>>,
    ) -> Vec<DraftOperation> {
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
        out
    }

    /// Sorts examples into those that are instances of the union member
    /// `member` and the others, each in their order.
    fn partition_examples(
        &self,
        fi: usize,
        member: SchemaRef<'a>,
        member_ptr: &str,
        examples: NamedExamples,
    ) -> Result<(NamedExamples, NamedExamples), SpecError> {
        let mut mine = Vec::new();
        let mut others = Vec::new();
        for (name, value) in examples {
            if self.example_matches(fi, member, member_ptr, &value)? {
                mine.push((name, value));
            } else {
                others.push((name, value));
            }
        }
        Ok((mine, others))
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
            let name = match self.foreign_schema(fi, reference, &mptr)? {
                Some((name, _)) => name,
                None => self.types[self.resolve_schema_ref(fi, reference, &mptr)?]
                    .original
                    .clone(),
            };
            named.push((name, (m.into(), mptr)));
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
        // OpenAPI's default makes a body optional; a document that forgets
        // `required` gives a method that sends nothing without a word.
        if !rb.required && self.target.document.is_some() {
            self.warnings.borrow_mut().push(SpecError {
                file: self.fragments[bfi].path.clone(),
                pointer: bptr.clone(),
                message: "the request body is not marked `required: true`, so the body is an optional setter and a call without one compiles".into(),
            });
        }
        // Preference when several media types are offered: JSON, then a form,
        // then multipart. The others are listed in the method's documentation.
        let pick = |want: BodyMedia| {
            rb.content.iter().find(|(m, _)| {
                let m = essence(m);
                match want {
                    BodyMedia::Json => is_json(&m),
                    BodyMedia::Form => m == "application/x-www-form-urlencoded",
                    BodyMedia::Multipart => m == "multipart/form-data",
                    BodyMedia::Raw => false,
                }
            })
        };
        // Any other media type is bytes the caller gives.
        let (media, (media_name, content)) =
            [BodyMedia::Json, BodyMedia::Form, BodyMedia::Multipart]
                .into_iter()
                .find_map(|m| pick(m).map(|c| (m, c)))
                .or_else(|| rb.content.iter().next().map(|c| (BodyMedia::Raw, c)))
                .ok_or_else(|| {
                    self.err(
                        bfi,
                        format!("{bptr}/content"),
                        "a request body without any media type",
                    )
                })?;
        let cptr = format!("{bptr}/content/{}", escape_pointer_token(media_name));
        if media == BodyMedia::Raw {
            return Ok((self.raw_body(rb, media_name), Vec::new()));
        }
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
        // A union of objects is sent as the object its value is (the
        // runtime's `form_pairs` encodes any value that is an object).
        let is_object = |t: &Ty<TypeId>| match t {
            Ty::Named(id) => match &self.types[*id].kind {
                DKind::Struct { .. } | DKind::Pending | DKind::Tagged { .. } => true,
                DKind::Untagged { variants } => variants
                    .iter()
                    .all(|v| v.kind == crate::ir::JsonKind::Object),
                _ => false,
            },
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
            media_type: media_name.clone(),
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

/// The request builder type named after a client method (`send_message`
/// is `SendMessage`), the base of its inline types' names.
fn builder_name(method: &str) -> String {
    naming::type_name(&heck::ToUpperCamelCase::to_upper_camel_case(method))
}

/// The schema names of the split body members.
fn split_names<'v>(splits: &[&'v crate::config::BodyVariant]) -> Vec<&'v str> {
    splits.iter().map(|v| v.schema.as_str()).collect()
}

/// A parameter's example: its own `example`, its first `examples` entry,
/// or its schema's `example`.
fn param_example(
    data: &openapiv3::ParameterData,
    schema: &ReferenceOr<openapiv3::Schema>,
) -> Option<serde_json::Value> {
    data.example
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
        })
}

/// The parameters in call order: path parameters in template order, then
/// the other required parameters, then optional ones (each in spec order).
/// The path parts' parameter indices are renumbered to match.
fn call_order(
    params: Vec<DraftParam>,
    template_params: &[usize],
    path_parts: &mut [PathPart],
) -> Vec<DraftParam> {
    let mut order: Vec<usize> = template_params.to_vec();
    order.extend(
        (0..params.len())
            .filter(|i| params[*i].location != ParamLocation::Path && params[*i].required),
    );
    order.extend((0..params.len()).filter(|i| !params[*i].required));
    let remap: Vec<usize> = (0..params.len())
        .map(|old| order.iter().position(|o| *o == old).unwrap_or(old))
        .collect();
    for part in path_parts {
        if let PathPart::Param(i) = part {
            *i = remap[*i];
        }
    }
    let mut slots: Vec<Option<DraftParam>> = params.into_iter().map(Some).collect();
    order.iter().filter_map(|i| slots[*i].take()).collect()
}

/// An operation's responses with their status and pointer, in spec order
/// with `default` last.
fn response_entries<'o>(
    op: &'o openapiv3::Operation,
    ptr: &str,
) -> Vec<(StatusMatch, String, &'o ReferenceOr<openapiv3::Response>)> {
    let mut entries: Vec<_> = op
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
    entries
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

pub(super) fn methods(
    item: &PathItem,
) -> [(&'static str, HttpMethod, &Option<openapiv3::Operation>); 8] {
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
pub(super) fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `application/json` or any `+json` type.
pub(super) fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{Config, Target};
    use crate::error::{Error, SpecError};
    use crate::ir::{Api, Operation, ParamLocation, PathPart, Ty};

    /// A target; `extra` is TOML appended to its table (such as
    /// `[[target.body_variants]]`).
    fn target(extra: &str) -> Target {
        let config = Config::parse(
            Path::new("codegen.toml"),
            &format!(
                "[[target]]\nname = \"t\"\ncrate_name = \"t\"\ndescription = \"d\"\noutput = \"out\"\nfragments = \".\"\nbase_url = \"https://x.example\"\n{extra}"
            ),
        )
        .expect("config parses");
        config.targets.into_iter().next().expect("one target")
    }

    /// Lowers the fragment `ops.yaml` made of `paths` and `schemas` (YAML
    /// indented as they sit under `paths:` and `components.schemas:`).
    fn lower(target: &Target, paths: &str, schemas: &str) -> crate::error::Result<Api> {
        let text = format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}components:\n  schemas:\n{schemas}"
        );
        let fragment = crate::load::parse(Path::new("ops.yaml"), &text).expect("fragment parses");
        super::super::lower(target, &[fragment])
    }

    /// The one error lowering fails with.
    fn spec_error(result: crate::error::Result<Api>) -> SpecError {
        match result {
            Err(Error::Spec(e)) => e,
            Err(other) => panic!("expected one spec error, got {other}"),
            Ok(api) => panic!(
                "expected an error, got operations {:?}",
                api.operations.iter().map(|o| &o.method).collect::<Vec<_>>()
            ),
        }
    }

    fn operation<'x>(api: &'x Api, method: &str) -> &'x Operation {
        api.operations
            .iter()
            .find(|o| o.method == method)
            .unwrap_or_else(|| panic!("no method `{method}`"))
    }

    const NO_SCHEMAS: &str = "    {}\n";

    const GET_PET: &str = "  /pets/{id}:\n    get:\n      operationId: getPet\n      responses:\n        '204': {description: done}\n";

    #[test]
    fn parameters_come_in_call_order() {
        // Spec order: an optional query, the second path parameter, a
        // required header, the first path parameter, a required query.
        let paths = "  /things/{b}/items/{a}:\n    get:\n      operationId: listItems\n      parameters:\n        - {name: limit, in: query, schema: {type: integer}}\n        - {name: a, in: path, required: true, schema: {type: string}}\n        - {name: X-Trace, in: header, required: true, schema: {type: string}}\n        - {name: b, in: path, required: true, schema: {type: string}}\n        - {name: q, in: query, required: true, schema: {type: string}}\n      responses:\n        '204': {description: done}\n";
        let api = lower(&target(""), paths, NO_SCHEMAS).expect("lowers");
        let op = operation(&api, "list_items");
        let order: Vec<(&str, ParamLocation, bool)> = op
            .params
            .iter()
            .map(|p| (p.wire.as_str(), p.location, p.required))
            .collect();
        assert_eq!(
            order,
            [
                ("b", ParamLocation::Path, true),
                ("a", ParamLocation::Path, true),
                ("X-Trace", ParamLocation::Header, true),
                ("q", ParamLocation::Query, true),
                ("limit", ParamLocation::Query, false),
            ]
        );
        // The template's parts point at the reordered parameters.
        assert_eq!(
            op.path_parts,
            [
                PathPart::Literal("/things/".into()),
                PathPart::Param(0),
                PathPart::Literal("/items/".into()),
                PathPart::Param(1),
            ]
        );
    }

    #[test]
    fn an_operation_parameter_overrides_the_path_items_one() {
        let paths = "  /things:\n    parameters:\n      - {name: q, in: query, schema: {type: string}}\n      - {name: page, in: query, schema: {type: integer}}\n    get:\n      operationId: listThings\n      parameters:\n        - {name: q, in: query, required: true, schema: {type: integer}}\n      responses:\n        '204': {description: done}\n";
        let api = lower(&target(""), paths, NO_SCHEMAS).expect("lowers");
        let params: Vec<(&str, bool, &Ty)> = operation(&api, "list_things")
            .params
            .iter()
            .map(|p| (p.wire.as_str(), p.required, &p.ty))
            .collect();
        assert_eq!(params, [("q", true, &Ty::I64), ("page", false, &Ty::I64)]);
    }

    #[test]
    fn a_template_parameter_nothing_declares_is_a_located_error() {
        let e = spec_error(lower(&target(""), GET_PET, NO_SCHEMAS));
        assert_eq!(e.file, Path::new("ops.yaml"));
        assert_eq!(e.pointer, "#/paths/~1pets~1{id}/get");
        assert!(
            e.message.contains("`{id}`") && e.message.contains("no path parameter declares it"),
            "{}",
            e.message
        );
    }

    #[test]
    fn in_degrade_mode_an_undeclared_template_parameter_is_a_string_with_a_warning() {
        let mut t = target("");
        t.degrade = true;
        let api = lower(&t, GET_PET, NO_SCHEMAS).expect("degrade mode lowers");
        let op = operation(&api, "get_pet");
        assert_eq!(op.params.len(), 1);
        assert_eq!(op.params[0].wire, "id");
        assert_eq!(op.params[0].ty, Ty::String);
        assert!(op.params[0].required);
        assert!(
            api.warnings
                .iter()
                .any(|w| w.pointer == "#/paths/~1pets~1{id}/get"
                    && w.message.contains("taken as a string parameter")),
            "{:?}",
            api.warnings
        );
    }

    #[test]
    fn a_declared_path_parameter_missing_from_the_template_is_an_error() {
        let paths = "  /pets:\n    get:\n      operationId: listPets\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '204': {description: done}\n";
        let e = spec_error(lower(&target(""), paths, NO_SCHEMAS));
        assert_eq!(e.pointer, "#/paths/~1pets/get");
        assert!(
            e.message
                .contains("path parameter `id` does not appear in the template `/pets`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_operation_named_like_a_client_method_gets_op_appended_with_a_warning() {
        let paths = "  /things:\n    post:\n      operationId: new\n      responses:\n        '204': {description: done}\n";
        let api = lower(&target(""), paths, NO_SCHEMAS).expect("lowers");
        let methods: Vec<(&str, &str)> = api
            .operations
            .iter()
            .map(|o| (o.operation_id.as_str(), o.method.as_str()))
            .collect();
        assert_eq!(methods, [("new", "new_op")]);
        let warning = api
            .warnings
            .iter()
            .find(|w| w.pointer == "#/paths/~1things/post/operationId")
            .unwrap_or_else(|| panic!("no warning at the operationId: {:?}", api.warnings));
        assert!(
            warning.message.contains("`new`") && warning.message.contains("`new_op`"),
            "{}",
            warning.message
        );
    }

    #[test]
    fn body_variants_of_a_one_of_body_become_methods_of_their_own() {
        let config = "[[target.body_variants]]\noperation = \"sendMessage\"\nschema = \"Reaction\"\nmethod = \"send_reaction\"\n";
        let paths = "  /messages:\n    post:\n      operationId: sendMessage\n      summary: Sends a message.\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              oneOf:\n                - $ref: '#/components/schemas/Text'\n                - $ref: '#/components/schemas/Reaction'\n            examples:\n              text: {value: {body: hi}}\n              reaction: {value: {emoji: x, message_id: m}}\n      responses:\n        '204': {description: sent}\n";
        let schemas = "    Text:\n      type: object\n      required: [body]\n      properties:\n        body: {type: string}\n    Reaction:\n      description: Reacts to a message.\n      type: object\n      required: [emoji, message_id]\n      properties:\n        emoji: {type: string}\n        message_id: {type: string}\n";
        let api = lower(&target(config), paths, schemas).expect("lowers");
        let methods: Vec<&str> = api.operations.iter().map(|o| o.method.as_str()).collect();
        assert_eq!(methods, ["send_message", "send_reaction"]);

        // The operation's own method keeps the member left and its examples.
        let own = operation(&api, "send_message");
        assert_eq!(own.body_variant, None);
        let own_body = own.body.as_ref().expect("a body");
        assert_eq!(own_body.ty, Ty::Named("Text".into()));
        assert!(own_body.flat.is_none());
        let own_examples: Vec<&str> = own
            .examples
            .bodies
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(own_examples, ["text"]);
        assert_eq!(own.summary.as_deref(), Some("Sends a message."));

        // The variant: same path and method, the member's body flattened
        // into arguments, its description as the summary.
        let variant = operation(&api, "send_reaction");
        assert_eq!(variant.operation_id, "sendMessage");
        assert_eq!(variant.path, own.path);
        assert_eq!(variant.body_variant.as_deref(), Some("Reaction"));
        let body = variant.body.as_ref().expect("a body");
        assert_eq!(body.ty, Ty::Named("Reaction".into()));
        let args: Vec<(&str, bool)> = body
            .flat
            .as_ref()
            .expect("a flattened body")
            .iter()
            .map(|f| (f.field.as_str(), f.argument))
            .collect();
        assert_eq!(args, [("emoji", true), ("message_id", true)]);
        assert_eq!(variant.summary.as_deref(), Some("Reacts to a message."));
        let variant_examples: Vec<&str> = variant
            .examples
            .bodies
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(variant_examples, ["reaction"]);
    }
}
