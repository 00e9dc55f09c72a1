//! Stage 1: read fragments and normalise them into what `openapiv3` reads.
//!
//! `openapiv3` models OpenAPI 3.0. Fragments are written in 3.1, whose schema
//! dialect differs in a few ways that `openapiv3` would silently drop or reject.
//! [`normalize`] rewrites those constructs on the YAML tree before it is
//! deserialised, so nothing is lost on the way:
//!
//! | 3.1 construct | rewritten to |
//! | --- | --- |
//! | `const: v` | `enum: [v]` (and `type` inferred from `v` when absent) |
//! | `type: [T, "null"]` | `type: T` + `nullable: true` |
//! | `exclusiveMinimum: n` (a number) | `minimum: n` + `exclusiveMinimum: true` (same for maximum) |
//! | schema-level `examples: [...]` | removed from the tree, kept in [`Fragment::schema_examples`] |
//! | non-string mapping keys (`200:`) | strings (`"200"`) |
//!
//! Constructs the generator cannot represent faithfully (several non-null types
//! in one schema, `prefixItems`, …) are errors that name
//! the file and JSON pointer.

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::error::{Error, Result, SpecError, escape_pointer_token};

/// One parsed, normalised fragment.
#[derive(Debug, Clone)]
pub struct Fragment {
    /// The fragment's path relative to the specs directory (used in messages,
    /// in cross-fragment `$ref`s and for deterministic ordering).
    pub path: PathBuf,
    /// The `openapi` version the fragment declared.
    pub declared_version: String,
    /// The deserialised document.
    pub doc: openapiv3::OpenAPI,
    /// Schema-level `examples` arrays, by the JSON pointer of their schema.
    pub schema_examples: Vec<(String, Vec<serde_json::Value>)>,
    /// The top-level `webhooks` (OpenAPI 3.1): the requests the API sends,
    /// by name, in document order.
    pub webhooks: Vec<(String, openapiv3::ReferenceOr<openapiv3::PathItem>)>,
}

/// Reads every fragment below `specs_root.join(dir)`, sorted by path.
pub fn load_dir(specs_root: &Path, dir: &Path) -> Result<Vec<Fragment>> {
    let mut files = Vec::new();
    collect_files(&specs_root.join(dir), &mut files)?;
    files.sort();
    let mut texts = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(specs_root).unwrap_or(file).to_path_buf();
        let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
        texts.push((rel, text));
    }
    // Parsing is the slow part and each file stands alone.
    let parsed = crate::parallel::map(&texts, |(rel, text)| parse(rel, text));
    let mut fragments = Vec::new();
    let mut errors = Vec::new();
    for (p, (rel, _)) in parsed.into_iter().zip(&texts) {
        match p {
            Some(Ok(f)) => fragments.push(f),
            Some(Err(e)) => errors.push(e),
            None => errors.push(SpecError {
                file: rel.clone(),
                pointer: "#".into(),
                message: "the parser panicked on this file".into(),
            }),
        }
    }
    match errors.len() {
        0 => Ok(fragments),
        1 => Err(Error::Spec(errors.remove(0))),
        _ => Err(Error::Specs(errors)),
    }
}

/// Every `.yaml`, `.yml` and `.json` file below `dir`, in no order.
pub(crate) fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses one fragment from text. `path` names it in messages and `$ref`s.
pub fn parse(path: &Path, text: &str) -> Result<Fragment, SpecError> {
    parse_with(path, text, Mode::Strict).map(|(fragment, _)| fragment)
}

/// [`parse`] in either [`Mode`]; returns the fragment and, in lenient mode,
/// a located warning for each construct that was rewritten to its fallback.
pub fn parse_with(
    path: &Path,
    text: &str,
    mode: Mode,
) -> Result<(Fragment, Vec<SpecError>), SpecError> {
    parse_value(path, read_yaml(path, text)?, mode)
}

/// The YAML tree of a file; YAML 1.2 is a superset of JSON, so one parser
/// reads both kinds of file.
pub(crate) fn read_yaml(path: &Path, text: &str) -> Result<Value, SpecError> {
    read_yaml_with(path, text, Mode::Strict).map(|(value, _)| value)
}

