//! What changed between two versions of a crate's public API
//! ([`crate::surface::Surface`]), and what the change breaks for a crate that
//! uses it.
//!
//! Operations are matched by HTTP method, path template (parameter names
//! normalised, as the coverage matcher does) and body variant; one left over
//! on each side with the same operationId is the same operation whose path
//! changed. Types are matched by name, fields by JSON member, parameters by
//! location and wire name, enum values by wire spelling, union variants by
//! name.
//!
//! Classification rules (for a downstream crate that uses the generated
//! code; ARCHITECTURE.md states them too):
//!
//! Generated structs and enums are `#[non_exhaustive]`: callers build
//! values with `new`, setters and field assignment, and match with a `_`
//! arm. So:
//!
//! - Breaking (semver major): a removed method, type, field, enum value,
//!   union variant, setter or shared accessor; a renamed method, argument,
//!   setter or field; a new required argument of a client method; a
//!   different `new` (a required field added or removed, a choice changed);
//!   a parameter or body that moved between argument and setter; any
//!   changed Rust type (of a field, parameter, body, success or error value,
//!   alias, accessor or variant payload); a type whose kind changed.
//! - Additions (minor): a new method, type, setter or accessor; a new
//!   optional parameter or optional body; a new field; a new enum value or
//!   union variant (values the crate did not know decoded into the
//!   catch-all `Unrecognized` variant before).
//! - Fixes (patch): a path template spelled differently, a changed media
//!   type, documented success or error statuses added or removed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::coverage::normalize_path;
use crate::surface::{self, Kind, Surface};

pub mod baseline;
mod sides;
pub mod text;

pub use sides::load_side;

/// How much a change matters to a crate that uses the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing a caller can observe at compile time.
    Patch,
    /// Something new; existing code still compiles.
    Minor,
    /// Existing code may no longer compile.
    Major,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed, in one line.
    pub what: String,
    /// Whether it breaks a crate that uses the API.
    pub breaking: bool,
    /// The semver level it implies.
    pub level: Level,
    /// For a change of an operation that is a change of a type its body or
    /// answers reach: that type (the report for people lists it once, with
    /// the type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

fn change(level: Level, what: impl Into<String>) -> Change {
    Change {
        what: what.into(),
        breaking: level == Level::Major,
        level,
        via: None,
    }
}

/// An operation in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationEntry {
    /// The HTTP method.
    pub method: String,
    /// The path template (of the new side, when there is one).
    pub path: String,
    /// The operationId.
    pub operation_id: String,
    /// The client method (of the new side, when there is one).
    pub rust_method: String,
    /// The fragment to edit for it, when a fragment directory covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fragment: Option<String>,
    /// Whether the entry breaks a crate that uses the API.
    pub breaking: bool,
    /// What changed (empty for an added or removed operation).
    pub changes: Vec<Change>,
}

/// A type in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeEntry {
    /// The Rust name.
    pub name: String,
    /// `request`, `response`, `both` or `unused`.
    pub direction: String,
    /// Whether the entry breaks a crate that uses the API.
    pub breaking: bool,
    /// What changed (empty for an added or removed type).
    pub changes: Vec<Change>,
}

/// Added, removed and changed entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section<T> {
    /// New in the second version.
    pub added: Vec<T>,
    /// Gone from the second version.
    pub removed: Vec<T>,
    /// In both, different.
    pub changed: Vec<T>,
}

impl<T> Default for Section<T> {
    fn default() -> Self {
        Section {
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        }
    }
}

impl<T> Section<T> {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Client methods.
    pub operations: Section<OperationEntry>,
    /// Types.
    pub types: Section<TypeEntry>,
    /// Types gone under one name and added under another with the same
    /// shape (see [`pair_renames`]): one line each instead of two.
    pub renamed: Vec<Renamed>,
    /// Changes to the crate beyond its operations and types: the generated
    /// crates it re-exports (one gone, or a feature of one turned off,
    /// takes types away; see [`dependency_changes`]) and the parse
    /// functions of its `webhooks` module (see [`inbound_changes`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Change>,
    /// `major`, `minor` or `patch`; `none` when nothing changed.
    pub semver: String,
    /// With a baseline ([`baseline`]): how many differences it accepts were
    /// left out, and the accepted differences that are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
}

/// A type that changed its name and kept its shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// The old name.
    pub from: String,
    /// The new name.
    pub to: String,
    /// `request`, `response`, `both` or `unused` (of the new type).
    pub direction: String,
}

