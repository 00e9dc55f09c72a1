//! Rules about the generator's own code that review alone would not keep.

use std::path::{Path, PathBuf};

use codegen_tests::workspace_root;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// The longest a function of the generator may be, in lines: long enough for
/// a `quote!` template, short enough to read at once.
const LONGEST_FUNCTION: usize = 150;

/// Collects every function and method with its first line and length.
struct Functions {
    found: Vec<(String, usize, usize)>,
}

impl Functions {
    fn record(&mut self, name: &syn::Ident, span: proc_macro2::Span) {
        let (start, end) = (span.start().line, span.end().line);
        self.found.push((name.to_string(), start, end + 1 - start));
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.record(&f.sig.ident, f.span());
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.record(&f.sig.ident, f.span());
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.record(&f.sig.ident, f.span());
        syn::visit::visit_trait_item_fn(self, f);
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn long_functions(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    let mut long = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read source");
        let file = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        let mut functions = Functions { found: Vec::new() };
        functions.visit_file(&file);
        for (name, line, length) in functions.found {
            if length > LONGEST_FUNCTION {
                long.push(format!(
                    "{}:{line} `{name}`: {length} lines",
                    path.display()
                ));
            }
        }
    }
    long
}

#[test]
fn no_generator_function_is_longer_than_the_limit() {
    let long = long_functions(&workspace_root().join("generator/src"));
    assert!(
        long.is_empty(),
        "split these along their steps (at most {LONGEST_FUNCTION} lines each):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_length_rule_sees_a_long_function() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "    let _ = 1;\n".repeat(LONGEST_FUNCTION);
    std::fs::write(
        dir.path().join("long.rs"),
        format!("fn short() {{}}\nimpl S {{\n    fn long() {{\n{body}    }}\n}}\n"),
    )
    .expect("write");
    let long = long_functions(dir.path());
    assert_eq!(long.len(), 1, "{long:?}");
    assert!(long[0].contains("`long`"), "{long:?}");
}
