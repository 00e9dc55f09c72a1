//! Schema lowering: OpenAPI schemas → draft types that refer to each other by id.
//!
//! Every named schema of every fragment gets an id before any schema is
//! converted (see [`super::Lowerer::reserve`]), so forward and cyclic
//! references resolve. Inline objects, enums and unions become types of
//! their own, named after their parent and property; an inline constant (a
//! one-value enum) nested in another type is named after its property and
//! value alone.
//!
//! Composition:
//!
//! - `allOf` is merged into one object: properties and `required` lists are
//!   united. `additionalProperties: false` in any member applies to the merged
//!   object (as the WhatsApp reference means it; reading it per member would
//!   make every message kind uninhabitable). A property defined by several
//!   members must have the same JSON type in each (a definition without a
//!   fixed one, such as a union, agrees with all); the more specific
//!   definition (an enum or `const`, or a reference to a named object) wins,
//!   otherwise the later one. An `allOf` of one member, or of one member and
//!   annotations, is that member.
//! - `oneOf`/`anyOf` with a `discriminator` becomes a tagged union whose
//!   variants are named by tag value: the mapping's keys for the schemas it
//!   names, else each variant's `const` tag property, else its schema name
//!   (an inline variant needs the `const`). Mapping entries that are not
//!   members are variants too.
//! - `oneOf`/`anyOf` without one becomes an untagged union. Variants are tried
//!   in a fixed order: objects first, those with more required keys and
//!   fixed values (members with one allowed value) first, then objects that
//!   forbid unknown members, then spec order; the other variants after the
//!   objects, in spec order. A variant is only tried when the value has its
//!   JSON type, required keys and fixed values. Two variants with the same
//!   JSON type, required keys, fixed values and strictness cannot be told
//!   apart: a warning names both, and the first one wins.
//! - Branches that each require one different optional primitive member of
//!   the object (`oneOf: [{required: [to]}, {required: [recipient]}]`) make
//!   a choice type (`ToOrRecipient`) the struct's constructor takes; other
//!   branches that only require members are a presence constraint that is
//!   not enforced.

use openapiv3::{
    AdditionalProperties, Discriminator, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use super::Lowerer;
use super::draft::{DExtra, DField, DKind, DVariant, TypeId};
use crate::error::{SpecError, escape_pointer_token};
use crate::ir::{JsonKind, Ty};
use crate::naming;

/// Where the result of converting a schema goes.
#[derive(Debug, Clone)]
pub(crate) enum Dest {
    /// The schema defines this reserved type (a component schema).
    Define(TypeId),
    /// The schema is used in place; a type it needs is named `base`, with
    /// `parent` the type it is nested in (for naming after merges).
    Use {
        parent: Option<TypeId>,
        base: String,
        suffix: String,
    },
}

impl Dest {
    /// The destination for a schema nested in type `parent` under `suffix`.
    pub(crate) fn child(lowerer: &Lowerer<'_>, parent: TypeId, suffix: &str) -> Dest {
        let suffix = naming::type_suffix(suffix);
        Dest::Use {
            parent: Some(parent),
            base: format!("{}{}", lowerer.types[parent].base, suffix),
            suffix,
        }
    }

    /// The destination for a schema with no parent type (operation bodies,
    /// responses and parameters).
    pub(crate) fn root(base: String) -> Dest {
        Dest::Use {
            parent: None,
            base: base.clone(),
            suffix: base,
        }
    }

    fn extend(&self, lowerer: &Lowerer<'_>, suffix: &str) -> Dest {
        match self {
            Dest::Define(id) => Dest::child(lowerer, *id, suffix),
            Dest::Use {
                parent,
                base,
                suffix: own,
            } => {
                let s = naming::type_suffix(suffix);
                Dest::Use {
                    parent: *parent,
                    base: format!("{base}{s}"),
                    suffix: format!("{own}{s}"),
                }
            }
        }
    }
}

/// A schema that may be a reference.
#[derive(Clone, Copy)]
pub(crate) enum SchemaRef<'s> {
    Ref(&'s str),
    Item(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for SchemaRef<'s> {
    fn from(r: &'s ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Item(s),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for SchemaRef<'s> {
    fn from(r: &'s ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Item(s),
        }
    }
}

/// The result of converting a schema in a use position.
#[derive(Debug, Clone)]
pub(crate) struct Usage {
    pub ty: Ty<TypeId>,
    pub nullable: bool,
    pub doc: Option<String>,
    pub title: Option<String>,
}

/// A property gathered for an object, possibly from another fragment (allOf).
#[derive(Clone)]
struct Prop<'a> {
    name: &'a String,
    schema: SchemaRef<'a>,
    fi: usize,
    ptr: String,
}

/// What happens to members an object does not list.
#[derive(Clone)]
enum Additional<'a> {
    Keep,
    None,
    Typed(SchemaRef<'a>, usize, String),
}

/// An object, after `allOf` members are merged.
#[derive(Clone)]
struct ObjectShape<'a> {
    props: Vec<Prop<'a>>,
    required: Vec<String>,
    additional: Additional<'a>,
    /// Groups of members of which exactly one is required (branches that
    /// each require one member), with the fragment and pointer of the
    /// `oneOf`/`anyOf` that says so.
    choices: Vec<(Vec<String>, usize, String)>,
}

/// A `oneOf`/`anyOf`.
struct UnionShape<'a> {
    variants: Vec<(SchemaRef<'a>, String)>,
    discriminator: Option<&'a Discriminator>,
}

/// An untagged variant before conversion: what tells it apart.
struct UntaggedDraft<'a> {
    index: usize,
    consts: Vec<(String, String)>,
    name: String,
    schema: SchemaRef<'a>,
    ptr: String,
    required: Vec<String>,
    strict: bool,
    kind: JsonKind,
    /// Another crate's type: its members' types are not known here.
    foreign: bool,
}

