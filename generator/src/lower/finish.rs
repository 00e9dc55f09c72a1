//! The last decisions of `lower`, taken on the merged types: which list
//! items decode on their own, which operations are lists and how their
//! pages link, and how form bodies send their fields. `emit` prints what
//! these passes record.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::config::Target;
use crate::error::{Error, Result};
use crate::ir::{
    Body, BodyMedia, CursorPagination, Extra, Field, FormBody, FormField, FormValue, Member,
    Operation, Pagination, ParamLocation, ResponseContent, StructDef, Ty, TypeDef, TypeKind,
};

use crate::ir::struct_def as struct_of;

/// A field of a struct by wire name.
fn field<'a>(def: &'a StructDef, wire: &str) -> Option<&'a Field> {
    def.fields.iter().find(|f| f.wire == wire)
}

fn member(f: &Field) -> Member {
    Member {
        rust: f.rust.clone(),
        optional: f.optional(),
    }
}

/// **Isolation rule.** In a type that is only received, an array field's
/// items decode on their own (`Vec<Item<T>>`, see the runtime's `Item`)
/// when their type is one of the target's `isolated_items`, or when the
/// field is the `data` list of a success response body and its items are
/// structs or unions. An item that does not fit its type is then kept whole
/// with its error, and the rest of the body decodes as usual. Types that are
/// also sent are left alone, so a request is built from plain values.
pub(super) fn isolate(
    target: &Target,
    types: &mut BTreeMap<String, TypeDef>,
    operations: &[Operation],
) -> Result<()> {
    let mut configured = BTreeSet::new();
    for name in &target.isolated_items {
        if types.contains_key(name) {
            configured.insert(name.clone());
        } else if target.strict {
            return Err(Error::Config {
                file: PathBuf::from("specs/codegen.toml"),
                message: format!(
                    "target `{}`: `isolated_items` names `{name}`, which is not a generated type",
                    target.name
                ),
            });
        }
    }
    let bodies: BTreeSet<&String> = operations
        .iter()
        .filter_map(|op| match &op.success.content {
            ResponseContent::Json(Ty::Named(n)) => Some(n),
            _ => None,
        })
        .collect();
    let compound: BTreeSet<String> = types
        .values()
        .filter(|d| {
            matches!(
                d.kind,
                TypeKind::Struct(_) | TypeKind::Tagged(_) | TypeKind::Untagged(_)
            )
        })
        .map(|d| d.name.clone())
        .collect();
    for def in types.values_mut() {
        if !def.flow.inbound_only() {
            continue;
        }
        let is_body = bodies.contains(&def.name);
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        for f in &mut s.fields {
            let Ty::Array(item) = &mut f.ty else { continue };
            let Ty::Named(n) = &**item else { continue };
            let data_list = is_body && f.wire == "data" && compound.contains(n);
            if configured.contains(n) || data_list {
                **item = Ty::Item(Box::new(Ty::Named(n.clone())));
            }
        }
    }
    Ok(())
}

/// **Boxing rule.** The variants of a tagged union that is only received
/// hold their struct in a `Box`: such unions (`IncomingMessage`,
/// `WebhookChange`) are large (a variant holds every member of its kind),
/// and a value built in place and moved into lists costs more copying than
/// one allocation. Unions that are sent keep their structs inline, so
/// `Interactive::Button(content)` builds one directly.
pub(super) fn box_received_variants(types: &mut BTreeMap<String, TypeDef>) {
    let structs: BTreeSet<String> = types
        .values()
        .filter(|d| matches!(d.kind, TypeKind::Struct(_)))
        .map(|d| d.name.clone())
        .collect();
    for def in types.values_mut() {
        if !def.flow.inbound_only() {
            continue;
        }
        if let TypeKind::Tagged(t) = &mut def.kind {
            for v in &mut t.variants {
                if v.ty.named().is_some_and(|n| structs.contains(n)) && matches!(v.ty, Ty::Named(_))
                {
                    v.boxed = true;
                }
            }
        }
    }
}

/// In a crate generated from another API's document: a field of a type
/// that is only received, optional and nullable both, is one `Option`
/// (absent and `null` both read as `None`) rather than an
/// `Option<Option<T>>` a user must unwrap twice. The project's own crates
/// keep the two apart (their API is stable; a bot may need to tell them).
pub(super) fn received_nullable(
    target: &crate::config::Target,
    types: &mut BTreeMap<String, TypeDef>,
) {
    if target.document.is_none() {
        return;
    }
    for def in types.values_mut() {
        if !def.flow.inbound_only() {
            continue;
        }
        if let TypeKind::Struct(s) = &mut def.kind {
            for f in &mut s.fields {
                if f.double_option() {
                    f.nullable = false;
                }
            }
        }
    }
}