/// What a baseline did to a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// The baseline file.
    pub file: String,
    /// Differences it accepts that were left out.
    pub accepted: usize,
    /// Differences it accepts that are no longer there (each as its key).
    pub gone: Vec<String>,
}

/// Finds the fragment that covers an operation (see [`crate::coverage`]).
pub type Locate<'a> = &'a dyn Fn(&str, &str) -> Option<String>;

fn direction(t: &surface::Type) -> &'static str {
    match (t.outbound, t.inbound) {
        (true, true) => "both",
        (true, false) => "request",
        (false, true) => "response",
        (false, false) => "unused",
    }
}

/// Compares two versions of an API. `locate(method, path)` names the
/// fragment covering an operation, for the "where to edit" column.
pub fn diff(old: &Surface, new: &Surface, locate: Locate<'_>) -> Report {
    let mut types = diff_types(old, new);
    let changed_types: BTreeMap<&str, &TypeEntry> =
        types.changed.iter().map(|t| (t.name.as_str(), t)).collect();
    let operations = diff_operations(old, new, &changed_types, locate);
    let renamed = pair_renames(old, new, &mut types);
    let mut report = Report {
        operations,
        types,
        renamed,
        dependencies: [dependency_changes(old, new), inbound_changes(old, new)].concat(),
        semver: String::new(),
        baseline: None,
    };
    report.semver = report.level().map_or("none", Level::name).to_string();
    report
}

impl Report {
    /// The highest level of any change in the report.
    fn level(&self) -> Option<Level> {
        let ops = &self.operations;
        ops.added
            .iter()
            .map(|_| Level::Minor)
            .chain(ops.removed.iter().map(|_| Level::Major))
            .chain(
                ops.changed
                    .iter()
                    .flat_map(|o| o.changes.iter().map(|c| c.level)),
            )
            .chain(self.types.added.iter().map(|_| Level::Minor))
            .chain(self.types.removed.iter().map(|_| Level::Major))
            .chain(self.renamed.iter().map(|_| Level::Major))
            .chain(self.dependencies.iter().map(|c| c.level))
            .chain(
                self.types
                    .changed
                    .iter()
                    .flat_map(|t| t.changes.iter().map(|c| c.level)),
            )
            .max()
    }

    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
            && self.types.is_empty()
            && self.renamed.is_empty()
            && self.dependencies.is_empty()
    }

    /// The report as JSON, for tools.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Pairs types removed under one name with types added under another when
/// their shape is the same (every type name in it replaced by one
/// placeholder): a type the other side only names differently. Among
/// several candidates the name sharing the longest prefix and suffix wins,
/// then the first by name. Paired types leave the added and removed lists.
/// A rename is breaking: code naming the old type no longer compiles.
/// The re-exported crates and their features: one gone or a feature turned
/// off takes its types out of this crate's `types` (major); one added or a
/// feature turned on adds some (minor). The re-exported crate's own changes
/// are in its own report.
fn dependency_changes(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut out = Vec::new();
    for (krate, features) in &old.dependencies {
        match new.dependencies.get(krate) {
            None => out.push(change(
                Level::Major,
                format!("no longer re-exports crate `{krate}`"),
            )),
            Some(now) => {
                for f in features.iter().filter(|f| !now.contains(f)) {
                    out.push(change(
                        Level::Major,
                        format!("re-exports `{krate}` without its feature `{f}`"),
                    ));
                }
                for f in now.iter().filter(|f| !features.contains(f)) {
                    out.push(change(
                        Level::Minor,
                        format!("re-exports `{krate}` with its feature `{f}`"),
                    ));
                }
            }
        }
    }
    for krate in new
        .dependencies
        .keys()
        .filter(|k| !old.dependencies.contains_key(*k))
    {
        out.push(change(Level::Minor, format!("re-exports crate `{krate}`")));
    }
    out
}

/// The parse functions of the requests the API sends: one removed or
/// returning another type breaks its callers (major); one added is minor.
fn inbound_changes(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut out = Vec::new();
    for (function, ty) in &old.inbound {
        match new.inbound.get(function) {
            None => out.push(change(
                Level::Major,
                format!("webhooks::{function} removed"),
            )),
            Some(now) if now != ty => out.push(change(
                Level::Major,
                format!("webhooks::{function} returns `{now}` (was `{ty}`)"),
            )),
            Some(_) => {}
        }
    }
    for (function, ty) in new
        .inbound
        .iter()
        .filter(|(f, _)| !old.inbound.contains_key(*f))
    {
        out.push(change(
            Level::Minor,
            format!("webhooks::{function} added (returns `{ty}`)"),
        ));
    }
    out
}