/// What a schema is, once the 3.0 model's variants are sorted out.
enum Shape<'a> {
    Prim(Ty<TypeId>),
    StringEnum(Vec<String>),
    Object(ObjectShape<'a>),
    Array(Option<SchemaRef<'a>>),
    Alias(SchemaRef<'a>, String),
    Union(UnionShape<'a>),
}

impl<'a> Lowerer<'a> {
    /// Converts a schema (or reference) for use at `ptr`.
    pub(crate) fn schema_ref(
        &mut self,
        fi: usize,
        schema: SchemaRef<'a>,
        ptr: &str,
        dest: Dest,
    ) -> Result<Usage, SpecError> {
        match schema {
            SchemaRef::Ref(reference) => {
                let ty = match self.foreign_ref(fi, reference, ptr)? {
                    Some(ty) => ty,
                    None => Ty::Named(self.resolve_schema_ref(fi, reference, ptr)?),
                };
                if let Dest::Define(id) = dest {
                    self.types[id].kind = DKind::Alias(ty.clone());
                }
                Ok(Usage {
                    ty,
                    nullable: false,
                    doc: None,
                    title: None,
                })
            }
            SchemaRef::Item(s) => self.schema(fi, s, ptr, dest),
        }
    }

    /// The schema a reference points at, with its fragment and pointer.
    fn deref(
        &self,
        fi: usize,
        schema: SchemaRef<'a>,
        ptr: &str,
    ) -> Result<(usize, String, &'a Schema), SpecError> {
        let mut current = schema;
        let mut at = (fi, ptr.to_string());
        for _ in 0..32 {
            match current {
                SchemaRef::Item(s) => return Ok((at.0, at.1, s)),
                SchemaRef::Ref(reference) => {
                    let id = self.resolve_schema_ref(at.0, reference, &at.1)?;
                    let t = &self.types[id];
                    let frag: &'a crate::load::Fragment = self.fragments[t.fragment];
                    let name = &t.original;
                    let next = frag
                        .doc
                        .components
                        .as_ref()
                        .and_then(|c| c.schemas.get(name))
                        .ok_or_else(|| {
                            self.err(
                                at.0,
                                &at.1,
                                format!(
                                    "`$ref: {reference}` points at a schema that does not exist"
                                ),
                            )
                        })?;
                    at = (t.fragment, t.pointer.clone());
                    current = next.into();
                }
            }
        }
        Err(self.err(fi, ptr, "`$ref` chain is too long or cyclic"))
    }

    /// Converts an inline schema.
    pub(crate) fn schema(
        &mut self,
        fi: usize,
        s: &'a Schema,
        ptr: &str,
        dest: Dest,
    ) -> Result<Usage, SpecError> {
        let data = &s.schema_data;
        let doc = data
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        let mut nullable = data.nullable;
        let shape = self.shape(fi, s, ptr, &mut nullable)?;
        let ty = match shape {
            Shape::Prim(ty) => self.alias_or_inline(dest, ty),
            Shape::Alias(inner, inner_ptr) => {
                let usage = self.schema_ref(fi, inner, &inner_ptr, dest)?;
                return Ok(Usage {
                    ty: usage.ty,
                    nullable: nullable || usage.nullable,
                    doc: doc.or(usage.doc),
                    title: data.title.clone().or(usage.title),
                });
            }
            Shape::StringEnum(values) => {
                // An inline constant (a one-value enum, `const` in 3.1) is named
                // after its property and value alone, so every
                // `messaging_product: whatsapp` in the crate is one
                // `MessagingProductWhatsapp` type, and union tags read as
                // `TypeText`, `TypeImage`.
                let dest = match dest {
                    Dest::Use {
                        parent: Some(_),
                        suffix,
                        ..
                    } if values.len() == 1 => {
                        let base = format!("{suffix}{}", naming::type_suffix(&values[0]));
                        Dest::Use {
                            parent: None,
                            base: base.clone(),
                            suffix: base,
                        }
                    }
                    other => other,
                };
                let id = self.dest_type(dest, fi, ptr, &doc);
                self.types[id].kind = DKind::Enum { values };
                Ty::Named(id)
            }
            Shape::Array(items) => {
                let item_ty = match items {
                    Some(items) => {
                        let item_dest = dest.extend(self, "Item");
                        let u = self.schema_ref(fi, items, &format!("{ptr}/items"), item_dest)?;
                        if u.nullable {
                            return Err(self.err(
                                fi,
                                format!("{ptr}/items"),
                                "nullable array items are not supported",
                            ));
                        }
                        u.ty
                    }
                    None => Ty::Json,
                };
                self.alias_or_inline(dest, Ty::Array(Box::new(item_ty)))
            }
            Shape::Object(o) => self.object(fi, ptr, o, dest, &doc)?,
            Shape::Union(u) => self.union(fi, ptr, u, dest, &doc)?,
        };
        Ok(Usage {
            ty,
            nullable,
            doc,
            title: data.title.clone(),
        })
    }

    fn object(
        &mut self,
        fi: usize,
        ptr: &str,
        o: ObjectShape<'a>,
        dest: Dest,
        doc: &Option<String>,
    ) -> Result<Ty<TypeId>, SpecError> {
        for r in &o.required {
            if !o.props.iter().any(|p| p.name == r) {
                let e = self.err(
                    fi,
                    format!("{ptr}/required"),
                    format!("required property `{r}` is not listed in `properties`"),
                );
                // A published document's slip (the member is described
                // elsewhere, or not at all): the requirement has nothing to
                // apply to.
                if !self.target.degrade {
                    return Err(e);
                }
                self.warn_skipped(e, "the requirement is ignored");
            }
        }
        if o.props.is_empty() {
            return Ok(match o.additional {
                Additional::Typed(value, vfi, vptr) => {
                    let value_dest = dest.extend(self, "Value");
                    let u = self.schema_ref(vfi, value, &vptr, value_dest)?;
                    self.alias_or_inline(dest, Ty::Map(Box::new(u.ty)))
                }
                // An object that lists no members and forbids others is still
                // a struct of its own (it keeps what it receives; see below).
                Additional::None => {
                    let id = self.dest_type(dest, fi, ptr, doc);
                    self.types[id].kind = DKind::Struct {
                        fields: Vec::new(),
                        extra: DExtra::Keep,
                        choices: Vec::new(),
                    };
                    Ty::Named(id)
                }
                Additional::Keep => self.alias_or_inline(dest, Ty::JsonObject),
            });
        }
        let id = self.dest_type(dest, fi, ptr, doc);
        let mut fields = Vec::new();
        for p in &o.props {
            let prop_dest = Dest::child(self, id, p.name);
            let u = self.schema_ref(p.fi, p.schema, &p.ptr, prop_dest)?;
            fields.push(DField {
                wire: p.name.clone(),
                ty: u.ty,
                required: o.required.contains(p.name),
                nullable: u.nullable,
                doc: u.doc,
            });
        }
        let extra = match o.additional {
            Additional::Typed(value, vfi, vptr) => {
                let value_dest = Dest::child(self, id, "Value");
                DExtra::Typed(self.schema_ref(vfi, value, &vptr, value_dest)?.ty)
            }
            // `additionalProperties: false` is read as "the spec lists every
            // member today": it orders union variants (strict ones first), but
            // the struct still keeps an `extra` map, so a member the live API
            // adds is not lost when decoding and a member newer than the spec
            // can still be sent (documented fallback, pinned by the goldens).
            Additional::None | Additional::Keep => DExtra::Keep,
        };
        let choices = o
            .choices
            .iter()
            .filter_map(|(members, cfi, cptr)| self.choice(&fields, members, *cfi, cptr))
            .collect();
        self.types[id].kind = DKind::Struct {
            fields,
            extra,
            choices,
        };
        Ok(Ty::Named(id))
    }

    /// The choice type of a group of members of which exactly one is
    /// required: named after its members alone (`ToOrRecipient`), so the
    /// same group in several objects is one type. A group with a member
    /// that is required anyway, nullable or not a primitive stays a presence
    /// constraint that is not enforced (documented fallback).
    fn choice(
        &mut self,
        fields: &[DField],
        members: &[String],
        fi: usize,
        ptr: &str,
    ) -> Option<TypeId> {
        let typed: Option<Vec<(String, Ty<TypeId>)>> = members
            .iter()
            .map(|m| {
                let f = fields.iter().find(|f| f.wire == *m)?;
                let primitive = matches!(f.ty, Ty::String | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool);
                (primitive && !f.required && !f.nullable).then(|| (f.wire.clone(), f.ty.clone()))
            })
            .collect();
        let typed = typed?;
        let base = members
            .iter()
            .map(|m| naming::type_suffix(m))
            .collect::<Vec<_>>()
            .join("Or");
        let doc = format!(
            "Which one of {} to send: the object needs exactly one of them.",
            members
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let id = self.new_type(base.clone(), base, None, fi, ptr, Some(doc));
        self.types[id].kind = DKind::Choice { members: typed };
        Some(id)
    }

    /// A `oneOf`/`anyOf`: a tagged union with a discriminator, else an
    /// untagged one (see the module documentation).
    fn union(
        &mut self,
        fi: usize,
        ptr: &str,
        u: UnionShape<'a>,
        dest: Dest,
        doc: &Option<String>,
    ) -> Result<Ty<TypeId>, SpecError> {
        let keyword_ptr = format!("{ptr}/oneOf");
        if u.variants.is_empty() {
            return Err(self.err(fi, keyword_ptr, "a union with no variants has no values; the generator never emits an uninhabitable type"));
        }
        let id = self.dest_type(dest, fi, ptr, doc);
        let kind = match u.discriminator {
            Some(disc) => self.tagged(fi, ptr, &keyword_ptr, id, &u.variants, disc)?,
            None => self.untagged(fi, &keyword_ptr, id, &u.variants)?,
        };
        self.types[id].kind = kind;
        Ok(Ty::Named(id))
    }

    /// The variants of the tagged union `id`, by tag value: mapping entries
    /// name the variants they point at; a `oneOf` member not in the mapping
    /// gets its implicit tag (its `const` tag property, else its schema
    /// name); mapping entries not among the members are variants too.
    fn tagged(
        &mut self,
        fi: usize,
        ptr: &str,
        keyword_ptr: &str,
        id: TypeId,
        members: &[(SchemaRef<'a>, String)],
        disc: &'a Discriminator,
    ) -> Result<DKind, SpecError> {
        let tag = disc.property_name.clone();
        let mut variants: Vec<(String, Ty<TypeId>)> = Vec::new();
        let mut mapped: Vec<(String, TypeId)> = Vec::new();
        for (value, reference) in &disc.mapping {
            let target = self.resolve_schema_ref(
                fi,
                reference,
                &format!(
                    "{ptr}/discriminator/mapping/{}",
                    escape_pointer_token(value)
                ),
            )?;
            mapped.push((value.clone(), target));
        }
        for (v, vptr) in members {
            match v {
                SchemaRef::Ref(reference) => {
                    let target = self.resolve_schema_ref(fi, reference, vptr)?;
                    let tags: Vec<String> = mapped
                        .iter()
                        .filter(|(_, t)| *t == target)
                        .map(|(v, _)| v.clone())
                        .collect();
                    if tags.is_empty() {
                        let value = self
                            .implicit_tag(fi, *v, vptr, &tag)?
                            .unwrap_or_else(|| self.types[target].original.clone());
                        variants.push((value, Ty::Named(target)));
                    }
                    for value in tags {
                        variants.push((value, Ty::Named(target)));
                    }
                }
                SchemaRef::Item(_) => {
                    let value = self.implicit_tag(fi, *v, vptr, &tag)?.ok_or_else(|| {
                        self.err(fi, vptr.clone(), format!("an inline variant of a discriminated union needs a `const` `{tag}` property"))
                    })?;
                    let vdest = Dest::child(self, id, &value);
                    let usage = self.schema_ref(fi, *v, vptr, vdest)?;
                    variants.push((value, usage.ty));
                }
            }
        }
        for (value, target) in mapped {
            if !variants.iter().any(|(v, _)| *v == value) {
                variants.push((value, Ty::Named(target)));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (value, _) in &variants {
            if !seen.insert(value.clone()) {
                return Err(self.err(
                    fi,
                    keyword_ptr,
                    format!("two variants share the tag value `{value}`"),
                ));
            }
        }
        Ok(DKind::Tagged { tag, variants })
    }

    /// The variants of the untagged union `id`, in trial order; what tells
    /// them apart is gathered before any is converted.
    fn untagged(
        &mut self,
        fi: usize,
        keyword_ptr: &str,
        id: TypeId,
        members: &[(SchemaRef<'a>, String)],
    ) -> Result<DKind, SpecError> {
        let mut drafts: Vec<UntaggedDraft<'a>> = Vec::new();
        for (i, (v, vptr)) in members.iter().enumerate() {
            drafts.push(self.untagged_draft(fi, i, *v, vptr)?);
        }
        // Documented order: objects first, those with more required keys and
        // fixed values first, then strict objects, then spec order.
        drafts.sort_by_key(|d| {
            (
                d.kind != JsonKind::Object,
                std::cmp::Reverse(d.required.len() + d.consts.len()),
                !d.strict,
                d.index,
            )
        });
        self.warn_indistinct(fi, keyword_ptr, &drafts);
        let mut used = std::collections::BTreeSet::new();
        let mut variants = Vec::new();
        for d in drafts {
            let name = naming::unique(d.name, &mut used);
            let vdest = Dest::child(self, id, &name);
            let usage = self.schema_ref(fi, d.schema, &d.ptr, vdest)?;
            variants.push(DVariant {
                name,
                ty: usage.ty,
                consts: d.consts,
                required: d.required,
                strict: d.strict,
                kind: d.kind,
            });
        }
        Ok(DKind::Untagged { variants })
    }

    /// Member `i` of an untagged union, before conversion: its JSON type,
    /// required keys, fixed values and name (an inline object's is `With`
    /// and its required keys, a referenced one's its schema's name, a
    /// primitive's its JSON type; else `Variant` and its position).
    fn untagged_draft(
        &self,
        fi: usize,
        i: usize,
        v: SchemaRef<'a>,
        vptr: &str,
    ) -> Result<UntaggedDraft<'a>, SpecError> {
        if let Some(draft) = self.foreign_untagged_draft(fi, i, v, vptr)? {
            return Ok(draft);
        }
        let (vfi, target_ptr, schema) = self.deref(fi, v, vptr)?;
        let mut nullable = false;
        let mut consts = Vec::new();
        let (kind, required, strict, name) =
            match self.shape(vfi, schema, &target_ptr, &mut nullable)? {
                Shape::Object(o) => {
                    // Properties fixed to one value tell variants apart too
                    // (`name: catalog_message` vs `name: flow`).
                    consts = self.fixed_values(&o)?;
                    let name = match v {
                        SchemaRef::Ref(_) => None,
                        SchemaRef::Item(_) => Some(format!(
                            "With{}",
                            o.required
                                .iter()
                                .map(|r| naming::type_suffix(r))
                                .collect::<String>()
                        )),
                    };
                    (
                        JsonKind::Object,
                        o.required.clone(),
                        matches!(o.additional, Additional::None),
                        name,
                    )
                }
                Shape::Prim(Ty::String) | Shape::Prim(Ty::Bytes) | Shape::StringEnum(_) => {
                    (JsonKind::String, Vec::new(), false, Some("String".into()))
                }
                Shape::Prim(Ty::I32 | Ty::I64) => {
                    (JsonKind::Integer, Vec::new(), false, Some("Integer".into()))
                }
                Shape::Prim(Ty::F64) => {
                    (JsonKind::Number, Vec::new(), false, Some("Number".into()))
                }
                Shape::Prim(Ty::Bool) => {
                    (JsonKind::Boolean, Vec::new(), false, Some("Boolean".into()))
                }
                Shape::Array(_) => (JsonKind::Array, Vec::new(), false, Some("Array".into())),
                _ => (JsonKind::Any, Vec::new(), false, Some("Value".into())),
            };
        let name = match (name, v) {
            (Some(n), _) if n != "With" => n,
            (_, SchemaRef::Ref(reference)) => {
                let target = self.resolve_schema_ref(fi, reference, vptr)?;
                naming::type_name(&self.types[target].original)
            }
            _ => format!("Variant{}", i + 1),
        };
        Ok(UntaggedDraft {
            index: i,
            consts,
            name,
            schema: v,
            ptr: vptr.to_string(),
            required,
            strict,
            kind,
            foreign: false,
        })
    }

    /// [`Self::untagged_draft`] for a member that is another crate's type:
    /// told apart by what its struct requires (any JSON value otherwise).
    fn foreign_untagged_draft(
        &self,
        fi: usize,
        i: usize,
        v: SchemaRef<'a>,
        vptr: &str,
    ) -> Result<Option<UntaggedDraft<'a>>, SpecError> {
        let SchemaRef::Ref(reference) = v else {
            return Ok(None);
        };
        let Some((name, signature)) = self.foreign_schema(fi, reference, vptr)? else {
            return Ok(None);
        };
        let (kind, (required, consts)) = match signature {
            Some(signature) => (JsonKind::Object, signature),
            None => (JsonKind::Any, Default::default()),
        };
        Ok(Some(UntaggedDraft {
            index: i,
            consts,
            name: naming::type_name(&name),
            schema: v,
            ptr: vptr.to_string(),
            required,
            strict: false,
            kind,
            foreign: true,
        }))
    }

    /// Warns about untagged variants that cannot be told apart: the same
    /// JSON type, required keys, fixed values and strictness.
    fn warn_indistinct(&self, fi: usize, keyword_ptr: &str, drafts: &[UntaggedDraft<'a>]) {
        let key = |d: &UntaggedDraft<'_>| {
            let mut r = d.required.clone();
            r.sort();
            let mut c = d.consts.clone();
            c.sort();
            (d.kind, r, c, d.strict)
        };
        for (i, a) in drafts.iter().enumerate() {
            for b in &drafts[i + 1..] {
                // Another crate's type may differ in its members' types,
                // which decoding tries; it is not reported.
                let unknown = a.foreign || b.foreign;
                if a.kind != JsonKind::Any && !unknown && key(a) == key(b) {
                    // A diagnostic, not an error: decoding still works, in the
                    // documented order, but the first variant always wins.
                    self.warnings.borrow_mut().push(self.err(
                        fi,
                        keyword_ptr,
                        format!(
                            "variants {} and {} cannot be told apart (same JSON type, required keys [{}] and fixed values); the first always wins: add a discriminator, distinct required keys or a `const`",
                            a.ptr,
                            b.ptr,
                            key(a).1.join(", ")
                        ),
                    ));
                }
            }
        }
    }

    /// The members of an object fixed to one string value (a one-value
    /// enum or `const`), with that value.
    fn fixed_values(&self, o: &ObjectShape<'a>) -> Result<Vec<(String, String)>, SpecError> {
        let mut consts = Vec::new();
        for p in &o.props {
            let (pfi, pptr, ps) = self.deref(p.fi, p.schema, &p.ptr)?;
            let mut n = false;
            if let Shape::StringEnum(values) = self.shape(pfi, ps, &pptr, &mut n)? {
                if values.len() == 1 {
                    consts.push((p.name.clone(), values[0].clone()));
                }
            }
        }
        Ok(consts)
    }

    /// For an object schema: its required members and the members fixed to
    /// one string value (what tells it apart from other objects); `None` for
    /// any other schema.
    #[allow(clippy::type_complexity)]
    pub(crate) fn object_signature(
        &self,
        fi: usize,
        schema: SchemaRef<'a>,
        ptr: &str,
    ) -> Result<Option<(Vec<String>, Vec<(String, String)>)>, SpecError> {
        if let SchemaRef::Ref(reference) = schema {
            if let Some((_, signature)) = self.foreign_schema(fi, reference, ptr)? {
                return Ok(signature);
            }
        }
        let (sfi, sptr, s) = self.deref(fi, schema, ptr)?;
        let mut nullable = false;
        let Shape::Object(o) = self.shape(sfi, s, &sptr, &mut nullable)? else {
            return Ok(None);
        };
        Ok(Some((o.required.clone(), self.fixed_values(&o)?)))
    }

    /// The tag value a variant declares for `tag` (a one-value enum).
    fn implicit_tag(
        &self,
        fi: usize,
        v: SchemaRef<'a>,
        ptr: &str,
        tag: &str,
    ) -> Result<Option<String>, SpecError> {
        let (vfi, vptr, schema) = self.deref(fi, v, ptr)?;
        let mut nullable = false;
        let Shape::Object(o) = self.shape(vfi, schema, &vptr, &mut nullable)? else {
            return Ok(None);
        };
        let Some(p) = o.props.iter().find(|p| p.name == tag) else {
            return Ok(None);
        };
        let (pfi, pptr, ps) = self.deref(p.fi, p.schema, &p.ptr)?;
        match self.shape(pfi, ps, &pptr, &mut nullable)? {
            Shape::StringEnum(values) if values.len() == 1 => Ok(values.into_iter().next()),
            _ => Ok(None),
        }
    }

    /// A primitive, array or map: inline where used, an alias when it is a
    /// named schema of its own.
    fn alias_or_inline(&mut self, dest: Dest, ty: Ty<TypeId>) -> Ty<TypeId> {
        match dest {
            Dest::Define(id) => {
                self.types[id].kind = DKind::Alias(ty);
                Ty::Named(id)
            }
            Dest::Use { .. } => ty,
        }
    }

    /// The type a struct or enum lands in: the reserved one, or a new inline one.
    fn dest_type(&mut self, dest: Dest, fi: usize, ptr: &str, doc: &Option<String>) -> TypeId {
        match dest {
            Dest::Define(id) => id,
            Dest::Use {
                parent,
                base,
                suffix,
            } => self.new_type(
                base.clone(),
                base,
                parent.map(|p| (p, suffix)),
                fi,
                ptr,
                doc.clone(),
            ),
        }
    }

    fn object_shape(
        &self,
        fi: usize,
        ptr: &str,
        properties: &'a indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &'a [String],
        additional: Option<&'a AdditionalProperties>,
    ) -> ObjectShape<'a> {
        ObjectShape {
            props: properties
                .iter()
                .map(|(name, schema)| Prop {
                    name,
                    schema: schema.into(),
                    fi,
                    ptr: format!("{ptr}/properties/{}", escape_pointer_token(name)),
                })
                .collect(),
            required: required.to_vec(),
            additional: match additional {
                Some(AdditionalProperties::Schema(s)) => {
                    Additional::Typed((&**s).into(), fi, format!("{ptr}/additionalProperties"))
                }
                Some(AdditionalProperties::Any(false)) => Additional::None,
                Some(AdditionalProperties::Any(true)) | None => Additional::Keep,
            },
            choices: Vec::new(),
        }
    }

    /// The object a schema without a `type` declares by its own keywords,
    /// with the groups of members of which it needs exactly one.
    fn own_object(
        &self,
        fi: usize,
        ptr: &str,
        any: &'a openapiv3::AnySchema,
        choices: Vec<(Vec<String>, usize, String)>,
    ) -> ObjectShape<'a> {
        let mut object = self.object_shape(
            fi,
            ptr,
            &any.properties,
            &any.required,
            any.additional_properties.as_ref(),
        );
        object.choices = choices;
        object
    }

    /// Merges `allOf` members (and the schema's own properties) into one object.
    fn all_of(
        &self,
        fi: usize,
        ptr: &str,
        members: &'a [ReferenceOr<Schema>],
        own: Option<ObjectShape<'a>>,
    ) -> Result<ObjectShape<'a>, SpecError> {
        let key = (fi, ptr.to_string());
        if self.merging.borrow().contains(&key) {
            return Err(self.err(
                fi,
                format!("{ptr}/allOf"),
                "an `allOf` that includes itself cannot be merged",
            ));
        }
        self.merging.borrow_mut().push(key);
        let merged = self.all_of_members(fi, ptr, members, own);
        self.merging.borrow_mut().pop();
        merged
    }

    /// [`Self::all_of`] once the schema is known not to include itself.
    fn all_of_members(
        &self,
        fi: usize,
        ptr: &str,
        members: &'a [ReferenceOr<Schema>],
        own: Option<ObjectShape<'a>>,
    ) -> Result<ObjectShape<'a>, SpecError> {
        let mut acc = ObjectShape {
            props: Vec::new(),
            required: Vec::new(),
            additional: Additional::Keep,
            choices: Vec::new(),
        };
        for (i, m) in members.iter().enumerate() {
            let mptr = format!("{ptr}/allOf/{i}");
            let (mfi, target_ptr, schema) = self.deref(fi, m.into(), &mptr)?;
            if let Some(required) = constraint_only(schema) {
                acc.required.extend(required.iter().cloned());
                continue;
            }
            let mut nullable = false;
            match self.shape(mfi, schema, &target_ptr, &mut nullable)? {
                Shape::Object(o) => self.absorb(&mut acc, o)?,
                _ => {
                    return Err(self.err(
                        fi,
                        mptr,
                        "an `allOf` member that is not an object cannot be merged",
                    ));
                }
            }
        }
        if let Some(own) = own {
            self.absorb(&mut acc, own)?;
        }
        Ok(acc)
    }

    /// Adds one object's properties to a merged object (see the module docs).
    fn absorb(&self, acc: &mut ObjectShape<'a>, o: ObjectShape<'a>) -> Result<(), SpecError> {
        for p in o.props {
            match acc.props.iter().position(|q| q.name == p.name) {
                None => acc.props.push(p),
                Some(at) => {
                    let old = &acc.props[at];
                    let (old_kind, old_specific) = self.json_kind(old.fi, old.schema, &old.ptr)?;
                    let (new_kind, new_specific) = self.json_kind(p.fi, p.schema, &p.ptr)?;
                    if old_kind != new_kind
                        && old_kind != JsonKind::Any
                        && new_kind != JsonKind::Any
                    {
                        return Err(self.err(
                            p.fi,
                            p.ptr.clone(),
                            format!(
                                "`allOf` members disagree on the type of `{}`: {new_kind:?} here, {old_kind:?} at {}{}",
                                p.name,
                                self.fragments[old.fi].path.display(),
                                old.ptr
                            ),
                        ));
                    }
                    if new_specific || !old_specific {
                        acc.props[at] = p;
                    }
                }
            }
        }
        for r in o.required {
            if !acc.required.contains(&r) {
                acc.required.push(r);
            }
        }
        for c in o.choices {
            if !acc.choices.iter().any(|(members, ..)| *members == c.0) {
                acc.choices.push(c);
            }
        }
        acc.additional = match (
            std::mem::replace(&mut acc.additional, Additional::Keep),
            o.additional,
        ) {
            (Additional::None, _) | (_, Additional::None) => Additional::None,
            (Additional::Typed(s, f, p), _) | (_, Additional::Typed(s, f, p)) => {
                Additional::Typed(s, f, p)
            }
            (Additional::Keep, Additional::Keep) => Additional::Keep,
        };
        Ok(())
    }

    /// The JSON type a schema describes, and whether it is specific (an enum
    /// or `const`, or a reference to a named object), without creating any
    /// type.
    fn json_kind(
        &self,
        fi: usize,
        schema: SchemaRef<'a>,
        ptr: &str,
    ) -> Result<(JsonKind, bool), SpecError> {
        let (sfi, sptr, s) = self.deref(fi, schema, ptr)?;
        let mut nullable = false;
        Ok(match self.shape(sfi, s, &sptr, &mut nullable)? {
            Shape::Prim(Ty::String | Ty::Bytes) => (JsonKind::String, false),
            Shape::StringEnum(_) => (JsonKind::String, true),
            Shape::Prim(Ty::I32 | Ty::I64) => (JsonKind::Integer, false),
            Shape::Prim(Ty::F64) => (JsonKind::Number, false),
            Shape::Prim(Ty::Bool) => (JsonKind::Boolean, false),
            Shape::Prim(Ty::JsonObject) | Shape::Object(_) => {
                (JsonKind::Object, matches!(schema, SchemaRef::Ref(_)))
            }
            Shape::Array(_) => (JsonKind::Array, false),
            Shape::Alias(inner, iptr) => return self.json_kind(sfi, inner, &iptr),
            _ => (JsonKind::Any, false),
        })
    }

    /// Sorts a schema into one of the shapes the generator supports, or says
    /// why it cannot. Creates no types.
    fn shape(
        &self,
        fi: usize,
        s: &'a Schema,
        ptr: &str,
        nullable: &mut bool,
    ) -> Result<Shape<'a>, SpecError> {
        let discriminator = s.schema_data.discriminator.as_ref();
        match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => self.string_shape(fi, ptr, st, nullable),
            SchemaKind::Type(Type::Integer(it)) => {
                if !it.enumeration.is_empty() {
                    return Err(self.err(
                        fi,
                        format!("{ptr}/enum"),
                        "integer enums are not supported yet",
                    ));
                }
                Ok(Shape::Prim(match &it.format {
                    VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => Ty::I32,
                    _ => Ty::I64,
                }))
            }
            SchemaKind::Type(Type::Number(nt)) => {
                if !nt.enumeration.is_empty() {
                    return Err(self.err(
                        fi,
                        format!("{ptr}/enum"),
                        "number enums are not supported yet",
                    ));
                }
                Ok(Shape::Prim(Ty::F64))
            }
            // A boolean `enum`/`const` narrows the value, but the Rust type stays
            // `bool`: documented fallback, pinned by the golden tests.
            SchemaKind::Type(Type::Boolean(_)) => Ok(Shape::Prim(Ty::Bool)),
            SchemaKind::Type(Type::Object(o)) => Ok(Shape::Object(self.object_shape(
                fi,
                ptr,
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
            ))),
            SchemaKind::Type(Type::Array(a)) => Ok(Shape::Array(a.items.as_ref().map(Into::into))),
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                Ok(Shape::Alias((&all_of[0]).into(), format!("{ptr}/allOf/0")))
            }
            // One member that says what the value is, the others only
            // annotations (`allOf: [{$ref: Enum}, {description: ..}]`, the
            // usual way to describe a reference): that member.
            SchemaKind::AllOf { all_of }
                if all_of.iter().filter(|m| !annotation_only(m)).count() == 1 =>
            {
                let i = all_of
                    .iter()
                    .position(|m| !annotation_only(m))
                    .unwrap_or_default();
                Ok(Shape::Alias(
                    (&all_of[i]).into(),
                    format!("{ptr}/allOf/{i}"),
                ))
            }
            SchemaKind::AllOf { all_of } => Ok(Shape::Object(self.all_of(fi, ptr, all_of, None)?)),
            SchemaKind::OneOf { one_of } => Ok(union_shape(ptr, one_of, "oneOf", discriminator)),
            SchemaKind::AnyOf { any_of } => Ok(union_shape(ptr, any_of, "anyOf", discriminator)),
            SchemaKind::Not { .. } => {
                Err(self.err(fi, format!("{ptr}/not"), "`not` is not supported"))
            }
            SchemaKind::Any(any) => self.any_shape(fi, ptr, any, nullable, discriminator),
        }
    }

    /// A `string` schema: a string enum (a `null` value in it makes the
    /// schema nullable), else a string, or bytes in the `binary` format.
    fn string_shape(
        &self,
        fi: usize,
        ptr: &str,
        st: &openapiv3::StringType,
        nullable: &mut bool,
    ) -> Result<Shape<'a>, SpecError> {
        if st.enumeration.is_empty() {
            return Ok(Shape::Prim(match &st.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => Ty::Bytes,
                _ => Ty::String,
            }));
        }
        let mut values = Vec::new();
        for v in &st.enumeration {
            match v {
                Some(v) if !values.contains(v) => values.push(v.clone()),
                Some(_) => {}
                None => *nullable = true,
            }
        }
        if values.is_empty() {
            return Err(self.err(
                fi,
                format!("{ptr}/enum"),
                "an enum whose only value is null is not supported",
            ));
        }
        Ok(Shape::StringEnum(values))
    }

    /// A schema the 3.0 model reads without a single kind (no `type`, or
    /// keywords beside it that it does not expect): sorted by its keywords.
    fn any_shape(
        &self,
        fi: usize,
        ptr: &str,
        any: &'a openapiv3::AnySchema,
        nullable: &mut bool,
        discriminator: Option<&'a Discriminator>,
    ) -> Result<Shape<'a>, SpecError> {
        self.check_not(fi, ptr, any)?;
        let has_own = !any.properties.is_empty()
            || !any.required.is_empty()
            || any.additional_properties.is_some();
        let mut choices = Vec::new();
        for (key, members) in [("oneOf", &any.one_of), ("anyOf", &any.any_of)] {
            if members.is_empty() {
                continue;
            }
            // Branches that only say which of the object's own members
            // must be present (`oneOf: [{required: [flow_id]},
            // {required: [flow_name]}]`) constrain presence, not shape:
            // the type is the object itself. Unless they make a choice
            // (below), the constraint is not enforced (documented
            // fallback, pinned by a golden test).
            if presence_only(any, members) {
                // Branches that each require a different single
                // member: exactly one of those members is sent, a
                // choice the constructor takes (see `choice`).
                if let Some(singles) = single_members(members) {
                    choices.push((singles, fi, format!("{ptr}/{key}")));
                }
                continue;
            }
            if has_own || !any.all_of.is_empty() {
                return Err(self.err(fi, format!("{ptr}/{key}"), format!("`{key}` combined with properties or `allOf` in one schema is not supported yet")));
            }
            return Ok(union_shape(ptr, members, key, discriminator));
        }
        if !any.all_of.is_empty() {
            // One member that says what the value is, the others only
            // annotations (`allOf: [{$ref: Enum}, {description: ..}]`,
            // the usual way to describe a reference): that member.
            let structural: Vec<usize> = (0..any.all_of.len())
                .filter(|i| !annotation_only(&any.all_of[*i]))
                .collect();
            if let [only] = structural.as_slice() {
                if !has_own && any.typ.is_none() {
                    return Ok(Shape::Alias(
                        (&any.all_of[*only]).into(),
                        format!("{ptr}/allOf/{only}"),
                    ));
                }
            }
            let own = has_own.then(|| self.own_object(fi, ptr, any, choices));
            return Ok(Shape::Object(self.all_of(fi, ptr, &any.all_of, own)?));
        }
        self.typed_shape(fi, ptr, any, nullable, choices)
    }

    /// `not: {required: [...]}` on an object forbids members; it narrows
    /// the values but not the Rust type, so it is accepted and not enforced
    /// (documented fallback, pinned by a golden test). Any other `not` is
    /// an error.
    fn check_not(&self, fi: usize, ptr: &str, any: &openapiv3::AnySchema) -> Result<(), SpecError> {
        let Some(not) = &any.not else {
            return Ok(());
        };
        let forbids_members_only = matches!(&**not, ReferenceOr::Item(Schema { schema_kind: SchemaKind::Any(n), .. })
            if !n.required.is_empty() && n.typ.is_none() && n.properties.is_empty() && n.one_of.is_empty()
                && n.all_of.is_empty() && n.any_of.is_empty() && n.not.is_none() && n.enumeration.is_empty());
        let is_object = any.typ.as_deref() == Some("object") || !any.properties.is_empty();
        if !(forbids_members_only && is_object) {
            return Err(self.err(
                fi,
                format!("{ptr}/not"),
                "`not` is not supported (except `not: {required: [...]}` on an object)",
            ));
        }
        Ok(())
    }

    /// A schema without composition, by its `type` or, without one, by its
    /// keywords: an object, an array, a string enum or any JSON value.
    fn typed_shape(
        &self,
        fi: usize,
        ptr: &str,
        any: &'a openapiv3::AnySchema,
        nullable: &mut bool,
        choices: Vec<(Vec<String>, usize, String)>,
    ) -> Result<Shape<'a>, SpecError> {
        let is_object = !any.properties.is_empty() || any.additional_properties.is_some();
        match any.typ.as_deref() {
            Some("object") | None if is_object => {
                Ok(Shape::Object(self.own_object(fi, ptr, any, choices)))
            }
            Some("array") | None if any.items.is_some() => {
                Ok(Shape::Array(any.items.as_ref().map(Into::into)))
            }
            None if !any.enumeration.is_empty() => {
                let mut values = Vec::new();
                for (i, v) in any.enumeration.iter().enumerate() {
                    match v {
                        serde_json::Value::String(s) if !values.contains(s) => {
                            values.push(s.clone())
                        }
                        serde_json::Value::String(_) => {}
                        serde_json::Value::Null => *nullable = true,
                        _ => {
                            return Err(self.err(
                                fi,
                                format!("{ptr}/enum/{i}"),
                                "only string enums are supported",
                            ));
                        }
                    }
                }
                Ok(Shape::StringEnum(values))
            }
            None => Ok(Shape::Prim(Ty::Json)),
            Some(t @ ("string" | "integer" | "number" | "boolean" | "object" | "array")) => {
                self.mistyped(fi, ptr, t)
            }
            Some(other) => Err(self.err(
                fi,
                format!("{ptr}/type"),
                format!("unsupported schema type `{other}`"),
            )),
        }
    }

    /// A schema of type `t` with keywords that do not apply to `t`: an
    /// error, or in degrade mode the declared type without them.
    fn mistyped(&self, fi: usize, ptr: &str, t: &str) -> Result<Shape<'a>, SpecError> {
        let e = self.err(
            fi,
            ptr.to_string(),
            format!("this `{t}` schema has keywords that do not apply to `{t}` (or an enum of another type)"),
        );
        if !self.target.degrade {
            return Err(e);
        }
        self.warn_skipped(e, "they are ignored");
        Ok(Shape::Prim(match t {
            "string" => Ty::String,
            "integer" => Ty::I64,
            "number" => Ty::F64,
            "boolean" => Ty::Bool,
            "object" => Ty::JsonObject,
            _ => Ty::Array(Box::new(Ty::Json)),
        }))
    }
}

