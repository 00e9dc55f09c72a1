//! The member plan: every method and conversion a generated type gets
//! besides its fields and variants is decided here, once the flows are
//! known, so that emit only prints it and `api.json` lists it.
//!
//! Each type is one scope. A scope starts with the names its template
//! defines whatever the spec says (`ir::TAGGED_NAMES`, `new` for structs);
//! members are then claimed in a fixed order (accessors, setters,
//! constructors), and a member whose name is taken is renamed as its rule
//! says, with a warning located at the type's schema. Nothing is dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::error::SpecError;
use crate::ir::{Constructor, FromImpl, NewArg, Ty, TypeDef, TypeKind};
use crate::naming;

/// Plans the members of every type (see the rules below).
pub(super) fn plan(types: &mut BTreeMap<String, TypeDef>, warnings: &mut Vec<SpecError>) {
    lenient_fields(types);
    struct_setters(types);
    let structs = struct_names(types);
    for def in types.values_mut() {
        union_members(def, &structs, warnings);
    }
    conversions(types);
}

/// The names of a type's members taken so far.
struct Scope {
    used: BTreeSet<String>,
}

impl Scope {
    fn new(reserved: &[&str]) -> Self {
        Scope {
            used: reserved.iter().map(|n| n.to_string()).collect(),
        }
    }

    /// `wanted` when it is free; otherwise `fallback` made unique, and the
    /// warning the caller reports.
    fn claim(&mut self, wanted: String, fallback: String) -> (String, Option<String>) {
        if self.used.insert(wanted.clone()) {
            return (wanted, None);
        }
        let name = naming::unique(fallback, &mut self.used);
        let note = format!("`{wanted}` is taken by another member, so it is named `{name}`");
        (name, Some(note))
    }
}

fn warn(def: &TypeDef, what: &str, note: &str) -> SpecError {
    let (file, pointer) = match def.sources.first() {
        Some(s) => (PathBuf::from(&s.fragment), s.pointer.clone()),
        None => (PathBuf::from(&def.name), String::new()),
    };
    SpecError {
        file,
        pointer,
        message: format!("{} of `{}`: {note}", what, def.name),
    }
}

/// **Lenient rule.** A string, integer, number or boolean field of a type
/// that is only ever received decodes leniently: a malformed value is kept
/// out of the field instead of failing the whole delivery (see
/// `lower::flow`). Boxed and `Option<Option<_>>` fields decode strictly.
fn lenient_fields(types: &mut BTreeMap<String, TypeDef>) {
    for def in types.values_mut() {
        let received = def.flow.inbound_only();
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        for f in &mut s.fields {
            f.lenient = received
                && !f.boxed
                && !f.double_option()
                && matches!(f.ty, Ty::String | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool);
        }
    }
}

/// **Setter rule.** Every optional field of a struct that is sent gets a
/// builder-style setter, `with_` and the field's name (without a trailing
/// `_`), so a value is built in one expression:
/// `TextContent::new("hi").with_preview_url(true)`. Names are unique among
/// the struct's methods (`new` and the other setters).
fn struct_setters(types: &mut BTreeMap<String, TypeDef>) {
    for def in types.values_mut() {
        if !def.flow.outbound {
            continue;
        }
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        let mut used = BTreeSet::from(["new".to_string()]);
        for f in &mut s.fields {
            if f.optional() && f.constant.is_none() {
                let name = format!("with_{}", f.rust.trim_end_matches('_'));
                f.setter = Some(naming::unique(name, &mut used));
            }
        }
    }
}

fn struct_names(types: &BTreeMap<String, TypeDef>) -> BTreeSet<String> {
    types
        .values()
        .filter(|d| matches!(d.kind, TypeKind::Struct(_)))
        .map(|d| d.name.clone())
        .collect()
}

