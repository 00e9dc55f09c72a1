//! Stage 1, before normalising: a document split over several files becomes
//! one document.
//!
//! Real documents point at other files with relative `$ref`s: whole path
//! items, responses, parameters, examples, a whole `components` section or a
//! single schema. The bundler reads each file once and, walking the entry
//! document by what each position holds:
//!
//! - a schema that lives in another file moves to `components/schemas`
//!   under a name taken from its pointer's last token or its file's stem
//!   (made unique), and every reference to it becomes a local `$ref`, so a
//!   schema referenced from many places is one type and a recursive schema
//!   stays finite;
//! - anything else (a path item, a response, a string) is copied in place,
//!   itself bundled relative to its own file;
//! - a reference back into the entry file becomes a local `$ref`;
//! - `x-` extensions, examples' values and schemas' `default`s are data
//!   and are left as they are.
//!
//! [`Origins`] remembers where each copied or moved part came from, so that
//! a later error names the file and pointer a user can open.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::error::{SpecError, escape_pointer_token};

/// Where parts of a bundled document came from: (pointer in the bundle,
/// file, pointer in that file), most specific last.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    entries: Vec<(String, PathBuf, String)>,
}

impl Origins {
    /// The error with its file and pointer mapped back to the file the
    /// located part came from (unchanged when it came from the entry file).
    pub fn locate(&self, mut error: SpecError) -> SpecError {
        let best = self
            .entries
            .iter()
            .filter(|(at, _, _)| {
                error.pointer == *at || error.pointer.starts_with(&format!("{at}/"))
            })
            .max_by_key(|(at, _, _)| at.len());
        if let Some((at, file, pointer)) = best {
            let rest = &error.pointer[at.len()..];
            error.file = file.clone();
            error.pointer = format!("#{pointer}{rest}");
        }
        error
    }

    /// The error with every located part mapped by [`Origins::locate`].
    pub fn relocate(&self, error: crate::error::Error) -> crate::error::Error {
        use crate::error::Error;
        match error {
            Error::Spec(e) => Error::Spec(self.locate(e)),
            Error::Specs(es) => Error::Specs(es.into_iter().map(|e| self.locate(e)).collect()),
            other => other,
        }
    }

    /// How many other files the document's references reached.
    pub fn files(&self) -> usize {
        self.entries
            .iter()
            .map(|(_, file, _)| file)
            .collect::<BTreeSet<_>>()
            .len()
    }
}

/// What a position in the document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Part of the document structure (a path item, a response, ...).
    Doc,
    /// A schema.
    Schema,
    /// A map whose values are schemas (`components/schemas`, `properties`).
    SchemaMap,
    /// A list of schemas (`allOf`, `oneOf`, `anyOf`, `prefixItems`).
    SchemaList,
    /// A map of Example Objects.
    Examples,
    /// An Example Object: a reference is copied in, values are data.
    Example,
}

/// One bundling.
struct Bundler {
    /// The directory file names in messages are relative to.
    root: PathBuf,
    /// The entry file, as `root`-relative path.
    entry: PathBuf,
    /// Every file read, by `root`-relative path.
    files: BTreeMap<PathBuf, Value>,
    /// The component name given to each schema location.
    names: BTreeMap<(PathBuf, String), String>,
    /// Component names in use.
    taken: BTreeSet<String>,
    /// Schemas moved in, in the order they were met.
    moved: Vec<(String, Value)>,
    /// Parts being copied in, to refuse a reference cycle.
    copying: Vec<(PathBuf, String)>,
    origins: Origins,
    mode: crate::load::Mode,
    warnings: Vec<SpecError>,
    errors: Vec<SpecError>,
}

/// A bundled document.
#[derive(Debug)]
pub struct Bundled {
    /// The document, whole.
    pub doc: Value,
    /// Where its parts came from.
    pub origins: Origins,
    /// What reading the other files rewrote ([`crate::load::read_yaml_with`]).
    pub warnings: Vec<SpecError>,
}

