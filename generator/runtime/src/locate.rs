//! Where a decode error happened, as the path of the member that failed
//! (`entry[0].changes[0].value.messages[0].location.latitude`), found by a
//! small scan of the JSON text up to the error's position.
//!
//! A decoder that tracked paths as it went would compile every type's
//! decoder a second time; serde_json already knows the line and column of
//! an error, and the text says which members lead there.

/// The byte offset the scan stops at for an error at `line` and `column`
/// (serde_json counts both from 1, columns in bytes); the whole text when
/// the error has no position.
///
/// serde_json's position is that of the byte after the one it stopped at:
/// for an error about a value, the byte after the value (which may close
/// the object holding it), so the scan stops before it; for a missing
/// member (`closed`), the `}` of the object that lacks it, so the scan
/// takes it in and the path names that object.
pub(crate) fn offset(text: &str, line: usize, column: usize, closed: bool) -> usize {
    if line == 0 {
        return text.len();
    }
    let start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let at = if closed {
        start + column
    } else {
        (start + column).saturating_sub(1)
    };
    at.min(text.len())
}

/// One level of nesting at the scanned position.
enum Frame {
    /// An object, with the member being read (once its name was read).
    Object { key: Option<String>, naming: bool },
    /// An array, with the index of the element being read.
    Array { index: usize },
}

/// The path of the member at byte `offset` of `text` (`.` for the whole
/// value). With `container`, the path of the innermost object or array
/// open there instead (the member or element being read left out).
pub(crate) fn path_at(text: &str, offset: usize, container: bool) -> String {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut frames: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, naming: true }) = frames.last_mut() {
                    *key = Some(unescape(&text[start..i.min(bytes.len())]));
                }
            }
            b'{' => frames.push(Frame::Object {
                key: None,
                naming: true,
            }),
            b'[' => frames.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                frames.pop();
            }
            b':' => {
                if let Some(Frame::Object { naming, .. }) = frames.last_mut() {
                    *naming = false;
                }
            }
            b',' => match frames.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { naming, .. }) => *naming = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    if container {
        match frames.last_mut() {
            Some(Frame::Object { key, .. }) => *key = None,
            Some(Frame::Array { .. }) => {
                frames.pop();
            }
            None => {}
        }
    }
    let mut path = String::new();
    for frame in &frames {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => break,
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    if path.is_empty() {
        ".".to_string()
    } else {
        path
    }
}

/// A member name as written between quotes, with the usual escapes undone.
fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_string())
}

/// `outer` and a path relative to it, as one path.
pub(crate) fn join(outer: &str, inner: &str) -> String {
    match (outer, inner) {
        (".", inner) => inner.to_string(),
        (outer, ".") => outer.to_string(),
        (outer, inner) if inner.starts_with('[') => format!("{outer}{inner}"),
        (outer, inner) => format!("{outer}.{inner}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).expect("needle") + needle.len()
    }

    #[test]
    fn names_the_member_objects_and_array_elements_lead_to() {
        let text = r#"{"entry": [{"id": "1"}, {"changes": [{"value": {"location": {"latitude": "north"}}}]}]}"#;
        assert_eq!(
            path_at(text, at(text, "\"north\""), false),
            "entry[1].changes[0].value.location.latitude"
        );
        assert_eq!(
            path_at(text, at(text, "\"north\""), true),
            "entry[1].changes[0].value.location"
        );
        assert_eq!(
            path_at(text, at(text, "\"id\": \"1\""), false),
            "entry[0].id"
        );
        assert_eq!(path_at(text, 0, false), ".");
        // Inside an array element: its index is kept.
        let text = r#"{"list": [{"a": 1}, {"b": 2, "type": "x"}]}"#;
        assert_eq!(path_at(text, at(text, "\"type\": \"x\""), true), "list[1]");
        // Past a closed object: the member that holds it.
        let text = r#"{"a": {"b": 1}, "c": 2}"#;
        assert_eq!(path_at(text, at(text, "{\"b\": 1}"), false), "a");
    }

    #[test]
    fn offsets_count_lines_and_byte_columns_from_one() {
        let text = "{\n  \"a\": 1,\n  \"b\": x\n}";
        let x = text.find('x').expect("x");
        assert_eq!(offset(text, 3, 8, true), x + 1);
        assert_eq!(offset(text, 3, 8, false), x);
        assert_eq!(offset(text, 0, 0, false), text.len());
    }

    /// The positions serde_json gives its errors, read back as paths.
    #[test]
    fn serde_json_errors_are_located_at_their_member() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Place {
            latitude: f64,
            name: String,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Wrap {
            places: Vec<Place>,
        }
        let path = |text: &str| {
            let e = serde_json::from_str::<Wrap>(text).expect_err("does not decode");
            let closed = e.to_string().starts_with("missing field");
            path_at(text, offset(text, e.line(), e.column(), closed), false)
        };
        assert_eq!(
            path(
                r#"{"places": [{"latitude": 1, "name": "a"}, {"latitude": "north", "name": "b"}]}"#
            ),
            "places[1].latitude"
        );
        assert_eq!(
            path(r#"{"places": [{"name": "a", "latitude": "north"}]}"#),
            "places[0].latitude"
        );
        assert_eq!(path(r#"{"places": [{"latitude": 1}]}"#), "places[0]");
        assert_eq!(path(r#"{"places": 5}"#), "places");
        assert_eq!(path(r#"{}"#), ".");
    }

    #[test]
    fn escaped_names_and_strings_with_brackets_are_read_whole() {
        let text = r#"{"a\"b": {"c": "[{,"}, "d": 5}"#;
        assert_eq!(path_at(text, at(text, "\"d\": 5"), false), "d");
        assert_eq!(path_at(text, at(text, "\"[{,\""), false), "a\"b.c");
    }

    #[test]
    fn joins_paths() {
        assert_eq!(join(".", "a"), "a");
        assert_eq!(join("a", "."), "a");
        assert_eq!(join("a", "[0].b"), "a[0].b");
        assert_eq!(join("a", "b"), "a.b");
    }
}
