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
// failed decode names the member that failed from the error's position in
// the text, across any number of nested unions: the path inside a member
// decoded from its own text travels inside the error message behind a
// marker and is joined to the outer one where the decode started.

use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, Visitor};

/// Marks a nested path inside an error message, relative to the object
/// open at the error's position: `\u{1}path\u{1}message`.
const MARK: char = '\u{1}';

/// Marks a nested path inside an error message, relative to the value that
/// ends at the error's position: `\u{2}path\u{2}message`.
const HERE: char = '\u{2}';

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

/// Where an error of decoding `text` happened, and why: the path of the
/// member at the error's position; when the message carries a path inside
/// a member that was decoded on its own (behind [`MARK`]), that path below
/// the object the member belongs to.
fn located(text: &str, e: &serde_json::Error) -> PathError {
    let msg = message(e);
    let closed = msg.starts_with("missing field");
    let at = crate::locate::offset(text, e.line(), e.column(), closed);
    let nested = |mark: char| {
        msg.strip_prefix(mark)
            .and_then(|rest| rest.split_once(mark))
            .map(|(inner, why)| (inner.to_string(), why.to_string()))
    };
    let (path, msg) = if let Some((inner, why)) = nested(MARK) {
        let outer = crate::locate::path_at(text, at, true);
        (crate::locate::join(&outer, &inner), why)
    } else if let Some((inner, why)) = nested(HERE) {
        let outer = crate::locate::path_at(text, at, false);
        (crate::locate::join(&outer, &inner), why)
    } else {
        (crate::locate::path_at(text, at, false), msg)
    };
    PathError {
        path,
        source: <serde_json::Error as serde::de::Error>::custom(msg),
    }
}

/// The error for bytes that are not UTF-8: where the text stops being UTF-8.
fn not_utf8(bytes: &[u8], e: std::str::Utf8Error) -> PathError {
    let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
    PathError {
        path: crate::locate::path_at(valid, valid.len(), false),
        source: <serde_json::Error as serde::de::Error>::custom(format!(
            "the body is not UTF-8: {e}"
        )),
    }
}

/// Decodes `T` from JSON text.
///
/// The first pass decodes every [`Item`] strictly, without capturing its
/// text, and lets a union whose tag comes after its content commit early
/// to the variant the content names ([`FromTagged::commit`]): the fast path
/// for a body where everything fits. When it
/// fails, the second pass decodes each item on its own, so an item that does
/// not fit becomes [`Item::Invalid`] and the rest decodes as usual. When that
/// fails too (the error is outside every item), the error names the member
/// at its position (see `locate`): no pass tracks paths, so every type's
/// decoder is compiled once.
///
/// The text is checked to be UTF-8 once, up front, so strings are not
/// checked again one by one.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PathError> {
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(bytes, e))?;
    match in_mode(Mode::Guess, || serde_json::from_str(text)) {
        Ok(value) => Ok(value),
        Err(_) => {
            in_mode(Mode::Isolate, || serde_json::from_str(text)).map_err(|e| located(text, &e))
        }
    }
}

/// The error of a success status that an enum of success bodies by status
/// does not document.
pub fn undocumented_status(status: u16) -> PathError {
    PathError {
        path: ".".into(),
        source: <serde_json::Error as serde::de::Error>::custom(format!(
            "HTTP {status} is not one of the success statuses the operation documents"
        )),
    }
}

/// Decodes `T` from JSON text without isolating items: an [`Item`] that does
/// not fit its type fails the whole decode, naming the member. For tests
/// that want every item of a fixture to fit, and for callers that would
/// rather refuse a body than keep part of it undecoded.
pub fn from_slice_strict<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PathError> {
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(bytes, e))?;
    in_mode(Mode::Strict, || serde_json::from_str(text)).map_err(|e| located(text, &e))
}

// ---------------------------------------------------------------------------
// Items that decode on their own
// ---------------------------------------------------------------------------

