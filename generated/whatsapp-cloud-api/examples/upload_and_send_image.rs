//! Uploads an image, then sends it by its new media ID.
//!
//! ```sh
//! WHATSAPP_TOKEN=... WHATSAPP_PHONE_NUMBER_ID=... WHATSAPP_TO=447700900123 \
//!     cargo run -p whatsapp-cloud-api --example upload_and_send_image -- photo.jpg "Today's special"
//! ```
//!
//! `WHATSAPP_BASE_URL` sends the requests to another server (a proxy or a
//! mock) instead of `https://graph.facebook.com`.

use whatsapp_cloud_api::types::{CaptionedMediaById, GraphAPIError, MediaUploadRequest, Message};
use whatsapp_cloud_api::{Client, Error, FilePart};

/// What the upload and the send returned.
#[derive(Debug)]
pub struct Sent {
    /// The ID of the uploaded media.
    pub media_id: String,
    /// The ID of the message that carries it.
    pub message_id: Option<String>,
}

/// Uploads a JPEG image (as a multipart form), then sends it to `to` with a
/// caption.
pub async fn upload_and_send_image(
    client: &Client,
    phone_number_id: &str,
    to: &str,
    jpeg: Vec<u8>,
    caption: &str,
) -> Result<Sent, Error<GraphAPIError>> {
    // The upload's `type` is the file part's content type.
    let file = FilePart::new(jpeg)
        .file_name("image.jpg")
        .content_type("image/jpeg");
    let uploaded = client
        .upload_media(phone_number_id, MediaUploadRequest::from_file(file))
        .send()
        .await?;
    let image = CaptionedMediaById::new(uploaded.id.clone()).with_caption(caption);
    let sent = client
        .send_message(phone_number_id, Message::image(to, image))
        .send()
        .await?;
    Ok(Sent {
        media_id: uploaded.id,
        message_id: sent
            .messages
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|m| m.id),
    })
}

/// A client for the token in `WHATSAPP_TOKEN`, sending to `WHATSAPP_BASE_URL`
/// when it is set.
fn client_from_env() -> Result<Client, Box<dyn std::error::Error>> {
    let token = std::env::var("WHATSAPP_TOKEN").map_err(|_| "set WHATSAPP_TOKEN")?;
    let mut builder = Client::builder(token);
    if let Ok(base_url) = std::env::var("WHATSAPP_BASE_URL") {
        builder = builder.base_url(base_url);
    }
    Ok(builder.build()?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = client_from_env()?;
    let phone_number_id =
        std::env::var("WHATSAPP_PHONE_NUMBER_ID").map_err(|_| "set WHATSAPP_PHONE_NUMBER_ID")?;
    let to = std::env::var("WHATSAPP_TO").map_err(|_| "set WHATSAPP_TO")?;
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: upload_and_send_image <file.jpg> [caption]")?;
    let caption = std::env::args().nth(2).unwrap_or_default();
    let jpeg = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let sent = upload_and_send_image(&client, &phone_number_id, &to, jpeg, &caption).await?;
    println!("uploaded {} and sent {:?}", sent.media_id, sent.message_id);
    Ok(())
}
