//! Which fragment covers each operation of a reference document.
//!
//! Operations are matched by method and path template, with parameter names
//! normalised (`{Phone-Number-ID}` and `{phone_number_id}` are the same) but
//! kept: `/{Version}/{WABA-ID}` and `/{Version}/{Business-ID}` are different
//! operations.

use std::collections::BTreeMap;

use crate::load::Fragment;

/// One operation of the reference, and the fragment covering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The HTTP method.
    pub method: String,
    /// The path template as the reference writes it.
    pub path: String,
    /// The reference's operationId.
    pub operation_id: Option<String>,
    /// The fragment that covers it, if any.
    pub fragment: Option<String>,
}

/// The coverage of a reference by a set of fragments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Every operation of the reference, sorted by path and method.
    pub rows: Vec<Row>,
    /// Operations of the fragments the reference lacks (from the seed pages).
    pub fragment_only: Vec<Row>,
}

/// `{Phone-Number-ID}` → `{phonenumberid}`; literal parts unchanged.
pub fn normalize_path(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push(c);
            }
            '}' => {
                in_param = false;
                out.push(c);
            }
            c if in_param => {
                if c.is_ascii_alphanumeric() {
                    out.push(c.to_ascii_lowercase());
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn operations(fragment: &Fragment) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for (path, item) in &fragment.doc.paths.paths {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
            ("HEAD", &item.head),
            ("OPTIONS", &item.options),
        ] {
            if let Some(op) = op {
                out.push((method.to_string(), path.clone(), op.operation_id.clone()));
            }
        }
    }
    out
}

/// Which fragment covers an operation (method and path template), by the
/// same matching as [`coverage`]: for "where to edit" in change reports.
pub fn locator(fragments: &[Fragment]) -> impl Fn(&str, &str) -> Option<String> + use<> {
    let mut ours: BTreeMap<(String, String), String> = BTreeMap::new();
    for f in fragments {
        let name = f.path.to_string_lossy().replace('\\', "/");
        for (method, path, _) in operations(f) {
            ours.entry((method, normalize_path(&path)))
                .or_insert(name.clone());
        }
    }
    // An operation no fragment has yet belongs with the others of its path.
    move |method: &str, path: &str| {
        let path = normalize_path(path);
        ours.get(&(method.to_string(), path.clone()))
            .cloned()
            .or_else(|| {
                ours.iter()
                    .find(|((_, p), _)| *p == path)
                    .map(|(_, fragment)| fragment.clone())
            })
    }
}

/// Matches every operation of `reference` with the fragment covering it.
pub fn coverage(reference: &Fragment, fragments: &[Fragment]) -> Coverage {
    let mut ours: BTreeMap<(String, String), (String, String, Option<String>)> = BTreeMap::new();
    for f in fragments {
        let name = f.path.to_string_lossy().replace('\\', "/");
        for (method, path, id) in operations(f) {
            ours.entry((method.clone(), normalize_path(&path)))
                .or_insert((name.clone(), path, id));
        }
    }
    let mut rows = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (method, path, operation_id) in operations(reference) {
        let key = (method.clone(), normalize_path(&path));
        let fragment = ours.get(&key).map(|(f, _, _)| f.clone());
        seen.insert(key);
        rows.push(Row {
            method,
            path,
            operation_id,
            fragment,
        });
    }
    rows.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    let fragment_only = ours
        .into_iter()
        .filter(|(key, _)| !seen.contains(key))
        .map(|((method, _), (fragment, path, operation_id))| Row {
            method,
            path,
            operation_id,
            fragment: Some(fragment),
        })
        .collect();
    Coverage {
        rows,
        fragment_only,
    }
}

impl Coverage {
    /// The operations no fragment covers.
    pub fn uncovered(&self) -> Vec<&Row> {
        self.rows.iter().filter(|r| r.fragment.is_none()).collect()
    }

    /// A plain-text table: one line per operation, then a summary.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for r in &self.rows {
            out.push_str(&format!(
                "{:<7} {:<70} {:<45} {}\n",
                r.method,
                r.path,
                r.operation_id.as_deref().unwrap_or("(no operationId)"),
                r.fragment.as_deref().unwrap_or("NOT COVERED")
            ));
        }
        for r in &self.fragment_only {
            out.push_str(&format!(
                "{:<7} {:<70} {:<45} {} (not in the reference)\n",
                r.method,
                r.path,
                r.operation_id.as_deref().unwrap_or("(no operationId)"),
                r.fragment.as_deref().unwrap_or_default()
            ));
        }
        out.push_str(&format!(
            "{} operations in the reference, {} covered, {} not covered; {} operations only in the fragments\n",
            self.rows.len(),
            self.rows.len() - self.uncovered().len(),
            self.uncovered().len(),
            self.fragment_only.len()
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_are_normalised_but_kept() {
        assert_eq!(
            normalize_path("/{Version}/{Phone-Number-ID}/x"),
            "/{version}/{phonenumberid}/x"
        );
        assert_eq!(
            normalize_path("/{version}/{phone_number_id}/x"),
            "/{version}/{phonenumberid}/x"
        );
        assert_ne!(
            normalize_path("/{Version}/{WABA-ID}"),
            normalize_path("/{Version}/{Business-ID}")
        );
    }
}