/// A `oneOf`/`anyOf` (`key`) of the schema at `ptr`, its members not yet
/// converted.
fn union_shape<'a>(
    ptr: &str,
    members: &'a [ReferenceOr<Schema>],
    key: &str,
    discriminator: Option<&'a Discriminator>,
) -> Shape<'a> {
    Shape::Union(UnionShape {
        variants: members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.into(), format!("{ptr}/{key}/{i}")))
            .collect(),
        discriminator,
    })
}

/// True when every branch only requires some of the object's own members:
/// no type, properties, composition or other keywords.
fn presence_only(any: &openapiv3::AnySchema, members: &[ReferenceOr<Schema>]) -> bool {
    !any.properties.is_empty()
        && members.iter().all(|m| {
            matches!(m, ReferenceOr::Item(Schema { schema_kind: SchemaKind::Any(b), .. })
                if b.typ.is_none() && b.properties.is_empty() && !b.required.is_empty()
                    && b.one_of.is_empty() && b.all_of.is_empty() && b.any_of.is_empty()
                    && b.not.is_none() && b.additional_properties.is_none()
                    && b.required.iter().all(|r| any.properties.contains_key(r)))
        })
}

/// The member each branch requires, when there are several branches and
/// each requires a single member, a different one (a choice).
fn single_members(members: &[ReferenceOr<Schema>]) -> Option<Vec<String>> {
    let singles: Vec<String> = members
        .iter()
        .filter_map(|m| match m {
            ReferenceOr::Item(Schema {
                schema_kind: SchemaKind::Any(b),
                ..
            }) if b.required.len() == 1 => Some(b.required[0].clone()),
            _ => None,
        })
        .collect();
    let distinct = singles.iter().collect::<std::collections::BTreeSet<_>>();
    (singles.len() == members.len() && distinct.len() == singles.len() && singles.len() > 1)
        .then_some(singles)
}

