//! Accepted differences: the fragments differ from Meta's reference on
//! purpose (they follow the live API, they name types differently), so a
//! comparison of the two is mostly known differences. A baseline, checked
//! in beside the fragments (`specs/<fragments>.accepted.json`, written by
//! `cargo xtask api-diff ... --accept`), lists each accepted difference as
//! one line; a later comparison leaves those out and shows what is new, and
//! which accepted differences are gone.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{BaselineSummary, Change, Report};

/// The format marker of a baseline file.
pub const FORMAT: &str = "fragment-codegen api-diff baseline 1";

/// The note at the top of every baseline file.
pub const NOTE: &str = "Differences between these fragments and the reference they were compared with that are accepted on purpose, one per line; written by `cargo xtask api-diff FRAGMENTS REFERENCE --accept`. A comparison with this baseline shows only what is not listed here.";

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// [`NOTE`].
    pub note: String,
    /// [`FORMAT`].
    pub format: String,
    /// What was compared (for people).
    pub compared: String,
    /// Every accepted difference, as its key, sorted.
    pub accepted: Vec<String>,
}

impl Baseline {
    /// The baseline that accepts every difference of `report`.
    pub fn of(report: &Report, compared: &str) -> Baseline {
        Baseline {
            note: NOTE.into(),
            format: FORMAT.into(),
            compared: compared.into(),
            accepted: keys(report).into_iter().collect(),
        }
    }

    /// The file's text: pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a baseline; an error says why the text is not one.
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline =
            serde_json::from_str(text).map_err(|e| format!("not a baseline: {e}"))?;
        if baseline.format != FORMAT {
            return Err(format!(
                "a baseline of another format (`{}`, expected `{FORMAT}`); write it again with `--accept`",
                baseline.format
            ));
        }
        Ok(baseline)
    }
}

fn op_key(verb: &str, o: &super::OperationEntry) -> String {
    format!(
        "operation {verb}: {} {} ({})",
        o.method, o.path, o.operation_id
    )
}

fn change_key(prefix: &str, c: &Change) -> String {
    format!("{prefix}: {}", c.what)
}

/// Every difference of a report, each as the one line that names it.
pub fn keys(report: &Report) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ops = &report.operations;
    out.extend(ops.added.iter().map(|o| op_key("added", o)));
    out.extend(ops.removed.iter().map(|o| op_key("removed", o)));
    for o in &ops.changed {
        let prefix = op_key("changed", o);
        out.extend(o.changes.iter().map(|c| change_key(&prefix, c)));
    }
    out.extend(
        report
            .types
            .added
            .iter()
            .map(|t| format!("type added: {}", t.name)),
    );
    out.extend(
        report
            .types
            .removed
            .iter()
            .map(|t| format!("type removed: {}", t.name)),
    );
    out.extend(
        report
            .renamed
            .iter()
            .map(|r| format!("type renamed: {} → {}", r.from, r.to)),
    );
    for t in &report.types.changed {
        let prefix = format!("type changed: {}", t.name);
        out.extend(t.changes.iter().map(|c| change_key(&prefix, c)));
    }
    out
}

/// Leaves out of `report` the differences `baseline` accepts, notes how
/// many, and lists the accepted ones that are gone; the semver verdict is
/// then that of what is left.
pub fn apply(report: &mut Report, baseline: &Baseline, file: &str) {
    let accepted: BTreeSet<&str> = baseline.accepted.iter().map(String::as_str).collect();
    let present = keys(report);
    let gone: Vec<String> = baseline
        .accepted
        .iter()
        .filter(|k| !present.contains(*k))
        .cloned()
        .collect();
    let left_out = present
        .iter()
        .filter(|k| accepted.contains(k.as_str()))
        .count();
    let is_new = |key: &str| !accepted.contains(key);

    let ops = &mut report.operations;
    ops.added.retain(|o| is_new(&op_key("added", o)));
    ops.removed.retain(|o| is_new(&op_key("removed", o)));
    for o in &mut ops.changed {
        let prefix = op_key("changed", o);
        o.changes.retain(|c| is_new(&change_key(&prefix, c)));
        o.breaking = o.changes.iter().any(|c| c.breaking);
    }
    ops.changed.retain(|o| !o.changes.is_empty());
    let types = &mut report.types;
    types
        .added
        .retain(|t| is_new(&format!("type added: {}", t.name)));
    types
        .removed
        .retain(|t| is_new(&format!("type removed: {}", t.name)));
    report
        .renamed
        .retain(|r| is_new(&format!("type renamed: {} → {}", r.from, r.to)));
    for t in &mut types.changed {
        let prefix = format!("type changed: {}", t.name);
        t.changes.retain(|c| is_new(&change_key(&prefix, c)));
        t.breaking = t.changes.iter().any(|c| c.breaking);
    }
    types.changed.retain(|t| !t.changes.is_empty());
    report.semver = report
        .level()
        .map_or("none", super::Level::name)
        .to_string();
    report.baseline = Some(BaselineSummary {
        file: file.into(),
        accepted: left_out,
        gone,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_diff::{Level, OperationEntry, Section, TypeEntry, change};

    fn report(field_changes: &[&str]) -> Report {
        Report {
            operations: Section {
                added: vec![OperationEntry {
                    method: "GET".into(),
                    path: "/a".into(),
                    operation_id: "getA".into(),
                    rust_method: "get_a".into(),
                    fragment: None,
                    breaking: false,
                    changes: Vec::new(),
                }],
                removed: Vec::new(),
                changed: Vec::new(),
            },
            types: Section {
                added: Vec::new(),
                removed: Vec::new(),
                changed: vec![TypeEntry {
                    name: "Thing".into(),
                    direction: "response".into(),
                    breaking: true,
                    changes: field_changes
                        .iter()
                        .map(|w| change(Level::Major, *w))
                        .collect(),
                }],
            },
            renamed: Vec::new(),
            dependencies: Vec::new(),
            semver: "major".into(),
            baseline: None,
        }
    }

    #[test]
    fn only_what_the_baseline_does_not_accept_is_left() {
        let accepted = Baseline::of(&report(&["field `a` removed", "field `b` removed"]), "x");
        let round = Baseline::from_json(&accepted.to_json()).expect("reads back");
        assert_eq!(round, accepted);
        let mut now = report(&["field `a` removed", "field `c` removed"]);
        apply(&mut now, &accepted, "x.json");
        assert!(now.operations.added.is_empty());
        let whats: Vec<&str> = now.types.changed[0]
            .changes
            .iter()
            .map(|c| c.what.as_str())
            .collect();
        assert_eq!(whats, ["field `c` removed"]);
        let summary = now.baseline.as_ref().expect("summary");
        assert_eq!(summary.accepted, 2);
        assert_eq!(summary.gone, ["type changed: Thing: field `b` removed"]);
        assert_eq!(now.semver, "major");

        let mut same = report(&["field `a` removed", "field `b` removed"]);
        apply(&mut same, &accepted, "x.json");
        assert!(same.is_empty());
        assert_eq!(same.semver, "none");
    }
}
