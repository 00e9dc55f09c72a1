//! Which way each type's values travel.
//!
//! A type is *outbound* when a request parameter or body reaches it, and
//! *inbound* when a success or error response, or a webhook or callback payload,
//! reaches it (following struct fields, union variants, aliases, array items
//! and map values). The emitter decodes inbound-only types leniently: a
//! `string` field also accepts a JSON number (kept as its decimal text), an
//! `integer` or `number` field also accepts a numeric string, and a
//! `boolean` field also accepts `"true"` and `"false"`, because the live API
//! sends both forms for some fields. Types that are also sent stay
//! strict, so a request is encoded exactly as the spec says.

use std::collections::BTreeMap;

use crate::ir::{Flow, Operation, ResponseContent, Ty, TypeDef, Webhook};

/// Sets [`TypeDef::flow`] on every type.
pub(super) fn mark(
    types: &mut BTreeMap<String, TypeDef>,
    operations: &[Operation],
    webhook: Option<&Webhook>,
    payloads: &[&Ty],
) {
    let mut outbound: Vec<&Ty> = Vec::new();
    let mut inbound: Vec<&Ty> = Vec::new();
    for op in operations {
        outbound.extend(op.params.iter().map(|p| &p.ty));
        outbound.extend(op.body.iter().map(|b| &b.ty));
        if let ResponseContent::Json(t) = &op.success.content {
            inbound.push(t);
        }
        inbound.extend(op.success.events.as_ref());
        inbound.extend(op.errors.iter().filter_map(|e| e.ty.as_ref()));
        inbound.push(&op.error_ty);
    }
    inbound.extend(webhook.map(|w| &w.payload));
    inbound.extend(payloads.iter().copied());
    let reached_out = reach(types, &outbound);
    let reached_in = reach(types, &inbound);
    for (name, def) in types.iter_mut() {
        def.flow = Flow {
            outbound: reached_out.contains(name),
            inbound: reached_in.contains(name),
        };
    }
}

/// Every type name reachable from the roots.
fn reach(types: &BTreeMap<String, TypeDef>, roots: &[&Ty]) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack: Vec<&String> = roots.iter().filter_map(|t| t.named()).collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = types.get(name) {
            stack.extend(def.kind.refs());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Extra, Field, StructDef, TypeKind};

    fn def(name: &str, fields: &[(&str, Ty)]) -> TypeDef {
        TypeDef {
            name: name.into(),
            original: name.into(),
            doc: None,
            kind: TypeKind::Struct(StructDef {
                fields: fields
                    .iter()
                    .map(|(wire, ty)| Field {
                        wire: (*wire).into(),
                        rust: (*wire).into(),
                        ty: ty.clone(),
                        required: false,
                        nullable: false,
                        constant: None,
                        boxed: false,
                        doc: None,
                        setter: None,
                        lenient: false,
                    })
                    .collect(),
                extra: Extra::Keep("extra".into()),
                choices: Vec::new(),
            }),
            sources: Vec::new(),
            flow: Flow::default(),
            json_display: false,
            from: Vec::new(),
        }
    }

    #[test]
    fn follows_fields_arrays_and_maps_in_each_direction() {
        let mut types = BTreeMap::new();
        for d in [
            def(
                "Request",
                &[("item", Ty::Array(Box::new(Ty::Named("Shared".into()))))],
            ),
            def(
                "Response",
                &[
                    ("shared", Ty::Named("Shared".into())),
                    ("meta", Ty::Map(Box::new(Ty::Named("Meta".into())))),
                ],
            ),
            def("Shared", &[]),
            def("Meta", &[]),
            def("Orphan", &[]),
        ] {
            types.insert(d.name.clone(), d);
        }
        let webhook = Webhook {
            operation_id: "hook".into(),
            payload: Ty::Named("Response".into()),
            signature_header: "X-Sig".into(),
            source: "hook.yaml".into(),
        };
        let roots_out = [Ty::Named("Request".into())];
        let out = reach(&types, &roots_out.iter().collect::<Vec<_>>());
        assert_eq!(out.into_iter().collect::<Vec<_>>(), ["Request", "Shared"]);
        mark(&mut types, &[], Some(&webhook), &[]);
        assert!(types["Meta"].flow.inbound_only());
        assert!(types["Response"].flow.inbound_only());
        assert_eq!(types["Orphan"].flow, Flow::default());
    }
}