/// How the current decode reads items and unions (see [`from_slice`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Items capture their text and decode on their own; unions keep the
    /// members before their tag as text. What any decode does by default.
    Isolate,
    /// Items decode in place, so one that does not fit fails the decode.
    Strict,
    /// [`Mode::Strict`], and a union whose tag comes after its content
    /// commits early to the variant the content names (the fast pass).
    Guess,
}

thread_local! {
    /// The mode of the decode running on this thread.
    static MODE: std::cell::Cell<Mode> = const { std::cell::Cell::new(Mode::Isolate) };
}

fn mode() -> Mode {
    MODE.with(std::cell::Cell::get)
}

/// Runs `f` in `mode`; the previous mode comes back when `f` returns or
/// unwinds.
#[inline]
fn in_mode<R>(mode: Mode, f: impl FnOnce() -> R) -> R {
    let _restore = enter(mode);
    f()
}

/// Sets the mode until the returned guard drops (not generic, so compiled
/// once whatever `in_mode` runs).
#[inline(never)]
fn enter(mode: Mode) -> Restore {
    Restore(MODE.with(|m| m.replace(mode)))
}

/// Puts the previous mode back.
struct Restore(Mode);

impl Drop for Restore {
    fn drop(&mut self) {
        MODE.with(|m| m.set(self.0));
    }
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
        if mode() != Mode::Isolate {
            return T::deserialize(deserializer).map(Item::Valid);
        }
        let raw = Raw::deserialize(deserializer)?;
        match serde_json::from_str::<T>(raw.get()) {
            Ok(v) => Ok(Item::Valid(v)),
            Err(e) => Ok(Item::Invalid(invalid::<D::Error>(&raw, e)?)),
        }
    }
}

/// An item that did not decode, with the member that failed.
#[cold]
#[inline(never)]
fn invalid<E: serde::de::Error>(raw: &Raw, error: serde_json::Error) -> Result<Invalid, E> {
    let e = located(raw.get(), &error);
    Ok(Invalid {
        value: value(raw)?,
        path: e.path,
        message: e.source.to_string(),
    })
}

/// A union's JSON text, captured once.
pub type Raw = Box<serde_json::value::RawValue>;

/// A member's JSON text kept until its union's tag comes: borrowed from the
/// input when the decode reads a string it may borrow from (the fast pass
/// of [`from_slice`]), copied otherwise.
pub enum Kept<'de> {
    /// A slice of the input.
    Borrowed(&'de serde_json::value::RawValue),
    /// A copy.
    Owned(Raw),
}

impl Kept<'_> {
    /// The text.
    pub fn get(&self) -> &str {
        match self {
            Kept::Borrowed(raw) => raw.get(),
            Kept::Owned(raw) => raw.get(),
        }
    }
}

/// Reads a member's value as text to keep: borrowed in the fast pass (whose
/// input is always a string), copied otherwise.
fn keep<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Kept<'de>, A::Error> {
    if mode() == Mode::Guess {
        map.next_value::<&'de serde_json::value::RawValue>()
            .map(Kept::Borrowed)
    } else {
        map.next_value::<Raw>().map(Kept::Owned)
    }
}

/// Tries one variant of an untagged union: the value, or nothing. Items
/// inside it decode strictly, so a variant whose items do not fit is not
/// taken (the value then lands in the union's catch-all, whole).
pub fn attempt<T: DeserializeOwned>(raw: &Raw) -> Option<T> {
    in_mode(Mode::Strict, || serde_json::from_str(raw.get()).ok())
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
/// no such members, and reads straight from the input with nothing in
/// between.
pub struct Entries<'de, A> {
    live: A,
    /// What a union read before handing the object to its variant.
    before: Option<Box<Before<'de>>>,
}

