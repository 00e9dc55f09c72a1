//! The error code table: `[target.error_kinds]` resolved against the
//! generated types, so every field path names real fields and every name the
//! emitter prints is a valid identifier.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::ErrorKinds;
use crate::error::{Error, Result};
use crate::ir::{ErrorCarrier, ErrorTable, FieldPath, PathStep, Ty, TypeDef, TypeKind};

fn config_err(target: &str, message: String) -> Error {
    Error::Config {
        file: PathBuf::from("specs/codegen.toml"),
        message: format!("target `{target}`: [target.error_kinds]: {message}"),
    }
}

/// Checks the table and resolves its field paths.
pub(super) fn resolve(
    target: &str,
    strict: bool,
    table: &ErrorKinds,
    types: &BTreeMap<String, TypeDef>,
) -> Result<ErrorTable> {
    // Names, duplicates and flags were checked with the configuration
    // (`config::check_target`); what is left needs the generated types.
    let mut carriers = Vec::new();
    for c in &table.carriers {
        if !strict && !types.contains_key(&c.type_name) {
            // A carrier of another document's types: left out.
            continue;
        }
        // A field path that must end in a field of type `want` (`I64` for
        // any integer).
        let path = |what: &str, text: &str, want: Ty| -> Result<FieldPath> {
            let p = field_path(types, &c.type_name, text).map_err(|m| {
                config_err(
                    target,
                    format!("`{what} = {text:?}` of type `{}`: {m}", c.type_name),
                )
            })?;
            let ok = match want {
                Ty::I64 => matches!(p.ty, Ty::I32 | Ty::I64),
                ref other => p.ty == *other,
            };
            if !ok {
                let kind = match want {
                    Ty::I64 => "an integer",
                    Ty::Bool => "a boolean",
                    _ => "a string",
                };
                return Err(config_err(
                    target,
                    format!(
                        "`{what} = {text:?}` of type `{}` is not {kind} field",
                        c.type_name
                    ),
                ));
            }
            Ok(p)
        };
        let optional = |what: &str, text: &Option<String>, want: Ty| {
            text.as_deref().map(|t| path(what, t, want)).transpose()
        };
        carriers.push(ErrorCarrier {
            type_name: c.type_name.clone(),
            code: path("code", &c.code, Ty::I64)?,
            subcode: optional("subcode", &c.subcode, Ty::I64)?,
            message: optional("message", &c.message, Ty::String)?,
            trace: optional("trace", &c.trace, Ty::String)?,
            transient: optional("transient", &c.transient, Ty::Bool)?,
        });
    }
    Ok(ErrorTable {
        source: table.source.clone(),
        kinds: table.kinds.clone(),
        carriers,
    })
}

/// Follows `a.b.c` through struct fields (by Rust name) from type `start`.
fn field_path(
    types: &BTreeMap<String, TypeDef>,
    start: &str,
    text: &str,
) -> std::result::Result<FieldPath, String> {
    let mut current = types
        .get(start)
        .ok_or_else(|| "no generated type has this name".to_string())?;
    let mut steps = Vec::new();
    let segments: Vec<&str> = text.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let TypeKind::Struct(s) = &current.kind else {
            return Err(format!("`{}` is not a struct", current.name));
        };
        let f = s
            .fields
            .iter()
            .find(|f| f.rust == *segment)
            .ok_or_else(|| format!("`{}` has no field `{segment}`", current.name))?;
        steps.push(PathStep {
            rust: f.rust.clone(),
            wire: f.wire.clone(),
            optional: f.optional() || f.double_option(),
            boxed: f.boxed,
        });
        if f.double_option() {
            return Err(format!(
                "`{}.{segment}` is optional and nullable",
                current.name
            ));
        }
        if i + 1 == segments.len() {
            return Ok(FieldPath {
                steps,
                ty: f.ty.clone(),
            });
        }
        let Ty::Named(next) = &f.ty else {
            return Err(format!("`{}.{segment}` is not a struct", current.name));
        };
        current = types
            .get(next)
            .ok_or_else(|| format!("`{next}` is not a generated type"))?;
    }
    Err("the path is empty".to_string())
}