/// **Commit rule.** The live API sends a union's tag after its content
/// (`{"text": {..}, "type": "text"}`, `{"value": {..}, "field":
/// "messages"}`). A member that only one variant's struct has names that
/// variant: the fast decode commits to it when the member comes before the
/// tag, instead of keeping the content as text, and checks the tag when it
/// comes. A member several variants have with different types (`value`)
/// names none; such a union is `scan`ned instead: the fast decode finds the
/// tag in the object's text first. Members every variant has alike (`from`,
/// `id`) are kept as text until the tag comes.
pub(super) fn commits(types: &mut BTreeMap<String, TypeDef>) {
    // (union, its commits, whether it is scanned)
    type Found = (String, Vec<(String, String)>, bool);
    let mut found: Vec<Found> = Vec::new();
    for def in types.values() {
        let TypeKind::Tagged(t) = &def.kind else {
            continue;
        };
        let structs: Option<Vec<&StructDef>> = t
            .variants
            .iter()
            .map(|v| crate::ir::struct_def(types, &v.ty))
            .collect();
        let Some(structs) = structs else { continue };
        // Member → (variant index, type) in every variant that has it.
        let mut members: BTreeMap<&str, Vec<(usize, &Ty)>> = BTreeMap::new();
        for (i, s) in structs.iter().enumerate() {
            for f in s.fields.iter().filter(|f| f.wire != t.tag) {
                members.entry(&f.wire).or_default().push((i, &f.ty));
            }
        }
        let scan = members
            .values()
            .any(|has| has.len() > 1 && has.iter().any(|(_, ty)| *ty != has[0].1));
        let commits = members
            .into_iter()
            .filter(|(_, has)| has.len() == 1)
            .map(|(wire, has)| (wire.to_string(), t.variants[has[0].0].tag_value.clone()))
            .collect();
        found.push((def.name.clone(), commits, scan));
    }
    for (name, commits, scan) in found {
        if let Some(TypeKind::Tagged(t)) = types.get_mut(&name).map(|d| &mut d.kind) {
            t.commits = commits;
            t.scan = scan;
        }
    }
}

/// Pagination for list operations: recognised by shape, not listed by hand
/// (see [`Pagination`]). Steps held in a `Box` are not followed.
pub(super) fn pagination(types: &BTreeMap<String, TypeDef>, op: &Operation) -> Option<Pagination> {
    let ResponseContent::Json(page_ty) = &op.success.content else {
        return None;
    };
    let page = struct_of(types, page_ty)?;
    let data = field(page, "data")?;
    let Ty::Array(item) = &data.ty else {
        return None;
    };
    let paging_field = field(page, "paging")?;
    let paging = struct_of(types, &paging_field.ty)?;
    let cursors_field = field(paging, "cursors")?;
    let cursors = struct_of(types, &cursors_field.ty)?;
    let after_field = field(cursors, "after")?;
    if after_field.ty != Ty::String
        || after_field.boxed
        || paging_field.boxed
        || cursors_field.boxed
        || data.double_option()
        || paging_field.double_option()
        || cursors_field.double_option()
        || after_field.double_option()
    {
        return None;
    }
    let after_param = op.params.iter().find(|p| {
        p.wire == "after" && !p.required && p.location == ParamLocation::Query && p.ty == Ty::String
    })?;
    Some(Pagination {
        item: (**item).clone(),
        data: member(data),
        paging: member(paging_field),
        cursors: member(cursors_field),
        after: member(after_field),
        next: field(paging, "next")
            .filter(|n| !n.double_option())
            .map(member),
        after_setter: after_param.rust.clone(),
    })
}

