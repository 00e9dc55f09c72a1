//! The last decisions of `lower`, taken on the merged types: which
//! operations are lists and how their pages link, and how form bodies send
//! their fields. `emit` prints what these passes record.

use std::collections::BTreeMap;

use crate::ir::{
    Body, BodyMedia, Extra, Field, FormBody, FormField, FormValue, Member, Operation, Pagination,
    ParamLocation, ResponseContent, StructDef, Ty, TypeDef,
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
