//! Merging and naming: draft types → the final IR.
//!
//! **Merge rule.** Two draft types become one Rust type when they have the
//! same base name and the same shape, where the shape ignores descriptions
//! and examples and compares referenced types by *their* merged identity. The
//! comparison is a partition refinement (the coarsest partition stable under
//! references), so cycles merge correctly. This is how the `GraphAPIError`
//! copies that every Meta fragment carries become one type.
//!
//! **Naming rule.** Named schemas and operation-level inline types are named
//! first, then inline types level by level, each as its parent's final name
//! plus a suffix. When several different types want one name, the type
//! defined in the most fragments keeps it (ties: the first fragment by path);
//! each other one gets the UpperCamelCase stem of its first fragment appended
//! (`GraphAPIErrorBusinessProfile`), then a number if that is taken too. The
//! configuration's `type_renames` (generated name → wanted name) override any
//! of this.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::Lowerer;
use super::draft::{
    DExtra, DField, DKind, DVariant, DraftContent, DraftOperation, DraftType, TypeId,
};
use crate::error::{Error, Result, SpecError};
use crate::ir::{
    Api, Body, ByStatusDef, ChoiceDef, ChoiceVariant, EnumDef, ErrorResponse, ErrorTable, Extra,
    Field, Operation, Param, ResponseContent, Source, StructDef, Success, TaggedDef, TaggedVariant,
    TargetInfo, Ty, TypeDef, TypeKind, UntaggedDef, UntaggedVariant, Variant, Webhook,
};
use crate::naming;

/// Assembles the final IR: merges and names the draft types, builds the
/// types and operations from them, then decides, in order, flows,
/// isolation, boxing of received variants, shared fields, commits, the
/// member plan, the error table, pagination, form plans and area features.
pub(super) fn assemble(l: Lowerer<'_>, mut info: TargetInfo) -> Result<Api> {
    let merged = merge(&l)?;
    let mut types = type_defs(&l, &merged)?;
    let (mut operations, webhook) = operations(&l, &merged, &types)?;
    let inbound: Vec<crate::ir::Inbound> = l
        .inbound
        .iter()
        .map(|d| crate::ir::Inbound {
            name: d.name.clone(),
            function: d.function.clone(),
            ty: merged.ty(&d.ty),
            doc: d.doc.clone(),
            callback: d.callback,
            source: source_path(&l, d.fragment),
        })
        .collect();
    let payloads: Vec<&Ty> = inbound.iter().map(|i| &i.ty).collect();
    super::flow::mark(&mut types, &operations, webhook.as_ref(), &payloads);
    super::finish::isolate(l.target, &mut types, &operations)?;
    super::finish::box_received_variants(&mut types);
    super::finish::received_nullable(l.target, &mut types);
    shared_fields(&mut types);
    super::finish::commits(&mut types);
    super::members::plan(&mut types, &mut l.warnings.borrow_mut());
    info.errors = l
        .target
        .error_kinds
        .as_ref()
        .map(|table| super::errors::resolve(&l.target.name, l.target.strict, table, &types))
        .transpose()?;
    json_display(&mut types, &operations, info.errors.as_ref());
    for op in &mut operations {
        op.pagination = super::finish::pagination(&types, op);
        if op.pagination.is_none() {
            op.cursor_pagination = super::finish::cursor_pagination(&types, op);
        }
        if let Some(body) = &mut op.body {
            body.form = super::finish::form(&types, body);
        }
    }
    let mut warnings = l.warnings.take();
    warnings
        .sort_by(|a, b| (&a.file, &a.pointer, &a.message).cmp(&(&b.file, &b.pointer, &b.message)));
    warnings.dedup();
    let mut api = Api {
        target: info,
        types,
        operations,
        webhook,
        inbound,
        warnings,
        features: Default::default(),
        skipped: l.skipped,
    };
    api.features = super::features::plan(&api);
    super::features::check(&api, l.target.strict)?;
    Ok(api)
}

/// What the merge decides: the class of each draft type, and the members,
/// final name and boxed slots (class, slot index) of each class.
struct Merged {
    class: Vec<usize>,
    members: Vec<Vec<TypeId>>,
    names: Vec<String>,
    boxed: BTreeSet<(usize, usize)>,
}

impl Merged {
    /// A draft type reference with final names.
    fn ty(&self, t: &Ty<TypeId>) -> Ty {
        t.map_named(&mut |id| self.names[self.class[id.index()]].clone())
    }

    /// Whether slot `slot` (a field or variant) of class `c` is boxed.
    fn boxed(&self, c: usize, slot: usize) -> bool {
        self.boxed.contains(&(c, slot))
    }
}

/// Merges the draft types into classes (the merge rule), names the classes
/// (the naming rule) and finds the slots that need a box.
fn merge(l: &Lowerer<'_>) -> Result<Merged> {
    let class = partition(l);
    let class_count = class.iter().max().map_or(0, |m| m + 1);
    let mut members: Vec<Vec<TypeId>> = vec![Vec::new(); class_count];
    for (id, c) in class.iter().enumerate() {
        members[*c].push(TypeId::new(id));
    }
    let names = name_classes(l, &class, &members)?;
    let boxed = boxed_edges(l, &class, &members, &names)?;
    Ok(Merged {
        class,
        members,
        names,
        boxed,
    })
}

