//! Downloading a received file by its media ID in one call.
//!
//! A media ID (from an incoming image, audio, video, document or sticker)
//! names a file; the API hands out a download URL for it that expires after
//! about five minutes. [`Client::download_media_by_id`] asks for the URL and
//! fetches it, and asks for a fresh URL once when the first one answers as
//! expired:
//!
//! ```no_run
//! # async fn run(client: whatsapp_cloud_api::Client) -> Result<(), Box<dyn std::error::Error>> {
//! // Small files: the bytes in memory, with their MIME type.
//! let media = client.download_media_by_id("1184402993368271").send().await?;
//! println!("{} bytes of {}", media.bytes.len(), media.mime_type);
//!
//! // Large files: chunk by chunk, never whole in memory.
//! let mut download = client.download_media_by_id("1184402993368271").send_streaming().await?;
//! while let Some(chunk) = download.body.next_chunk().await? {
//!     // write `chunk` to a file
//! #   let _ = chunk;
//! }
//! # Ok(())
//! # }
//! ```
//!
//! This module is hand-written (`specs/whatsapp/ext/media_download.rs`) and
//! compiled with the generated code.

use crate::types::{GraphAPIError, MediaUrlResponse};
use crate::{ByteStream, Client, Error, RawBody, Response, RetryPolicy};

/// A downloaded file.
#[derive(Clone, PartialEq, Eq)]
pub struct Media {
    /// The file content.
    pub bytes: Vec<u8>,
    /// Its MIME type (`image/jpeg`), as the media endpoint reports it.
    pub mime_type: String,
    /// The SHA-256 hash of the file, as the media endpoint reports it.
    pub sha256: Option<String>,
}

impl std::fmt::Debug for Media {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Media")
            .field("len", &self.bytes.len())
            .field("mime_type", &self.mime_type)
            .field("sha256", &self.sha256)
            .finish()
    }
}

/// A file being downloaded: read [`MediaStream::body`] chunk by chunk.
#[derive(Debug)]
pub struct MediaStream {
    /// Its MIME type (`video/mp4`), as the media endpoint reports it.
    pub mime_type: String,
    /// Its size in bytes, as the media endpoint reports it.
    pub file_size: Option<i64>,
    /// The body, as it arrives.
    pub body: ByteStream<GraphAPIError>,
}

impl Client {
    /// Downloads the file with this media ID: asks for its download URL
    /// (`get_media_url`), then fetches it (`download_media`). When the URL
    /// answers 401, 403, 404 or 410 (it expires after about five minutes),
    /// a fresh one is asked for once.
    pub fn download_media_by_id(&self, media_id: impl Into<String>) -> DownloadMediaById<'_> {
        DownloadMediaById { client: self, media_id: media_id.into(), phone_number_id: None, retry: None, timeout: None }
    }
}

/// Request builder for [`Client::download_media_by_id`]: set options, then
/// `.send().await` (or `.await`) for the bytes, or `.send_streaming().await`.
#[must_use = "a request does nothing until `.send().await`"]
#[derive(Debug, Clone)]
pub struct DownloadMediaById<'a> {
    client: &'a Client,
    media_id: String,
    phone_number_id: Option<String>,
    retry: Option<RetryPolicy>,
    timeout: Option<std::time::Duration>,
}

/// Statuses a download URL answers with once it has expired (or was never
/// valid for this token): worth one fresh URL.
fn expired(error: &Error<GraphAPIError>) -> bool {
    matches!(error.status(), Some(401 | 403 | 404 | 410))
}

impl<'a> DownloadMediaById<'a> {
    /// Checks that the media belongs to this business phone number.
    pub fn phone_number_id(mut self, phone_number_id: impl Into<String>) -> Self {
        self.phone_number_id = Some(phone_number_id.into());
        self
    }