/// A list operation of another common shape (see [`CursorPagination`]):
/// the items are the page's one array member (or the one named `data`,
/// `items`, `entries` or `results`), and the first optional string query
/// parameter whose name a string member of the page matches is the cursor.
pub(super) fn cursor_pagination(
    types: &BTreeMap<String, TypeDef>,
    op: &Operation,
) -> Option<CursorPagination> {
    let ResponseContent::Json(page_ty) = &op.success.content else {
        return None;
    };
    let page = struct_of(types, page_ty)?;
    let usable = |f: &&Field| !f.double_option() && !f.boxed;
    let arrays: Vec<&Field> = page
        .fields
        .iter()
        .filter(usable)
        .filter(|f| matches!(f.ty, Ty::Array(_)))
        .collect();
    let items = match arrays.as_slice() {
        [one] => *one,
        _ => *arrays
            .iter()
            .find(|f| matches!(f.wire.as_str(), "data" | "items" | "entries" | "results"))?,
    };
    let Ty::Array(item) = &items.ty else {
        return None;
    };
    // Members of the page, and of its object members one level down.
    let mut places: Vec<(Vec<&Field>, &StructDef)> = vec![(Vec::new(), page)];
    for f in page.fields.iter().filter(usable) {
        if let Some(inner) = struct_of(types, &f.ty) {
            places.push((vec![f], inner));
        }
    }
    op.params
        .iter()
        .filter(|p| !p.required && p.location == ParamLocation::Query && p.ty == Ty::String)
        .find_map(|param| {
            places.iter().find_map(|(path, def)| {
                let cursor = def
                    .fields
                    .iter()
                    .filter(usable)
                    .find(|f| f.ty == Ty::String && cursor_names_match(&f.wire, &param.wire))?;
                // The flag beside the cursor, else at the page's top.
                let flag = |path: &[&Field], def: &StructDef| {
                    def.fields.iter().filter(usable).find_map(|f| {
                        let says_more = match squash(&f.wire).as_str() {
                            "hasmore" | "hasnext" | "more" => true,
                            "done" | "islast" | "last" => false,
                            _ => return None,
                        };
                        (f.ty == Ty::Bool).then(|| (with(path, f), says_more))
                    })
                };
                let more = flag(path, def).or_else(|| flag(&[], page));
                Some(CursorPagination {
                    item: (**item).clone(),
                    items: member(items),
                    cursor: with(path, cursor),
                    more,
                    setter: param.rust.clone(),
                    wire: (param.wire.clone(), cursor.wire.clone()),
                })
            })
        })
}

/// The members from the page to `last`.
fn with(path: &[&Field], last: &Field) -> Vec<Member> {
    path.iter()
        .map(|f| member(f))
        .chain([member(last)])
        .collect()
}

/// A name without case, `_` and `-`.
fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a page's member `field` is the cursor the query parameter
/// `param` takes: the same name, or `next` and the name (`next_cursor` for
/// `cursor`, `nextPageToken` for `pageToken`), or a next cursor for `after`.
fn cursor_names_match(field: &str, param: &str) -> bool {
    let (field, param) = (squash(field), squash(param));
    let cursor_like = [
        "cursor",
        "after",
        "iterator",
        "marker",
        "pagetoken",
        "token",
        "startingafter",
        "continuation",
        "continuationtoken",
    ];
    if !cursor_like.contains(&param.as_str()) {
        return false;
    }
    field == param
        || field == format!("next{param}")
        || (matches!(param.as_str(), "after" | "startingafter")
            && matches!(field.as_str(), "nextcursor" | "endcursor" | "after"))
}

/// How a form or multipart body that is a struct sends each field: strings
/// as they are, binary fields of a multipart body as file parts, anything
/// else as JSON text; absent optional fields are left out, and members kept
/// in the extra map are sent too.
pub(super) fn form(types: &BTreeMap<String, TypeDef>, body: &Body) -> Option<FormBody> {
    if body.media == BodyMedia::Json || body.form_field.is_some() {
        return None;
    }
    let def = struct_of(types, &body.ty)?;
    let (Extra::Keep(extra) | Extra::Typed(extra, _)) = &def.extra;
    let fields = def
        .fields
        .iter()
        .map(|f| FormField {
            rust: f.rust.clone(),
            wire: f.wire.clone(),
            optional: f.optional(),
            double_option: f.double_option(),
            value: match (&f.ty, body.media) {
                (Ty::Bytes, BodyMedia::Multipart) => FormValue::File,
                (Ty::String, _) => FormValue::Text,
                _ => FormValue::Json,
            },
        })
        .collect();
    Some(FormBody {
        fields,
        extra: extra.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::cursor_names_match;

    #[test]
    fn a_cursor_member_matches_the_parameter_that_takes_it() {
        for (field, param) in [
            ("iterator", "iterator"),
            ("next_marker", "marker"),
            ("next_cursor", "cursor"),
            ("nextPageToken", "pageToken"),
            ("next_page_token", "page_token"),
            ("next_cursor", "after"),
            ("after", "after"),
        ] {
            assert!(cursor_names_match(field, param), "{field} / {param}");
        }
        for (field, param) in [
            ("iterator", "cursor"),
            ("next", "limit"),
            ("nextlimit", "limit"),
            ("name", "name"),
            ("prevIterator", "iterator"),
        ] {
            assert!(!cursor_names_match(field, param), "{field} / {param}");
        }
    }
}