/// **Union member rule.** A tagged union has `tag()`; an accessor per
/// shared field, named as the field (`_field` appended when a union method
/// has the name); for a union that is sent, a `with_` setter per shared
/// field; and a constructor per variant whose payload is a struct, named as
/// the variant in snake case (`new_` in front when the name is taken).
fn union_members(def: &mut TypeDef, structs: &BTreeSet<String>, warnings: &mut Vec<SpecError>) {
    let outbound = def.flow.outbound;
    let TypeKind::Tagged(t) = &mut def.kind else {
        return;
    };
    let mut scope = Scope::new(crate::ir::TAGGED_NAMES);
    let mut notes = Vec::new();
    for f in &mut t.shared {
        let (name, note) = scope.claim(f.rust.clone(), format!("{}_field", f.rust));
        f.accessor = name;
        notes.extend(note.map(|n| ("the accessor", n)));
    }
    for f in t.shared.iter_mut().filter(|_| outbound) {
        let wanted = format!("with_{}", f.rust.trim_end_matches('_'));
        let (name, note) = scope.claim(wanted.clone(), wanted);
        f.setter = Some(name);
        notes.extend(note.map(|n| ("a setter", n)));
    }
    t.constructors.clear();
    for (i, v) in t.variants.iter().enumerate() {
        let Ty::Named(payload) = &v.ty else { continue };
        if !structs.contains(payload) {
            continue;
        }
        let wanted = naming::snake_ident(&v.rust);
        let (name, note) = scope.claim(wanted.clone(), format!("new_{wanted}"));
        t.constructors.push(Constructor { name, variant: i });
        notes.extend(note.map(|n| ("a constructor", n)));
    }
    for (what, note) in notes {
        warnings.push(warn(def, what, &note));
    }
}

/// **Conversion rule.** `From<&str>` and `From<String>` for an enum, and for
/// a struct whose `new` takes one string (`Message::text(to, "hi")` where a
/// `TextContent` is wanted); a choice whose first member is a string also
/// converts from `&String`; a union converts from each payload type that
/// only one variant carries (compared as Rust sees them, through aliases).
fn conversions(types: &mut BTreeMap<String, TypeDef>) {
    let planned: Vec<(String, Vec<FromImpl>)> = types
        .values()
        .map(|def| (def.name.clone(), conversions_of(types, def)))
        .collect();
    for (name, from) in planned {
        if let Some(def) = types.get_mut(&name) {
            def.from = from;
        }
    }
}

fn conversions_of(types: &BTreeMap<String, TypeDef>, def: &TypeDef) -> Vec<FromImpl> {
    match &def.kind {
        TypeKind::Enum(_) => vec![FromImpl::Str],
        TypeKind::Struct(s) => match s.new_args().as_slice() {
            [NewArg::Field(f)] if f.ty == Ty::String => vec![FromImpl::Str],
            _ => Vec::new(),
        },
        TypeKind::Choice(c) => match c.variants.first() {
            Some(first) if first.ty == Ty::String => vec![FromImpl::Str, FromImpl::StrRef],
            _ => Vec::new(),
        },
        TypeKind::Tagged(t) => unique_payloads(types, t.variants.iter().map(|v| &v.ty)),
        TypeKind::Untagged(u) => unique_payloads(types, u.variants.iter().map(|v| &v.ty)),
        TypeKind::Alias(_) | TypeKind::ByStatus(_) => Vec::new(),
    }
}