fn pair_renames(old: &Surface, new: &Surface, types: &mut Section<TypeEntry>) -> Vec<Renamed> {
    let names: BTreeSet<&str> = old
        .types
        .keys()
        .chain(new.types.keys())
        .map(String::as_str)
        .collect();
    let shape = |t: &surface::Type| -> String {
        let text = serde_json::to_string(&t.kind).unwrap_or_default();
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            out.push_str(if names.contains(word.as_str()) {
                "_"
            } else {
                &word
            });
            word.clear();
            out.push(c);
        }
        out
    };
    let mut added: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &types.added {
        if let Some(n) = new.types.get(&t.name) {
            added.entry(shape(n)).or_default().push(t.name.clone());
        }
    }
    let similarity = |a: &str, b: &str| {
        let prefix = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        let suffix = a
            .chars()
            .rev()
            .zip(b.chars().rev())
            .take_while(|(x, y)| x == y)
            .count();
        prefix + suffix
    };
    let mut renamed = Vec::new();
    for t in &types.removed {
        let Some(o) = old.types.get(&t.name) else {
            continue;
        };
        let Some(candidates) = added.get_mut(&shape(o)) else {
            continue;
        };
        let best = candidates
            .iter()
            .enumerate()
            .max_by_key(|(_, c)| (similarity(&t.name, c), std::cmp::Reverse((*c).clone())))
            .map(|(i, _)| i);
        if let Some(i) = best {
            let to = candidates.remove(i);
            renamed.push(Renamed {
                direction: new.types.get(&to).map_or("unused", direction).into(),
                from: t.name.clone(),
                to,
            });
        }
    }
    let from: BTreeSet<&String> = renamed.iter().map(|r| &r.from).collect();
    let to: BTreeSet<&String> = renamed.iter().map(|r| &r.to).collect();
    types.removed.retain(|t| !from.contains(&t.name));
    types.added.retain(|t| !to.contains(&t.name));
    renamed
}

/// The key operations are matched by.
fn op_key(op: &surface::Operation) -> (String, String, Option<String>) {
    (
        op.http_method.clone(),
        normalize_path(&op.path),
        op.body_variant.clone(),
    )
}

fn entry(
    op: &surface::Operation,
    was: Option<&surface::Operation>,
    locate: Locate<'_>,
    changes: Vec<Change>,
) -> OperationEntry {
    // The fragment holding the operation; for one whose path changed, the
    // fragment holding its old path.
    let fragment = locate(&op.http_method, &op.path)
        .or_else(|| was.and_then(|w| locate(&w.http_method, &w.path)));
    OperationEntry {
        method: op.http_method.clone(),
        path: op.path.clone(),
        operation_id: op.operation_id.clone(),
        rust_method: op.method.clone(),
        fragment,
        breaking: changes.iter().any(|c| c.breaking),
        changes,
    }
}

fn diff_operations(
    old: &Surface,
    new: &Surface,
    changed_types: &BTreeMap<&str, &TypeEntry>,
    locate: Locate<'_>,
) -> Section<OperationEntry> {
    let by_key = |s: &'_ Surface| -> BTreeMap<(String, String, Option<String>), usize> {
        s.operations
            .iter()
            .enumerate()
            .map(|(i, op)| (op_key(op), i))
            .collect()
    };
    let (old_keys, new_keys) = (by_key(old), by_key(new));
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut old_left: BTreeSet<usize> = (0..old.operations.len()).collect();
    let mut new_left: BTreeSet<usize> = (0..new.operations.len()).collect();
    for (key, oi) in &old_keys {
        if let Some(ni) = new_keys.get(key) {
            pairs.push((*oi, *ni));
            old_left.remove(oi);
            new_left.remove(ni);
        }
    }
    // The same operationId (and body variant) on both sides: its path changed.
    for oi in old_left.clone() {
        let o = &old.operations[oi];
        let found = new_left.iter().copied().find(|ni| {
            let n = &new.operations[*ni];
            n.operation_id == o.operation_id && n.body_variant == o.body_variant
        });
        if let Some(ni) = found {
            pairs.push((oi, ni));
            old_left.remove(&oi);
            new_left.remove(&ni);
        }
    }
    let mut section = Section::default();
    for (oi, ni) in pairs {
        let (o, n) = (&old.operations[oi], &new.operations[ni]);
        let changes = operation_changes(new, o, n, changed_types);
        if !changes.is_empty() {
            section.changed.push(entry(n, Some(o), locate, changes));
        }
    }
    section.added = new_left
        .into_iter()
        .map(|i| entry(&new.operations[i], None, locate, Vec::new()))
        .collect();
    section.removed = old_left
        .into_iter()
        .map(|i| {
            let mut e = entry(&old.operations[i], None, locate, Vec::new());
            e.breaking = true;
            e
        })
        .collect();
    let order = |a: &OperationEntry, b: &OperationEntry| {
        (&a.path, &a.method, &a.rust_method).cmp(&(&b.path, &b.method, &b.rust_method))
    };
    section.added.sort_by(order);
    section.removed.sort_by(order);
    section.changed.sort_by(order);
    section
}

