// This file is a copy of `specs/360dialog/ext/media_download.rs`, made by `cargo xtask codegen`.
// Do not edit it here: edit that file, then regenerate.

//! Downloading a received file by its media ID in one call, through
//! 360dialog.
//!
//! The media endpoint answers with a download URL on Meta's CDN
//! (`https://lookaside.fbsbx.com/whatsapp_business/attachments/?...`); a
//! 360dialog customer fetches the same path and query from 360dialog's host
//! instead, with the API key. [`Client::download_media_by_id`] asks for the
//! URL, moves it to the client's base URL and fetches it:
//!
//! ```no_run
//! # async fn run(client: d360_messaging::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let media = client.download_media_by_id("1037543291543636").await?;
//! println!("{} bytes of {}", media.bytes.len(), media.mime_type);
//! # Ok(())
//! # }
//! ```
//!
//! The look-up is never repeated after a 4xx answer: 360dialog blocks it
//! for the number after a few failures within an hour.
//!
//! This module is hand-written (`specs/360dialog/ext/media_download.rs`) and
//! compiled with the generated code.
use crate::types::ErrorResponse;
use crate::{Client, Error, Response};
pub use ::whatsapp_cloud_api::media_download::Media;
impl Client {
    /// Downloads the file with this media ID: asks for its URL
    /// (`get_media_url`), then fetches it from 360dialog's host
    /// (`download_media`).
    pub async fn download_media_by_id(
        &self,
        media_id: impl Into<String>,
    ) -> Result<Media, Error<ErrorResponse>> {
        let Response { value, meta } = self
            .get_media_url(media_id)
            .send_with_meta()
            .await?;
        let Some(url) = value.url.as_deref() else {
            return Err(Error::Decode {
                status: meta.status(),
                path: "url".to_string(),
                body: crate::RawBody(serde_json::to_vec(&value).unwrap_or_default()),
                source: <serde_json::Error as serde::de::Error>::missing_field("url"),
                meta: Box::new(meta),
            });
        };
        let bytes = self
            .download_media(attachment_url(self.base_url(), url))
            .send()
            .await?;
        Ok(Media {
            bytes,
            mime_type: value.mime_type.clone().unwrap_or_default(),
            sha256: value.sha256.clone(),
        })
    }
}
/// The URL to fetch a media file from through 360dialog: the path and query
/// of the `url` the media endpoint returned, on `base_url`.
///
/// ```
/// use d360_messaging::media_download::attachment_url;
///
/// let url = attachment_url(
///     "https://waba-v2.360dialog.io",
///     "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=103&ext=17&hash=AT",
/// );
/// assert_eq!(url, "https://waba-v2.360dialog.io/whatsapp_business/attachments/?mid=103&ext=17&hash=AT");
/// ```
pub fn attachment_url(base_url: &str, url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("/", |at| &rest[at..]);
    format!("{}{path}", base_url.trim_end_matches('/'))
}