/// Bundles `doc`, read from `root.join(entry)`, with every file its `$ref`s
/// reach. Returns the document unchanged (and no origins) when it names no
/// other file; every unreadable file or dangling pointer is an error naming
/// the `$ref`'s file and pointer.
pub fn bundle(
    root: &Path,
    entry: &Path,
    mut doc: Value,
    mode: crate::load::Mode,
) -> Result<Bundled, Vec<SpecError>> {
    let mut b = Bundler {
        root: root.to_path_buf(),
        entry: entry.to_path_buf(),
        files: BTreeMap::new(),
        names: BTreeMap::new(),
        taken: BTreeSet::new(),
        moved: Vec::new(),
        copying: Vec::new(),
        origins: Origins::default(),
        mode,
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    let schemas = b.components(&mut doc);
    b.walk(&mut doc, Kind::Doc, entry, "#", "#");
    if schemas.is_some() || !b.moved.is_empty() {
        let Value::Mapping(map) = &mut doc else {
            return Err(b.errors);
        };
        let components = map
            .entry("components".into())
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if let Value::Mapping(components) = components {
            let slot = components
                .entry("schemas".into())
                .or_insert_with(|| Value::Mapping(Mapping::new()));
            if let Some(own) = schemas {
                *slot = own;
            }
            if let Value::Mapping(schemas) = slot {
                for (name, schema) in std::mem::take(&mut b.moved) {
                    schemas.insert(name.into(), schema);
                }
            }
        }
    }
    if b.errors.is_empty() {
        Ok(Bundled {
            doc,
            origins: b.origins,
            warnings: b.warnings,
        })
    } else {
        Err(b.errors)
    }
}

impl Bundler {
    /// Bundles the entry's component schemas before anything else, so
    /// that every reference finds them under their own names: a
    /// `components/schemas` that is itself a reference is copied in, and a
    /// component that only refers to a schema in another file takes that
    /// schema's place under the component's name.
    fn components(&mut self, doc: &mut Value) -> Option<Value> {
        let entry = self.entry.clone();
        let mut schemas = match doc.get_mut("components") {
            Some(Value::Mapping(c)) => c.remove("schemas")?,
            _ => return None,
        };
        let mut base = (entry.clone(), "/components/schemas".to_string());
        if let Some(reference) = ref_of(&schemas) {
            let (file, pointer, value) =
                self.resolve(&entry, &reference, "#/components/schemas/$ref")?;
            self.origins.entries.push((
                "#/components/schemas".into(),
                file.clone(),
                pointer.clone(),
            ));
            schemas = value;
            base = (file, pointer);
        }
        let Value::Mapping(map) = &mut schemas else {
            return Some(schemas);
        };
        let names: Vec<String> = map
            .keys()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect();
        for name in &names {
            self.taken.insert(name.clone());
            let at = format!("{}/{}", base.1, escape_pointer_token(name));
            self.names.insert((base.0.clone(), at), name.clone());
        }
        let mut aliases = Vec::new();
        for name in &names {
            let Some(reference) = map.get(name.as_str()).and_then(ref_of) else {
                continue;
            };
            let target = split(&base.0, &reference);
            if target.0 != base.0 && !self.names.contains_key(&target) {
                self.names.insert(target, name.clone());
                aliases.push((name.clone(), reference));
            }
        }
        for name in &names {
            let token = escape_pointer_token(name);
            let at = format!("#/components/schemas/{token}");
            let Some(schema) = map.get_mut(name.as_str()) else {
                continue;
            };
            let alias = aliases.iter().find(|(n, _)| n == name);
            let (file, ptr) = match alias {
                Some((_, reference)) => {
                    let (file, pointer, value) =
                        self.resolve(&base.0, reference, &format!("#{}/{token}/$ref", base.1))?;
                    self.origins
                        .entries
                        .push((at.clone(), file.clone(), pointer.clone()));
                    *schema = value;
                    (file, format!("#{pointer}"))
                }
                None => (base.0.clone(), format!("#{}/{token}", base.1)),
            };
            self.walk(schema, Kind::Schema, &file, &at, &ptr);
        }
        Some(schemas)
    }

    /// Bundles `value`, which sits at `at` in the bundle and at `ptr` in
    /// `file`, as a position of `kind`.
    fn walk(&mut self, value: &mut Value, kind: Kind, file: &Path, at: &str, ptr: &str) {
        if let Some(reference) = ref_of(value) {
            self.reference(value, &reference, kind, file, at, ptr);
            return;
        }
        match (kind, value) {
            (Kind::SchemaList, Value::Sequence(items)) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(
                        item,
                        Kind::Schema,
                        file,
                        &format!("{at}/{i}"),
                        &format!("{ptr}/{i}"),
                    );
                }
            }
            (Kind::Doc, Value::Sequence(items)) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(
                        item,
                        Kind::Doc,
                        file,
                        &format!("{at}/{i}"),
                        &format!("{ptr}/{i}"),
                    );
                }
            }
            (_, Value::Mapping(map)) => {
                for (key, child) in map.iter_mut() {
                    let Some(key) = key.as_str() else { continue };
                    if kind == Kind::Schema && key == "discriminator" {
                        self.mapping(child, file, &format!("{ptr}/discriminator/mapping"));
                        continue;
                    }
                    let Some(child_kind) = child_kind(kind, key, at) else {
                        continue;
                    };
                    let token = escape_pointer_token(key);
                    self.walk(
                        child,
                        child_kind,
                        file,
                        &format!("{at}/{token}"),
                        &format!("{ptr}/{token}"),
                    );
                }
            }
            _ => {}
        }
    }

    /// Replaces a `$ref` at `at`: a schema elsewhere becomes a local
    /// reference to its component, anything else from another file is
    /// copied in.
    fn reference(
        &mut self,
        value: &mut Value,
        reference: &str,
        kind: Kind,
        file: &Path,
        at: &str,
        ptr: &str,
    ) {
        let (target_file, pointer) = split(file, reference);
        if target_file == self.entry && file == self.entry {
            return;
        }
        if kind == Kind::Schema && target_file != self.entry {
            if let Some(name) = self.schema(file, reference, &format!("{ptr}/$ref")) {
                set_ref(
                    value,
                    &format!("#/components/schemas/{}", escape_pointer_token(&name)),
                );
            }
            return;
        }
        if target_file == self.entry {
            set_ref(value, &format!("#{pointer}"));
            return;
        }
        let key = (target_file.clone(), pointer.clone());
        if self.copying.contains(&key) {
            self.errors.push(SpecError {
                file: file.to_path_buf(),
                pointer: format!("{ptr}/$ref"),
                message: format!("`{reference}` refers back to itself through other files"),
            });
            return;
        }
        let Some((target_file, pointer, mut copy)) =
            self.resolve(file, reference, &format!("{ptr}/$ref"))
        else {
            return;
        };
        self.copying.push(key);
        if kind != Kind::Example {
            self.walk(&mut copy, kind, &target_file, at, &format!("#{pointer}"));
        }
        self.copying.pop();
        // Keys beside a `$ref` (a 3.1 `description`, say) override the copy's.
        if let (Value::Mapping(siblings), Value::Mapping(copied)) = (&*value, &mut copy) {
            for (k, v) in siblings {
                if k.as_str() != Some("$ref") {
                    copied.insert(k.clone(), v.clone());
                }
            }
        }
        self.origins
            .entries
            .push((at.to_string(), target_file, pointer));
        *value = copy;
    }

    /// Points a discriminator's `mapping` values that name schemas in
    /// other files at their components. A bare name is a component's name
    /// and stays.
    fn mapping(&mut self, discriminator: &mut Value, file: &Path, ptr: &str) {
        let Some(Value::Mapping(mapping)) = discriminator.get_mut("mapping") else {
            return;
        };
        for (tag, target) in mapping.iter_mut() {
            let Some(reference) = target.as_str().map(str::to_string) else {
                continue;
            };
            if !reference.contains(['#', '/', '.']) {
                continue;
            }
            let (target_file, pointer) = split(file, &reference);
            if target_file == self.entry {
                if file != self.entry {
                    *target = format!("#{pointer}").into();
                }
                continue;
            }
            let at = format!(
                "{ptr}/{}",
                escape_pointer_token(tag.as_str().unwrap_or_default())
            );
            if let Some(name) = self.schema(file, &reference, &at) {
                *target = format!("#/components/schemas/{}", escape_pointer_token(&name)).into();
            }
        }
    }

    /// The component name of the schema `reference` (from `file`) points
    /// at, moving it in on first use. A schema that is only a reference
    /// to another takes that one's name.
    fn schema(&mut self, file: &Path, reference: &str, ptr: &str) -> Option<String> {
        let (target_file, pointer) = split(file, reference);
        if let Some(name) = self.names.get(&(target_file.clone(), pointer.clone())) {
            return Some(name.clone());
        }
        let (target_file, pointer, mut schema) = self.resolve(file, reference, ptr)?;
        let alias = ref_of(&schema).filter(|next| split(&target_file, next).0 != self.entry);
        if let Some(next) = alias {
            if !self
                .copying
                .contains(&(target_file.clone(), pointer.clone()))
            {
                self.copying.push((target_file.clone(), pointer.clone()));
                let name = self.schema(&target_file, &next, &format!("#{pointer}/$ref"));
                self.copying.pop();
                if let Some(name) = &name {
                    self.names.insert((target_file, pointer), name.clone());
                }
                return name;
            }
        }
        let name = self.fresh_name(&target_file, &pointer);
        self.names
            .insert((target_file.clone(), pointer.clone()), name.clone());
        let at = format!("#/components/schemas/{}", escape_pointer_token(&name));
        self.walk(
            &mut schema,
            Kind::Schema,
            &target_file,
            &at,
            &format!("#{pointer}"),
        );
        self.origins.entries.push((at, target_file, pointer));
        self.moved.push((name.clone(), schema));
        Some(name)
    }

    /// A component name not yet taken: the pointer's last token, else the
    /// file's stem; then prefixed with the folder's name; then numbered.
    fn fresh_name(&mut self, file: &Path, pointer: &str) -> String {
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("Schema")
            .to_string();
        let last = pointer
            .rsplit('/')
            .next()
            .filter(|t| !t.is_empty())
            .map(unescape)
            .unwrap_or(stem.clone());
        let folder = file
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or("");
        let candidates = [
            last.clone(),
            format!("{stem}_{last}"),
            format!("{folder}_{last}"),
        ];
        let name = candidates
            .into_iter()
            .find(|c| !self.taken.contains(c))
            .unwrap_or_else(|| {
                (2..)
                    .map(|n| format!("{last}{n}"))
                    .find(|c| !self.taken.contains(c))
                    .unwrap_or(last)
            });
        self.taken.insert(name.clone());
        name
    }

    /// The value `reference` (met in `file` at the pointer `ptr`) points at, with its
    /// file and pointer; `None` after recording an error.
    fn resolve(
        &mut self,
        file: &Path,
        reference: &str,
        ptr: &str,
    ) -> Option<(PathBuf, String, Value)> {
        let fail = |message: String| SpecError {
            file: file.to_path_buf(),
            pointer: ptr.to_string(),
            message,
        };
        if reference.contains("://") {
            self.errors.push(fail(format!(
                "`{reference}` is a remote reference; only files beside the document are read"
            )));
            return None;
        }
        let (target, pointer) = split(file, reference);
        if !self.files.contains_key(&target) {
            let full = self.root.join(&target);
            let text = match std::fs::read_to_string(&full) {
                Ok(text) => text,
                Err(e) => {
                    self.errors.push(fail(format!(
                        "`{reference}`: cannot read {}: {e}",
                        full.display()
                    )));
                    return None;
                }
            };
            match crate::load::read_yaml_with(&target, &text, self.mode) {
                Ok((value, warnings)) => {
                    self.warnings.extend(warnings);
                    self.files.insert(target.clone(), value);
                }
                Err(e) => {
                    self.errors.push(e);
                    return None;
                }
            }
        }
        let doc = &self.files[&target];
        match lookup(doc, &pointer) {
            Some(v) => Some((target, pointer, v.clone())),
            None => {
                self.errors.push(fail(format!(
                    "`{reference}` points at nothing: {} has no `#{pointer}`",
                    target.display()
                )));
                None
            }
        }
    }
}