/// The members a union read before its variant reads the object.
struct Before<'de> {
    /// Members kept as text, not yet handed out.
    pre: std::vec::IntoIter<(Key<'de>, Kept<'de>)>,
    /// The kept member whose name was handed out last.
    current: Option<(Key<'de>, Kept<'de>)>,
    /// A member whose name was read from the input but whose value was not
    /// (the one a union committed on; see [`FromTagged::commit`]).
    pending: Option<Key<'de>>,
    /// For a union that committed before its tag: the tag member, and the
    /// value it must hold (checked when it comes).
    watch: Option<(&'static str, &'static str)>,
}

impl<'de, A: MapAccess<'de>> Entries<'de, A> {
    /// The kept members, then the rest of `live`.
    pub fn new(pre: Vec<(Key<'de>, Kept<'de>)>, live: A) -> Self {
        let before = (!pre.is_empty()).then(|| {
            Box::new(Before {
                pre: pre.into_iter(),
                current: None,
                pending: None,
                watch: None,
            })
        });
        Entries { live, before }
    }

    /// The kept members, then `pending` (whose value is next in `live`),
    /// then the rest of `live`, where the member `tag` must hold `value`.
    fn committed(
        pre: Vec<(Key<'de>, Kept<'de>)>,
        pending: Key<'de>,
        live: A,
        tag: &'static str,
        value: &'static str,
    ) -> Self {
        Entries {
            live,
            before: Some(Box::new(Before {
                pre: pre.into_iter(),
                current: None,
                pending: Some(pending),
                watch: Some((tag, value)),
            })),
        }
    }

    /// The next member's name.
    #[inline]
    pub fn next_key(&mut self) -> Result<Option<Key<'de>>, A::Error> {
        match self.before {
            None => self.live.next_key(),
            Some(_) => self.next_key_after_union(),
        }
    }

    /// [`Entries::next_key`] for a variant a union handed its object to.
    #[inline(never)]
    fn next_key_after_union(&mut self) -> Result<Option<Key<'de>>, A::Error> {
        let Some(before) = self.before.as_mut() else {
            return self.live.next_key();
        };
        if let Some((key, raw)) = before.pre.next() {
            before.current = Some((key.clone(), raw));
            return Ok(Some(key));
        }
        if let Some(key) = before.pending.take() {
            return Ok(Some(key));
        }
        let key = self.live.next_key::<Key<'de>>()?;
        match (&key, before.watch) {
            (Some(key), Some((tag, value))) if key.as_str() == tag => {
                let raw = keep(&mut self.live)?;
                check_tag::<A::Error>(raw.get(), tag, value)?;
                before.current = Some((key.clone(), raw));
                before.watch = None;
            }
            // The object ended without the tag it committed on.
            (None, Some((tag, _))) => {
                return Err(<A::Error as serde::de::Error>::missing_field(tag));
            }
            _ => {}
        }
        Ok(key)
    }

    /// The value of the member whose name was read last.
    #[inline]
    pub fn next_value<T: DeserializeOwned>(&mut self) -> Result<T, A::Error> {
        match self.before.as_mut().and_then(|b| b.current.take()) {
            None => self.live.next_value(),
            Some((key, raw)) => Self::buffered(key, raw),
        }
    }

    /// A member kept as text before the tag: the less common path, kept
    /// out of [`Entries::next_value`], which every field of every generated
    /// struct calls.
    #[inline(never)]
    fn buffered<T: DeserializeOwned>(key: Key<'de>, raw: Kept<'de>) -> Result<T, A::Error> {
        serde_json::from_str(raw.get()).map_err(|e| buffered_error::<A::Error>(&key, raw.get(), e))
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

/// The tag of a union that committed to the variant `value` before its tag
/// came: another value is an error, so a wrong commit is never kept (the
/// decode that isolates items does not commit).
#[cold]
#[inline(never)]
fn check_tag<E: serde::de::Error>(raw: &str, tag: &str, value: &str) -> Result<(), E> {
    if serde_json::from_str::<Key<'_>>(raw).map_or(true, |v| v.as_str() != value) {
        return Err(E::custom(format!(
            "the `{tag}` member is {raw}, not `{value}` as the members before it said"
        )));
    }
    Ok(())
}

