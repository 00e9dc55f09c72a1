//! Rust names for spec names.
//!
//! Names from the spec are kept where they already are valid, lint-clean Rust
//! names (so `GraphAPIError` stays `GraphAPIError`); anything else is converted
//! with `heck`, and the original spelling is kept on the wire through
//! `#[serde(rename)]`.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Names a generated type may not take: they would shadow the prelude names the
/// generated code relies on.
const RESERVED_TYPES: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Eq",
    "Err",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Self",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Vec",
];

/// Rust keywords (strict and reserved, 2024 edition).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// True for an UpperCamelCase identifier the generated code can use as a type.
pub fn is_type_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && !RESERVED_TYPES.contains(&s)
}

/// True for a snake_case identifier that is not a keyword.
pub fn is_snake_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s != "_"
        && !KEYWORDS.contains(&s)
}

/// The Rust type name for a spec name: kept when valid, converted otherwise.
pub fn type_name(original: &str) -> String {
    if is_type_ident(original) {
        return original.to_string();
    }
    let mut name = original.to_upper_camel_case();
    name.retain(|c| c.is_ascii_alphanumeric());
    if name.is_empty() {
        name = "Unnamed".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Type");
    }
    name
}

/// The UpperCamelCase suffix an inline schema adds to its parent's name.
pub fn type_suffix(part: &str) -> String {
    let mut s = part.to_upper_camel_case();
    s.retain(|c| c.is_ascii_alphanumeric());
    if s.is_empty() { "Value".to_string() } else { s }
}

/// A snake_case Rust identifier for a field, parameter or method.
pub fn snake_ident(original: &str) -> String {
    let mut name = original.to_snake_case();
    name.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() {
        name = "value".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
        name.insert(1, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// [`snake_ident`], with the configured words kept whole: with `WhatsApp` in
/// `words`, `getWhatsAppBusinessProfile` is `get_whatsapp_business_profile`,
/// not `get_whats_app_business_profile`.
pub fn snake_ident_with(original: &str, words: &[String]) -> String {
    let mut text = original.to_string();
    for word in words {
        let mut whole: String = word.chars().take(1).collect();
        whole.push_str(&word.chars().skip(1).collect::<String>().to_lowercase());
        text = text.replace(word.as_str(), &whole);
    }
    snake_ident(&text)
}

/// An UpperCamelCase enum variant name for an enum value.
pub fn variant_name(value: &str) -> String {
    let mut name = value.to_upper_camel_case();
    name.retain(|c| c.is_ascii_alphanumeric());
    if name.is_empty() {
        name = "Empty".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" {
        name.push_str("Value");
    }
    name
}

/// The name of every catch-all variant: the one that keeps an enum value, a
/// union tag or a union value this version of the spec does not list
/// (`Vertical::Unrecognized(String)`, `IncomingMessage::Unrecognized { tag,
/// value }`, `ErrorKind::Unrecognized { code, subcode }`). It is reserved
/// before the spec's own values are named, so a spec value that would take
/// it is the one that gets a number (`Unrecognized2`); the catch-all name
/// never changes.
pub const CATCH_ALL: &str = "Unrecognized";

/// A fresh name set for the variants of one enum or union, with
/// [`CATCH_ALL`] reserved.
pub fn variant_names() -> BTreeSet<String> {
    BTreeSet::from([CATCH_ALL.to_string()])
}

/// The variant name of a status: the reason phrase of a common status
/// (`Created`, `NotFound`), else `Status418`; `Success2xx`, `Client4xx`,
/// `Server5xx` for a range, `Other` for `default`.
pub fn status_variant(status: crate::ir::StatusMatch) -> String {
    use crate::ir::StatusMatch;
    let phrase = |code: u16| match code {
        200 => Some("Ok"),
        201 => Some("Created"),
        202 => Some("Accepted"),
        203 => Some("NonAuthoritative"),
        204 => Some("NoContent"),
        206 => Some("PartialContent"),
        400 => Some("BadRequest"),
        401 => Some("Unauthorized"),
        402 => Some("PaymentRequired"),
        403 => Some("Forbidden"),
        404 => Some("NotFound"),
        405 => Some("MethodNotAllowed"),
        406 => Some("NotAcceptable"),
        408 => Some("RequestTimeout"),
        409 => Some("Conflict"),
        410 => Some("Gone"),
        412 => Some("PreconditionFailed"),
        413 => Some("PayloadTooLarge"),
        415 => Some("UnsupportedMediaType"),
        422 => Some("UnprocessableEntity"),
        429 => Some("TooManyRequests"),
        500 => Some("InternalServerError"),
        501 => Some("NotImplemented"),
        502 => Some("BadGateway"),
        503 => Some("ServiceUnavailable"),
        504 => Some("GatewayTimeout"),
        _ => None,
    };
    match status {
        StatusMatch::Code(c) => phrase(c).map_or_else(|| format!("Status{c}"), str::to_string),
        StatusMatch::Range(2) => "Success2xx".into(),
        StatusMatch::Range(4) => "Client4xx".into(),
        StatusMatch::Range(5) => "Server5xx".into(),
        StatusMatch::Range(r) => format!("Status{r}xx"),
        StatusMatch::Default => "Other".into(),
    }
}

/// Makes `name` unique within `used` by appending `2`, `3`, … and records it.
pub fn unique(name: String, used: &mut BTreeSet<String>) -> String {
    if used.insert(name.clone()) {
        return name;
    }
    let mut n = 2;
    loop {
        let candidate = if name.ends_with(|c: char| c.is_ascii_digit()) {
            format!("{name}_{n}")
        } else {
            format!("{name}{n}")
        };
        if used.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_valid_type_names() {
        assert_eq!(type_name("GraphAPIError"), "GraphAPIError");
        assert_eq!(type_name("utils.ErrorResp"), "UtilsErrorResp");
        assert_eq!(
            type_name("whatsapp_business_encryption.BusinessEncryptionInfo"),
            "WhatsappBusinessEncryptionBusinessEncryptionInfo"
        );
        assert_eq!(type_name("Result"), "ResultType");
        assert_eq!(type_name("3ds"), "T3ds");
    }

    #[test]
    fn snake_and_variant_names() {
        assert_eq!(snake_ident("Phone-Number-ID"), "phone_number_id");
        assert_eq!(snake_ident("type"), "type_");
        assert_eq!(snake_ident("2fa"), "n_2fa");
        assert_eq!(variant_name("VALID"), "Valid");
        assert_eq!(variant_name("EVENT_PLAN"), "EventPlan");
        assert_eq!(variant_name("1"), "V1");
        assert_eq!(variant_name(""), "Empty");
    }

    #[test]
    fn configured_words_stay_whole() {
        let words = vec!["WhatsApp".to_string()];
        assert_eq!(
            snake_ident_with("getWhatsAppBusinessProfile", &words),
            "get_whatsapp_business_profile"
        );
        assert_eq!(
            snake_ident_with("WhatsApp-Business-Account-ID", &words),
            "whatsapp_business_account_id"
        );
        assert_eq!(
            snake_ident("getWhatsAppBusinessProfile"),
            "get_whats_app_business_profile"
        );
    }

    #[test]
    fn unique_appends_counters() {
        let mut used = BTreeSet::new();
        assert_eq!(unique("a".into(), &mut used), "a");
        assert_eq!(unique("a".into(), &mut used), "a2");
        assert_eq!(unique("v1".into(), &mut used), "v1");
        assert_eq!(unique("v1".into(), &mut used), "v1_2");
    }
}
