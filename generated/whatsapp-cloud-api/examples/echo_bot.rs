//! An echo bot: for every incoming message it marks the message read with a
//! typing indicator, then answers in context. `menu` gets reply buttons,
//! the "Track my order" button a template with a body value and a URL
//! button, an image its size once downloaded, and any other text is echoed.
//! `where` gets a location request. It answers users known only by their
//! business-scoped user ID as it answers phone numbers. When an answer is
//! refused it branches on the error's kind: a rate limit (how long to wait
//! comes with it), a user outside the 24-hour window (a template is sent
//! instead), an expired token. Messages that did not fit their type are
//! reported, and the rest of the delivery is answered as usual.
//!
//! Deliveries are acknowledged once the bot has answered them; a bot with
//! slow work should acknowledge first and answer from a queue, since Meta
//! sends a delivery again when the answer takes too long.
//!
//! ```sh
//! WHATSAPP_TOKEN=... WHATSAPP_PHONE_NUMBER_ID=... \
//! WHATSAPP_APP_SECRET=... WHATSAPP_VERIFY_TOKEN=... \
//!     cargo run -p whatsapp-cloud-api --features axum --example echo_bot
//! ```
//!
//! It listens on `127.0.0.1:3000` (or `WEBHOOK_ADDR`) at `/webhook`;
//! `WHATSAPP_BASE_URL` sends its calls to another server (a proxy or a mock).

use std::time::Duration;

use whatsapp_cloud_api::errors::ErrorKind;
use whatsapp_cloud_api::types::{
    Addressee, GraphAPIError, IncomingInteractive, IncomingMessage, Message, Template,
    WebhookChange, WebhookPayload,
};
use whatsapp_cloud_api::{Client, Error, Item, webhooks};

/// What the bot did with one incoming message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Echoed a text back, as a reply to it.
    Echoed,
    /// Sent the reply buttons.
    SentMenu,
    /// Sent the order update template.
    SentOrderUpdate,
    /// Downloaded an image and said how large it is.
    ReadImage {
        /// Its size in bytes.
        bytes: usize,
        /// Its MIME type.
        mime_type: String,
    },
    /// Asked the user to share their location.
    AskedLocation,
    /// The user wrote more than 24 hours ago: sent a template instead.
    OutsideWindow,
    /// Refused for the rate: try again later (after the wait the API asked
    /// for, when it said).
    RateLimited(Option<Duration>),
    /// The access token expired: the bot needs a new one.
    TokenExpired,
    /// Nothing to answer (a status, a reaction, a kind the bot ignores).
    Ignored(String),
    /// A message that does not fit its type, kept with why.
    Invalid(String),
    /// Any other failure.
    Failed(String),
}

/// The bot: a client and the business number it answers from.
#[derive(Clone)]
pub struct Bot {
    client: Client,
    phone_number_id: String,
}

/// The ID of the "Track my order" reply button.
const TRACK_ORDER: &str = "track_order";

impl Bot {
    /// A bot answering from `phone_number_id`.
    pub fn new(client: Client, phone_number_id: impl Into<String>) -> Self {
        Bot {
            client,
            phone_number_id: phone_number_id.into(),
        }
    }

    /// Answers every message of a delivery, in order.
    pub async fn handle(&self, payload: WebhookPayload) -> Vec<Outcome> {
        let mut outcomes = Vec::new();
        for change in payload.changes() {
            let WebhookChange::Messages(change) = change else {
                outcomes.push(Outcome::Ignored(format!("{} change", change.tag())));
                continue;
            };
            for message in change.value.messages.iter().flatten() {
                outcomes.push(match message {
                    Item::Valid(message) => self.answer(message).await,
                    Item::Invalid(invalid) => Outcome::Invalid(invalid.to_string()),
                });
            }
        }
        outcomes
    }