/// The error of a member kept as text, with its path below the member:
/// carried in the message behind [`MARK`], and joined to the path of the
/// object the member belongs to where the decode started.
#[cold]
#[inline(never)]
fn buffered_error<E: serde::de::Error>(key: &Key<'_>, raw: &str, error: serde_json::Error) -> E {
    let e = located(raw, &error);
    let path = crate::locate::join(key.as_str(), &e.path);
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

    /// Several variants have a member of another type (a content member
    /// every kind has, `value`): the fast pass of [`from_slice`] finds the
    /// tag in the object's text first (see [`tag_of`]) instead of keeping
    /// the members before it as text.
    const SCAN: bool = false;

    /// The variant to read the object as when the member `key` comes before
    /// the tag, as the live API sends them: the variant only it belongs to;
    /// `None` keeps the member as text until the tag comes. Only the fast
    /// pass of [`from_slice`] commits; the tag is checked when it comes, and
    /// a variant that does not fit fails that pass.
    fn commit(key: &str) -> Option<&'static str> {
        let _ = key;
        None
    }
}

/// The index of the quote that closes a string whose text starts at
/// `start` (the length of `bytes` when it does not close).
fn string_end(bytes: &[u8], mut start: usize) -> usize {
    while let Some(at) = memchr::memchr2(b'"', b'\\', bytes.get(start..).unwrap_or_default()) {
        if bytes[start + at] == b'"' {
            return start + at;
        }
        start += at + 2;
    }
    bytes.len()
}

/// The value of the top-level string member `tag` of an object's text, when
/// it has one (members are skipped without decoding them). The last member
/// is looked at first: the live API sends the tag after the content.
pub fn tag_of<'t>(text: &'t str, tag: &str) -> Option<std::borrow::Cow<'t, str>> {
    if let Some(found) = last_member(text).filter(|(key, _)| *key == tag) {
        return string_value(found.1);
    }
    first_member_named(text, tag)
}

/// The name and the value text of an object's last member, when that value
/// is a string (read backwards from the closing brace).
fn last_member(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let back = |mut i: usize| {
        while i > 0 && bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        i
    };
    // The start of the string whose closing quote is at `close`.
    let opening = |close: usize| {
        let mut i = close;
        loop {
            let at = memchr::memrchr(b'"', &bytes[..i])?;
            let slashes = bytes[..at]
                .iter()
                .rev()
                .take_while(|b| **b == b'\\')
                .count();
            if slashes % 2 == 0 {
                return Some(at);
            }
            i = at;
        }
    };
    let end = back(text.len());
    if end == 0 || bytes[end - 1] != b'}' {
        return None;
    }
    let value_end = back(end - 1);
    if value_end == 0 || bytes[value_end - 1] != b'"' {
        return None;
    }
    let value_start = opening(value_end - 1)?;
    let colon = back(value_start);
    if colon == 0 || bytes[colon - 1] != b':' {
        return None;
    }
    let key_end = back(colon - 1);
    if key_end == 0 || bytes[key_end - 1] != b'"' {
        return None;
    }
    let key_start = opening(key_end - 1)?;
    let before = back(key_start);
    if before == 0 || !matches!(bytes[before - 1], b',' | b'{') {
        return None;
    }
    Some((
        &text[key_start + 1..key_end - 1],
        &text[value_start..value_end],
    ))
}

/// A JSON string's value from its text, quotes included.
fn string_value(quoted: &str) -> Option<std::borrow::Cow<'_, str>> {
    let inner = quoted.get(1..quoted.len().checked_sub(1)?)?;
    if inner.contains('\\') {
        serde_json::from_str(quoted)
            .ok()
            .map(std::borrow::Cow::Owned)
    } else {
        Some(std::borrow::Cow::Borrowed(inner))
    }
}

