// The bot-loop API: read receipts with a typing indicator, replies in
// context, the accessors every incoming message shares, error kinds, media by
// ID (whole or streamed), escape hatches on outgoing messages, builders that
// are awaited directly, and webhook test support.
use whatsapp_cloud_api::errors::{ApiError, ErrorKind};
use whatsapp_cloud_api::types::*;
use whatsapp_cloud_api::webhooks::*;
use whatsapp_cloud_api::{Client, Error};

async fn bot(client: &Client, phone_number_id: &str, message: &IncomingMessage) -> Result<(), Error<GraphAPIError>> {
    // Accessors shared by every kind of incoming message: every kind has an
    // id and a timestamp; the sender is a phone number or a business-scoped
    // user ID.
    let id: &str = message.id();
    let timestamp: &str = message.timestamp();
    let phone: Option<&str> = message.from();
    let context: Option<&IncomingMessageContext> = message.context();
    let _ = (timestamp, context, phone);
    let Some(from) = message.sender() else { return Ok(()) };

    // Mark as read, with a typing indicator; a builder is awaited directly.
    let read: MarkMessageReadResponse = client.mark_as_read(phone_number_id, id).typing_indicator().await?;
    assert!(read.success);

    // Reply in context, with tracking data the status webhook reports back.
    let reply = Message::text(from.clone(), "On its way")
        .reply_to(id)
        .with_biz_opaque_callback_data("order-4521");
    let sent: SendMessageResponse = client.send_message(phone_number_id, reply).await?;
    let _ = sent.messages;

    // Short builders: reply buttons, template parameters, a URL button.
    let buttons = Message::reply_buttons(from.clone(), "Pick one", [("a", "Option A"), ("b", "Option B")]);
    let template = Template::named("order_update", "en_US")
        .body_texts(["Maria", "#4521"])
        .body_named([("customer_name", "Maria")])
        .url_button(0, "orders/4521")
        .quick_reply_button(1, "STOP");
    let _ = (buttons, Message::template(from.clone(), template), TemplateParameter::named("name", "Maria"));

    // A field newer than the fragments can still be sent, flat beside the others.
    let mut text = TextMessage::new(from, "hi").with_biz_opaque_callback_data("t-1");
    text.extra.insert("future_field".into(), serde_json::json!(true));
    let _: Message = text.into();

    // Media by ID: whole, or chunk by chunk.
    let media = client.download_media_by_id("1184402993368271").send().await?;
    let _: (&[u8], &str) = (&media.bytes, &media.mime_type);
    let mut stream = client.download_media_by_id("1184402993368271").send_streaming().await?;
    let _ = stream.body.content_type();
    while let Some(chunk) = stream.body.next_chunk().await? {
        let _: &[u8] = &chunk;
    }
    Ok(())
}

fn classify(error: &Error<GraphAPIError>, failed: &MessageStatus) {
    // The crate error's kind: an API error's code, or a bare 429.
    match error.kind() {
        Some(kind) if kind.is_rate_limit() => {}
        Some(kind) if kind.is_retryable() => {}
        Some(ErrorKind::ReEngagementWindow | ErrorKind::ExpiredToken) => {}
        Some(ErrorKind::Unrecognized { code, subcode }) => {
            let _: (i64, Option<i64>) = (code, subcode);
        }
        _ => {}
    }
    // One line: message, code, subcode, trace id.
    let _line: String = error.to_string();
    // Errors inside status webhooks have kinds too.
    for e in failed.errors.iter().flatten().filter_map(whatsapp_cloud_api::Item::valid) {
        let _: ErrorKind = e.kind();
        let _: Option<ErrorKind> = e.error_kind();
        let _line = e.to_string();
    }
}

fn test_support(app_secret: &[u8], body: &[u8]) {
    // Sign a fixture the way the API does; `parse_verified` accepts it.
    let signature = sign(app_secret, body);
    let parsed: Result<WebhookPayload, WebhookError> = parse_verified(app_secret, body, Some(&signature));
    let _ = parsed;
}

fn routes() -> axum::Router {
    // Ready-made routes (the `axum` feature): handshake and verified deliveries.
    let secrets = whatsapp_cloud_api::webhooks::routes::WebhookSecrets::new("app-secret", "verify-token");
    whatsapp_cloud_api::webhooks::routes::router("/webhook", secrets, |payload: WebhookPayload| async move {
        let _ = payload.entry.len();
    })
}

async fn extractor(whatsapp_cloud_api::webhooks::routes::Verified(payload): whatsapp_cloud_api::webhooks::routes::Verified) {
    let _ = payload;
}

fn main() {
    let _ = (bot, classify, test_support, routes, extractor);
}