/// [`read_yaml`]; in lenient mode an integer too large for 64 bits (which
/// the YAML tree cannot hold) is read as the nearest float, with a warning
/// naming its line and column.
pub(crate) fn read_yaml_with(
    path: &Path,
    text: &str,
    mode: Mode,
) -> Result<(Value, Vec<SpecError>), SpecError> {
    let mut text = std::borrow::Cow::Borrowed(text);
    let mut warnings = Vec::new();
    loop {
        let e = match serde_yaml::from_str(&text) {
            Ok(value) => return Ok((value, warnings)),
            Err(e) => e,
        };
        let at = e
            .location()
            .map(|l| format!("line {}, column {}", l.line(), l.column()))
            .unwrap_or_else(|| "#".to_string());
        let wide = e.to_string().contains("as u128") || e.to_string().contains("as i128");
        let widened = match (mode, wide, e.location()) {
            (Mode::Lenient, true, Some(l)) => widen_integer(&text, l.line(), l.column()),
            _ => None,
        };
        match widened {
            Some((number, rewritten)) if warnings.len() < 1000 => {
                warnings.push(SpecError {
                    file: path.to_path_buf(),
                    pointer: at,
                    message: format!(
                        "the integer {number} does not fit in 64 bits (read as the nearest float)"
                    ),
                });
                text = std::borrow::Cow::Owned(rewritten);
            }
            _ => {
                return Err(SpecError {
                    file: path.to_path_buf(),
                    pointer: at,
                    message: format!("not valid YAML or JSON: {e}"),
                });
            }
        }
    }
}

/// The integer at a 1-based line and column, and the text with `.0` after
/// it; `None` when no integer starts there.
fn widen_integer(text: &str, line: usize, column: usize) -> Option<(String, String)> {
    let start = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>()
        + column.checked_sub(1)?;
    let rest = text.get(start..)?;
    let len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && matches!(c, '-' | '+'))))
        .map_or(rest.len(), |(i, _)| i);
    let number = &rest[..len];
    if !number.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let rewritten = format!("{}{number}.0{}", &text[..start], &rest[len..]);
    Some((number.to_string(), rewritten))
}

/// [`parse_with`] on a YAML tree already read (and perhaps bundled).
pub(crate) fn parse_value(
    path: &Path,
    mut value: Value,
    mode: Mode,
) -> Result<(Fragment, Vec<SpecError>), SpecError> {
    let err = |pointer: String, message: String| SpecError {
        file: path.to_path_buf(),
        pointer,
        message,
    };
    let declared_version = match value.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.0") || v.starts_with("3.1") => v.clone(),
        Some(other) => {
            return Err(err(
                "#/openapi".into(),
                format!(
                    "unsupported OpenAPI version {}; expected 3.0.x or 3.1.x",
                    yaml_brief(other)
                ),
            ));
        }
        None => {
            return Err(err(
                "#".into(),
                "missing `openapi` version field; is this an OpenAPI document?".into(),
            ));
        }
    };
    let mut schema_examples = Vec::new();
    let warnings =
        normalize_with(&mut value, &mut schema_examples, mode).map_err(|(p, m)| err(p, m))?;
    let warnings = warnings.into_iter().map(|(p, m)| err(p, m)).collect();
    // `openapiv3` models 3.0, which has no top-level `webhooks`: they are
    // read on their own, after their schemas were normalised with the rest.
    let webhooks = match value.as_mapping_mut().and_then(|m| m.remove("webhooks")) {
        None => Vec::new(),
        Some(w) => read_webhooks(w).map_err(|(p, m)| err(p, m))?,
    };
    let doc: openapiv3::OpenAPI = match serde_path_to_error::deserialize(value.clone()) {
        Ok(doc) => doc,
        Err(e) => {
            // `openapiv3` flattens extensions into most objects, which hides the
            // path below the flattened level; look for the deepest node that
            // fails on its own to name the exact place.
            let (pointer, message) = locate::deepest_failure(&value)
                .unwrap_or_else(|| (path_to_pointer(e.path()), e.into_inner().to_string()));
            return Err(err(pointer, message));
        }
    };
    Ok((
        Fragment {
            path: path.to_path_buf(),
            declared_version,
            doc,
            schema_examples,
            webhooks,
        },
        warnings,
    ))
}