fn operation_changes(
    new: &Surface,
    o: &surface::Operation,
    n: &surface::Operation,
    changed_types: &BTreeMap<&str, &TypeEntry>,
) -> Vec<Change> {
    let mut out = Vec::new();
    call_changes(o, n, &mut out);
    param_changes(o, n, &mut out);
    body_changes(o, n, &mut out);
    answer_changes(o, n, &mut out);
    reached_type_changes(new, n, changed_types, &mut out);
    out
}

/// The client method's name and the path it calls.
fn call_changes(o: &surface::Operation, n: &surface::Operation, out: &mut Vec<Change>) {
    if o.method != n.method {
        out.push(change(
            Level::Major,
            format!(
                "client method renamed from `{}` to `{}`",
                o.method, n.method
            ),
        ));
    }
    if o.path != n.path {
        // The call goes elsewhere (or is spelled differently), but the Rust
        // API is the same; parameters that changed are reported below.
        out.push(change(
            Level::Patch,
            format!("path template `{}` → `{}`", o.path, n.path),
        ));
    }
}

/// Parameters, by location and wire name.
fn param_changes(o: &surface::Operation, n: &surface::Operation, out: &mut Vec<Change>) {
    let key = |p: &surface::Param| (p.location.clone(), p.wire.clone());
    let old_params: BTreeMap<_, _> = o.params.iter().map(|p| (key(p), p)).collect();
    let new_params: BTreeMap<_, _> = n.params.iter().map(|p| (key(p), p)).collect();
    for (k, p) in &new_params {
        match old_params.get(k) {
            None if p.required => out.push(change(
                Level::Major,
                format!(
                    "new required {} parameter `{}` (a new argument `{}: {}`)",
                    p.location, p.wire, p.rust, p.ty
                ),
            )),
            None => out.push(change(
                Level::Minor,
                format!(
                    "new optional {} parameter `{}` (setter `{}`)",
                    p.location, p.wire, p.rust
                ),
            )),
            Some(q) => {
                if q.required != p.required {
                    out.push(change(
                        Level::Major,
                        format!(
                            "{} parameter `{}` is now {} (it {})",
                            p.location,
                            p.wire,
                            if p.required { "required" } else { "optional" },
                            if p.required {
                                "moves from a setter to an argument"
                            } else {
                                "moves from an argument to a setter"
                            }
                        ),
                    ));
                }
                if q.ty != p.ty {
                    out.push(change(
                        Level::Major,
                        format!(
                            "{} parameter `{}`: type `{}` → `{}`",
                            p.location, p.wire, q.ty, p.ty
                        ),
                    ));
                }
                if q.rust != p.rust {
                    out.push(change(
                        Level::Major,
                        format!(
                            "{} parameter `{}` renamed in Rust from `{}` to `{}`",
                            p.location, p.wire, q.rust, p.rust
                        ),
                    ));
                }
            }
        }
    }
    for (k, p) in &old_params {
        if !new_params.contains_key(k) {
            out.push(change(
                Level::Major,
                format!(
                    "{} parameter `{}` removed ({} `{}`)",
                    p.location,
                    p.wire,
                    if p.required { "argument" } else { "setter" },
                    p.rust
                ),
            ));
        }
    }
}

/// The request body.
fn body_changes(o: &surface::Operation, n: &surface::Operation, out: &mut Vec<Change>) {
    match (&o.body, &n.body) {
        (None, None) => {}
        (None, Some(b)) => out.push(change(
            if b.required {
                Level::Major
            } else {
                Level::Minor
            },
            format!(
                "new {} request body `{}`",
                if b.required { "required" } else { "optional" },
                b.ty
            ),
        )),
        (Some(b), None) => out.push(change(
            Level::Major,
            format!("request body `{}` removed", b.ty),
        )),
        (Some(a), Some(b)) => {
            if a.ty != b.ty {
                out.push(change(
                    Level::Major,
                    format!("request body type `{}` → `{}`", a.ty, b.ty),
                ));
            }
            if a.required != b.required {
                out.push(change(
                    Level::Major,
                    format!(
                        "request body is now {}",
                        if b.required { "required" } else { "optional" }
                    ),
                ));
            }
            if a.media != b.media {
                out.push(change(
                    Level::Patch,
                    format!(
                        "request body sent as `{}` instead of `{}`",
                        b.media, a.media
                    ),
                ));
            }
            if a.flat != b.flat {
                out.push(change(
                    Level::Major,
                    "the body's arguments and setters changed",
                ));
            }
        }
    }
}

