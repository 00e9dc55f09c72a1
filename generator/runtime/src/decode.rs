//! Serde helpers the generated types use: optional-nullable members and
//! lenient decoding of types that are only received.

/// Serde support for optional, nullable members (`Option<Option<T>>`): an
/// absent member is `None` (the field's `default`), `null` is `Some(None)`.
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Reads a member: `null` is `Some(None)` (absence is the field's default).
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }

    /// Writes `Some(None)` as `null` (`None` is skipped by the field's attribute).
    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// A value decoded leniently: a string also from a JSON number (kept as its
/// decimal text), an integer or a number also from a string holding one, a
/// boolean also from the string `"true"` or `"false"`.
/// Inbound-only types use it for their string and numeric fields, because the
/// live API sends both forms for some of them (see the fields'
/// `deserialize_with`); encoding is unchanged.
pub struct Lenient<T>(pub T);

/// Decodes a field with [`Lenient`].
pub fn lenient<'de, T, D: serde::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>
where
    Lenient<T>: serde::Deserialize<'de>,
{
    <Lenient<T> as serde::Deserialize>::deserialize(deserializer).map(|l| l.0)
}

/// Decodes an optional field with [`Lenient`] (`null` is `None`).
pub fn lenient_option<'de, T, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error>
where
    Lenient<T>: serde::Deserialize<'de>,
{
    <Option<Lenient<T>> as serde::Deserialize>::deserialize(deserializer).map(|o| o.map(|l| l.0))
}

struct LenientVisitor<T>(std::marker::PhantomData<T>);

impl<'de> serde::de::Visitor<'de> for LenientVisitor<String> {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        // The shortest text that reads back as the same number (as JSON writes it).
        Ok(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()))
    }
}

impl<'de> serde::Deserialize<'de> for Lenient<String> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LenientVisitor::<String>(std::marker::PhantomData))
            .map(Lenient)
    }
}

/// Integer visitors: the number itself when it fits, or a string that parses
/// as one.
macro_rules! lenient_integer {
    ($ty:ty, $from_i64:expr, $from_u64:expr) => {
        impl<'de> serde::de::Visitor<'de> for LenientVisitor<$ty> {
            type Value = $ty;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(
                    "an integer that fits `",
                    stringify!($ty),
                    "`, or a string holding one"
                ))
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$ty, E> {
                let convert: fn(i64) -> Option<$ty> = $from_i64;
                convert(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$ty, E> {
                let convert: fn(u64) -> Option<$ty> = $from_u64;
                convert(v)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                v.trim()
                    .parse::<$ty>()
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }

        impl<'de> serde::Deserialize<'de> for Lenient<$ty> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_any(LenientVisitor::<$ty>(std::marker::PhantomData))
                    .map(Lenient)
            }
        }
    };
}

lenient_integer!(i64, Some, |v| i64::try_from(v).ok());
lenient_integer!(i32, |v| i32::try_from(v).ok(), |v| i32::try_from(v).ok());

impl<'de> serde::de::Visitor<'de> for LenientVisitor<bool> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a boolean, or the string `true` or `false`")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Lenient<bool> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LenientVisitor::<bool>(std::marker::PhantomData))
            .map(Lenient)
    }
}

impl<'de> serde::de::Visitor<'de> for LenientVisitor<f64> {
    type Value = f64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, or a string holding one")
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<f64, E> {
        match v.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Lenient<f64> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LenientVisitor::<f64>(std::marker::PhantomData))
            .map(Lenient)
    }
}

// ---------------------------------------------------------------------------
// Decoding without a detour through `serde_json::Value`
// ---------------------------------------------------------------------------
//
// A union decodes by capturing its JSON text once (a `RawValue`), reading the
// tag (or, for untagged unions, the object's keys) with a scan that skips
// every value, and decoding the chosen variant straight from that text. A
// failed decode is decoded again with path tracking, so the error still names
// the member that failed, across any number of nested unions: the inner path
// travels inside the error message behind a marker and is joined to the outer
// one where the decode started.

use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, Visitor};

/// Marks a nested path inside an error message: `\u{1}path\u{1}message`.
const MARK: char = '\u{1}';