/// The top-level `webhooks` map: a path item per name.
fn read_webhooks(
    value: Value,
) -> std::result::Result<Vec<(String, openapiv3::ReferenceOr<openapiv3::PathItem>)>, NormalizeError>
{
    let Value::Mapping(map) = value else {
        return Err(("#/webhooks".into(), "`webhooks` must be a mapping".into()));
    };
    let mut out = Vec::new();
    for (name, item) in map {
        let name = name.as_str().unwrap_or_default().to_string();
        let at = format!("#/webhooks/{}", escape_pointer_token(&name));
        match serde_path_to_error::deserialize(item.clone()) {
            Ok(item) => out.push((name, item)),
            Err(e) => {
                let below = path_to_pointer(e.path());
                let pointer = format!("{at}{}", below.trim_start_matches('#'));
                return Err((pointer, e.into_inner().to_string()));
            }
        }
    }
    Ok(out)
}

type NormalizeError = (String, String);

/// What the loader does with a construct that has no faithful 3.0 form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Every such construct is an error (the project's own fragments).
    #[default]
    Strict,
    /// Each is rewritten to a documented fallback and reported as a warning
    /// (`cargo xtask generate` on another API's document): ignored keywords
    /// are removed, tuples and several types become any JSON value,
    /// `patternProperties` a map, number enums plain numbers.
    Lenient,
}

/// The state of one normalisation.
struct Cx<'a> {
    examples: &'a mut Vec<(String, Vec<serde_json::Value>)>,
    mode: Mode,
    warnings: Vec<NormalizeError>,
}

impl Cx<'_> {
    /// In strict mode the error; in lenient mode a warning (the caller then
    /// applies its fallback).
    fn unsupported(
        &mut self,
        pointer: String,
        message: String,
    ) -> std::result::Result<(), NormalizeError> {
        match self.mode {
            Mode::Strict => Err((pointer, message)),
            Mode::Lenient => {
                self.warnings.push((pointer, message));
                Ok(())
            }
        }
    }
}

/// Rewrites 3.1 constructs in place (see the module documentation); any
/// construct without a faithful 3.0 form is an error.
pub fn normalize(
    root: &mut Value,
    examples: &mut Vec<(String, Vec<serde_json::Value>)>,
) -> std::result::Result<(), NormalizeError> {
    normalize_with(root, examples, Mode::Strict).map(|_| ())
}

/// [`normalize`] in either [`Mode`]; returns the warnings of lenient mode,
/// as (JSON pointer, message) pairs.
pub fn normalize_with(
    root: &mut Value,
    examples: &mut Vec<(String, Vec<serde_json::Value>)>,
    mode: Mode,
) -> std::result::Result<Vec<NormalizeError>, NormalizeError> {
    stringify_keys(root);
    let mut cx = Cx {
        examples,
        mode,
        warnings: Vec::new(),
    };
    let Value::Mapping(map) = root else {
        return Err(("#".into(), "the document is not a mapping".into()));
    };
    map.insert("openapi".into(), "3.0.3".into());
    walk_document(root, "#", &mut cx)?;
    answers(root, &mut cx)?;
    Ok(cx.warnings)
}

