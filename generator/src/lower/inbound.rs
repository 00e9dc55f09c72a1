//! The requests the API sends: a document's top-level `webhooks` (3.1)
//! and its operations' `callbacks`. Each becomes a payload type (the JSON
//! request body's schema) and a parse function named after it.

use std::collections::BTreeSet;

use openapiv3::{PathItem, ReferenceOr};

use super::Lowerer;
use super::draft::{DraftInbound, TypeId};
use super::operation::{essence, is_json, methods};
use super::schema::Dest;
use crate::error::{SpecError, escape_pointer_token};
use crate::ir::Ty;
use crate::naming;

impl<'a> Lowerer<'a> {
    /// Lowers every webhook and callback of every fragment; in degrade mode
    /// one that cannot be expressed is left out with a warning.
    pub(super) fn convert_inbound(&mut self, errors: &mut Vec<SpecError>) {
        let mut used = BTreeSet::new();
        for fi in 0..self.fragments.len() {
            let frag = self.fragments[fi];
            for (name, item) in &frag.webhooks {
                let ptr = format!("#/webhooks/{}", escape_pointer_token(name));
                let ReferenceOr::Item(item) = item else {
                    let e = self.err(fi, ptr, "a webhook that is a `$ref` is not supported");
                    self.skip_inbound(e, errors);
                    continue;
                };
                self.inbound_item(fi, name, item, &ptr, false, &mut used, errors);
            }
            for (path, item) in &frag.doc.paths.paths {
                let ReferenceOr::Item(item) = item else {
                    continue;
                };
                let item_ptr = format!("#/paths/{}", escape_pointer_token(path));
                for (method, _, op) in methods(item) {
                    let Some(op) = op else { continue };
                    let owner = op
                        .operation_id
                        .clone()
                        .unwrap_or_else(|| format!("{method} {path}"));
                    for (cb, callback) in &op.callbacks {
                        for (expression, cb_item) in callback {
                            let ptr = format!(
                                "{item_ptr}/{method}/callbacks/{}/{}",
                                escape_pointer_token(cb),
                                escape_pointer_token(expression)
                            );
                            let name = format!("{owner} {cb}");
                            self.inbound_item(fi, &name, cb_item, &ptr, true, &mut used, errors);
                        }
                    }
                }
            }
        }
    }

    /// One webhook or callback: the JSON body of each of its operations.
    #[allow(clippy::too_many_arguments)]
    fn inbound_item(
        &mut self,
        fi: usize,
        name: &str,
        item: &'a PathItem,
        ptr: &str,
        callback: bool,
        used: &mut BTreeSet<String>,
        errors: &mut Vec<SpecError>,
    ) {
        for (method, _, op) in methods(item) {
            let Some(op) = op else { continue };
            let optr = format!("{ptr}/{method}");
            match self.inbound_payload(fi, name, op, &optr) {
                Ok(Some(ty)) => {
                    let function = naming::unique(
                        format!(
                            "parse_{}",
                            naming::snake_ident_with(name, &self.target.words)
                        ),
                        used,
                    );
                    let doc = op.description.as_ref().or(op.summary.as_ref());
                    self.inbound.push(DraftInbound {
                        name: name.to_string(),
                        function,
                        ty,
                        doc: doc.map(|d| d.trim().to_string()),
                        callback,
                        fragment: fi,
                    });
                }
                Ok(None) => {}
                Err(e) => self.skip_inbound(e, errors),
            }
        }
    }

    /// The payload type of one inbound request: its JSON body's schema;
    /// `None` when it has no body.
    fn inbound_payload(
        &mut self,
        fi: usize,
        name: &str,
        op: &'a openapiv3::Operation,
        ptr: &str,
    ) -> Result<Option<Ty<TypeId>>, SpecError> {
        let Some(rb) = &op.request_body else {
            return Ok(None);
        };
        let bptr = format!("{ptr}/requestBody");
        let (bfi, bptr, rb) =
            self.resolve_component(fi, rb, &bptr, "requestBodies", |c| &c.request_bodies)?;
        let Some((media, content)) = rb.content.iter().find(|(m, _)| is_json(&essence(m))) else {
            return Err(self.err(
                bfi,
                format!("{bptr}/content"),
                "a webhook or callback without a JSON body is not supported",
            ));
        };
        let Some(schema) = &content.schema else {
            return Ok(Some(Ty::Json));
        };
        let sptr = format!("{bptr}/content/{}/schema", escape_pointer_token(media));
        let base = format!("{}Payload", naming::type_name(name));
        Ok(Some(
            self.schema_ref(bfi, schema.into(), &sptr, Dest::root(base))?
                .ty,
        ))
    }

    /// An inbound request that cannot be expressed: an error, or in degrade
    /// mode a warning.
    fn skip_inbound(&self, e: SpecError, errors: &mut Vec<SpecError>) {
        if self.target.degrade {
            self.warn_skipped(e, "its parse function is left out");
        } else {
            errors.push(e);
        }
    }
}