/// [`tag_of`], scanning the members from the first.
fn first_member_named<'t>(text: &'t str, tag: &str) -> Option<std::borrow::Cow<'t, str>> {
    let bytes = text.as_bytes();
    let mut i = bytes.iter().position(|b| *b == b'{')? + 1;
    let mut depth = 0usize;
    let mut key: Option<(usize, usize)> = None;
    let mut expect_key = true;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i = string_end(bytes, start);
                let end = i.min(bytes.len());
                if depth == 0 {
                    if expect_key {
                        key = Some((start, end));
                    } else if key.is_some_and(|(s, e)| &text[s..e] == tag) {
                        let value = &text[start.min(end)..end];
                        return Some(if value.contains('\\') {
                            std::borrow::Cow::Owned(
                                serde_json::from_str(&text[start - 1..(end + 1).min(text.len())])
                                    .ok()?,
                            )
                        } else {
                            std::borrow::Cow::Borrowed(value)
                        });
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
            }
            b':' if depth == 0 => expect_key = false,
            b',' if depth == 0 => expect_key = true,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Decodes a tagged union: reads members until the tag (keeping the ones
/// before it, and the tag, as text), then lets the variant read the rest
/// straight from the input. A tag that is not a string is an ordinary member.
/// In the fast pass, a union whose variants share a member of different
/// types ([`FromTagged::SCAN`]) is read from its text once its tag is found.
pub fn tagged<'de, T: FromTagged, D: serde::Deserializer<'de>>(
    deserializer: D,
    expecting: &'static str,
) -> Result<T, D::Error> {
    if T::SCAN && mode() == Mode::Guess {
        let raw =
            <&'de serde_json::value::RawValue as serde::Deserialize>::deserialize(deserializer)?;
        return scanned::<T, D::Error>(raw.get(), expecting);
    }
    tagged_in_place(deserializer, expecting)
}

/// A scanned union: the variant its tag names, read from the object's text
/// (errors carry their path inside it, relative to the object).
#[inline(never)]
fn scanned<T: FromTagged, E: serde::de::Error>(
    text: &str,
    expecting: &'static str,
) -> Result<T, E> {
    struct Known<T>(String, std::marker::PhantomData<T>);
    impl<'de, T: FromTagged> Visitor<'de> for Known<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_tagged(&self.0, Entries::new(Vec::new(), map))
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let decoded = match tag_of(text, T::TAG) {
        Some(tag) => serde::Deserializer::deserialize_map(
            &mut deserializer,
            Known::<T>(tag.into_owned(), std::marker::PhantomData),
        ),
        None => tagged_in_place(&mut deserializer, expecting),
    };
    decoded
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| {
            let e = located(text, &e);
            E::custom(format!("{HERE}{}{HERE}{}", e.path, e.source))
        })
}

fn tagged_in_place<'de, T: FromTagged, D: serde::Deserializer<'de>>(
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
            let fast = mode() == Mode::Guess;
            let mut pre: Vec<(Key<'de>, Kept<'de>)> = Vec::new();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                if fast && key.as_str() != T::TAG {
                    if let Some(tag) = T::commit(key.as_str()) {
                        let entries = Entries::committed(pre, key, map, T::TAG, tag);
                        return T::from_tagged(tag, entries);
                    }
                }
                let raw = keep(&mut map)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_is_found_last_first_or_not_at_all() {
        let tag = |text: &str| tag_of(text, "type").map(|t| t.into_owned());
        assert_eq!(
            tag(r#"{"text": {"type": "x"}, "type": "text"}"#).as_deref(),
            Some("text")
        );
        assert_eq!(
            tag(r#"{"type": "image", "image": {"id": "1"}}"#).as_deref(),
            Some("image")
        );
        assert_eq!(
            tag(r#" { "a": "}\"", "type" : "a\"b" } "#).as_deref(),
            Some("a\"b")
        );
        assert_eq!(tag(r#"{"a": {"type": "nested"}}"#), None);
        assert_eq!(tag(r#"{"type": 5}"#), None);
        assert_eq!(tag(r#"{"x": "type", "y": "z"}"#), None);
        assert_eq!(tag(r#"{"kind": "type"}"#), None);
    }
}