fn unique_payloads<'t>(
    types: &BTreeMap<String, TypeDef>,
    payloads: impl Iterator<Item = &'t Ty>,
) -> Vec<FromImpl> {
    let payloads: Vec<&Ty> = payloads.collect();
    let resolved: Vec<Ty> = payloads
        .iter()
        .map(|t| crate::ir::resolve_alias(types, t))
        .collect();
    let primitive = |t: &Ty| matches!(t, Ty::String | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool);
    let mut out = Vec::new();
    for (i, payload) in payloads.iter().enumerate() {
        let same: Vec<usize> = (0..payloads.len())
            .filter(|&j| resolved[j] == resolved[i])
            .collect();
        match payload {
            Ty::Named(_) if same.len() == 1 => out.push(FromImpl::Variant(i)),
            // A primitive converts into the first variant that carries it
            // (the one decoding tries first), unless a named type of the
            // same Rust type has the conversion.
            t if primitive(t)
                && same.first() == Some(&i)
                && same.iter().all(|&j| primitive(payloads[j])) =>
            {
                out.push(FromImpl::Variant(i));
                if **t == Ty::String {
                    out.push(FromImpl::StrVariant(i));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Flow, SharedField, TaggedDef, TaggedVariant};

    fn union(shared: &[&str], variants: &[&str], outbound: bool) -> TypeDef {
        TypeDef {
            name: "Event".into(),
            original: "Event".into(),
            doc: None,
            kind: TypeKind::Tagged(TaggedDef {
                tag: "type".into(),
                variants: variants
                    .iter()
                    .map(|v| TaggedVariant {
                        tag_value: v.to_lowercase(),
                        rust: v.to_string(),
                        ty: Ty::Named(format!("{v}Payload")),
                        boxed: false,
                    })
                    .collect(),
                unknown: "Other".into(),
                shared: shared
                    .iter()
                    .map(|f| SharedField {
                        wire: f.to_string(),
                        rust: f.to_string(),
                        accessor: f.to_string(),
                        setter: None,
                        ty: Ty::String,
                        optional: false,
                        doc: None,
                    })
                    .collect(),
                commits: Vec::new(),
                scan: false,
                constructors: Vec::new(),
            }),
            sources: vec![crate::ir::Source {
                fragment: "events.yaml".into(),
                pointer: "#/components/schemas/Event".into(),
            }],
            flow: Flow {
                outbound,
                inbound: true,
            },
            json_display: false,
            from: Vec::new(),
        }
    }

    fn structs(variants: &[&str]) -> BTreeSet<String> {
        variants.iter().map(|v| format!("{v}Payload")).collect()
    }

    fn tagged(def: &TypeDef) -> &TaggedDef {
        match &def.kind {
            TypeKind::Tagged(t) => t,
            _ => unreachable!("a tagged union"),
        }
    }

    #[test]
    fn a_shared_field_named_tag_gets_a_renamed_accessor_and_a_warning() {
        let mut def = union(&["tag", "id"], &["Text"], true);
        let mut warnings = Vec::new();
        union_members(&mut def, &structs(&["Text"]), &mut warnings);
        let t = tagged(&def);
        let accessors: Vec<&str> = t.shared.iter().map(|f| f.accessor.as_str()).collect();
        assert_eq!(accessors, ["tag_field", "id"]);
        assert_eq!(t.shared[0].setter.as_deref(), Some("with_tag"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].pointer, "#/components/schemas/Event");
        assert!(
            warnings[0].message.contains("`tag`") && warnings[0].message.contains("`tag_field`"),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn a_constructor_whose_name_is_taken_is_renamed_not_dropped() {
        // The variant `Id` would be the constructor `id`, which the shared
        // field's accessor has.
        let mut def = union(&["id"], &["Id", "Text"], false);
        let mut warnings = Vec::new();
        union_members(&mut def, &structs(&["Id", "Text"]), &mut warnings);
        let names: Vec<&str> = tagged(&def)
            .constructors
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["new_id", "text"]);
        assert_eq!(warnings.len(), 1);
        assert!(tagged(&def).shared[0].setter.is_none(), "received only");
    }

    #[test]
    fn variants_without_a_struct_payload_get_no_constructor() {
        let mut def = union(&[], &["Text", "Raw"], false);
        union_members(&mut def, &structs(&["Text"]), &mut Vec::new());
        assert_eq!(
            tagged(&def).constructors,
            [Constructor {
                name: "text".into(),
                variant: 0
            }]
        );
    }

    #[test]
    fn unions_convert_only_from_payloads_one_variant_carries() {
        let mut types = BTreeMap::new();
        let mut def = union(&[], &["Text", "Image"], false);
        if let TypeKind::Tagged(t) = &mut def.kind {
            t.variants[1].ty = Ty::Named("TextPayload".into());
            t.variants.push(TaggedVariant {
                tag_value: "n".into(),
                rust: "N".into(),
                ty: Ty::Named("Count".into()),
                boxed: false,
            });
        }
        types.insert("Event".to_string(), def);
        let from = conversions_of(&types, &types["Event"]);
        assert_eq!(from, [FromImpl::Variant(2)]);
    }
}
