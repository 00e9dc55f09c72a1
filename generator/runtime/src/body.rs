//! Request bodies: files, forms and multipart parts.

use crate::error::Error;

/// The value of a `format: binary` field: file bytes, with the file name and
/// media type a `multipart/form-data` upload sends along. In JSON (where a
/// binary field makes little sense) it is written as an object with these
/// three members. Its `Debug` output shows the length, not the bytes.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FilePart {
    /// The file name sent with the part (`photo.jpg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The media type sent with the part (`image/jpeg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The file content.
    pub bytes: Vec<u8>,
}

impl FilePart {
    /// File content without a name or media type.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart {
            file_name: None,
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the file name sent with the part.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sets the media type sent with the part.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The multipart part for this file.
    pub fn to_part<E: std::fmt::Debug>(&self) -> Result<reqwest::multipart::Part, Error<E>> {
        let mut part = reqwest::multipart::Part::bytes(self.bytes.clone());
        if let Some(name) = &self.file_name {
            part = part.file_name(name.clone());
        }
        if let Some(content_type) = &self.content_type {
            part = part
                .mime_str(content_type)
                .map_err(|e| Error::Encode(format!("content type `{content_type}`: {e}")))?;
        }
        Ok(part)
    }
}

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A value as multipart text: strings as they are, anything else as JSON.
pub fn text_value<T: serde::Serialize, E: std::fmt::Debug>(value: &T) -> Result<String, Error<E>> {
    match serde_json::to_value(value).map_err(|e| Error::Encode(e.to_string()))? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// Builds a `multipart/form-data` body from a serialisable object: each member
/// becomes one text part; strings are sent as they are, other values as JSON
/// text, `null` members are left out.
pub fn multipart_form<T: serde::Serialize, E: std::fmt::Debug>(
    body: &T,
) -> Result<reqwest::multipart::Form, Error<E>> {
    let value = serde_json::to_value(body).map_err(|e| Error::Encode(e.to_string()))?;
    let serde_json::Value::Object(members) = value else {
        return Err(Error::Encode(
            "a multipart body must be an object".to_string(),
        ));
    };
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in members {
        form = match value {
            serde_json::Value::Null => form,
            serde_json::Value::String(s) => form.text(name, s),
            other => form.text(name, other.to_string()),
        };
    }
    Ok(form)
}

/// How an object query parameter is written (OpenAPI's `style` and
/// `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectStyle {
    /// `name[key]=value` per member, nested objects as `name[a][b]=value`
    /// and list items as `name[key][0]=value`.
    DeepObject,
    /// `key=value` per member (`form` with `explode`, the default).
    FormExploded,
    /// One `name=key,value,key,value` (`form` without `explode`).
    Form,
}

/// The query pairs of an object parameter `name`, in `style`: strings as
/// they are, numbers and booleans as JSON writes them, other values as JSON
/// text (but for `DeepObject`, which nests); `null` members left out.
pub fn object_query<T: serde::Serialize, E: std::fmt::Debug>(
    name: &str,
    value: &T,
    style: ObjectStyle,
) -> Result<Vec<(String, String)>, Error<E>> {
    let value = serde_json::to_value(value).map_err(|e| Error::Encode(e.to_string()))?;
    let serde_json::Value::Object(members) = value else {
        return Err(Error::Encode(format!(
            "the query parameter `{name}` must be an object"
        )));
    };
    let text = |v: serde_json::Value| match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    let members = members.into_iter().filter(|(_, v)| !v.is_null());
    Ok(match style {
        ObjectStyle::DeepObject => {
            let mut out = Vec::new();
            for (key, v) in members {
                deep_pairs(format!("{name}[{key}]"), v, &mut out);
            }
            out
        }
        ObjectStyle::FormExploded => members.map(|(k, v)| (k, text(v))).collect(),
        ObjectStyle::Form => {
            let joined: Vec<String> = members.flat_map(|(k, v)| [k, text(v)]).collect();
            vec![(name.to_string(), joined.join(","))]
        }
    })
}

/// A parameter described by JSON `content`: the value as JSON text.
pub fn json_text<T: serde::Serialize, E: std::fmt::Debug>(value: &T) -> Result<String, Error<E>> {
    serde_json::to_string(value).map_err(|e| Error::Encode(e.to_string()))
}

/// The `deepObject` pairs of one member.
fn deep_pairs(key: String, value: serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Null => {}
        serde_json::Value::Object(members) => {
            for (k, v) in members {
                deep_pairs(format!("{key}[{k}]"), v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.into_iter().enumerate() {
                deep_pairs(format!("{key}[{i}]"), v, out);
            }
        }
        serde_json::Value::String(s) => out.push((key, s)),
        other => out.push((key, other.to_string())),
    }
}

/// The fields of an `application/x-www-form-urlencoded` body from a
/// serialisable object: strings as they are, other values as JSON text,
/// `null` members left out.
pub fn form_pairs<T: serde::Serialize, E: std::fmt::Debug>(
    body: &T,
) -> Result<Vec<(String, String)>, Error<E>> {
    let value = serde_json::to_value(body).map_err(|e| Error::Encode(e.to_string()))?;
    let serde_json::Value::Object(members) = value else {
        return Err(Error::Encode("a form body must be an object".to_string()));
    };
    Ok(members
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(name, value)| match value {
            serde_json::Value::String(s) => (name, s),
            other => (name, other.to_string()),
        })
        .collect())
}