/// Operations without `responses` (optional in 3.1, missing from some 3.0
/// documents too) get an empty map, so their success is empty; responses
/// without the `description` 3.0 requires get an empty one. The project's
/// own fragments (strict mode) must have both.
fn answers(root: &mut Value, cx: &mut Cx<'_>) -> std::result::Result<(), NormalizeError> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    fn described(
        responses: &mut Mapping,
        ptr: &str,
        cx: &mut Cx<'_>,
    ) -> std::result::Result<(), NormalizeError> {
        for (status, response) in responses.iter_mut() {
            let Value::Mapping(response) = response else {
                continue;
            };
            if response.contains_key("$ref") || response.contains_key("description") {
                continue;
            }
            let status = status.as_str().unwrap_or_default();
            cx.unsupported(
                format!("{ptr}/{}", escape_pointer_token(status)),
                "a response without a `description` (read with an empty one)".into(),
            )?;
            response.insert("description".into(), "".into());
        }
        Ok(())
    }
    if let Some(Value::Mapping(paths)) = root.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Mapping(item) = item else { continue };
            let item_ptr = format!(
                "#/paths/{}",
                escape_pointer_token(path.as_str().unwrap_or_default())
            );
            for method in METHODS {
                let Some(Value::Mapping(op)) = item.get_mut(method) else {
                    continue;
                };
                let ptr = format!("{item_ptr}/{method}");
                if !op.contains_key("responses") {
                    cx.unsupported(
                        format!("{ptr}/responses"),
                        "an operation without `responses` (its success is taken as empty)".into(),
                    )?;
                    op.insert("responses".into(), Value::Mapping(Mapping::new()));
                }
                if let Some(Value::Mapping(responses)) = op.get_mut("responses") {
                    described(responses, &format!("{ptr}/responses"), cx)?;
                }
            }
        }
    }
    if let Some(Value::Mapping(responses)) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("responses"))
    {
        described(responses, "#/components/responses", cx)?;
    }
    Ok(())
}