/// A decode that failed, with the path of the member that did not fit
/// (`entry[0].changes[0].value.messages[0].location.latitude`; `.` for the
/// root) and why.
#[derive(Debug)]
pub struct PathError {
    /// The member that failed.
    pub path: String,
    /// Why, without a position (positions are in the whole text).
    pub source: serde_json::Error,
}

/// The message of a serde_json error, without its " at line L column C".
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix)
        .map(str::to_string)
        .unwrap_or(text)
}

/// Joins the tracked path with a nested one carried in the message.
fn joined(path: String, e: &serde_json::Error) -> (String, String) {
    let text = message(e);
    let Some(rest) = text.strip_prefix(MARK) else {
        return (path, text);
    };
    let Some((inner, msg)) = rest.split_once(MARK) else {
        return (path, text);
    };
    let path = match (path.as_str(), inner) {
        (".", inner) => inner.to_string(),
        (outer, ".") => outer.to_string(),
        (outer, inner) if inner.starts_with('[') => format!("{outer}{inner}"),
        (outer, inner) => format!("{outer}.{inner}"),
    };
    (path, msg.to_string())
}

/// Decodes again with path tracking, after a fast decode failed.
fn with_path<T: DeserializeOwned>(bytes: &[u8], fast: serde_json::Error) -> PathError {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (path, text) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => match deserializer.end() {
            Ok(()) => (".".to_string(), message(&fast)),
            Err(e) => (".".to_string(), message(&e)),
        },
        Err(e) => {
            let path = e.path().to_string();
            joined(path, e.inner())
        }
    };
    PathError {
        path,
        source: <serde_json::Error as serde::de::Error>::custom(text),
    }
}

/// Decodes `T` from JSON text.
///
/// The first pass decodes every [`Item`] strictly, without capturing its
/// text, which is the fast path for a body where everything fits. When it
/// fails, the second pass decodes each item on its own, so an item that does
/// not fit becomes [`Item::Invalid`] and the rest decodes as usual; when that
/// fails too (the error is outside every item), a third pass finds the member
/// that failed.
///
/// The text is checked to be UTF-8 once, up front, so strings are not
/// checked again one by one.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PathError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => match strictly(|| serde_json::from_str(text)) {
            Ok(value) => Ok(value),
            Err(_) => serde_json::from_str(text).map_err(|e| with_path::<T>(bytes, e)),
        },
        // The decode that tracks paths says where the text stops being
        // UTF-8 (decoding it without tracking first would compile every
        // type's decoder once more, for a case that is always an error).
        Err(e) => Err(with_path::<T>(
            bytes,
            <serde_json::Error as serde::de::Error>::custom(format!("the body is not UTF-8: {e}")),
        )),
    }
}

/// Decodes `T` from JSON text without isolating items: an [`Item`] that does
/// not fit its type fails the whole decode, naming the member. For tests
/// that want every item of a fixture to fit, and for callers that would
/// rather refuse a body than keep part of it undecoded.
pub fn from_slice_strict<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PathError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => strictly(|| serde_json::from_str(text))
            .map_err(|e| strictly(|| with_path::<T>(bytes, e))),
        Err(e) => Err(with_path::<T>(
            bytes,
            <serde_json::Error as serde::de::Error>::custom(format!("the body is not UTF-8: {e}")),
        )),
    }
}

// ---------------------------------------------------------------------------
// Items that decode on their own
// ---------------------------------------------------------------------------

thread_local! {
    /// Set while [`from_slice`] makes its first, strict pass.
    static STRICT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every [`Item`] decoded strictly: an item that does not fit
/// fails the whole decode instead of becoming [`Item::Invalid`]. The previous
/// mode comes back when `f` returns or unwinds.
pub(crate) fn strictly<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            STRICT.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(STRICT.with(|s| s.replace(true)));
    f()
}

/// One item of a list that is received, decoded on its own: a webhook's
/// entries, changes, messages and statuses, a list response's `data`.
///
/// An item that does not fit its type (a member missing or of the wrong
/// type, a shape nobody documented) is kept whole in [`Item::Invalid`] with
/// the reason, and every other item of the list, and of the body, decodes
/// as usual: one odd message never costs the rest of a delivery. Encoding
/// writes an invalid item back exactly as it was received.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<T> {
    /// The item, decoded.
    Valid(T),
    /// An item that does not fit its type, kept whole.
    Invalid(Invalid),
}