/// One definition per class, keyed by its final name.
fn type_defs(l: &Lowerer<'_>, m: &Merged) -> Result<BTreeMap<String, TypeDef>> {
    let mut types = BTreeMap::new();
    for (c, ids) in m.members.iter().enumerate() {
        let def = type_def(l, m, c, ids)?;
        types.insert(def.name.clone(), def);
    }
    Ok(types)
}

/// The definition of class `c`: the kind of its first member, the sources
/// of all of them and the first description.
fn type_def(l: &Lowerer<'_>, m: &Merged, c: usize, ids: &[TypeId]) -> Result<TypeDef> {
    let rep = &l.types[ids[0]];
    let name = m.names[c].clone();
    let kind = match &rep.kind {
        DKind::Pending => {
            return Err(Error::Emit {
                item: name,
                message: "type was reserved but never converted".into(),
            });
        }
        DKind::Alias(t) => TypeKind::Alias(m.ty(t)),
        DKind::Tagged { tag, variants } => tagged(m, c, tag, variants),
        DKind::Untagged { variants } => untagged(m, c, variants),
        DKind::ByStatus { variants, success } => by_status(m, c, variants, *success),
        DKind::Enum { values } => enumeration(values),
        DKind::Choice { members: choice } => TypeKind::Choice(ChoiceDef {
            variants: choice
                .iter()
                .zip(choice_variants(choice))
                .map(|((wire, t), rust)| ChoiceVariant {
                    wire: wire.clone(),
                    rust,
                    ty: m.ty(t),
                })
                .collect(),
        }),
        DKind::Struct {
            fields,
            extra,
            choices,
        } => structure(l, m, c, fields, extra, choices),
    };
    let mut sources: Vec<Source> = ids
        .iter()
        .map(|id| {
            let t = &l.types[*id];
            Source {
                fragment: source_path(l, t.fragment),
                pointer: t.pointer.clone(),
            }
        })
        .collect();
    sources.sort();
    let doc = ids
        .iter()
        .find_map(|id| l.types[*id].doc.clone())
        .filter(|d| !d.is_empty());
    Ok(TypeDef {
        name,
        original: rep.original.clone(),
        doc,
        kind,
        sources,
        flow: Default::default(),
        json_display: false,
        // Decided once flows are known (`members`).
        from: Vec::new(),
    })
}

/// A fragment's path as it appears in the IR (forward slashes).
fn source_path(l: &Lowerer<'_>, fragment: usize) -> String {
    l.fragments[fragment]
        .path
        .to_string_lossy()
        .replace('\\', "/")
}

/// A tagged union of class `c`, with unique variant names.
fn tagged(m: &Merged, c: usize, tag: &str, variants: &[(String, Ty<TypeId>)]) -> TypeKind {
    let mut used = naming::variant_names();
    let variants: Vec<TaggedVariant> = variants
        .iter()
        .enumerate()
        .map(|(i, (value, t))| TaggedVariant {
            tag_value: value.clone(),
            rust: naming::unique(naming::variant_name(value), &mut used),
            ty: m.ty(t),
            boxed: m.boxed(c, i),
        })
        .collect();
    TypeKind::Tagged(TaggedDef {
        tag: tag.to_string(),
        variants,
        unknown: naming::CATCH_ALL.to_string(),
        // Filled in once every variant's struct is final
        // (`shared_fields`, `finish::commits`).
        shared: Vec::new(),
        commits: Vec::new(),
        scan: false,
        constructors: Vec::new(),
    })
}

/// An untagged union of class `c`, its variants in trial order.
fn untagged(m: &Merged, c: usize, variants: &[DVariant]) -> TypeKind {
    let mut used = naming::variant_names();
    let variants: Vec<UntaggedVariant> = variants
        .iter()
        .enumerate()
        .map(|(i, v)| UntaggedVariant {
            rust: naming::unique(v.name.clone(), &mut used),
            ty: m.ty(&v.ty),
            required: v.required.clone(),
            consts: v.consts.clone(),
            strict: v.strict,
            kind: v.kind,
            boxed: m.boxed(c, i),
        })
        .collect();
    TypeKind::Untagged(UntaggedDef {
        variants,
        unknown: naming::CATCH_ALL.to_string(),
    })
}

/// An operation's error bodies by status, each variant named after its
/// status.
fn by_status(
    m: &Merged,
    c: usize,
    variants: &[(crate::ir::StatusMatch, Option<Ty<TypeId>>)],
    success: bool,
) -> TypeKind {
    let mut used = naming::variant_names();
    TypeKind::ByStatus(ByStatusDef {
        variants: variants
            .iter()
            .enumerate()
            .map(|(i, (status, t))| crate::ir::StatusVariant {
                rust: naming::unique(naming::status_variant(*status), &mut used),
                status: *status,
                ty: t.as_ref().map(|t| m.ty(t)),
                boxed: m.boxed(c, i),
            })
            .collect(),
        success,
    })
}