/// Finds every schema position in the document and normalises it.
fn walk_document(
    value: &mut Value,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    match value {
        Value::Mapping(map) => {
            let keys: Vec<String> = map
                .keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            for key in keys {
                let child_ptr = format!("{ptr}/{}", escape_pointer_token(&key));
                let Some(child) = map.get_mut(key.as_str()) else {
                    continue;
                };
                if key == "schema" {
                    walk_schema(child, &child_ptr, cx)?;
                } else if key == "schemas" && ptr == "#/components" {
                    if let Value::Mapping(schemas) = child {
                        for (name, schema) in schemas.iter_mut() {
                            let name = name.as_str().unwrap_or_default();
                            let p = format!("{child_ptr}/{}", escape_pointer_token(name));
                            walk_schema(schema, &p, cx)?;
                        }
                    }
                } else if !matches!(key.as_str(), "example" | "examples" | "default") {
                    walk_document(child, &child_ptr, cx)?;
                }
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk_document(item, &format!("{ptr}/{i}"), cx)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Normalises one schema and, through [`walk_subschemas`], the schemas
/// below it: each rewrite rule in turn, in this order (which decides the
/// order of the warnings and which error strict mode reports first).
fn walk_schema(
    value: &mut Value,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    if let Value::Bool(_) = value {
        // `true`/`false` schemas (3.1) have no 3.0 equivalent; the lenient
        // fallback accepts any value.
        cx.unsupported(
            ptr.to_string(),
            format!(
                "a schema must be a mapping, found {} (read as any JSON value)",
                yaml_brief(value)
            ),
        )?;
        *value = Value::Mapping(Mapping::new());
    }
    let Value::Mapping(map) = value else {
        return Err((
            ptr.to_string(),
            format!("a schema must be a mapping, found {}", yaml_brief(value)),
        ));
    };
    if map.contains_key("$ref") {
        return Ok(());
    }
    ignored_keywords(map, ptr, cx)?;
    tuples(map, ptr, cx)?;
    pattern_properties(map, ptr, cx)?;
    null_unions(map);
    type_arrays(map, ptr, cx)?;
    null_type(map, ptr, cx)?;
    number_enums(map, ptr, cx)?;
    const_to_enum(map, ptr, cx)?;
    exclusive_bounds(map);
    wide_integer_bounds(map, ptr, cx)?;
    examples(map, ptr, cx)?;
    walk_subschemas(map, ptr, cx)
}

/// Keywords that only constrain values further (`if`/`then`/`else`,
/// `dependentSchemas`, `unevaluatedProperties`, and `not` beyond the
/// presence constraint `lower` accepts): ignored, with a warning, in
/// lenient mode.
fn ignored_keywords(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    for ignored in [
        "if",
        "then",
        "else",
        "dependentSchemas",
        "unevaluatedProperties",
    ] {
        if map.contains_key(ignored) {
            cx.unsupported(
                format!("{ptr}/{ignored}"),
                format!("the JSON Schema keyword `{ignored}` is not supported (ignored)"),
            )?;
            map.remove(ignored);
        }
    }
    // `not`, beyond the presence constraint `lower` accepts: ignored.
    if cx.mode == Mode::Lenient {
        let presence_only = map
            .get("not")
            .and_then(Value::as_mapping)
            .is_some_and(|n| n.len() == 1 && n.contains_key("required"));
        if map.contains_key("not") && !presence_only {
            cx.unsupported(
                format!("{ptr}/not"),
                "the JSON Schema keyword `not` is not supported (ignored)".into(),
            )?;
            map.remove("not");
        }
    }
    Ok(())
}

/// Tuples (`prefixItems`, or `items` as a list): arrays of any JSON values.
fn tuples(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    let tuple =
        map.contains_key("prefixItems") || matches!(map.get("items"), Some(Value::Sequence(_)));
    if tuple {
        let key = if map.contains_key("prefixItems") {
            "prefixItems"
        } else {
            "items"
        };
        cx.unsupported(
            format!("{ptr}/{key}"),
            format!(
                "the tuple keyword `{key}` is not supported (read as an array of any JSON values)"
            ),
        )?;
        map.remove("prefixItems");
        map.insert("items".into(), Value::Mapping(Mapping::new()));
    }
    Ok(())
}

/// `patternProperties`: a map of the first pattern's values (unless
/// `additionalProperties` already says what other members are).
fn pattern_properties(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    if let Some(patterns) = map.remove("patternProperties") {
        cx.unsupported(
            format!("{ptr}/patternProperties"),
            "the JSON Schema keyword `patternProperties` is not supported (read as a map of the first pattern's values)".into(),
        )?;
        if !map.contains_key("additionalProperties") {
            let first = match &patterns {
                Value::Mapping(m) => m.values().next().cloned(),
                _ => None,
            };
            map.insert(
                "additionalProperties".into(),
                first.unwrap_or(Value::Mapping(Mapping::new())),
            );
        }
    }
    Ok(())
}

/// 3.1 null unions: `oneOf`/`anyOf` with a `{type: "null"}` member → the
/// other members, nullable; a single member left is used through `allOf`,
/// which keeps its siblings.
fn null_unions(map: &mut Mapping) {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Sequence(members)) = map.get(key) else {
            continue;
        };
        let is_null = |m: &Value| {
            m.get("type").and_then(Value::as_str) == Some("null")
                && m.as_mapping().is_some_and(|m| m.len() == 1)
        };
        if !members.iter().any(is_null) {
            continue;
        }
        let rest: Vec<Value> = members.iter().filter(|m| !is_null(m)).cloned().collect();
        map.insert("nullable".into(), Value::Bool(true));
        match rest.len() {
            0 => {
                map.remove(key);
            }
            1 if !map.contains_key("allOf") => {
                map.remove(key);
                map.insert("allOf".into(), Value::Sequence(rest));
            }
            _ => {
                map.insert(key.into(), Value::Sequence(rest));
            }
        }
    }
}

/// `type: [T, "null"]` → `type: T` + `nullable: true`. No type or several
/// non-null types: any JSON value, in lenient mode.
fn type_arrays(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    let Some(Value::Sequence(types)) = map.get("type").cloned() else {
        return Ok(());
    };
    let mut non_null: Vec<String> = Vec::new();
    let mut nullable = false;
    for t in &types {
        match t.as_str() {
            Some("null") => nullable = true,
            Some(t) => non_null.push(t.to_string()),
            None => {
                return Err((
                    format!("{ptr}/type"),
                    "`type` entries must be strings".into(),
                ));
            }
        }
    }
    match non_null.as_slice() {
        [one] => {
            map.insert("type".into(), Value::String(one.clone()));
        }
        [] => {
            cx.unsupported(
                format!("{ptr}/type"),
                "a schema whose only type is `null` is not supported (read as any JSON value)"
                    .into(),
            )?;
            map.remove("type");
        }
        many => {
            cx.unsupported(
                format!("{ptr}/type"),
                format!(
                    "a schema with several types ({}) is not supported; use oneOf (read as any JSON value)",
                    many.join(", ")
                ),
            )?;
            map.remove("type");
        }
    }
    if nullable {
        map.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

/// `type: "null"` alone: any JSON value, nullable, in lenient mode.
fn null_type(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    if matches!(map.get("type"), Some(Value::String(t)) if t == "null") {
        cx.unsupported(
            format!("{ptr}/type"),
            "a schema whose only type is `null` is not supported (read as any JSON value)".into(),
        )?;
        map.remove("type");
        map.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

/// Number enums, in lenient mode: plain numbers.
fn number_enums(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    let Some(Value::String(t)) = map.get("type").cloned() else {
        return Ok(());
    };
    if (t == "integer" || t == "number") && map.contains_key("enum") && cx.mode == Mode::Lenient {
        cx.unsupported(
            format!("{ptr}/enum"),
            format!("an enum of type `{t}` is read as a plain number (its values are not checked)"),
        )?;
        map.remove("enum");
    }
    Ok(())
}

/// `const: v` → `enum: [v]`, with `type` inferred from `v` when absent.
fn const_to_enum(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    let Some(constant) = map.remove("const") else {
        return Ok(());
    };
    // With an `enum` beside it, the value must be in both: the `const`
    // alone, or nothing at all (an error: no value would be valid).
    if let Some(Value::Sequence(values)) = map.get("enum") {
        if !values.contains(&constant) && cx.mode == Mode::Strict {
            return Err((
                format!("{ptr}/const"),
                format!(
                    "`const` {} is not one of the `enum` values, so no value is valid",
                    yaml_brief(&constant)
                ),
            ));
        }
    }
    if !map.contains_key("type") {
        let inferred = match &constant {
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            other => {
                return Err((
                    format!("{ptr}/const"),
                    format!("unsupported `const` value {}", yaml_brief(other)),
                ));
            }
        };
        map.insert("type".into(), inferred.into());
    }
    map.insert("enum".into(), Value::Sequence(vec![constant]));
    Ok(())
}

/// Numeric `exclusiveMinimum`/`exclusiveMaximum` (3.1) → 3.0's boolean form.
fn exclusive_bounds(map: &mut Mapping) {
    for (excl, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Number(n)) = map.get(excl).cloned() {
            map.insert(bound.into(), Value::Number(n));
            map.insert(excl.into(), Value::Bool(true));
        }
    }
}

/// Integer bounds that do not fit a 64-bit integer (the 3.0 model reads
/// them as `i64`): they only narrow the values, so they are ignored.
fn wide_integer_bounds(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    if map.get("type").and_then(Value::as_str) != Some("integer") {
        return Ok(());
    }
    for bound in ["minimum", "maximum", "multipleOf"] {
        let Some(Value::Number(n)) = map.get(bound) else {
            continue;
        };
        if !n.is_i64() {
            let n = n.clone();
            cx.unsupported(
                format!("{ptr}/{bound}"),
                format!("the integer bound `{bound}: {n}` does not fit a 64-bit integer (ignored)"),
            )?;
            map.remove(bound);
        }
    }
    Ok(())
}

/// Schema-level `examples` (3.1) are kept aside for tests.
fn examples(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    if let Some(Value::Sequence(values)) = map.get("examples").cloned() {
        map.remove("examples");
        let values = values
            .iter()
            .map(|v| {
                serde_json::to_value(v).map_err(|e| (format!("{ptr}/examples"), e.to_string()))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        cx.examples.push((ptr.to_string(), values));
    }
    Ok(())
}

/// Recurses into subschemas: properties, items, `not`, a schema of
/// `additionalProperties` and the members of `allOf`/`oneOf`/`anyOf`.
fn walk_subschemas(
    map: &mut Mapping,
    ptr: &str,
    cx: &mut Cx<'_>,
) -> std::result::Result<(), NormalizeError> {
    if let Some(Value::Mapping(props)) = map.get_mut("properties") {
        for (name, schema) in props.iter_mut() {
            let name = name.as_str().unwrap_or_default().to_string();
            walk_schema(
                schema,
                &format!("{ptr}/properties/{}", escape_pointer_token(&name)),
                cx,
            )?;
        }
    }
    for key in ["items", "not"] {
        if let Some(child) = map.get_mut(key) {
            walk_schema(child, &format!("{ptr}/{key}"), cx)?;
        }
    }
    if let Some(child @ Value::Mapping(_)) = map.get_mut("additionalProperties") {
        walk_schema(child, &format!("{ptr}/additionalProperties"), cx)?;
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Sequence(items)) = map.get_mut(key) {
            for (i, item) in items.iter_mut().enumerate() {
                walk_schema(item, &format!("{ptr}/{key}/{i}"), cx)?;
            }
        }
    }
    Ok(())
}

/// Turns every non-string mapping key (`200:` in YAML) into a string.
fn stringify_keys(value: &mut Value) {
    match value {
        Value::Mapping(map) => {
            let old = std::mem::take(map);
            let mut new = Mapping::with_capacity(old.len());
            for (k, mut v) in old {
                stringify_keys(&mut v);
                let key = match k {
                    Value::String(s) => Value::String(s),
                    Value::Number(n) => Value::String(n.to_string()),
                    Value::Bool(b) => Value::String(b.to_string()),
                    other => other,
                };
                new.insert(key, v);
            }
            *map = new;
        }
        Value::Sequence(items) => items.iter_mut().for_each(stringify_keys),
        Value::Tagged(t) => stringify_keys(&mut t.value),
        _ => {}
    }
}

fn yaml_brief(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("`{s}`"),
        Value::Sequence(_) => "a sequence".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(_) => "a tagged value".into(),
    }
}

/// Locating deserialisation errors precisely.
mod locate {
    use openapiv3::{
        Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema, SecurityScheme,
    };
    use serde::de::DeserializeOwned;
    use serde_yaml::Value;

    use crate::error::escape_pointer_token;

    type Found = Option<(String, String)>;

    /// Finds the failing node below one component.
    type Locator = fn(&Value, &str) -> Found;

    fn check<T: DeserializeOwned>(value: &Value) -> Result<(), String> {
        serde_yaml::from_value::<T>(value.clone())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn child(ptr: &str, key: &str) -> String {
        format!("{ptr}/{}", escape_pointer_token(key))
    }

    fn entries(value: Option<&Value>) -> Vec<(String, &Value)> {
        match value {
            Some(Value::Mapping(m)) => m
                .iter()
                .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), v)))
                .collect(),
            Some(Value::Sequence(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The deepest known OpenAPI node that does not deserialise on its own,
    /// with the deserialiser's message.
    pub(super) fn deepest_failure(root: &Value) -> Found {
        for (path, item) in entries(root.get("paths")) {
            let ptr = child("#/paths", &path);
            if let Err(e) = check::<ReferenceOr<PathItem>>(item) {
                return path_item(item, &ptr).or(Some((ptr, e)));
            }
        }
        let components = root.get("components");
        let kinds: [(&str, Locator); 5] = [
            ("schemas", schema),
            ("parameters", |v, p| leaf::<ReferenceOr<Parameter>>(v, p)),
            ("responses", response),
            ("requestBodies", request_body),
            ("securitySchemes", |v, p| {
                leaf::<ReferenceOr<SecurityScheme>>(v, p)
            }),
        ];
        for (kind, f) in kinds {
            for (name, v) in entries(components.and_then(|c| c.get(kind))) {
                if let Some(found) = f(v, &child(&child("#/components", kind), &name)) {
                    return Some(found);
                }
            }
        }
        None
    }

    fn leaf<T: DeserializeOwned>(value: &Value, ptr: &str) -> Found {
        check::<T>(value).err().map(|e| (ptr.to_string(), e))
    }

    fn path_item(item: &Value, ptr: &str) -> Found {
        for (i, p) in entries(item.get("parameters")) {
            if let Some(found) =
                leaf::<ReferenceOr<Parameter>>(p, &child(&child(ptr, "parameters"), &i))
            {
                return Some(found);
            }
        }
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let Some(op) = item.get(method) else { continue };
            let op_ptr = child(ptr, method);
            if let Err(e) = check::<Operation>(op) {
                return operation(op, &op_ptr).or(Some((op_ptr, e)));
            }
        }
        None
    }

    fn operation(op: &Value, ptr: &str) -> Found {
        for (i, p) in entries(op.get("parameters")) {
            if let Some(found) =
                leaf::<ReferenceOr<Parameter>>(p, &child(&child(ptr, "parameters"), &i))
            {
                return Some(found);
            }
        }
        if let Some(body) = op.get("requestBody") {
            if let Some(found) = request_body(body, &child(ptr, "requestBody")) {
                return Some(found);
            }
        }
        for (status, r) in entries(op.get("responses")) {
            if let Some(found) = response(r, &child(&child(ptr, "responses"), &status)) {
                return Some(found);
            }
        }
        None
    }

    fn content(value: &Value, ptr: &str) -> Found {
        for (media, m) in entries(value.get("content")) {
            if let Some(s) = m.get("schema") {
                if let Some(found) =
                    schema(s, &child(&child(&child(ptr, "content"), &media), "schema"))
                {
                    return Some(found);
                }
            }
        }
        None
    }

    fn request_body(value: &Value, ptr: &str) -> Found {
        let e = check::<ReferenceOr<RequestBody>>(value).err()?;
        content(value, ptr).or(Some((ptr.to_string(), e)))
    }

    fn response(value: &Value, ptr: &str) -> Found {
        let e = check::<ReferenceOr<Response>>(value).err()?;
        content(value, ptr).or(Some((ptr.to_string(), e)))
    }

    fn schema(value: &Value, ptr: &str) -> Found {
        let e = check::<ReferenceOr<Schema>>(value).err()?;
        let mut children: Vec<(String, &Value)> = Vec::new();
        for (name, v) in entries(value.get("properties")) {
            children.push((child(&child(ptr, "properties"), &name), v));
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(v @ Value::Mapping(_)) = value.get(key) {
                children.push((child(ptr, key), v));
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for (i, v) in entries(value.get(key)) {
                children.push((child(&child(ptr, key), &i), v));
            }
        }
        children
            .into_iter()
            .find_map(|(p, v)| schema(v, &p))
            .or(Some((ptr.to_string(), e)))
    }
}

/// Converts a `serde_path_to_error` path into a JSON pointer.
fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("#");
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&escape_pointer_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> (Value, Vec<(String, Vec<serde_json::Value>)>) {
        let mut v: Value = serde_yaml::from_str(text).unwrap();
        let mut ex = Vec::new();
        normalize(&mut v, &mut ex).unwrap();
        (v, ex)
    }

    #[test]
    fn rewrites_31_schema_constructs() {
        let (v, ex) = norm(
            "openapi: 3.1.0\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        p: {const: whatsapp}\n        n: {type: [string, 'null'], examples: [x, y]}\n        m: {type: integer, exclusiveMinimum: 3}\n",
        );
        let a = &v["components"]["schemas"]["A"]["properties"];
        assert_eq!(a["p"]["enum"][0].as_str(), Some("whatsapp"));
        assert_eq!(a["p"]["type"].as_str(), Some("string"));
        assert_eq!(a["n"]["type"].as_str(), Some("string"));
        assert_eq!(a["n"]["nullable"].as_bool(), Some(true));
        assert!(a["n"].get("examples").is_none());
        assert_eq!(a["m"]["minimum"].as_i64(), Some(3));
        assert_eq!(a["m"]["exclusiveMinimum"].as_bool(), Some(true));
        assert_eq!(v["openapi"].as_str(), Some("3.0.3"));
        assert_eq!(
            ex,
            vec![(
                "#/components/schemas/A/properties/n".to_string(),
                vec![serde_json::json!("x"), serde_json::json!("y")]
            )]
        );
    }

    #[test]
    fn integer_status_keys_become_strings() {
        let (v, _) = norm(
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n",
        );
        assert!(v["paths"]["/a"]["get"]["responses"].get("200").is_some());
    }

    #[test]
    fn several_types_are_an_error_with_pointer() {
        let mut v: Value = serde_yaml::from_str(
            "openapi: 3.1.0\ncomponents:\n  schemas:\n    A: {type: [string, integer]}\n",
        )
        .unwrap();
        let err = normalize(&mut v, &mut Vec::new()).unwrap_err();
        assert_eq!(err.0, "#/components/schemas/A/type");
        assert!(err.1.contains("several types"), "{}", err.1);
    }
}