/// True for an inline schema that only annotates (a description, a
/// default, examples): no type, members, items, enum or composition.
fn annotation_only(m: &ReferenceOr<Schema>) -> bool {
    matches!(m, ReferenceOr::Item(Schema { schema_kind: SchemaKind::Any(b), .. })
        if b.typ.is_none() && b.properties.is_empty() && b.required.is_empty()
            && b.one_of.is_empty() && b.all_of.is_empty() && b.any_of.is_empty()
            && b.not.is_none() && b.additional_properties.is_none() && b.items.is_none()
            && b.enumeration.is_empty() && b.format.is_none())
}

/// The members an `allOf` member without a type of its own makes required
/// (`allOf: [{$ref: Pet}, {required: [name]}]`); a `oneOf`/`anyOf` of such
/// members is a rule about which members are present, which the merged
/// object keeps optional. `None` for a member that describes a value.
fn constraint_only(s: &Schema) -> Option<&[String]> {
    let required_only = |m: &ReferenceOr<Schema>| {
        match m {
        ReferenceOr::Item(m) => constraint_only(m).is_some_and(|_| {
            matches!(&m.schema_kind, SchemaKind::Any(c) if c.one_of.is_empty() && c.any_of.is_empty())
        }),
        ReferenceOr::Reference { .. } => false,
    }
    };
    let b = match &s.schema_kind {
        // `anyOf: [{required: [a]}, {required: [b]}]` on its own.
        SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
            return (!members.is_empty() && members.iter().all(required_only)).then_some(&[]);
        }
        SchemaKind::Any(b) => b,
        _ => return None,
    };
    let untyped = b.typ.is_none()
        && b.properties.is_empty()
        && b.all_of.is_empty()
        && b.not.is_none()
        && b.additional_properties.is_none()
        && b.items.is_none()
        && b.enumeration.is_empty()
        && b.format.is_none();
    let choice = b.one_of.iter().chain(&b.any_of).all(required_only);
    let constrains = !b.required.is_empty() || !b.one_of.is_empty() || !b.any_of.is_empty();
    (untyped && choice && constrains).then_some(b.required.as_slice())
}