/// What the child `key` of a mapping of `kind` at `at` holds; `None` for
/// data the bundler leaves alone.
fn child_kind(kind: Kind, key: &str, at: &str) -> Option<Kind> {
    if key.starts_with("x-") {
        return None;
    }
    match kind {
        Kind::Examples => Some(Kind::Example),
        Kind::Example => None,
        Kind::SchemaMap | Kind::SchemaList => Some(Kind::Schema),
        Kind::Schema => match key {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                Some(Kind::SchemaMap)
            }
            "allOf" | "oneOf" | "anyOf" | "prefixItems" => Some(Kind::SchemaList),
            "items"
            | "additionalProperties"
            | "not"
            | "contains"
            | "if"
            | "then"
            | "else"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "additionalItems" => Some(Kind::Schema),
            _ => None,
        },
        Kind::Doc => match key {
            "schema" => Some(Kind::Schema),
            "schemas" if at == "#/components" => Some(Kind::SchemaMap),
            "examples" => Some(Kind::Examples),
            // A response map's `default` is a response; values are data only
            // in schemas and examples.
            "example" => None,
            _ => Some(Kind::Doc),
        },
    }
}

/// The `$ref` of a reference object.
fn ref_of(value: &Value) -> Option<String> {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn set_ref(value: &mut Value, reference: &str) {
    if let Value::Mapping(map) = value {
        map.insert("$ref".into(), reference.into());
    }
}

/// A reference's file (relative to the bundle's root, `..` resolved) and
/// pointer (without `#`); a reference without a file part is in `file`.
fn split(file: &Path, reference: &str) -> (PathBuf, String) {
    let (path, pointer) = reference.split_once('#').unwrap_or((reference, ""));
    let pointer = pointer.to_string();
    if path.is_empty() {
        return (file.to_path_buf(), pointer);
    }
    let joined = file.parent().unwrap_or(Path::new("")).join(path);
    let mut normal = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    normal.push("..");
                }
            }
            other => normal.push(other),
        }
    }
    (normal, pointer)
}

