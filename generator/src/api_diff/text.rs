//! The change report for people: signal first.
//!
//! A summary line; then the breaking changes and the others, each group by
//! operations and then types. A change of a type is listed once, with the
//! type and the operations that reach it, not again under every operation;
//! a change that many operations share (an error status added everywhere)
//! is one line with the count.

use std::collections::BTreeMap;

use super::{Change, Level, OperationEntry, Report};

/// Which changes the text shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Only {
    /// Every change.
    #[default]
    All,
    /// Only the breaking ones.
    Breaking,
    /// Only additions: new operations, types, fields, values (no fixes).
    Additions,
}

/// A change shared by at least this many operations is one line.
const COLLAPSE_AT: usize = 3;

/// How many names a list shows before "and N more".
const NAMES_SHOWN: usize = 3;

impl Report {
    /// The report for people, every change shown.
    pub fn to_text(&self, title: &str) -> String {
        self.to_text_only(title, Only::All)
    }

    /// The report for people, showing only the changes `only` selects.
    pub fn to_text_only(&self, title: &str, only: Only) -> String {
        let mut out = self.summary(title);
        if let Some(b) = &self.baseline {
            out.push_str(&format!(
                "Baseline {}: {} accepted differences left out, {} no longer there.\n",
                b.file,
                b.accepted,
                b.gone.len()
            ));
        }
        let groups: &[(&str, bool)] = match only {
            Only::All => &[("Breaking", true), ("Not breaking", false)],
            Only::Breaking => &[("Breaking", true)],
            Only::Additions => &[("Additions", false)],
        };
        for (heading, breaking) in groups {
            let keep = |c: &Change| {
                c.breaking == *breaking && !(only == Only::Additions && c.level == Level::Patch)
            };
            let group = self.group(*breaking, &keep);
            if !group.is_empty() {
                out.push_str(&format!("{heading}:\n{group}"));
            }
        }
        if let Some(b) = self.baseline.as_ref().filter(|b| !b.gone.is_empty()) {
            if only == Only::All {
                out.push_str("No longer different (accepted in the baseline, now gone):\n");
                for key in &b.gone {
                    out.push_str(&format!("  - {key}\n"));
                }
            }
        }
        out
    }

    fn summary(&self, title: &str) -> String {
        if self.is_empty() {
            return format!("{title}: no API changes\n");
        }
        let breaking_ops = self.operations.removed.len()
            + self
                .operations
                .changed
                .iter()
                .filter(|o| o.breaking)
                .count();
        let breaking_types = self.types.removed.len()
            + self.renamed.len()
            + self.types.changed.iter().filter(|t| t.breaking).count()
            + self.dependencies.iter().filter(|c| c.breaking).count();
        format!(
            "{title}: semver {} ({} operations added, {} removed, {} changed; {} types added, {} removed, {} renamed, {} changed; {} breaking)\n",
            self.semver,
            self.operations.added.len(),
            self.operations.removed.len(),
            self.operations.changed.len(),
            self.types.added.len(),
            self.types.removed.len(),
            self.renamed.len(),
            self.types.changed.len(),
            breaking_ops + breaking_types,
        )
    }

    /// One group (breaking or not) of the report.
    fn group(&self, breaking: bool, keep: &dyn Fn(&Change) -> bool) -> String {
        let mut out = String::new();
        let (ops, types, verb) = if breaking {
            (&self.operations.removed, &self.types.removed, "removed")
        } else {
            (&self.operations.added, &self.types.added, "added")
        };
        for o in ops {
            out.push_str(&op_line(o, verb));
        }
        // The operations' own changes (not those of the types they reach);
        // a change many operations share is one line.
        let mut shared: BTreeMap<&str, Vec<&OperationEntry>> = BTreeMap::new();
        for o in &self.operations.changed {
            for c in own_changes(o, keep) {
                shared.entry(c.what.as_str()).or_default().push(o);
            }
        }
        shared.retain(|_, ops| ops.len() >= COLLAPSE_AT);
        for o in &self.operations.changed {
            let lines: Vec<&Change> = own_changes(o, keep)
                .into_iter()
                .filter(|c| !shared.contains_key(c.what.as_str()))
                .collect();
            if !lines.is_empty() {
                out.push_str(&op_line(o, "changed"));
                for c in lines {
                    out.push_str(&format!("      - {}\n", c.what));
                }
            }
        }
        for (what, ops) in &shared {
            let names: Vec<&str> = ops.iter().map(|o| o.rust_method.as_str()).collect();
            out.push_str(&format!(
                "  changed in {} operations ({}):\n      - {what}\n",
                ops.len(),
                names_list(&names)
            ));
        }
        for t in types {
            out.push_str(&format!("  type {verb} `{}` ({})\n", t.name, t.direction));
        }
        for c in self
            .dependencies
            .iter()
            .filter(|c| c.breaking == breaking && keep(c))
        {
            out.push_str(&format!("  {}\n", c.what));
        }
        if breaking {
            for r in &self.renamed {
                out.push_str(&format!(
                    "  type renamed `{}` → `{}` ({})\n",
                    r.from, r.to, r.direction
                ));
            }
        }
        for t in &self.types.changed {
            let lines: Vec<&Change> = t.changes.iter().filter(|c| keep(c)).collect();
            if lines.is_empty() {
                continue;
            }
            let reached: Vec<&str> = self
                .operations
                .changed
                .iter()
                .filter(|o| o.changes.iter().any(|c| c.via.as_deref() == Some(&t.name)))
                .map(|o| o.rust_method.as_str())
                .collect();
            let reach = if reached.is_empty() {
                String::new()
            } else {
                format!(", reached by {}", names_list(&reached))
            };
            out.push_str(&format!(
                "  type changed `{}` ({}{reach})\n",
                t.name, t.direction
            ));
            for c in lines {
                out.push_str(&format!("      - {}\n", c.what));
            }
        }
        out
    }
}

