//! Documentation attributes from spec descriptions.

use proc_macro2::TokenStream;
use quote::quote;

/// Outer `#[doc]` attributes, one per line of `text` (spec prose, sanitised).
pub fn outer(text: &str) -> TokenStream {
    let lines = lines(text, true);
    quote! { #( #[doc = #lines] )* }
}

/// Outer `#[doc]` attributes for text the generator writes itself, whose
/// links are meant as links.
pub fn own(text: &str) -> TokenStream {
    let lines = lines(text, false);
    quote! { #( #[doc = #lines] )* }
}

/// Inner `#![doc]` attributes for text the generator writes itself.
pub fn own_inner(text: &str) -> TokenStream {
    let lines = lines(text, false);
    quote! { #( #![doc = #lines] )* }
}

/// Outer doc attributes from an optional description, with a fallback.
pub fn or(text: Option<&str>, fallback: &str) -> TokenStream {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => outer(t),
        None => outer(fallback),
    }
}

/// Splits text into doc lines, each starting with a space, and makes text that
/// rustdoc would misread literal: bare URLs become autolinks, and square
/// brackets are escaped so they are not taken for intra-doc links.
fn lines(text: &str, spec_prose: bool) -> Vec<String> {
    text.trim()
        .lines()
        .map(|l| {
            let l = l.trim_end();
            match (l.is_empty(), spec_prose) {
                (true, _) => String::new(),
                (false, true) => format!(" {}", sanitize(l)),
                (false, false) => format!(" {l}"),
            }
        })
        .collect()
}

fn sanitize(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find("http") {
        let (before, tail) = rest.split_at(pos);
        out.push_str(&escape(before));
        if tail.starts_with("https://") || tail.starts_with("http://") {
            let end = tail
                .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"' || c == '`')
                .unwrap_or(tail.len());
            let (url, after) = tail.split_at(end);
            let url = url.trim_end_matches(['.', ',', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &tail[url.len()..];
            let _ = after;
        } else {
            out.push_str("http");
            rest = &tail[4..];
        }
    }
    out.push_str(&escape(rest));
    out
}

fn escape(s: &str) -> String {
    s.replace('[', "\\[").replace(']', "\\]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_autolinks_and_brackets_are_escaped() {
        assert_eq!(
            sanitize("See https://example.com/a. Then [x]"),
            "See <https://example.com/a>. Then \\[x\\]"
        );
        assert_eq!(
            lines("a\n\nb", true),
            vec![" a".to_string(), String::new(), " b".to_string()]
        );
    }
}