#[cfg(test)]
mod tests {
    use super::super::merge::tests::{field_ty, lower, try_lower};
    use crate::error::Error;
    use crate::ir::{Api, JsonKind, Ty, TypeKind, UntaggedDef};

    /// `components/schemas` YAML written at any indentation (the common
    /// one is removed), placed where the fragment expects it.
    fn schemas(yaml: &str) -> String {
        let lines: Vec<&str> = yaml.lines().filter(|l| !l.trim().is_empty()).collect();
        let common = lines
            .iter()
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        lines
            .iter()
            .map(|l| format!("    {}\n", &l[common..]))
            .collect()
    }

    /// Lowers one fragment, `a.yaml`, with these schemas.
    fn lower_one(yaml: &str) -> Api {
        lower(&[("a.yaml", &schemas(yaml))])
    }

    /// The one located error lowering these schemas gives.
    fn lower_error(yaml: &str) -> crate::SpecError {
        match try_lower(&[("a.yaml", &schemas(yaml))]) {
            Err(Error::Spec(e)) => e,
            Err(other) => panic!("expected one spec error, got {other}"),
            Ok(_) => panic!("expected the schemas not to lower"),
        }
    }

    fn untagged<'a>(api: &'a Api, name: &str) -> &'a UntaggedDef {
        match &api.types[name].kind {
            TypeKind::Untagged(u) => u,
            other => panic!("{name} is not an untagged union: {other:?}"),
        }
    }

    #[test]
    fn all_of_merges_members_into_one_object() {
        let api = lower_one(
            r"
            Named:
              type: object
              required: [id]
              properties:
                id: {type: string}
                kind: {type: string, enum: [big]}
            Merged:
              allOf:
                - $ref: '#/components/schemas/Named'
                - type: object
                  required: [size]
                  properties:
                    size: {type: integer}
                    kind: {type: string}
            ",
        );
        let TypeKind::Struct(s) = &api.types["Merged"].kind else {
            panic!("Merged is a struct")
        };
        let fields: Vec<(&str, bool)> = s
            .fields
            .iter()
            .map(|f| (f.wire.as_str(), f.required))
            .collect();
        // Properties and `required` lists united, in member order.
        assert_eq!(fields, [("id", true), ("kind", false), ("size", true)]);
        // `kind` is defined by both members: the enum is more specific than
        // the later plain string, so it wins.
        let kind = s.fields.iter().find(|f| f.wire == "kind").expect("kind");
        assert_eq!(kind.constant.as_deref(), Some("big"));
    }

    #[test]
    fn all_of_members_that_disagree_on_a_type_are_a_located_error() {
        let e = lower_error(
            r"
            Merged:
              allOf:
                - type: object
                  properties:
                    size: {type: integer}
                - type: object
                  properties:
                    size: {type: string}
            ",
        );
        assert_eq!(e.file.to_str(), Some("a.yaml"));
        assert_eq!(
            e.pointer,
            "#/components/schemas/Merged/allOf/1/properties/size"
        );
        assert!(e.message.contains("disagree on the type of `size`"), "{e}");
    }

    #[test]
    fn all_of_one_member_and_annotations_is_that_member() {
        let api = lower_one(
            r"
            Status: {type: string, enum: [open, closed]}
            Described:
              allOf:
                - $ref: '#/components/schemas/Status'
                - description: The status of the order.
            ",
        );
        assert_eq!(
            api.types["Described"].kind,
            TypeKind::Alias(Ty::Named("Status".into()))
        );
    }

    #[test]
    fn one_of_with_a_discriminator_is_a_tagged_union_with_its_mapping() {
        let api = lower_one(
            r"
            Event:
              oneOf:
                - $ref: '#/components/schemas/Text'
                - $ref: '#/components/schemas/Image'
              discriminator:
                propertyName: type
                mapping:
                  txt: '#/components/schemas/Text'
                  clip: '#/components/schemas/Video'
            Text:
              type: object
              required: [type]
              properties:
                type: {type: string}
                body: {type: string}
            Image:
              type: object
              required: [type]
              properties:
                type: {const: image}
                link: {type: string}
            Video:
              type: object
              properties:
                link: {type: string}
            ",
        );
        let TypeKind::Tagged(t) = &api.types["Event"].kind else {
            panic!("Event is a tagged union")
        };
        assert_eq!(t.tag, "type");
        let variants: Vec<(&str, &str, Ty)> = t
            .variants
            .iter()
            .map(|v| (v.tag_value.as_str(), v.rust.as_str(), v.ty.clone()))
            .collect();
        // The mapping names `Text`; `Image` is not in it and declares its
        // tag as a `const`; `Video` is only in the mapping and comes last.
        assert_eq!(
            variants,
            [
                ("txt", "Txt", Ty::Named("Text".into())),
                ("image", "Image", Ty::Named("Image".into())),
                ("clip", "Clip", Ty::Named("Video".into())),
            ]
        );
    }

    #[test]
    fn an_inline_variant_of_a_tagged_union_needs_a_const_tag() {
        let e = lower_error(
            r"
            Event:
              oneOf:
                - type: object
                  properties:
                    type: {type: string}
              discriminator:
                propertyName: type
            ",
        );
        assert_eq!(e.pointer, "#/components/schemas/Event/oneOf/0");
        assert!(e.message.contains("needs a `const` `type` property"), "{e}");
    }

    #[test]
    fn two_variants_with_one_tag_value_are_a_located_error() {
        let e = lower_error(
            r"
            Event:
              oneOf:
                - $ref: '#/components/schemas/A'
                - $ref: '#/components/schemas/B'
              discriminator:
                propertyName: type
            A:
              type: object
              properties:
                type: {const: same}
            B:
              type: object
              properties:
                type: {const: same}
            ",
        );
        assert_eq!(e.pointer, "#/components/schemas/Event/oneOf");
        assert!(e.message.contains("share the tag value `same`"), "{e}");
    }

    #[test]
    fn one_of_without_a_discriminator_tries_variants_in_the_documented_order() {
        let api = lower_one(
            r"
            Value:
              oneOf:
                - {type: integer}
                - type: object
                  required: [a]
                  properties:
                    a: {type: string}
                - {type: string}
                - type: object
                  required: [a]
                  properties:
                    a: {type: string}
                    kind: {const: flow}
                - type: object
                  required: [a, b]
                  properties:
                    a: {type: string}
                    b: {type: string}
            ",
        );
        let order: Vec<(JsonKind, &str, usize)> = untagged(&api, "Value")
            .variants
            .iter()
            .map(|v| (v.kind, v.rust.as_str(), v.required.len() + v.consts.len()))
            .collect();
        // Objects first, more required keys and fixed values first (spec
        // order among equals); primitives after them, in spec order.
        assert_eq!(
            order,
            [
                (JsonKind::Object, "WithA", 2),
                (JsonKind::Object, "WithAB", 2),
                (JsonKind::Object, "WithA2", 1),
                (JsonKind::Integer, "Integer", 0),
                (JsonKind::String, "String", 0),
            ]
        );
        let fixed = &untagged(&api, "Value").variants[0].consts;
        assert_eq!(fixed, &[("kind".to_string(), "flow".to_string())]);
        assert!(api.warnings.is_empty(), "{:?}", api.warnings);
    }

    #[test]
    fn untagged_variants_that_cannot_be_told_apart_are_a_warning() {
        let api = lower_one(
            r"
            Value:
              oneOf:
                - type: object
                  required: [a]
                  properties:
                    a: {type: string}
                - type: object
                  required: [a]
                  properties:
                    a: {type: integer}
            ",
        );
        assert_eq!(untagged(&api, "Value").variants.len(), 2);
        let [w] = api.warnings.as_slice() else {
            panic!("one warning: {:?}", api.warnings)
        };
        assert_eq!(w.pointer, "#/components/schemas/Value/oneOf");
        assert!(w.message.contains("cannot be told apart"), "{w}");
    }

    #[test]
    fn a_union_with_no_variants_is_a_located_error() {
        let e = lower_error("Nothing: {oneOf: []}");
        assert_eq!(e.file.to_str(), Some("a.yaml"));
        assert_eq!(e.pointer, "#/components/schemas/Nothing/oneOf");
        assert!(e.message.contains("no variants"), "{e}");
    }

    #[test]
    fn branches_each_requiring_one_different_member_become_a_choice() {
        let api = lower_one(
            r"
            Message:
              type: object
              properties:
                to: {type: string}
                recipient: {type: string}
                body: {type: string}
              oneOf:
                - required: [to]
                - required: [recipient]
            ",
        );
        let TypeKind::Struct(s) = &api.types["Message"].kind else {
            panic!("Message is a struct")
        };
        let [choice] = s.choices.as_slice() else {
            panic!("one choice: {:?}", s.choices)
        };
        assert_eq!(choice.ty, "ToOrRecipient");
        assert_eq!(choice.arg, "to");
        assert_eq!(choice.fields, ["to", "recipient"]);
        assert_eq!(choice.variants, ["To", "Recipient"]);
        let TypeKind::Choice(c) = &api.types["ToOrRecipient"].kind else {
            panic!("ToOrRecipient is a choice")
        };
        let wires: Vec<&str> = c.variants.iter().map(|v| v.wire.as_str()).collect();
        assert_eq!(wires, ["to", "recipient"]);
    }

    #[test]
    fn presence_branches_that_are_not_single_members_are_no_choice() {
        let api = lower_one(
            r"
            Message:
              type: object
              properties:
                to: {type: string}
                body: {type: string}
              anyOf:
                - required: [to]
                - required: [to, body]
            ",
        );
        let TypeKind::Struct(s) = &api.types["Message"].kind else {
            panic!("Message is still a struct")
        };
        assert!(s.choices.is_empty(), "{:?}", s.choices);
        assert!(
            !api.types
                .values()
                .any(|d| matches!(d.kind, TypeKind::Choice(_)))
        );
    }

    #[test]
    fn inline_types_are_named_after_parent_and_property() {
        let api = lower_one(
            r"
            Order:
              type: object
              properties:
                shipping_address:
                  type: object
                  properties:
                    city: {type: string}
                lines:
                  type: array
                  items:
                    type: object
                    properties:
                      sku: {type: string}
                status: {type: string, enum: [open, closed]}
                kind: {const: order}
            ",
        );
        assert_eq!(
            api.types.keys().collect::<Vec<_>>(),
            [
                "KindOrder",
                "Order",
                "OrderLinesItem",
                "OrderShippingAddress",
                "OrderStatus"
            ]
        );
        assert_eq!(
            field_ty(&api, "Order", "shipping_address").0,
            Ty::Named("OrderShippingAddress".into())
        );
        assert_eq!(
            field_ty(&api, "Order", "lines").0,
            Ty::Array(Box::new(Ty::Named("OrderLinesItem".into())))
        );
        assert_eq!(field_ty(&api, "OrderShippingAddress", "city").0, Ty::String);
    }
}