/// An operation's own changes (not those of the types it reaches) that
/// `keep` selects.
fn own_changes<'o>(o: &'o OperationEntry, keep: &dyn Fn(&Change) -> bool) -> Vec<&'o Change> {
    o.changes
        .iter()
        .filter(|c| c.via.is_none() && keep(c))
        .collect()
}

fn op_line(o: &OperationEntry, what: &str) -> String {
    let mut line = format!(
        "  {what} {} {} ({}, `{}`)",
        o.method, o.path, o.operation_id, o.rust_method
    );
    if let Some(f) = &o.fragment {
        line.push_str(&format!(" [edit specs/{f}]"));
    }
    line.push('\n');
    line
}

/// `` `a`, `b`, `c` `` or `` `a`, `b`, `c` and 4 more ``.
fn names_list(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(NAMES_SHOWN)
        .map(|n| format!("`{n}`"))
        .collect();
    match names.len().saturating_sub(NAMES_SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_diff::{Section, TypeEntry, change};

    fn op(name: &str, changes: Vec<Change>) -> OperationEntry {
        OperationEntry {
            method: "GET".into(),
            path: format!("/{name}"),
            operation_id: name.into(),
            rust_method: name.into(),
            fragment: None,
            breaking: changes.iter().any(|c| c.breaking),
            changes,
        }
    }

    fn report(ops: Vec<OperationEntry>, types: Vec<TypeEntry>) -> Report {
        Report {
            operations: Section {
                added: Vec::new(),
                removed: Vec::new(),
                changed: ops,
            },
            types: Section {
                added: Vec::new(),
                removed: Vec::new(),
                changed: types,
            },
            renamed: Vec::new(),
            dependencies: Vec::new(),
            semver: "major".into(),
            baseline: None,
        }
    }

    #[test]
    fn a_change_many_operations_share_is_one_line() {
        let status = || change(Level::Patch, "error status 400 added");
        let r = report(
            (0..5)
                .map(|i| op(&format!("op{i}"), vec![status()]))
                .collect(),
            Vec::new(),
        );
        let text = r.to_text("t");
        assert_eq!(text.matches("error status 400 added").count(), 1, "{text}");
        assert!(
            text.contains("changed in 5 operations (`op0`, `op1`, `op2` and 2 more)"),
            "{text}"
        );
    }

    #[test]
    fn a_type_change_is_listed_once_with_the_operations_that_reach_it() {
        let via = |what: &str| Change {
            via: Some("Thing".into()),
            ..change(Level::Major, format!("response `Thing`: {what}"))
        };
        let r = report(
            vec![
                op("a", vec![via("field `x` removed")]),
                op("b", vec![via("field `x` removed")]),
            ],
            vec![TypeEntry {
                name: "Thing".into(),
                direction: "response".into(),
                breaking: true,
                changes: vec![change(Level::Major, "field `x` removed")],
            }],
        );
        let text = r.to_text("t");
        assert_eq!(text.matches("field `x` removed").count(), 1, "{text}");
        assert!(
            text.contains("type changed `Thing` (response, reached by `a`, `b`)"),
            "{text}"
        );
        // Only the additions: nothing here is one.
        assert!(!r.to_text_only("t", Only::Additions).contains("field"));
        assert!(
            r.to_text_only("t", Only::Breaking)
                .contains("field `x` removed")
        );
    }
}