/// A string enum, with unique variant names.
fn enumeration(values: &[String]) -> TypeKind {
    let mut used = naming::variant_names();
    let variants: Vec<Variant> = values
        .iter()
        .map(|v| Variant {
            wire: v.clone(),
            rust: naming::unique(naming::variant_name(v), &mut used),
        })
        .collect();
    TypeKind::Enum(EnumDef {
        variants,
        unknown: naming::CATCH_ALL.to_string(),
    })
}

/// A struct of class `c`: fields with unique snake_case names (a field of
/// a one-value enum type is a constant), the `extra` member and the uses
/// of its choice types.
fn structure(
    l: &Lowerer<'_>,
    m: &Merged,
    c: usize,
    fields: &[DField],
    extra: &DExtra,
    choices: &[TypeId],
) -> TypeKind {
    let mut used = BTreeSet::new();
    let fields: Vec<Field> = fields
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            let constant = match &f.ty {
                Ty::Named(id) => match &l.types[m.members[m.class[id.index()]][0]].kind {
                    DKind::Enum { values } if values.len() == 1 => Some(values[0].clone()),
                    _ => None,
                },
                _ => None,
            };
            Field {
                wire: f.wire.clone(),
                rust: naming::unique(
                    naming::snake_ident_with(&f.wire, &l.target.words),
                    &mut used,
                ),
                ty: m.ty(&f.ty),
                required: f.required,
                nullable: f.nullable,
                constant,
                boxed: m.boxed(c, fi),
                doc: f.doc.clone(),
                // Decided once flows are known (`members`).
                setter: None,
                lenient: false,
            }
        })
        .collect();
    let extra = match extra {
        DExtra::Keep => Extra::Keep(naming::unique("extra".into(), &mut used)),
        DExtra::Typed(t) => Extra::Typed(naming::unique("extra".into(), &mut used), m.ty(t)),
    };
    let choices = choices
        .iter()
        .filter_map(|id| struct_choice(&l.types[*id].kind, &fields, &m.ty(&Ty::Named(*id))))
        .collect();
    TypeKind::Struct(StructDef {
        fields,
        extra,
        choices,
    })
}

/// Every draft operation with final type names, sorted by method, and the
/// webhook (the operation the configuration names, left out of the
/// operations).
fn operations(
    l: &Lowerer<'_>,
    m: &Merged,
    types: &BTreeMap<String, TypeDef>,
) -> Result<(Vec<Operation>, Option<Webhook>)> {
    let mut operations = Vec::new();
    let mut webhook = None;
    for op in &l.operations {
        // The webhook is named by operationId or as `METHOD /path`.
        let method_and_path = format!("{} {}", op.http_method.as_str(), op.path);
        if let Some(w) = l
            .target
            .webhooks
            .as_ref()
            .filter(|w| w.operation == op.operation_id || w.operation == method_and_path)
        {
            let payload = op.body.as_ref().map(|b| m.ty(&b.ty)).ok_or_else(|| {
                Error::Spec(SpecError {
                    file: l.fragments[op.fragment].path.clone(),
                    pointer: op.pointer.clone(),
                    message: "the webhook operation has no request body to parse".into(),
                })
            })?;
            webhook = Some(Webhook {
                operation_id: op.operation_id.clone(),
                payload,
                signature_header: w.signature_header.clone(),
                source: source_path(l, op.fragment),
            });
            continue;
        }
        let error_ty = error_ty(l, m, op)?;
        operations.push(operation(l, m, op, error_ty, types)?);
    }
    operations.sort_by(|a, b| a.method.cmp(&b.method));
    if let (Some(w), None, true) = (&l.target.webhooks, &webhook, l.target.strict) {
        return Err(Error::Config {
            file: PathBuf::from("specs/codegen.toml"),
            message: format!(
                "target `{}`: webhook operation `{}` is not in the fragments",
                l.target.name, w.operation
            ),
        });
    }
    Ok((operations, webhook))
}

