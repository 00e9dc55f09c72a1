// The README's "Sending messages" and "Receiving webhooks" examples.
use whatsapp_cloud_api::types::{IncomingMessage, Message};
use whatsapp_cloud_api::webhooks;

async fn send(client: &whatsapp_cloud_api::Client, phone_number_id: &str) -> Result<(), Box<dyn std::error::Error>> {
    // One constructor per kind: `Message::text`, `Message::image`, … (or build
    // the kind's struct, e.g. `TextMessage::new`, and convert it with `.into()`).
    let message = Message::text("+15551234567", "Your order has shipped.");
    let sent = client.send_message(phone_number_id, message).send().await?;
    println!("sent {:?}", sent.messages);
    Ok(())
}

fn on_delivery(app_secret: &[u8], body: &[u8], signature: Option<&str>) -> Result<(), webhooks::WebhookError> {
    let payload = webhooks::parse_verified(app_secret, body, signature)?;
    for (_value, message) in payload.messages() {
        // Every kind has `id()`, `timestamp()`, `sender()` (a phone number or
        // a business-scoped user ID) and `context()`; a kind's content is
        // optional (the API may send only `errors`).
        if let IncomingMessage::Text(m) = message {
            if let Some(text) = &m.text {
                println!("{} ({:?}) wrote {}", message.id(), message.sender(), text.body);
            }
        }
    }
    // Items that did not fit their type are kept, with where and why.
    for (path, invalid) in payload.invalid_items() {
        eprintln!("not decoded: {path}: {invalid}");
    }
    Ok(())
}

fn main() {
    let client = whatsapp_cloud_api::Client::new("token").expect("client builds");
    let _future = send(&client, "1234567890");
    // An unsigned delivery is rejected before it is parsed.
    assert!(matches!(on_delivery(b"secret", b"{}", None), Err(webhooks::WebhookError::MissingSignature)));
}

// The README's "Lists" example.
async fn templates(client: &whatsapp_cloud_api::Client, waba_id: &str) -> Result<(), Box<dyn std::error::Error>> {
    use futures::StreamExt;
    let mut stream = Box::pin(client.list_message_templates(waba_id).limit(100).into_stream(Some(10)));
    while let Some(template) = stream.next().await {
        match template? {
            whatsapp_cloud_api::Item::Valid(template) => println!("{:?}", template.name),
            whatsapp_cloud_api::Item::Invalid(invalid) => eprintln!("not read: {invalid}"),
        }
    }
    Ok(())
}

#[allow(dead_code)]
fn uses_templates(client: &whatsapp_cloud_api::Client) {
    let _future = templates(client, "waba");
}

// The README's "Rate-limit insight and request hooks" example.
async fn paced(client: &whatsapp_cloud_api::Client, phone_number_id: &str) -> Result<(), Box<dyn std::error::Error>> {
    use whatsapp_cloud_api::usage::UsageHeaders;
    let response = client.get_business_profile(phone_number_id).send_with_meta().await?;
    if let Some(usage) = response.meta.app_usage()? {
        if usage.call_count > 80 {
            eprintln!("slow down: {}% of the app's call budget used", usage.call_count);
        }
    }
    println!("{:?}", response.value);
    Ok(())
}

#[allow(dead_code)]
fn uses_paced(client: &whatsapp_cloud_api::Client) {
    let _future = paced(client, "1234567890");
}