/// The success and error types, and the documented statuses.
fn answer_changes(o: &surface::Operation, n: &surface::Operation, out: &mut Vec<Change>) {
    if o.success != n.success {
        out.push(change(
            Level::Major,
            format!("success type `{}` → `{}`", o.success, n.success),
        ));
    }
    match (&o.events, &n.events) {
        (None, Some(t)) => out.push(change(
            Level::Minor,
            format!("`send_events` added (events of `{t}`)"),
        )),
        (Some(a), b) if Some(a) != b.as_ref() => out.push(change(
            Level::Major,
            match b {
                Some(b) => format!("event type `{a}` → `{b}`"),
                None => "`send_events` removed".to_string(),
            },
        )),
        _ => {}
    }
    if o.error_type != n.error_type {
        out.push(change(
            Level::Major,
            format!("error type `{}` → `{}`", o.error_type, n.error_type),
        ));
    }
    let statuses = |a: &[String], b: &[String], what: &str, out: &mut Vec<Change>| {
        for s in b.iter().filter(|s| !a.contains(s)) {
            out.push(change(Level::Patch, format!("{what} status {s} added")));
        }
        for s in a.iter().filter(|s| !b.contains(s)) {
            out.push(change(Level::Patch, format!("{what} status {s} removed")));
        }
    };
    let text = |v: &[u16]| v.iter().map(u16::to_string).collect::<Vec<_>>();
    statuses(
        &text(&o.success_statuses),
        &text(&n.success_statuses),
        "success",
        out,
    );
    statuses(&o.error_statuses, &n.error_statuses, "error", out);
}

/// The types the body and the answers reach, with what changed in them.
fn reached_type_changes(
    new: &Surface,
    n: &surface::Operation,
    changed_types: &BTreeMap<&str, &TypeEntry>,
    out: &mut Vec<Change>,
) {
    let roots = |s: &Surface, op: &surface::Operation, request: bool| -> Vec<String> {
        if request {
            op.body
                .iter()
                .map(|b| b.ty.clone())
                .chain(op.params.iter().map(|p| p.ty.clone()))
                .flat_map(|t| s.named_in(&t))
                .collect()
        } else {
            [op.success.clone(), op.error_type.clone()]
                .iter()
                .chain(op.events.iter())
                .flat_map(|t| s.named_in(t))
                .collect()
        }
    };
    // Types only the old side reached are not named here: a change of the
    // reference shows as the field or variant that now names another type.
    for (request, label) in [(true, "request"), (false, "response")] {
        let reached = reach_paths(new, &roots(new, n, request));
        for (name, path) in &reached {
            if let Some(t) = changed_types.get(name.as_str()) {
                for c in &t.changes {
                    out.push(Change {
                        via: Some(name.clone()),
                        ..change(c.level, format!("{label} {}: {}", path.join(" › "), c.what))
                    });
                }
            }
        }
    }
}

/// Every type reachable from `roots`, with the chain of names leading to it
/// (breadth first, so each chain is a shortest one), in name order.
fn reach_paths(s: &Surface, roots: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut paths: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut queue: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    for r in roots {
        if !paths.contains_key(r) {
            paths.insert(r.clone(), vec![format!("`{r}`")]);
            queue.push_back(r.clone());
        }
    }
    while let Some(name) = queue.pop_front() {
        let base = paths.get(&name).cloned().unwrap_or_default();
        for next in s.refs(&name) {
            if !paths.contains_key(&next) {
                let mut p = base.clone();
                p.push(format!("`{next}`"));
                paths.insert(next.clone(), p);
                queue.push_back(next);
            }
        }
    }
    paths
}