/// The value at a JSON pointer (without `#`).
fn lookup<'v>(doc: &'v Value, pointer: &str) -> Option<&'v Value> {
    let mut at = doc;
    for token in pointer.split('/').skip(1) {
        let token = unescape(token);
        at = match at {
            Value::Mapping(map) => map.get(token.as_str())?,
            Value::Sequence(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// One pointer token, unescaped (RFC 6901, and `%` escapes from URIs).
fn unescape(token: &str) -> String {
    let token = token.replace("~1", "/").replace("~0", "~");
    if !token.contains('%') {
        return token;
    }
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
    }

    fn run(files_: &[(&str, &str)]) -> Result<(Value, Origins), Vec<SpecError>> {
        let dir = tempfile::tempdir().expect("tempdir");
        files(dir.path(), files_);
        let entry = Path::new(files_[0].0);
        let text = std::fs::read_to_string(dir.path().join(entry)).expect("the entry reads");
        let doc = crate::load::read_yaml(entry, &text).expect("the entry parses");
        bundle(dir.path(), entry, doc, crate::load::Mode::Lenient).map(|b| (b.doc, b.origins))
    }

    const ENTRY: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    $ref: paths/pets.yaml\n";

    #[test]
    fn path_items_are_copied_and_schemas_moved_to_components_once() {
        let (doc, origins) = run(&[
            ("api.yaml", ENTRY),
            (
                "paths/pets.yaml",
                "get:\n  responses:\n    '200':\n      description: ok\n      content:\n        application/json:\n          schema: {$ref: '../models/pet.yaml'}\npost:\n  requestBody:\n    content:\n      application/json:\n        schema: {$ref: '../models/pet.yaml'}\n  responses: {'204': {description: done}}\n",
            ),
            (
                "models/pet.yaml",
                "type: object\nproperties:\n  name: {type: string}\n  parent: {$ref: '#'}\n  owner: {$ref: 'common.yaml#/Owner'}\n",
            ),
            ("models/common.yaml", "Owner: {type: object, properties: {id: {type: string}}}\n"),
        ])
        .expect("bundles");
        let schema = |p: &str| {
            doc["paths"]["/pets"][p]
                .get("responses")
                .and_then(|r| r.get("200"))
                .or_else(|| doc["paths"]["/pets"][p].get("requestBody"))
                .map(|r| r["content"]["application/json"]["schema"]["$ref"].clone())
        };
        assert_eq!(schema("get"), Some("#/components/schemas/pet".into()));
        assert_eq!(schema("post"), Some("#/components/schemas/pet".into()));
        let pet = &doc["components"]["schemas"]["pet"];
        assert_eq!(
            pet["properties"]["parent"]["$ref"],
            "#/components/schemas/pet"
        );
        assert_eq!(
            pet["properties"]["owner"]["$ref"],
            "#/components/schemas/Owner"
        );
        assert_eq!(doc["components"]["schemas"]["Owner"]["type"], "object");
        // A later error inside the moved schema names its own file.
        let located = origins.locate(SpecError {
            file: "api.yaml".into(),
            pointer: "#/components/schemas/Owner/properties/id".into(),
            message: "m".into(),
        });
        assert_eq!(located.file, Path::new("models/common.yaml"));
        assert_eq!(located.pointer, "#/Owner/properties/id");
    }

    #[test]
    fn a_components_section_in_another_file_keeps_its_names() {
        let (doc, _) = run(&[
            (
                "api.yaml",
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas: {$ref: 'schemas.json'}\n",
            ),
            (
                "schemas.json",
                r##"{"A": {"type": "object", "properties": {"b": {"$ref": "#/B"}}}, "B": {"type": "string"}}"##,
            ),
        ])
        .expect("bundles");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["A"]["properties"]["b"]["$ref"],
            "#/components/schemas/B"
        );
        assert_eq!(
            schemas.as_mapping().map(Mapping::len),
            Some(2),
            "no copy under a second name"
        );
    }

    #[test]
    fn clashing_names_are_made_unique_and_entry_components_win() {
        let (doc, _) = run(&[
            (
                "api.yaml",
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Pet: {type: string}\n    A: {$ref: 'a/pet.yaml#/Pet'}\n    B: {$ref: 'b/pet.yaml#/Pet'}\n    C: {properties: {x: {$ref: 'c/pet.yaml#/Pet'}}}\n",
            ),
            ("a/pet.yaml", "Pet: {type: integer}\n"),
            ("b/pet.yaml", "Pet: {type: boolean}\n"),
            ("c/pet.yaml", "Pet: {type: number}\n"),
        ])
        .expect("bundles");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Pet"]["type"], "string");
        assert_eq!(schemas["A"]["type"], "integer");
        assert_eq!(schemas["B"]["type"], "boolean");
        assert_eq!(
            schemas["C"]["properties"]["x"]["$ref"],
            "#/components/schemas/pet_Pet"
        );
        assert_eq!(schemas["pet_Pet"]["type"], "number");
    }

    #[test]
    fn missing_files_pointers_and_cycles_are_located_errors() {
        let errors = run(&[
            (
                "api.yaml",
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: 'nope.yaml'}\n  /b: {$ref: 'b.yaml#/missing'}\n  /c: {$ref: 'c.yaml'}\n",
            ),
            ("b.yaml", "get: {}\n"),
            ("c.yaml", "get: {$ref: 'c.yaml'}\n"),
        ])
        .expect_err("fails");
        let rendered: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(rendered.len(), 3, "{rendered:#?}");
        assert!(
            rendered[0].starts_with("api.yaml: #/paths/~1a/$ref: `nope.yaml`: cannot read"),
            "{}",
            rendered[0]
        );
        assert!(
            rendered[1]
                .starts_with("api.yaml: #/paths/~1b/$ref: `b.yaml#/missing` points at nothing"),
            "{}",
            rendered[1]
        );
        assert!(
            rendered[2].starts_with("c.yaml: #/get/$ref: `c.yaml` refers back to itself"),
            "{}",
            rendered[2]
        );
    }

    #[test]
    fn data_is_left_alone_and_strings_are_copied() {
        let (doc, _) = run(&[
            (
                "api.yaml",
                "openapi: 3.1.0\ninfo: {title: t, version: '1', description: {$ref: 'text.yaml#/intro'}}\npaths: {}\nx-data: {$ref: 'nope.yaml'}\ncomponents:\n  schemas:\n    A: {type: object, default: {$ref: 'nope.yaml'}}\n",
            ),
            ("text.yaml", "intro: Hello\n"),
        ])
        .expect("bundles");
        assert_eq!(doc["info"]["description"], "Hello");
        assert_eq!(doc["x-data"]["$ref"], "nope.yaml");
    }
}