    /// Uses this retry policy for both calls instead of the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets how long each of the two calls may take (the download's reading
    /// of the body included).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The download URL and what the media endpoint says of the file.
    async fn locate(&self) -> Result<(String, MediaUrlResponse), Error<GraphAPIError>> {
        let mut call = self.client.get_media_url(self.media_id.clone());
        if let Some(id) = &self.phone_number_id {
            call = call.phone_number_id(id.clone());
        }
        if let Some(policy) = &self.retry {
            call = call.retry(policy.clone());
        }
        if let Some(timeout) = self.timeout {
            call = call.timeout(timeout);
        }
        let Response { value, meta } = call.send_with_meta().await?;
        match value.url.clone() {
            Some(url) => Ok((url, value)),
            None => Err(Error::Decode {
                status: meta.status(),
                path: "url".to_string(),
                body: RawBody(serde_json::to_vec(&value).unwrap_or_default()),
                source: <serde_json::Error as serde::de::Error>::missing_field("url"),
                meta: Box::new(meta),
            }),
        }
    }

    fn download(&self, url: String) -> crate::operations::DownloadMedia<'a> {
        let mut call = self.client.download_media(url);
        if let Some(policy) = &self.retry {
            call = call.retry(policy.clone());
        }
        if let Some(timeout) = self.timeout {
            call = call.timeout(timeout);
        }
        call
    }

    /// Downloads the whole file into memory.
    pub async fn send(self) -> Result<Media, Error<GraphAPIError>> {
        let (url, info) = self.locate().await?;
        let bytes = match self.download(url).send().await {
            Err(e) if expired(&e) => {
                let (url, _) = self.locate().await?;
                self.download(url).send().await?
            }
            other => other?,
        };
        Ok(Media { bytes, mime_type: info.mime_type.unwrap_or_default(), sha256: info.sha256 })
    }

    /// Starts the download and hands the body out as it arrives.
    pub async fn send_streaming(self) -> Result<MediaStream, Error<GraphAPIError>> {
        let (url, info) = self.locate().await?;
        let body = match self.download(url).send_streaming().await {
            Err(e) if expired(&e) => {
                let (url, _) = self.locate().await?;
                self.download(url).send_streaming().await?
            }
            other => other?,
        };
        Ok(MediaStream { mime_type: info.mime_type.unwrap_or_default(), file_size: info.file_size, body })
    }
}

impl<'a> std::future::IntoFuture for DownloadMediaById<'a> {
    type Output = Result<Media, Error<GraphAPIError>>;
    type IntoFuture = fragment_codegen_runtime::__private::BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl crate::types::MediaUploadRequest {
    /// An upload of `file`, whose MIME type is sent as the request's `type`:
    /// the file part's content type when it has one, otherwise the type its
    /// file name's extension stands for among the kinds WhatsApp accepts
    /// (`application/octet-stream` when neither says, which the API refuses
    /// with an error naming the type).
    ///
    /// ```
    /// use whatsapp_cloud_api::FilePart;
    /// use whatsapp_cloud_api::types::MediaUploadRequest;
    ///
    /// let upload = MediaUploadRequest::from_file(FilePart::new(vec![0xFF, 0xD8]).file_name("box.jpg"));
    /// assert_eq!(upload.type_, "image/jpeg");
    /// ```
    pub fn from_file(file: crate::FilePart) -> Self {
        let mime = file
            .content_type
            .clone()
            .or_else(|| file.file_name.as_deref().and_then(mime_of_name).map(str::to_string))
            .unwrap_or_else(|| "application/octet-stream".to_string());
        Self::new(file, mime)
    }
}

/// The MIME type of a file name's extension, for the kinds of media
/// WhatsApp accepts.
fn mime_of_name(name: &str) -> Option<&'static str> {
    let (_, extension) = name.rsplit_once('.')?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "3gp" => "video/3gpp",
        "aac" => "audio/aac",
        "amr" => "audio/amr",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" | "opus" => "audio/ogg",
        "txt" => "text/plain",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => return None,
    })
}