fn diff_types(old: &Surface, new: &Surface) -> Section<TypeEntry> {
    let mut section = Section::default();
    for (name, t) in &new.types {
        match old.types.get(name) {
            None => section.added.push(TypeEntry {
                name: name.clone(),
                direction: direction(t).into(),
                breaking: false,
                changes: Vec::new(),
            }),
            Some(o) => {
                let changes = type_changes(o, t);
                if !changes.is_empty() {
                    section.changed.push(TypeEntry {
                        name: name.clone(),
                        direction: direction(t).into(),
                        breaking: changes.iter().any(|c| c.breaking),
                        changes,
                    });
                }
            }
        }
    }
    for (name, t) in &old.types {
        if !new.types.contains_key(name) {
            section.removed.push(TypeEntry {
                name: name.clone(),
                direction: direction(t).into(),
                breaking: true,
                changes: Vec::new(),
            });
        }
    }
    section
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Struct { .. } => "struct",
        Kind::Enum { .. } => "enum",
        Kind::Alias { .. } => "alias",
        Kind::Tagged { .. } => "tagged union",
        Kind::Untagged { .. } => "untagged union",
        Kind::Choice { .. } => "choice",
        Kind::ByStatus { .. } => "set of error bodies by status",
    }
}

fn type_changes(o: &surface::Type, n: &surface::Type) -> Vec<Change> {
    let mut out = Vec::new();
    let (fa, fb) = (from_impls(&o.from), from_impls(&n.from));
    methods("conversion", &fa, &fb, &mut out);
    match (&o.kind, &n.kind) {
        (
            Kind::Struct {
                fields: a,
                extra: ea,
                new: na,
                setters: sa,
            },
            Kind::Struct {
                fields: b,
                extra: eb,
                new: nb,
                setters: sb,
            },
        ) => {
            field_changes(a, b, &mut out);
            if ea != eb {
                out.push(change(
                    Level::Major,
                    format!("unlisted members: `{ea}` → `{eb}`"),
                ));
            }
            if na != nb {
                out.push(change(
                    Level::Major,
                    format!("`new({})` → `new({})`", na.join(", "), nb.join(", ")),
                ));
            }
            methods("setter", sa, sb, &mut out);
        }
        (Kind::Enum { values: a }, Kind::Enum { values: b }) => enum_value_changes(a, b, &mut out),
        (Kind::Alias { target: a }, Kind::Alias { target: b }) => {
            if a != b {
                out.push(change(Level::Major, format!("alias of `{a}` → `{b}`")));
            }
        }
        (
            Kind::Tagged {
                tag: ta,
                variants: a,
                accessors: xa,
                constructors: ca,
                setters: sa,
            },
            Kind::Tagged {
                tag: tb,
                variants: b,
                accessors: xb,
                constructors: cb,
                setters: sb,
            },
        ) => {
            if ta != tb {
                out.push(change(Level::Major, format!("tag member `{ta}` → `{tb}`")));
            }
            variants(a, b, &mut out);
            methods("accessor", xa, xb, &mut out);
            methods("constructor", ca, cb, &mut out);
            methods("setter", sa, sb, &mut out);
        }
        (Kind::Untagged { variants: a }, Kind::Untagged { variants: b })
        | (Kind::Choice { variants: a }, Kind::Choice { variants: b })
        | (Kind::ByStatus { variants: a }, Kind::ByStatus { variants: b }) => {
            variants(a, b, &mut out)
        }
        (a, b) => out.push(change(
            Level::Major,
            format!("now a {} (was a {})", kind_name(b), kind_name(a)),
        )),
    }
    out
}

/// Fields, by JSON member.
fn field_changes(a: &[surface::Field], b: &[surface::Field], out: &mut Vec<Change>) {
    let old_fields: BTreeMap<&str, &surface::Field> =
        a.iter().map(|f| (f.wire.as_str(), f)).collect();
    let new_fields: BTreeMap<&str, &surface::Field> =
        b.iter().map(|f| (f.wire.as_str(), f)).collect();
    for f in b {
        match old_fields.get(f.wire.as_str()) {
            None => {
                // Structs are `#[non_exhaustive]`: no caller builds one
                // with a literal, so a field alone breaks nothing (a
                // required one changes `new`, which `type_changes` reports).
                let optional = f.ty.starts_with("Option<");
                out.push(change(
                    Level::Minor,
                    format!(
                        "field `{}` added ({}, `{}`)",
                        f.rust,
                        if optional { "optional" } else { "required" },
                        f.ty
                    ),
                ));
            }
            Some(g) => {
                if g.ty != f.ty {
                    out.push(change(
                        Level::Major,
                        format!("field `{}`: type `{}` → `{}`", f.rust, g.ty, f.ty),
                    ));
                }
                if g.rust != f.rust {
                    out.push(change(
                        Level::Major,
                        format!(
                            "field for `{}` renamed from `{}` to `{}`",
                            f.wire, g.rust, f.rust
                        ),
                    ));
                }
                if g.required != f.required && g.ty == f.ty {
                    // Same Rust type (a constant or a nullable member):
                    // only what a decoder accepts changed.
                    out.push(change(
                        Level::Patch,
                        format!(
                            "field `{}` is now {}",
                            f.rust,
                            if f.required { "required" } else { "optional" }
                        ),
                    ));
                }
            }
        }
    }
    for f in a {
        if !new_fields.contains_key(f.wire.as_str()) {
            out.push(change(Level::Major, format!("field `{}` removed", f.rust)));
        }
    }
}

