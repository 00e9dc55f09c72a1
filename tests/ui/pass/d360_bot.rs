// A 360dialog bot without raw JSON: send a text, reply buttons and a
// template, upload and send an image, download a received file, mark a
// message as read, set the webhook URL, and read a delivery checked by its
// header.
use d360_messaging::deliveries::{self, HeaderAuth};
use d360_messaging::types::{CaptionedMediaById, ErrorResponse, MarkMessageRead, MediaUpload, Message, Template, WebhookConfig};
use d360_messaging::{Client, Error, FilePart};

async fn bot(client: &Client, body: &[u8], token: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
    client
        .set_webhook(WebhookConfig::new("https://bot.example.com/whatsapp").with_headers([("X-Bot-Token".to_string(), "s3cr3t".to_string())].into()))
        .await?;
    let payload = HeaderAuth::new("X-Bot-Token", "s3cr3t").parse(token, body)?;
    for (_value, message) in payload.messages() {
        let Some(to) = message.sender() else { continue };
        client.mark_as_read(MarkMessageRead::new(message.id())).await?;
        client.send_message(Message::text(to.clone(), "Hello!").reply_to(message.id())).await?;
        client.send_message(Message::reply_buttons(to.clone(), "Table for two?", [("yes", "Yes"), ("no", "No")])).await?;
        let template = Template::named("order_update", "de").body_texts(["#4521"]);
        client.send_message(Message::template(to.clone(), template)).await?;

        let file = FilePart::new(vec![0xFF, 0xD8]).file_name("special.jpg").content_type("image/jpeg");
        let uploaded = client.upload_media(MediaUpload::new(file)).await?;
        let image = CaptionedMediaById::new(uploaded.id).with_caption("Today's special");
        client.send_message(Message::image(to, image)).await?;
    }
    let received = client.download_media_by_id("1037543291543636").await?;
    let _: (&[u8], &str) = (&received.bytes, &received.mime_type);
    Ok(())
}

// Errors come in either shape: 360dialog's own text, or the Cloud API's
// passed through (sorted by the WhatsApp crate's kinds).
fn describe(error: &Error<ErrorResponse>) -> String {
    match error.api_error() {
        Some(ErrorResponse::DialogError(e)) => e.error.clone(),
        Some(ErrorResponse::GraphAPIError(e)) => format!("{:?}: {}", e.kind(), e.error.message),
        _ => error.to_string(),
    }
}

fn main() {
    let client = Client::new("api-key").expect("client");
    let _future = bot(&client, b"{}", None);
    let _ = describe;
    let _ = deliveries::verify_partner_signature(b"secret", b"{}", Some("00"));
}
