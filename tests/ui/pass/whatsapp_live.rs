// The live API without raw JSON: answering a sender known only by a
// business-scoped user ID, asking for a location or an address, a button
// that opens a link, how long a rate limit asks to wait, a new token, and the
// items of a delivery that did not fit their type.
use std::time::Duration;

use whatsapp_cloud_api::types::{Addressee, GraphAPIError, IncomingMessage, Message, WebhookPayload};
use whatsapp_cloud_api::{Client, Error, Item, webhooks};

async fn answer(client: &Client, phone_number_id: &str, payload: &WebhookPayload) -> Result<(), Error<GraphAPIError>> {
    for (_value, message) in payload.messages() {
        // A phone number when the delivery shows one, else the sender's
        // business-scoped user ID: either answers.
        let Some(to) = message.sender() else { continue };
        let id: &str = message.id();
        client.mark_as_read(phone_number_id, id).typing_indicator().await?;

        let ask = Message::location_request(to.clone(), "Where should we deliver?").reply_to(id);
        let link = Message::cta_url(to.clone(), "Your parcel is on its way.", "Track it", "https://example.com/t/4521");
        let address = Message::address_request(to.clone(), "Where should we send it?", "IN");
        for message in [ask, link, address] {
            match client.send_message(phone_number_id, message).await {
                Ok(_) => {}
                Err(e) if e.kind().is_some_and(|k| k.is_rate_limit()) => {
                    let wait: Option<Duration> = e.retry_after();
                    let _ = wait;
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

fn refresh(client: &Client, new_token: String) {
    // Every clone of the client sends the new token from now on.
    client.set_token(new_token);
}

fn main() {
    let delivery = br#"{"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"username": "kai.builds"}, "user_id": "US.13491208655302741918"}],
            "messages": [
                {"from_user_id": "US.13491208655302741918", "id": "wamid.1", "timestamp": "1749416383", "type": "text", "text": {"body": "hi"}},
                {"id": "wamid.2", "timestamp": "1749416384", "text": {"body": "no type"}}
            ]
        }
    }]}]}"#;
    let payload = webhooks::parse(delivery).expect("a delivery always parses");

    let senders: Vec<Option<Addressee>> = payload.messages().map(|(_, m)| m.sender()).collect();
    assert_eq!(senders, [Some(Addressee::Recipient("US.13491208655302741918".into()))]);
    let invalid = payload.invalid_items();
    assert_eq!(invalid.len(), 1);
    assert_eq!(invalid[0].0, "entry[0].changes[0].value.messages[1]");

    // A reply to that user names them in `recipient`, not in `to`.
    let (_, first) = payload.messages().next().expect("one message");
    let Message::Text(reply) = Message::text(first.sender().expect("a sender"), "Hello!") else {
        unreachable!("a text message")
    };
    assert_eq!(reply.to, None);
    assert_eq!(reply.recipient.as_deref(), Some("US.13491208655302741918"));
    // A phone number still goes in `to`.
    let Message::Text(by_phone) = Message::text("+15551234567", "Hello!") else { unreachable!("a text message") };
    assert_eq!(by_phone.to.as_deref(), Some("+15551234567"));

    // Items of every kind can be matched without `Item` too.
    let kinds: Vec<&str> = payload.messages().map(|(_, m)| m.tag()).collect();
    assert_eq!(kinds, ["text"]);
    let _: fn(&IncomingMessage) -> Option<Addressee> = IncomingMessage::sender;
    let _: Option<&Item<whatsapp_cloud_api::types::WebhookEntry>> = payload.entry.first();

    let client = Client::new("old-token").expect("client");
    refresh(&client, "new-token".into());
    let _ = answer(&client, "106540352242922", &payload);
}