/// Enum values, by wire spelling.
fn enum_value_changes(a: &[surface::Value], b: &[surface::Value], out: &mut Vec<Change>) {
    for v in b.iter().filter(|v| !a.iter().any(|w| w.wire == v.wire)) {
        out.push(change(
            Level::Minor,
            format!("enum value `{}` added (variant `{}`)", v.wire, v.rust),
        ));
    }
    for v in a.iter().filter(|v| !b.iter().any(|w| w.wire == v.wire)) {
        out.push(change(
            Level::Major,
            format!("enum value `{}` removed (variant `{}`)", v.wire, v.rust),
        ));
    }
    for v in b {
        if let Some(w) = a.iter().find(|w| w.wire == v.wire && w.rust != v.rust) {
            out.push(change(
                Level::Major,
                format!(
                    "enum value `{}`: variant renamed from `{}` to `{}`",
                    v.wire, w.rust, v.rust
                ),
            ));
        }
    }
}

/// `From<...>` texts of a type's conversions.
fn from_impls(from: &[String]) -> Vec<String> {
    from.iter().map(|t| format!("From<{t}>")).collect()
}

/// Methods by their signature text: a new one is an addition, one that is
/// gone (or whose signature changed) breaks its callers.
fn methods(what: &str, a: &[String], b: &[String], out: &mut Vec<Change>) {
    for m in b.iter().filter(|m| !a.contains(m)) {
        out.push(change(Level::Minor, format!("{what} `{m}` added")));
    }
    for m in a.iter().filter(|m| !b.contains(m)) {
        out.push(change(Level::Major, format!("{what} `{m}` removed")));
    }
}