/// An item that does not fit its type: the item as received, and why.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Invalid {
    /// The item, as received.
    pub value: serde_json::Value,
    /// The member that did not fit, relative to the item (`location.latitude`;
    /// `.` for the item itself).
    pub path: String,
    /// Why it did not fit.
    pub message: String,
}

impl Invalid {
    /// An invalid item: the value as received, the member that did not fit
    /// (relative to the item, `.` for the item itself), and why.
    pub fn new(
        value: serde_json::Value,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Invalid {
            value,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "an item does not fit its type at `{}`: {}",
            self.path, self.message
        )
    }
}

impl std::error::Error for Invalid {}

impl<T> Item<T> {
    /// The item, when it decoded.
    pub fn valid(&self) -> Option<&T> {
        match self {
            Item::Valid(v) => Some(v),
            Item::Invalid(_) => None,
        }
    }

    /// The item, when it decoded (for `filter_map`).
    pub fn into_valid(self) -> Option<T> {
        match self {
            Item::Valid(v) => Some(v),
            Item::Invalid(_) => None,
        }
    }

    /// Why the item did not decode, when it did not.
    pub fn invalid(&self) -> Option<&Invalid> {
        match self {
            Item::Valid(_) => None,
            Item::Invalid(i) => Some(i),
        }
    }

    /// The item, or why it did not decode.
    pub fn as_result(&self) -> Result<&T, &Invalid> {
        match self {
            Item::Valid(v) => Ok(v),
            Item::Invalid(i) => Err(i),
        }
    }

    /// The item, or why it did not decode.
    pub fn into_result(self) -> Result<T, Invalid> {
        match self {
            Item::Valid(v) => Ok(v),
            Item::Invalid(i) => Err(i),
        }
    }
}

impl<T> From<T> for Item<T> {
    fn from(value: T) -> Self {
        Item::Valid(value)
    }
}

impl<T: serde::Serialize> serde::Serialize for Item<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Item::Valid(v) => v.serialize(serializer),
            Item::Invalid(i) => i.value.serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Item<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if STRICT.with(std::cell::Cell::get) {
            return T::deserialize(deserializer).map(Item::Valid);
        }
        let raw = Raw::deserialize(deserializer)?;
        match serde_json::from_str::<T>(raw.get()) {
            Ok(v) => Ok(Item::Valid(v)),
            Err(e) => Ok(Item::Invalid(invalid::<T, D::Error>(&raw, e)?)),
        }
    }
}

/// An item that did not decode, with the member that failed.
#[cold]
#[inline(never)]
fn invalid<T: DeserializeOwned, E: serde::de::Error>(
    raw: &Raw,
    fast: serde_json::Error,
) -> Result<Invalid, E> {
    let e = with_path::<T>(raw.get().as_bytes(), fast);
    Ok(Invalid {
        value: value(raw)?,
        path: e.path,
        message: e.source.to_string(),
    })
}

/// A union's JSON text, captured once.
pub type Raw = Box<serde_json::value::RawValue>;

/// Tries one variant of an untagged union: the value, or nothing. Items
/// inside it decode strictly, so a variant whose items do not fit is not
/// taken (the value then lands in the union's catch-all, whole).
pub fn attempt<T: DeserializeOwned>(raw: &Raw) -> Option<T> {
    strictly(|| serde_json::from_str(raw.get()).ok())
}

/// The captured text as a JSON value (for a union's catch-all variant).
pub fn value<E: serde::de::Error>(raw: &Raw) -> Result<serde_json::Value, E> {
    serde_json::from_str(raw.get()).map_err(E::custom)
}

/// The JSON type of a value, as untagged unions tell variants apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// An object.
    Object,
    /// A string.
    String,
    /// An integer.
    Integer,
    /// A number with a fraction or exponent.
    Float,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// `null`.
    Null,
}

/// What a scan of a value found: its JSON type and, for an object, its keys
/// and the members that are strings (values skipped, nothing else kept).
#[derive(Debug, Clone)]
pub struct Shape {
    /// The JSON type.
    pub kind: JsonKind,
    keys: Vec<String>,
    strings: Vec<(String, String)>,
}

