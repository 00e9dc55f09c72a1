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
/// decimal text), an integer or a number also from a string holding one.
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
