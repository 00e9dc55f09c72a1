//! A 360dialog bot: on start it sets the number's webhook URL (with a
//! header that authenticates deliveries); for every incoming message it
//! marks the message read with a typing indicator and answers in context.
//! `menu` gets reply buttons, the "Track my order" button a template, an
//! image is downloaded and sent back as an uploaded image with its size,
//! and any other text is echoed.
//!
//! ```sh
//! D360_API_KEY=... BOT_WEBHOOK_URL=https://bot.example.com/webhook BOT_WEBHOOK_TOKEN=... \
//!     cargo run -p d360-messaging --example bot
//! ```
//!
//! It listens on `127.0.0.1:3000` (or `BOT_ADDR`) at `/webhook`; without
//! `BOT_WEBHOOK_URL` it leaves the webhook as it is. `D360_BASE_URL` sends
//! its calls to another server (a proxy or a mock).

use d360_messaging::deliveries::{self, HeaderAuth};
use d360_messaging::types::{
    CaptionedMediaById, ErrorResponse, IncomingInteractive, IncomingMessage, MarkMessageRead,
    MediaUpload, Message, Template, TypingIndicator, WebhookConfig, WebhookPayload,
};
use d360_messaging::{Client, Error, FilePart};

/// The header 360dialog sends with every delivery, set with the webhook URL.
pub const TOKEN_HEADER: &str = "X-Bot-Token";

/// The ID of the "Track my order" reply button.
const TRACK_ORDER: &str = "track_order";

/// What the bot did with one incoming message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Echoed a text back, as a reply to it.
    Echoed,
    /// Sent the reply buttons.
    SentMenu,
    /// Sent the order update template.
    SentOrderUpdate,
    /// Downloaded an image, uploaded it again and sent it back.
    ReturnedImage {
        /// Its size in bytes.
        bytes: usize,
        /// The media ID of the upload.
        media_id: String,
    },
    /// Nothing to answer (a status, a reaction, a kind the bot ignores).
    Ignored(String),
    /// A message that does not fit its type, kept with why.
    Invalid(String),
    /// A call was refused.
    Failed(String),
}

/// Points the number's deliveries at `url`, with `token` in [`TOKEN_HEADER`].
pub async fn set_webhook(
    client: &Client,
    url: &str,
    token: &str,
) -> Result<(), Error<ErrorResponse>> {
    let headers = [(TOKEN_HEADER.to_string(), token.to_string())].into();
    client
        .set_webhook(WebhookConfig::new(url).with_headers(headers))
        .await
        .map(drop)
}

/// Answers every message of a delivery, in order.
pub async fn handle(client: &Client, payload: WebhookPayload) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (_value, message) in payload.messages() {
        outcomes.push(
            answer(client, message)
                .await
                .unwrap_or_else(|e| Outcome::Failed(describe(&e))),
        );
    }
    for (at, invalid) in payload.invalid_items() {
        outcomes.push(Outcome::Invalid(format!("{at}: {invalid}")));
    }
    outcomes
}

/// Marks one message read (showing "typing…") and answers it.
async fn answer(
    client: &Client,
    message: &IncomingMessage,
) -> Result<Outcome, Error<ErrorResponse>> {
    let Some(from) = message.sender() else {
        return Ok(Outcome::Ignored(format!(
            "{} message without a sender",
            message.tag()
        )));
    };
    let id = message.id();
    client
        .mark_as_read(MarkMessageRead::new(id).with_typing_indicator(TypingIndicator::new()))
        .await?;
    let reply = match message {
        IncomingMessage::Text(m) => match m.text.as_ref().map(|t| t.body.trim()) {
            Some(text) if text.eq_ignore_ascii_case("menu") => {
                let menu = Message::reply_buttons(
                    from,
                    "What can I do for you?",
                    [(TRACK_ORDER, "Track my order"), ("hours", "Opening hours")],
                );
                client.send_message(menu.reply_to(id)).await?;
                Outcome::SentMenu
            }
            Some(text) => {
                client
                    .send_message(Message::text(from, format!("You said: {text}")).reply_to(id))
                    .await?;
                Outcome::Echoed
            }
            None => Outcome::Ignored("text without its content".into()),
        },
        IncomingMessage::Interactive(m) => match &m.interactive {
            Some(IncomingInteractive::ButtonReply(reply))
                if reply.button_reply.id.as_deref() == Some(TRACK_ORDER) =>
            {
                let template = Template::named("order_update", "en_US").body_texts(["#4521"]);
                client
                    .send_message(Message::template(from, template))
                    .await?;
                Outcome::SentOrderUpdate
            }
            _ => Outcome::Ignored("another interactive reply".into()),
        },
        IncomingMessage::Image(m) => match &m.image {
            Some(image) => {
                let media = client.download_media_by_id(image.id.clone()).await?;
                let bytes = media.bytes.len();
                let file = FilePart::new(media.bytes)
                    .file_name("picture.jpg")
                    .content_type(media.mime_type);
                let uploaded = client.upload_media(MediaUpload::new(file)).await?;
                let back = CaptionedMediaById::new(uploaded.id.clone())
                    .with_caption(format!("{bytes} bytes"));
                client
                    .send_message(Message::image(from, back).reply_to(id))
                    .await?;
                Outcome::ReturnedImage {
                    bytes,
                    media_id: uploaded.id,
                }
            }
            None => Outcome::Ignored("image without its content".into()),
        },
        other => Outcome::Ignored(format!("{} message", other.tag())),
    };
    Ok(reply)
}

/// A refused call in one line: 360dialog's own text, or the Cloud API's
/// error with its kind.
pub fn describe(error: &Error<ErrorResponse>) -> String {
    match error.api_error() {
        Some(ErrorResponse::DialogError(e)) => format!("360dialog: {}", e.error),
        Some(ErrorResponse::GraphAPIError(e)) => format!("{:?}: {}", e.kind(), e.error.message),
        _ => error.to_string(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use axum::http::{HeaderMap, StatusCode};

    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let mut client = Client::builder(var("D360_API_KEY")?);
    if let Ok(base_url) = std::env::var("D360_BASE_URL") {
        client = client.base_url(base_url);
    }
    let client = client.build()?;
    let token = var("BOT_WEBHOOK_TOKEN")?;
    if let Ok(url) = std::env::var("BOT_WEBHOOK_URL") {
        set_webhook(&client, &url, &token).await?;
    }
    let auth = HeaderAuth::new(TOKEN_HEADER, token);
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(
            move |headers: HeaderMap, body: axum::body::Bytes| async move {
                let received = headers.get(auth.header()).and_then(|v| v.to_str().ok());
                match auth.parse(received, &body) {
                    Ok(payload) => {
                        for outcome in handle(&client, payload).await {
                            println!("{outcome:?}");
                        }
                        StatusCode::OK
                    }
                    Err(deliveries::WebhookError::Parse { .. }) => StatusCode::BAD_REQUEST,
                    Err(_) => StatusCode::UNAUTHORIZED,
                }
            },
        ),
    );
    let addr = std::env::var("BOT_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}/webhook");
    axum::serve(listener, app).await?;
    Ok(())
}