impl Shape {
    /// The object has this member.
    pub fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    /// The string value of a member, when it is a string.
    pub fn string(&self, key: &str) -> Option<&str> {
        self.strings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value is a number (integer or not).
    pub fn is_number(&self) -> bool {
        matches!(self.kind, JsonKind::Integer | JsonKind::Float)
    }
}

/// Scans a captured value: its type, and an object's keys and string members.
pub fn shape(raw: &Raw) -> Shape {
    struct ShapeVisitor;
    impl<'de> Visitor<'de> for ShapeVisitor {
        type Value = Shape;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
            Ok(Shape {
                kind: JsonKind::Boolean,
                keys: Vec::new(),
                strings: Vec::new(),
            })
        }
        fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
            Ok(Shape {
                kind: JsonKind::Integer,
                keys: Vec::new(),
                strings: Vec::new(),
            })
        }
        fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
            Ok(Shape {
                kind: JsonKind::Integer,
                keys: Vec::new(),
                strings: Vec::new(),
            })
        }
        fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
            Ok(Shape {
                kind: JsonKind::Float,
                keys: Vec::new(),
                strings: Vec::new(),
            })
        }
        fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
            Ok(Shape {
                kind: JsonKind::String,
                keys: Vec::new(),
                strings: Vec::new(),
            })
        }
        fn visit_unit<E>(self) -> Result<Shape, E> {
            Ok(Shape {
                kind: JsonKind::Null,
                keys: Vec::new(),
                strings: Vec::new(),
            })
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Shape {
                kind: JsonKind::Array,
                keys: Vec::new(),
                strings: Vec::new(),
            })
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
            let mut shape = Shape {
                kind: JsonKind::Object,
                keys: Vec::new(),
                strings: Vec::new(),
            };
            while let Some(key) = map.next_key::<String>()? {
                if let Member::Text(text) = map.next_value::<Member>()? {
                    shape.strings.push((key.clone(), text));
                }
                shape.keys.push(key);
            }
            Ok(shape)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    serde::Deserializer::deserialize_any(&mut deserializer, ShapeVisitor).unwrap_or(Shape {
        kind: JsonKind::Null,
        keys: Vec::new(),
        strings: Vec::new(),
    })
}

/// A member's value in a scan: its text when it is a string, else skipped.
enum Member {
    Text(String),
    Other,
}

