//! Schema lowering: OpenAPI schemas → draft types that refer to each other by id.
//!
//! Every named schema of every fragment gets an id before any schema is
//! converted (see [`super::Lowerer::reserve`]), so forward and cyclic
//! references resolve. Inline objects and enums become types of their own,
//! named after their parent and property.

use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use super::{DExtra, DField, DKind, Lowerer, TypeId};
use crate::error::{SpecError, escape_pointer_token};
use crate::ir::Ty;
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

/// What a schema is, once the 3.0 model's variants are sorted out.
enum Shape<'s> {
    Prim(Ty<TypeId>),
    StringEnum(Vec<String>),
    Object {
        properties: Vec<(&'s String, SchemaRef<'s>)>,
        required: &'s [String],
        additional: Option<&'s AdditionalProperties>,
    },
    Array(Option<SchemaRef<'s>>),
    Alias(SchemaRef<'s>),
}

impl Lowerer<'_> {
    /// Converts a schema (or reference) for use at `ptr`.
    pub(crate) fn schema_ref(
        &mut self,
        fi: usize,
        schema: SchemaRef<'_>,
        ptr: &str,
        dest: Dest,
    ) -> Result<Usage, SpecError> {
        match schema {
            SchemaRef::Ref(reference) => {
                let target = self.resolve_schema_ref(fi, reference, ptr)?;
                let ty = Ty::Named(target);
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

    /// Converts an inline schema.
    pub(crate) fn schema(
        &mut self,
        fi: usize,
        s: &Schema,
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
            Shape::Prim(ty) => self.alias_or_inline(dest, ty, fi, ptr, &doc),
            Shape::Alias(inner) => {
                let usage = self.schema_ref(fi, inner, &format!("{ptr}/allOf/0"), dest)?;
                return Ok(Usage {
                    ty: usage.ty,
                    nullable: nullable || usage.nullable,
                    doc: doc.or(usage.doc),
                    title: data.title.clone().or(usage.title),
                });
            }
            Shape::StringEnum(values) => {
                // An inline constant (a one-value enum, `const` in 3.1) is named
                // after its property alone, so every `messaging_product:
                // whatsapp` in the crate is one `MessagingProduct` type.
                let dest = match dest {
                    Dest::Use {
                        parent: Some(_),
                        suffix,
                        ..
                    } if values.len() == 1 => Dest::Use {
                        parent: None,
                        base: suffix.clone(),
                        suffix,
                    },
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
                self.alias_or_inline(dest, Ty::Array(Box::new(item_ty)), fi, ptr, &doc)
            }
            Shape::Object {
                properties,
                required,
                additional,
            } => {
                for r in required {
                    if !properties.iter().any(|(name, _)| *name == r) {
                        return Err(self.err(
                            fi,
                            format!("{ptr}/required"),
                            format!("required property `{r}` is not listed in `properties`"),
                        ));
                    }
                }
                if properties.is_empty() {
                    match additional {
                        Some(AdditionalProperties::Schema(value)) => {
                            let value_dest = dest.extend(self, "Value");
                            let u = self.schema_ref(
                                fi,
                                (&**value).into(),
                                &format!("{ptr}/additionalProperties"),
                                value_dest,
                            )?;
                            self.alias_or_inline(dest, Ty::Map(Box::new(u.ty)), fi, ptr, &doc)
                        }
                        Some(AdditionalProperties::Any(false)) => {
                            let id = self.dest_type(dest, fi, ptr, &doc);
                            self.types[id].kind = DKind::Struct {
                                fields: Vec::new(),
                                extra: DExtra::None,
                            };
                            Ty::Named(id)
                        }
                        Some(AdditionalProperties::Any(true)) | None => {
                            self.alias_or_inline(dest, Ty::JsonObject, fi, ptr, &doc)
                        }
                    }
                } else {
                    let id = self.dest_type(dest, fi, ptr, &doc);
                    let mut fields = Vec::new();
                    for (name, prop) in properties {
                        let prop_ptr = format!("{ptr}/properties/{}", escape_pointer_token(name));
                        let prop_dest = Dest::child(self, id, name);
                        let u = self.schema_ref(fi, prop, &prop_ptr, prop_dest)?;
                        fields.push(DField {
                            wire: name.clone(),
                            ty: u.ty,
                            required: required.contains(name),
                            nullable: u.nullable,
                            doc: u.doc,
                        });
                    }
                    let extra = match additional {
                        Some(AdditionalProperties::Schema(value)) => {
                            let value_dest = Dest::child(self, id, "Value");
                            let u = self.schema_ref(
                                fi,
                                (&**value).into(),
                                &format!("{ptr}/additionalProperties"),
                                value_dest,
                            )?;
                            DExtra::Typed(u.ty)
                        }
                        Some(AdditionalProperties::Any(false)) => DExtra::None,
                        Some(AdditionalProperties::Any(true)) | None => DExtra::Keep,
                    };
                    self.types[id].kind = DKind::Struct { fields, extra };
                    Ty::Named(id)
                }
            }
        };
        Ok(Usage {
            ty,
            nullable,
            doc,
            title: data.title.clone(),
        })
    }

    /// A primitive, array or map: inline where used, an alias when it is a
    /// named schema of its own.
    fn alias_or_inline(
        &mut self,
        dest: Dest,
        ty: Ty<TypeId>,
        _fi: usize,
        _ptr: &str,
        _doc: &Option<String>,
    ) -> Ty<TypeId> {
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

    /// Sorts a schema into one of the shapes the generator supports, or says
    /// why it cannot.
    fn shape<'s>(
        &self,
        fi: usize,
        s: &'s Schema,
        ptr: &str,
        nullable: &mut bool,
    ) -> Result<Shape<'s>, SpecError> {
        match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
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
            SchemaKind::Type(Type::Object(o)) => Ok(Shape::Object {
                properties: o.properties.iter().map(|(k, v)| (k, v.into())).collect(),
                required: &o.required,
                additional: o.additional_properties.as_ref(),
            }),
            SchemaKind::Type(Type::Array(a)) => Ok(Shape::Array(a.items.as_ref().map(Into::into))),
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                Ok(Shape::Alias((&all_of[0]).into()))
            }
            SchemaKind::AllOf { .. } => Err(self.err(
                fi,
                format!("{ptr}/allOf"),
                "`allOf` with several members is not supported yet",
            )),
            SchemaKind::OneOf { .. } => {
                Err(self.err(fi, format!("{ptr}/oneOf"), "`oneOf` is not supported yet"))
            }
            SchemaKind::AnyOf { .. } => {
                Err(self.err(fi, format!("{ptr}/anyOf"), "`anyOf` is not supported yet"))
            }
            SchemaKind::Not { .. } => {
                Err(self.err(fi, format!("{ptr}/not"), "`not` is not supported"))
            }
            SchemaKind::Any(any) => {
                if let Some(key) = [
                    ("oneOf", !any.one_of.is_empty()),
                    ("anyOf", !any.any_of.is_empty()),
                    ("not", any.not.is_some()),
                ]
                .iter()
                .find(|(_, present)| *present)
                .map(|(k, _)| *k)
                {
                    return Err(self.err(
                        fi,
                        format!("{ptr}/{key}"),
                        format!("`{key}` is not supported yet"),
                    ));
                }
                if !any.all_of.is_empty() {
                    if any.all_of.len() == 1 && any.properties.is_empty() && any.typ.is_none() {
                        return Ok(Shape::Alias((&any.all_of[0]).into()));
                    }
                    return Err(self.err(
                        fi,
                        format!("{ptr}/allOf"),
                        "`allOf` mixed with other keywords is not supported yet",
                    ));
                }
                let is_object = !any.properties.is_empty() || any.additional_properties.is_some();
                match any.typ.as_deref() {
                    Some("object") | None if is_object => Ok(Shape::Object {
                        properties: any.properties.iter().map(|(k, v)| (k, v.into())).collect(),
                        required: &any.required,
                        additional: any.additional_properties.as_ref(),
                    }),
                    Some("array") | None if any.items.is_some() => Ok(Shape::Array(any.items.as_ref().map(Into::into))),
                    None if !any.enumeration.is_empty() => {
                        let mut values = Vec::new();
                        for (i, v) in any.enumeration.iter().enumerate() {
                            match v {
                                serde_json::Value::String(s) if !values.contains(s) => values.push(s.clone()),
                                serde_json::Value::String(_) => {}
                                serde_json::Value::Null => *nullable = true,
                                _ => {
                                    return Err(self.err(fi, format!("{ptr}/enum/{i}"), "only string enums are supported"));
                                }
                            }
                        }
                        Ok(Shape::StringEnum(values))
                    }
                    None => Ok(Shape::Prim(Ty::Json)),
                    Some(t @ ("string" | "integer" | "number" | "boolean" | "object" | "array")) => Err(self.err(
                        fi,
                        ptr.to_string(),
                        format!("this `{t}` schema has keywords that do not apply to `{t}` (or an enum of another type)"),
                    )),
                    Some(other) => Err(self.err(fi, format!("{ptr}/type"), format!("unsupported schema type `{other}`"))),
                }
            }
        }
    }
}