    /// Marks one message read (showing "typing…") and answers it.
    async fn answer(&self, message: &IncomingMessage) -> Outcome {
        // A phone number, or the business-scoped user ID of a user who
        // hides their number.
        let Some(from) = message.sender() else {
            return Outcome::Ignored(format!("{} message without a sender", message.tag()));
        };
        let id = message.id();
        let read = self
            .client
            .mark_as_read(&self.phone_number_id, id)
            .typing_indicator()
            .await;
        if let Err(e) = read {
            return self.refused(from, e).await;
        }
        let result = match message {
            IncomingMessage::Text(m) => match m.text.as_ref().map(|t| t.body.trim()) {
                Some(text) if text.eq_ignore_ascii_case("where") => {
                    let ask = Message::location_request(from.clone(), "Where should we deliver?");
                    self.send(ask.reply_to(id))
                        .await
                        .map(|()| Outcome::AskedLocation)
                }
                Some(text) if text.eq_ignore_ascii_case("menu") => {
                    let menu = Message::reply_buttons(
                        from.clone(),
                        "What can I do for you?",
                        [(TRACK_ORDER, "Track my order"), ("hours", "Opening hours")],
                    );
                    self.send(menu.reply_to(id))
                        .await
                        .map(|()| Outcome::SentMenu)
                }
                Some(text) => {
                    let echo =
                        Message::text(from.clone(), format!("You said: {text}")).reply_to(id);
                    self.send(echo).await.map(|()| Outcome::Echoed)
                }
                None => return Outcome::Ignored("text without its content".into()),
            },
            IncomingMessage::Interactive(m) => match &m.interactive {
                Some(IncomingInteractive::ButtonReply(reply))
                    if reply.button_reply.id.as_deref() == Some(TRACK_ORDER) =>
                {
                    self.send(order_update(from.clone(), "4521"))
                        .await
                        .map(|()| Outcome::SentOrderUpdate)
                }
                _ => return Outcome::Ignored("another interactive reply".into()),
            },
            IncomingMessage::Image(m) => match &m.image {
                Some(image) => self.read_image(from.clone(), id, &image.id).await,
                None => return Outcome::Ignored("image without its content".into()),
            },
            other => return Outcome::Ignored(format!("{} message", other.tag())),
        };
        match result {
            Ok(outcome) => outcome,
            Err(e) => self.refused(from, e).await,
        }
    }

    /// Downloads an image by its media ID and says how large it is.
    async fn read_image(
        &self,
        from: Addressee,
        id: &str,
        media_id: &str,
    ) -> Result<Outcome, Error<GraphAPIError>> {
        let media = self.client.download_media_by_id(media_id).await?;
        let text = format!(
            "Got your picture: {} bytes of {}.",
            media.bytes.len(),
            media.mime_type
        );
        self.send(Message::text(from, text).reply_to(id)).await?;
        Ok(Outcome::ReadImage {
            bytes: media.bytes.len(),
            mime_type: media.mime_type,
        })
    }

    async fn send(&self, message: Message) -> Result<(), Error<GraphAPIError>> {
        self.client
            .send_message(&self.phone_number_id, message)
            .await
            .map(drop)
    }

    /// What to do when a call is refused, by the kind of error.
    async fn refused(&self, to: Addressee, error: Error<GraphAPIError>) -> Outcome {
        match error.kind() {
            Some(kind) if kind.is_rate_limit() => Outcome::RateLimited(error.retry_after()),
            Some(ErrorKind::ReEngagementWindow) => {
                // Only a template may start a conversation again.
                let template = Message::template(to, Template::named("we_are_back", "en_US"));
                match self.send(template).await {
                    Ok(()) => Outcome::OutsideWindow,
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
            Some(ErrorKind::ExpiredToken) => Outcome::TokenExpired,
            _ => Outcome::Failed(error.to_string()),
        }
    }
}

/// The `order_update` template: the order number in the body, and the
/// tracking page's path after the URL button's base URL.
pub fn order_update(to: impl Into<Addressee>, order: &str) -> Message {
    Message::template(
        to,
        Template::named("order_update", "en_US")
            .body_texts([format!("#{order}")])
            .url_button(0, format!("orders/{order}")),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let mut client = Client::builder(var("WHATSAPP_TOKEN")?);
    if let Ok(base_url) = std::env::var("WHATSAPP_BASE_URL") {
        client = client.base_url(base_url);
    }
    let bot = Bot::new(client.build()?, var("WHATSAPP_PHONE_NUMBER_ID")?);
    let secrets = webhooks::routes::WebhookSecrets::new(
        var("WHATSAPP_APP_SECRET")?,
        var("WHATSAPP_VERIFY_TOKEN")?,
    );
    let app = webhooks::routes::router("/webhook", secrets, move |payload| {
        let bot = bot.clone();
        async move {
            for outcome in bot.handle(payload).await {
                println!("{outcome:?}");
            }
        }
    });
    let addr = std::env::var("WEBHOOK_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}/webhook");
    axum::serve(listener, app).await?;
    Ok(())
}