impl<'de> serde::Deserialize<'de> for Member {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MemberVisitor;
        impl<'de> Visitor<'de> for MemberVisitor {
            type Value = Member;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Member, E> {
                Ok(Member::Text(v.to_string()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Member, E> {
                Ok(Member::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Member, E> {
                Ok(Member::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Member, E> {
                Ok(Member::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Member, E> {
                Ok(Member::Other)
            }
            fn visit_unit<E>(self) -> Result<Member, E> {
                Ok(Member::Other)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Member, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Member::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Member, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Member::Other)
            }
        }
        deserializer.deserialize_any(MemberVisitor)
    }
}

/// An object's key as the generated struct visitors read it: borrowed from
/// the input when it can be, owned otherwise (an escaped key, or a
/// `serde_json::Value` being decoded).
#[derive(Clone)]
pub enum Key<'de> {
    /// A slice of the input.
    Borrowed(&'de str),
    /// A copy.
    Owned(String),
}

impl Key<'_> {
    /// The key.
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }

    /// The key, owned (for a struct's map of unlisted members).
    pub fn into_string(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_string(),
            Key::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The members of an object as a generated struct reads them: first the
/// members a tagged union read before it found its tag (kept as raw text),
/// then the rest straight from the input. A struct decoded on its own has
/// no such members.
pub struct Entries<'de, A> {
    pre: std::vec::IntoIter<(Key<'de>, Raw)>,
    current: Option<(Key<'de>, Raw)>,
    live: A,
    input: std::marker::PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>> Entries<'de, A> {
    /// The kept members, then the rest of `live`.
    pub fn new(pre: Vec<(Key<'de>, Raw)>, live: A) -> Self {
        Entries {
            pre: pre.into_iter(),
            current: None,
            live,
            input: std::marker::PhantomData,
        }
    }

    /// The next member's name.
    pub fn next_key(&mut self) -> Result<Option<Key<'de>>, A::Error> {
        if let Some((key, raw)) = self.pre.next() {
            self.current = Some((key.clone(), raw));
            return Ok(Some(key));
        }
        self.live.next_key()
    }

    /// The value of the member whose name was read last.
    #[inline]
    pub fn next_value<T: DeserializeOwned>(&mut self) -> Result<T, A::Error> {
        match self.current.take() {
            None => self.live.next_value(),
            Some((key, raw)) => Self::buffered(key, raw),
        }
    }

    /// A member kept as text before the tag: the less common path, kept
    /// out of [`Entries::next_value`], which every field of every generated
    /// struct calls.
    #[inline(never)]
    fn buffered<T: DeserializeOwned>(key: Key<'de>, raw: Raw) -> Result<T, A::Error> {
        serde_json::from_str(raw.get())
            .map_err(|fast| buffered_error::<T, A::Error>(&key, &raw, fast))
    }

    /// The members left, as a JSON object (for a union's catch-all variant,
    /// or a variant that is not a struct).
    pub fn into_value(mut self) -> Result<serde_json::Value, A::Error> {
        let mut members = serde_json::Map::new();
        while let Some(key) = self.next_key()? {
            let value = self.next_value::<serde_json::Value>()?;
            members.insert(key.into_string(), value);
        }
        Ok(serde_json::Value::Object(members))
    }
}

/// The error of a member kept as text, with its path below the member.
#[cold]
#[inline(never)]
fn buffered_error<T: DeserializeOwned, E: serde::de::Error>(
    key: &Key<'_>,
    raw: &Raw,
    fast: serde_json::Error,
) -> E {
    let e = with_path::<T>(raw.get().as_bytes(), fast);
    let key = key.as_str();
    let path = if e.path == "." {
        key.to_string()
    } else {
        format!("{key}.{}", e.path)
    };
    E::custom(format!("{MARK}{path}{MARK}{}", e.source))
}

/// A generated struct, read member by member from an object.
pub trait FromEntries: Sized {
    /// Reads the object's members (the known ones into fields, the rest into
    /// the struct's map of unlisted members).
    fn from_entries<'de, A: MapAccess<'de>>(entries: Entries<'de, A>) -> Result<Self, A::Error>;
}

/// Decodes a generated struct from an object.
pub fn object<'de, T: FromEntries, D: serde::Deserializer<'de>>(
    deserializer: D,
    expecting: &'static str,
) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(&'static str, std::marker::PhantomData<T>);
    impl<'de, T: FromEntries> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_entries(Entries::new(Vec::new(), map))
        }
    }
    deserializer.deserialize_map(ObjectVisitor(expecting, std::marker::PhantomData))
}

/// A generated tagged union: the name of its tag member, and how a tag value
/// picks the variant that reads the object.
pub trait FromTagged: Sized {
    /// The tag member.
    const TAG: &'static str;

    /// Decodes the variant `tag` names from the object's members (the tag
    /// member among them); an unknown tag keeps the whole object.
    fn from_tagged<'de, A: MapAccess<'de>>(
        tag: &str,
        entries: Entries<'de, A>,
    ) -> Result<Self, A::Error>;
}

/// Decodes a tagged union: reads members until the tag (keeping the ones
/// before it, and the tag, as text), then lets the variant read the rest
/// straight from the input. A tag that is not a string is an ordinary member.
pub fn tagged<'de, T: FromTagged, D: serde::Deserializer<'de>>(
    deserializer: D,
    expecting: &'static str,
) -> Result<T, D::Error> {
    struct TaggedVisitor<T>(&'static str, std::marker::PhantomData<T>);
    impl<'de, T: FromTagged> Visitor<'de> for TaggedVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut pre: Vec<(Key<'de>, Raw)> = Vec::new();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                let raw = map.next_value::<Raw>()?;
                if key.as_str() == T::TAG {
                    if let Ok(tag) = serde_json::from_str::<String>(raw.get()) {
                        pre.push((key, raw));
                        return T::from_tagged(&tag, Entries::new(pre, map));
                    }
                }
                pre.push((key, raw));
            }
            Err(<A::Error as serde::de::Error>::missing_field(T::TAG))
        }
    }
    deserializer.deserialize_map(TaggedVisitor(expecting, std::marker::PhantomData))
}

/// Decodes a variant that is not a generated struct from the object's
/// members, through a JSON value.
pub fn convert<'de, T: DeserializeOwned, A: MapAccess<'de>>(
    entries: Entries<'de, A>,
) -> Result<T, A::Error> {
    serde_json::from_value(entries.into_value()?).map_err(<A::Error as serde::de::Error>::custom)
}