/// The one type an operation's error responses decode into (any JSON value
/// when none has a body); several different ones are not supported.
fn error_ty(l: &Lowerer<'_>, m: &Merged, op: &DraftOperation) -> Result<Ty> {
    if let Some(id) = op.error_by_status {
        return Ok(m.ty(&Ty::Named(id)));
    }
    let mut error_tys: Vec<Ty> = op
        .errors
        .iter()
        .filter_map(|(_, t)| t.as_ref().map(|t| m.ty(t)))
        .collect();
    error_tys.dedup();
    error_tys.sort();
    error_tys.dedup();
    if error_tys.len() > 1 {
        return Err(Error::Spec(SpecError {
            file: l.fragments[op.fragment].path.clone(),
            pointer: format!("{}/responses", op.pointer),
            message: format!(
                "error responses decode into different types ({}); this is not supported yet",
                error_tys
                    .iter()
                    .map(|t| format!("{t:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }));
    }
    Ok(error_tys.into_iter().next().unwrap_or(Ty::Json))
}

/// One operation with final type names; pagination and form plans are
/// decided later.
fn operation(
    l: &Lowerer<'_>,
    m: &Merged,
    op: &DraftOperation,
    error_ty: Ty,
    types: &BTreeMap<String, TypeDef>,
) -> Result<Operation> {
    Ok(Operation {
        operation_id: op.operation_id.clone(),
        method: op.method.clone(),
        builder: naming::type_name(&heck::ToUpperCamelCase::to_upper_camel_case(
            op.method.as_str(),
        )),
        http_method: op.http_method,
        path: op.path.clone(),
        path_parts: op.path_parts.clone(),
        params: op
            .params
            .iter()
            .map(|p| Param {
                wire: p.wire.clone(),
                rust: p.rust.clone(),
                location: p.location,
                required: p.required,
                ty: m.ty(&p.ty),
                explode: p.explode,
                whole_url: p.whole_url,
                object: p.object,
                doc: p.doc.clone(),
            })
            .collect(),
        body: match &op.body {
            None => None,
            Some(b) => Some(Body {
                media: b.media,
                media_type: b.media_type.clone(),
                required: b.required,
                ty: m.ty(&b.ty),
                form_field: b.form_field.clone(),
                rust: b.rust.clone(),
                alternatives: b.alternatives.clone(),
                doc: b.doc.clone(),
                flat: if b.flatten {
                    Some(flatten(l, op, &m.ty(&b.ty), types)?)
                } else {
                    None
                },
                form: None,
            }),
        },
        success: Success {
            statuses: op.success_statuses.clone(),
            content: match &op.success {
                DraftContent::Empty => ResponseContent::Empty,
                DraftContent::Json(t) => ResponseContent::Json(m.ty(t)),
                DraftContent::Text => ResponseContent::Text,
                DraftContent::Bytes => ResponseContent::Bytes,
            },
            by_status: op.success_by_status,
            events: op.events.as_ref().map(|t| m.ty(t)),
        },
        errors: op
            .errors
            .iter()
            .map(|(s, t)| ErrorResponse {
                status: *s,
                ty: t.as_ref().map(|t| m.ty(t)),
            })
            .collect(),
        error_ty,
        summary: op.summary.clone(),
        doc: op.doc.clone(),
        deprecated: op.deprecated,
        examples: op.examples.clone(),
        body_variant: op.body_variant.clone(),
        pagination: None,
        cursor_pagination: None,
        final_client_errors: l.target.final_client_errors.contains(&op.operation_id),
        anonymous: op.anonymous,
        source: source_path(l, op.fragment),
    })
}

/// Sets [`TypeDef::json_display`] on every operation's error type that is
/// not a carrier of the error table: it displays as its JSON.
fn json_display(
    types: &mut BTreeMap<String, TypeDef>,
    operations: &[Operation],
    errors: Option<&ErrorTable>,
) {
    let carriers: BTreeSet<&String> = errors
        .iter()
        .flat_map(|t| t.carriers.iter().map(|c| &c.type_name))
        .collect();
    let displayed: BTreeSet<String> = operations
        .iter()
        .filter_map(|op| match &op.error_ty {
            Ty::Named(n) if !carriers.contains(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    for name in displayed {
        if let Some(def) = types.get_mut(&name) {
            def.json_display = true;
        }
    }
}

/// A struct's use of a choice type: which field each member sets.
fn struct_choice(kind: &DKind, fields: &[Field], ty: &Ty) -> Option<crate::ir::StructChoice> {
    let (DKind::Choice { members }, Ty::Named(name)) = (kind, ty) else {
        return None;
    };
    let rust: Option<Vec<String>> = members
        .iter()
        .map(|(wire, _)| {
            fields
                .iter()
                .find(|f| f.wire == *wire)
                .map(|f| f.rust.clone())
        })
        .collect();
    let rust = rust?;
    Some(crate::ir::StructChoice {
        ty: name.clone(),
        arg: rust.first()?.clone(),
        fields: rust,
        variants: choice_variants(members),
    })
}

/// The variant names of a choice: its members in UpperCamelCase, unique.
fn choice_variants<T>(members: &[(String, T)]) -> Vec<String> {
    let mut used = BTreeSet::new();
    members
        .iter()
        .map(|(wire, _)| naming::unique(naming::variant_name(wire), &mut used))
        .collect()
}

/// The builder arguments and setters of a flattened body: the body struct's
/// required fields are arguments, its optional ones setters; constant fields
/// fill themselves in. Names that clash with the builder's own or with a
/// parameter get a number.
fn flatten(
    l: &Lowerer<'_>,
    op: &DraftOperation,
    ty: &Ty,
    types: &BTreeMap<String, TypeDef>,
) -> Result<Vec<crate::ir::FlatField>> {
    let body = match ty {
        Ty::Named(n) => match types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => Some(s),
            _ => None,
        },
        _ => None,
    };
    let Some(body) = body else {
        return Err(Error::Spec(SpecError {
            file: l.fragments[op.fragment].path.clone(),
            pointer: format!("{}/requestBody", op.pointer),
            message: format!(
                "the body of method `{}` (`[[target.body_variants]]`) must be an object",
                op.method
            ),
        }));
    };
    let mut used: BTreeSet<String> = crate::ir::BUILDER_NAMES
        .iter()
        .map(|n| n.to_string())
        .chain(op.params.iter().map(|p| p.rust.clone()))
        .collect();
    let unit = |t: &Ty| match t {
        Ty::Named(n) => match types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => {
                !s.fields.is_empty() && s.fields.iter().all(|f| f.required && f.constant.is_some())
            }
            Some(TypeKind::Enum(e)) => e.variants.len() == 1,
            _ => false,
        },
        _ => false,
    };
    Ok(body
        .fields
        .iter()
        .filter(|f| !(f.required && f.constant.is_some()))
        .map(|f| crate::ir::FlatField {
            field: f.rust.clone(),
            name: naming::unique(f.rust.clone(), &mut used),
            argument: !f.optional() && f.constant.is_none(),
            unit: f.optional() && unit(&f.ty),
        })
        .collect())
}

/// Sets [`TaggedDef::shared`]: the fields every variant's struct has alike.
/// Tag and constant fields are left out (the tag has `tag()`), and so are
/// boxed and optional-nullable fields. A union with a variant that is not a
/// struct shares nothing.
fn shared_fields(types: &mut BTreeMap<String, TypeDef>) {
    let mut found: Vec<(String, Vec<crate::ir::SharedField>)> = Vec::new();
    for def in types.values() {
        let TypeKind::Tagged(t) = &def.kind else {
            continue;
        };
        let structs: Option<Vec<&StructDef>> = t
            .variants
            .iter()
            .map(|v| match &v.ty {
                Ty::Named(n) => match types.get(n).map(|d| &d.kind) {
                    Some(TypeKind::Struct(s)) => Some(s),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let Some((first, rest)) = structs.as_deref().and_then(<[_]>::split_first) else {
            continue;
        };
        let alike = |a: &Field, b: &Field| {
            a.wire == b.wire
                && a.rust == b.rust
                && a.ty == b.ty
                && a.optional() == b.optional()
                && !b.boxed
                && !b.double_option()
                && b.constant.is_none()
        };
        let shared = first
            .fields
            .iter()
            .filter(|f| f.wire != t.tag && f.constant.is_none() && !f.boxed && !f.double_option())
            .filter(|f| rest.iter().all(|s| s.fields.iter().any(|g| alike(f, g))))
            .map(|f| crate::ir::SharedField {
                wire: f.wire.clone(),
                rust: f.rust.clone(),
                // Named with the union's other members (`members`).
                accessor: f.rust.clone(),
                setter: None,
                ty: f.ty.clone(),
                optional: f.optional(),
                doc: f.doc.clone(),
            })
            .collect();
        found.push((def.name.clone(), shared));
    }
    for (name, shared) in found {
        if let Some(TypeKind::Tagged(t)) = types.get_mut(&name).map(|d| &mut d.kind) {
            t.shared = shared;
        }
    }
}

/// A reference in a [`Shape`]: the class of the referenced type.
type ClassTy = Ty<usize>;

/// The local shape of a draft type with references replaced by class ids:
/// everything the merge compares (descriptions are not). Derived `Ord`, so
/// it keys the refinement's map directly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Pending,
    Alias(ClassTy),
    Enum(Vec<String>),
    Struct {
        /// (member, type, required, nullable) per field, in order.
        fields: Vec<(String, ClassTy, bool, bool)>,
        /// `None` keeps unknown members; `Some` is a typed map.
        extra: Option<ClassTy>,
        /// The classes of its choice types.
        choices: Vec<usize>,
    },
    Choice(Vec<(String, ClassTy)>),
    Tagged {
        tag: String,
        variants: Vec<(String, ClassTy)>,
    },
    Untagged(Vec<UntaggedShape>),
    ByStatus(Vec<(crate::ir::StatusMatch, Option<ClassTy>)>, bool),
}

/// One variant of an untagged union, in a [`Shape`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct UntaggedShape {
    name: String,
    ty: ClassTy,
    required: Vec<String>,
    consts: Vec<(String, String)>,
    strict: bool,
    kind: crate::ir::JsonKind,
}

/// What the refinement compares: the base name and the shape, so
/// differently named types never merge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ShapeKey {
    base: String,
    shape: Shape,
}

fn shape_key(t: &DraftType, class: &[usize]) -> ShapeKey {
    let ty = |t: &Ty<TypeId>| t.map_named(&mut |id| class[id.index()]);
    let shape = match &t.kind {
        DKind::Pending => Shape::Pending,
        DKind::Alias(a) => Shape::Alias(ty(a)),
        DKind::Enum { values } => Shape::Enum(values.clone()),
        DKind::Struct {
            fields,
            extra,
            choices,
        } => Shape::Struct {
            fields: fields
                .iter()
                .map(|f| (f.wire.clone(), ty(&f.ty), f.required, f.nullable))
                .collect(),
            extra: match extra {
                DExtra::Keep => None,
                DExtra::Typed(t) => Some(ty(t)),
            },
            choices: choices.iter().map(|id| class[id.index()]).collect(),
        },
        DKind::Choice { members } => Shape::Choice(
            members
                .iter()
                .map(|(wire, t)| (wire.clone(), ty(t)))
                .collect(),
        ),
        DKind::Tagged { tag, variants } => Shape::Tagged {
            tag: tag.clone(),
            variants: variants
                .iter()
                .map(|(value, t)| (value.clone(), ty(t)))
                .collect(),
        },
        DKind::ByStatus { variants, success } => Shape::ByStatus(
            variants
                .iter()
                .map(|(status, t)| (*status, t.as_ref().map(ty)))
                .collect(),
            *success,
        ),
        DKind::Untagged { variants } => Shape::Untagged(
            variants
                .iter()
                .map(|v| UntaggedShape {
                    name: v.name.clone(),
                    ty: ty(&v.ty),
                    required: v.required.clone(),
                    consts: v.consts.clone(),
                    strict: v.strict,
                    kind: v.kind,
                })
                .collect(),
        ),
    };
    ShapeKey {
        base: t.base.clone(),
        shape,
    }
}

/// Partition refinement: starts from (base name, local shape) and splits until
/// references agree. Class ids are assigned in order of the first member's
/// id, so they are deterministic.
fn partition(l: &Lowerer<'_>) -> Vec<usize> {
    let n = l.types.len();
    let mut class = vec![0usize; n];
    let mut count = usize::MAX;
    loop {
        let mut ids: BTreeMap<ShapeKey, usize> = BTreeMap::new();
        let mut next = Vec::with_capacity(n);
        for t in &l.types {
            let key = shape_key(t, &class);
            let len = ids.len();
            next.push(*ids.entry(key).or_insert(len));
        }
        let new_count = ids.len();
        class = next;
        if new_count == count {
            return class;
        }
        count = new_count;
    }
}

/// Assigns final names (see the module documentation).
fn name_classes(l: &Lowerer<'_>, class: &[usize], members: &[Vec<TypeId>]) -> Result<Vec<String>> {
    let parent_of = |c: usize| -> Option<(usize, String)> {
        l.types[members[c][0]]
            .parent
            .as_ref()
            .map(|(p, suffix)| (class[p.index()], suffix.clone()))
    };
    let mut depth = vec![usize::MAX; members.len()];
    fn depth_of(
        c: usize,
        depth: &mut [usize],
        parent_of: &dyn Fn(usize) -> Option<(usize, String)>,
    ) -> usize {
        if depth[c] != usize::MAX {
            return depth[c];
        }
        let d = match parent_of(c) {
            None => 0,
            Some((p, _)) => depth_of(p, depth, parent_of) + 1,
        };
        depth[c] = d;
        d
    }
    for c in 0..members.len() {
        depth_of(c, &mut depth, &parent_of);
    }
    let max_depth = depth.iter().copied().max().unwrap_or(0);
    let fragment_path = |id: TypeId| l.fragments[l.types[id].fragment].path.clone();
    let fragment_count = |c: usize| {
        members[c]
            .iter()
            .map(|id| l.types[*id].fragment)
            .collect::<BTreeSet<_>>()
            .len()
    };

    let mut names: Vec<Option<String>> = vec![None; members.len()];
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut renamed: BTreeSet<&String> = BTreeSet::new();
    for level in 0..=max_depth {
        let mut wanted: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for c in (0..members.len()).filter(|c| depth[*c] == level) {
            let candidate = match parent_of(c) {
                None => l.types[members[c][0]].base.clone(),
                Some((p, suffix)) => format!("{}{suffix}", names[p].as_deref().unwrap_or_default()),
            };
            wanted.entry(candidate).or_default().push(c);
        }
        for (candidate, mut group) in wanted {
            group.sort_by_key(|c| {
                (
                    std::cmp::Reverse(fragment_count(*c)),
                    fragment_path(members[*c][0]),
                    members[*c][0],
                )
            });
            for (k, c) in group.into_iter().enumerate() {
                let mut name = if k == 0 && !used.contains(&candidate) {
                    candidate.clone()
                } else {
                    let stem = fragment_path(members[c][0])
                        .file_stem()
                        .map(|s| naming::type_suffix(&s.to_string_lossy()))
                        .unwrap_or_default();
                    format!("{candidate}{stem}")
                };
                if let Some((from, to)) = l.target.type_renames.get_key_value(&name) {
                    renamed.insert(from);
                    if used.contains(to) && !l.target.strict {
                        // Not applied to a document it was not written for.
                        names[c] = Some(naming::unique(name, &mut used));
                        continue;
                    }
                    if used.contains(to) {
                        return Err(Error::Config {
                            file: PathBuf::from("specs/codegen.toml"),
                            message: format!(
                                "target `{}`: type rename `{from}` → `{to}` clashes with another type",
                                l.target.name
                            ),
                        });
                    }
                    name = to.clone();
                }
                names[c] = Some(naming::unique(name, &mut used));
            }
        }
    }
    if let Some(unused) = l
        .target
        .type_renames
        .keys()
        .find(|k| !renamed.contains(k) && l.target.strict)
    {
        return Err(Error::Config {
            file: PathBuf::from("specs/codegen.toml"),
            message: format!(
                "target `{}`: type rename `{unused}` matches no generated type",
                l.target.name
            ),
        });
    }
    Ok(names.into_iter().map(Option::unwrap_or_default).collect())
}

/// Struct fields that must be boxed: by-value references that close a cycle.
/// Also rejects cycles made only of aliases, which Rust cannot express.
fn boxed_edges(
    l: &Lowerer<'_>,
    class: &[usize],
    members: &[Vec<TypeId>],
    names: &[String],
) -> Result<BTreeSet<(usize, usize)>> {
    let kind = |c: usize| &l.types[members[c][0]].kind;
    // By-value edges: struct fields holding a named type directly, and aliases.
    let edges = |c: usize| -> Vec<usize> {
        match kind(c) {
            DKind::Alias(t) => t.named().map(|id| class[id.index()]).into_iter().collect(),
            k => slots(k)
                .into_iter()
                .filter_map(|(_, t)| t.holds_by_value().map(|id| class[id.index()]))
                .collect(),
        }
    };
    let reaches = |from: usize, to: usize, alias_only: bool| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(c) = stack.pop() {
            if c == to {
                return true;
            }
            if !seen.insert(c) || (alias_only && !matches!(kind(c), DKind::Alias(_))) {
                continue;
            }
            stack.extend(edges(c));
        }
        false
    };
    let mut boxed = BTreeSet::new();
    for c in 0..members.len() {
        match kind(c) {
            DKind::Struct { .. }
            | DKind::Tagged { .. }
            | DKind::Untagged { .. }
            | DKind::ByStatus { .. } => {
                for (slot, t) in slots(kind(c)) {
                    if let Some(id) = t.holds_by_value() {
                        if reaches(class[id.index()], c, false) {
                            boxed.insert((c, slot));
                        }
                    }
                }
            }
            DKind::Alias(t) => {
                if let Some(id) = t.named() {
                    if reaches(class[id.index()], c, true) {
                        let rep = &l.types[members[c][0]];
                        return Err(Error::Spec(SpecError {
                            file: l.fragments[rep.fragment].path.clone(),
                            pointer: rep.pointer.clone(),
                            message: format!(
                                "`{}` is defined in terms of itself through aliases only; Rust cannot express that",
                                names[c]
                            ),
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(boxed)
}

/// The value slots of a type that may hold another type directly: struct
/// fields and union variants, by index.
fn slots(kind: &DKind) -> Vec<(usize, &Ty<TypeId>)> {
    match kind {
        DKind::Struct { fields, .. } => fields.iter().map(|f| &f.ty).enumerate().collect(),
        DKind::Tagged { variants, .. } => variants.iter().map(|(_, t)| t).enumerate().collect(),
        DKind::Untagged { variants } => variants.iter().map(|v| &v.ty).enumerate().collect(),
        DKind::ByStatus { variants, .. } => variants
            .iter()
            .enumerate()
            .filter_map(|(i, (_, t))| t.as_ref().map(|t| (i, t)))
            .collect(),
        DKind::Pending | DKind::Enum { .. } | DKind::Alias(_) | DKind::Choice { .. } => Vec::new(),
    }
}

/// Merge tests; `lower`, `try_lower` and `field_ty` serve the other
/// lowering tests too.
#[cfg(test)]
pub(super) mod tests {
    use std::path::Path;

    use crate::config::{Config, Target};
    use crate::ir::{Api, JsonKind, Ty, TypeKind};

    fn target() -> Target {
        let config = Config::parse(
            Path::new("codegen.toml"),
            "[[target]]\nname = \"t\"\ncrate_name = \"t\"\ndescription = \"d\"\noutput = \"out\"\nfragments = \".\"\nbase_url = \"https://x.example\"\nauth = \"bearerAuth\"\n",
        )
        .expect("config parses");
        config.targets.into_iter().next().expect("one target")
    }

    /// Lowers fragments given as (path, `components/schemas` YAML).
    pub(in crate::lower) fn lower(fragments: &[(&str, &str)]) -> Api {
        try_lower(fragments).expect("fragments lower")
    }

    /// [`lower`], for fragments that may not lower.
    pub(in crate::lower) fn try_lower(fragments: &[(&str, &str)]) -> crate::error::Result<Api> {
        let fragments: Vec<_> = fragments
            .iter()
            .map(|(path, schemas)| {
                let text = format!(
                    "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  securitySchemes:\n    bearerAuth: {{type: http, scheme: bearer}}\n  schemas:\n{schemas}"
                );
                crate::load::parse(Path::new(path), &text).expect("fragment parses")
            })
            .collect();
        super::super::lower(&target(), &fragments)
    }

    /// The type of a struct's field and whether it is boxed.
    pub(in crate::lower) fn field_ty(api: &Api, ty: &str, member: &str) -> (Ty, bool) {
        let TypeKind::Struct(s) = &api.types[ty].kind else {
            panic!("{ty} is not a struct")
        };
        let f = s
            .fields
            .iter()
            .find(|f| f.wire == member)
            .expect("field exists");
        (f.ty.clone(), f.boxed)
    }

    const ERROR: &str =
        "    Error:\n      type: object\n      properties:\n        code: {type: integer}\n";

    #[test]
    fn identical_copies_merge_into_one_type_with_every_source() {
        let api = lower(&[("a.yaml", ERROR), ("b.yaml", ERROR)]);
        assert_eq!(api.types.keys().collect::<Vec<_>>(), ["Error"]);
        let sources: Vec<String> = api.types["Error"]
            .sources
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            sources,
            [
                "a.yaml#/components/schemas/Error",
                "b.yaml#/components/schemas/Error"
            ]
        );
    }

    #[test]
    fn refinement_splits_types_whose_references_differ() {
        // `Wrapper` looks the same in both fragments, but refers to an
        // `Inner` of another shape in each: refinement must split it.
        let a = "    Wrapper:\n      type: object\n      properties:\n        inner: {$ref: '#/components/schemas/Inner'}\n    Inner:\n      type: object\n      properties:\n        x: {type: string}\n";
        let b = "    Wrapper:\n      type: object\n      properties:\n        inner: {$ref: '#/components/schemas/Inner'}\n    Inner:\n      type: object\n      properties:\n        x: {type: integer}\n";
        let api = lower(&[("a.yaml", a), ("b.yaml", b)]);
        assert_eq!(
            api.types.keys().collect::<Vec<_>>(),
            ["Inner", "InnerB", "Wrapper", "WrapperB"]
        );
        assert_eq!(
            field_ty(&api, "Wrapper", "inner").0,
            Ty::Named("Inner".into())
        );
        assert_eq!(
            field_ty(&api, "WrapperB", "inner").0,
            Ty::Named("InnerB".into())
        );
    }

    #[test]
    fn cycles_merge_and_the_type_defined_most_keeps_the_name() {
        let node = "    Node:\n      type: object\n      properties:\n        next: {$ref: '#/components/schemas/Node'}\n";
        let other =
            "    Node:\n      type: object\n      properties:\n        label: {type: string}\n";
        // Two identical cyclic copies (in `b` and `c`) merge; being defined
        // in two fragments, they keep `Node` although `a` sorts first.
        let api = lower(&[("c.yaml", node), ("a.yaml", other), ("b.yaml", node)]);
        assert_eq!(api.types.keys().collect::<Vec<_>>(), ["Node", "NodeA"]);
        assert_eq!(api.types["Node"].sources.len(), 2);
        assert_eq!(
            field_ty(&api, "Node", "next"),
            (Ty::Named("Node".into()), true),
            "the edge that closes the cycle is boxed"
        );
    }

    #[test]
    fn a_naming_tie_goes_to_the_first_fragment_by_path() {
        let one =
            "    Error:\n      type: object\n      properties:\n        code: {type: string}\n";
        let api = lower(&[("z.yaml", ERROR), ("m.yaml", one)]);
        assert_eq!(api.types.keys().collect::<Vec<_>>(), ["Error", "ErrorZ"]);
        assert_eq!(field_ty(&api, "Error", "code").0, Ty::String);
        assert_eq!(field_ty(&api, "ErrorZ", "code").0, Ty::I64);
    }

    #[test]
    fn only_direct_edges_that_close_a_cycle_are_boxed() {
        let schemas = "    Tree:\n      type: object\n      properties:\n        children: {type: array, items: {$ref: '#/components/schemas/Tree'}}\n        parent: {$ref: '#/components/schemas/Link'}\n        meta: {$ref: '#/components/schemas/Meta'}\n    Link:\n      type: object\n      properties:\n        tree: {$ref: '#/components/schemas/Tree'}\n    Meta:\n      type: object\n      properties:\n        name: {type: string}\n";
        let api = lower(&[("a.yaml", schemas)]);
        // A `Vec` already has an indirection; `Meta` is not on a cycle.
        assert!(!field_ty(&api, "Tree", "children").1);
        assert!(!field_ty(&api, "Tree", "meta").1);
        // `Tree -> Link -> Tree` is a cycle: one of its edges is boxed.
        assert!(field_ty(&api, "Tree", "parent").1 || field_ty(&api, "Link", "tree").1);
    }

    #[test]
    fn untagged_variants_are_tried_in_the_documented_order() {
        let schemas = "    Choice:\n      oneOf:\n        - {type: string}\n        - $ref: '#/components/schemas/One'\n        - {type: integer}\n        - $ref: '#/components/schemas/Two'\n        - $ref: '#/components/schemas/Strict'\n    One:\n      type: object\n      required: [a]\n      properties:\n        a: {type: string}\n    Two:\n      type: object\n      required: [a, b]\n      properties:\n        a: {type: string}\n        b: {type: string}\n    Strict:\n      type: object\n      required: [c]\n      additionalProperties: false\n      properties:\n        c: {type: string}\n";
        let api = lower(&[("a.yaml", schemas)]);
        let TypeKind::Untagged(u) = &api.types["Choice"].kind else {
            panic!("Choice is an untagged union")
        };
        let order: Vec<(&str, JsonKind)> = u
            .variants
            .iter()
            .map(|v| (v.rust.as_str(), v.kind))
            .collect();
        // More required keys first, then strict objects, then spec order;
        // primitives after the objects, in spec order.
        assert_eq!(
            order,
            [
                ("Two", JsonKind::Object),
                ("Strict", JsonKind::Object),
                ("One", JsonKind::Object),
                ("String", JsonKind::String),
                ("Integer", JsonKind::Integer),
            ]
        );
    }
}