fn variants(a: &[surface::Variant], b: &[surface::Variant], out: &mut Vec<Change>) {
    for v in b {
        match a.iter().find(|w| w.rust == v.rust) {
            None => out.push(change(
                Level::Minor,
                format!("variant `{}` added (`{}`)", v.rust, v.ty),
            )),
            Some(w) => {
                if w.ty != v.ty {
                    out.push(change(
                        Level::Major,
                        format!("variant `{}`: payload `{}` → `{}`", v.rust, w.ty, v.ty),
                    ));
                }
                if w.tag != v.tag {
                    out.push(change(
                        Level::Major,
                        format!(
                            "variant `{}`: tag `{}` → `{}`",
                            v.rust,
                            w.tag.as_deref().unwrap_or_default(),
                            v.tag.as_deref().unwrap_or_default()
                        ),
                    ));
                }
            }
        }
    }
    for w in a.iter().filter(|w| !b.iter().any(|v| v.rust == w.rust)) {
        out.push(change(
            Level::Major,
            format!("variant `{}` removed", w.rust),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::{Field, Type, Value};

    fn struct_type(fields: &[(&str, &str, bool)], outbound: bool) -> Type {
        Type {
            kind: Kind::Struct {
                fields: fields
                    .iter()
                    .map(|(wire, ty, required)| Field {
                        wire: (*wire).into(),
                        rust: (*wire).into(),
                        ty: (*ty).into(),
                        required: *required,
                    })
                    .collect(),
                extra: "Map<String, Value>".into(),
                new: fields
                    .iter()
                    .filter(|(_, ty, _)| !ty.starts_with("Option<"))
                    .map(|(wire, ty, _)| format!("{wire}: {ty}"))
                    .collect(),
                setters: Vec::new(),
            },
            outbound,
            inbound: !outbound,
            from: Vec::new(),
        }
    }

    #[test]
    fn a_new_required_field_breaks_new_and_an_optional_one_breaks_nothing() {
        for outbound in [true, false] {
            let old = struct_type(&[("id", "String", true)], outbound);
            let new = struct_type(&[("id", "String", true), ("to", "String", true)], outbound);
            let levels: Vec<Level> = type_changes(&old, &new).iter().map(|c| c.level).collect();
            assert_eq!(
                levels,
                [Level::Minor, Level::Major],
                "the field, then `new`"
            );
            let new = struct_type(
                &[("id", "String", true), ("x", "Option<String>", false)],
                outbound,
            );
            let levels: Vec<Level> = type_changes(&old, &new).iter().map(|c| c.level).collect();
            assert_eq!(levels, [Level::Minor]);
        }
    }

    #[test]
    fn retyped_and_removed_fields_break() {
        let old = struct_type(&[("id", "String", true), ("n", "i64", true)], false);
        let new = struct_type(&[("id", "i64", true)], false);
        let changes = type_changes(&old, &new);
        // The retyped field, the removed one, and `new`.
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert!(changes.iter().all(|c| c.breaking));
    }

    #[test]
    fn enum_values_added_are_minor_and_removed_are_major() {
        let e = |values: &[&str]| Type {
            kind: Kind::Enum {
                values: values
                    .iter()
                    .map(|v| Value {
                        wire: (*v).into(),
                        rust: v.to_uppercase(),
                    })
                    .collect(),
            },
            outbound: false,
            from: Vec::new(),
            inbound: true,
        };
        let changes = type_changes(&e(&["a", "b"]), &e(&["a", "c"]));
        let levels: Vec<Level> = changes.iter().map(|c| c.level).collect();
        assert_eq!(levels, [Level::Minor, Level::Major]);
    }

    #[test]
    fn a_dependency_or_feature_gone_is_major_and_one_added_is_minor() {
        let surface = |deps: &[(&str, &[&str])]| {
            let dependencies = deps
                .iter()
                .map(|(k, f)| (k.to_string(), f.iter().map(|f| f.to_string()).collect()))
                .collect();
            Surface {
                note: String::new(),
                format: String::new(),
                crate_name: "c".into(),
                operations: Vec::new(),
                webhook: None,
                types: BTreeMap::new(),
                dependencies,
                inbound: BTreeMap::new(),
            }
        };
        let none: Locate<'_> = &|_, _| None;
        let old = surface(&[("w", &["media", "messages"])]);
        let fewer = surface(&[("w", &["messages"])]);
        let more = surface(&[("w", &["media", "messages", "webhooks"]), ("x", &[])]);
        assert_eq!(diff(&old, &fewer, none).semver, "major");
        assert_eq!(diff(&old, &surface(&[]), none).semver, "major");
        let added = diff(&old, &more, none);
        assert_eq!(added.semver, "minor");
        assert_eq!(added.dependencies.len(), 2, "{:?}", added.dependencies);
        assert!(diff(&old, &old, none).is_empty());
    }

    #[test]
    fn a_parse_function_gone_or_retyped_is_major_and_one_added_is_minor() {
        let surface = |inbound: &[(&str, &str)]| Surface {
            note: String::new(),
            format: String::new(),
            crate_name: "c".into(),
            operations: Vec::new(),
            webhook: None,
            types: BTreeMap::new(),
            dependencies: BTreeMap::new(),
            inbound: inbound
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .collect(),
        };
        let none: Locate<'_> = &|_, _| None;
        let old = surface(&[("parse_a", "A")]);
        assert_eq!(diff(&old, &surface(&[]), none).semver, "major");
        assert_eq!(
            diff(&old, &surface(&[("parse_a", "B")]), none).semver,
            "major"
        );
        let added = diff(&old, &surface(&[("parse_a", "A"), ("parse_b", "B")]), none);
        assert_eq!(added.semver, "minor");
        assert_eq!(
            added.dependencies[0].what,
            "webhooks::parse_b added (returns `B`)"
        );
        assert!(diff(&old, &old, none).is_empty());
    }

    #[test]
    fn reach_paths_are_shortest_and_in_name_order() {
        let mut s = Surface {
            note: crate::surface::NOTE.into(),
            format: crate::surface::FORMAT.into(),
            crate_name: "c".into(),
            operations: Vec::new(),
            webhook: None,
            types: BTreeMap::new(),
            dependencies: BTreeMap::new(),
            inbound: BTreeMap::new(),
        };
        s.types.insert(
            "A".into(),
            struct_type(&[("b", "B", true), ("c", "Vec<C>", true)], true),
        );
        s.types
            .insert("B".into(), struct_type(&[("c", "Option<C>", false)], true));
        s.types.insert("C".into(), struct_type(&[], true));
        let paths = reach_paths(&s, &["A".to_string()]);
        assert_eq!(paths["C"], ["`A`", "`C`"]);
        assert_eq!(paths["B"], ["`A`", "`B`"]);
    }
}
