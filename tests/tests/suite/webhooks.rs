//! Receiving webhooks with `whatsapp-cloud-api`: decoding deliveries in the
//! shape Meta's live API sends them (the variant chosen and the key fields
//! read), unknown fields, message types and status values kept whole, every
//! payload written back unchanged, the `X-Hub-Signature-256` check and the
//! subscription handshake.

// The runtime's strict decoder, which generated code calls (not part of
// the crate's API): it fails on the first item that does not fit.
use fragment_codegen_runtime::__private::decode::from_slice_strict;
use serde_json::{Value, json};
use whatsapp_cloud_api::Item;
use whatsapp_cloud_api::types::{
    IncomingInteractive, IncomingMessage, IncomingSystemType, MessageStatus, MessageStatusStatus,
    MessagesValue, MessagingProductWhatsapp, StatusPricingPricingModel, WebhookChange,
    WebhookPayload,
};
use whatsapp_cloud_api::webhooks::{
    self, SIGNATURE_HEADER, WebhookError, parse_verified, verify_signature, verify_subscription,
    verify_subscription_query,
};

const WABA_ID: &str = "102290129340398";
const PHONE_NUMBER_ID: &str = "106540352242922";
const DISPLAY_NUMBER: &str = "15550783881";
const USER: &str = "16505551234";
const WAMID: &str = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";
const TIMESTAMP: &str = "1749416383";

// ---------------------------------------------------------------------------
// Payload builders
// ---------------------------------------------------------------------------

/// A whole delivery with one entry holding the given changes.
fn delivery(changes: Vec<Value>) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": changes}]
    })
}

fn metadata() -> Value {
    json!({"display_phone_number": DISPLAY_NUMBER, "phone_number_id": PHONE_NUMBER_ID})
}

/// A `messages` delivery carrying one incoming message from `USER`.
fn message_delivery(message: Value) -> Value {
    delivery(vec![json!({
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": metadata(),
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": USER}],
            "messages": [message]
        }
    })])
}

/// A `messages` delivery carrying one status update (statuses carry no
/// `contacts`).
fn status_delivery(status: Value) -> Value {
    delivery(vec![json!({
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": metadata(),
            "statuses": [status]
        }
    })])
}

/// The fields every incoming message has, plus the given `type` and members.
fn incoming(kind: &str, members: Value) -> Value {
    let mut message = json!({"from": USER, "id": WAMID, "timestamp": TIMESTAMP, "type": kind});
    let Value::Object(extra) = members else {
        panic!("members must be an object")
    };
    message.as_object_mut().expect("object").extend(extra);
    message
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Parses a delivery from its bytes, as a webhook handler would.
fn parse_json(json: &Value) -> WebhookPayload {
    let body = serde_json::to_vec(json).expect("encodes");
    match webhooks::parse(&body) {
        Ok(payload) => payload,
        Err(e) => panic!("the delivery does not parse: {e}\n{json:#}"),
    }
}

/// Serialising the parsed value gives back exactly the JSON received.
fn assert_round_trip(payload: &WebhookPayload, json: &Value) {
    let back = serde_json::to_value(payload).expect("encodes");
    assert!(
        same(&back, json),
        "serialising the parsed delivery does not give back its input\n got: {back:#}\nwant: {json:#}"
    );
}

/// JSON equality where numbers compare by value (30 and 30.0 are equal: the
/// generated types read every `type: number` as `f64`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// An item that must have decoded.
fn ok<T: std::fmt::Debug>(item: &Item<T>) -> &T {
    match item {
        Item::Valid(value) => value,
        Item::Invalid(invalid) => panic!("the item did not decode: {invalid}"),
    }
}

/// The only change of the only entry.
fn only_change(payload: &WebhookPayload) -> &WebhookChange {
    assert_eq!(payload.object, "whatsapp_business_account");
    assert_eq!(payload.entry.len(), 1);
    let entry = ok(&payload.entry[0]);
    assert_eq!(entry.id, WABA_ID);
    assert_eq!(entry.changes.len(), 1);
    ok(&entry.changes[0])
}

/// The value of a `messages` change, with its metadata checked.
fn messages_value(payload: &WebhookPayload) -> &MessagesValue {
    let change = only_change(payload);
    assert_eq!(change.tag(), "messages");
    let WebhookChange::Messages(change) = change else {
        panic!("expected WebhookChange::Messages, got {change:?}")
    };
    let value = &change.value;
    assert_eq!(
        value.messaging_product,
        Some(MessagingProductWhatsapp::Whatsapp)
    );
    let metadata = value.metadata.as_ref().expect("metadata");
    assert_eq!(
        metadata.display_phone_number.as_deref(),
        Some(DISPLAY_NUMBER)
    );
    assert_eq!(metadata.phone_number_id, PHONE_NUMBER_ID);
    value
}

/// The only incoming message, with the sender's contact checked.
fn only_message(payload: &WebhookPayload) -> &IncomingMessage {
    let value = messages_value(payload);
    let contacts = value.contacts.as_ref().expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(ok(&contacts[0]).wa_id.as_deref(), Some(USER));
    assert_eq!(
        ok(&contacts[0])
            .profile
            .as_ref()
            .and_then(|p| p.name.as_deref()),
        Some("Sheena Nelson")
    );
    assert!(value.statuses.is_none());
    let messages = value.messages.as_ref().expect("messages");
    assert_eq!(messages.len(), 1);
    ok(&messages[0])
}

/// The only status update.
fn only_status(payload: &WebhookPayload) -> &MessageStatus {
    let value = messages_value(payload);
    assert!(value.messages.is_none());
    assert!(value.contacts.is_none());
    let statuses = value.statuses.as_ref().expect("statuses");
    assert_eq!(statuses.len(), 1);
    ok(&statuses[0])
}

// ---------------------------------------------------------------------------
// Incoming messages
// ---------------------------------------------------------------------------

#[test]
fn text_message_decodes_into_the_text_variant() {
    let json = message_delivery(incoming(
        "text",
        json!({"text": {"body": "Does it come in another color?"}}),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    assert_eq!(message.tag(), "text");
    let IncomingMessage::Text(text) = message else {
        panic!("expected IncomingMessage::Text, got {message:?}")
    };
    assert_eq!(text.from.as_deref(), Some(USER));
    assert_eq!(text.id, WAMID);
    assert_eq!(text.timestamp, TIMESTAMP);
    assert_eq!(
        text.text.as_ref().expect("text").body,
        "Does it come in another color?"
    );
    assert!(text.context.is_none());
    assert!(text.extra.is_empty(), "{:?}", text.extra);
    assert_round_trip(&payload, &json);
}

#[test]
fn image_with_caption_decodes_media_id_mime_type_sha256_and_caption() {
    let json = message_delivery(incoming(
        "image",
        json!({"image": {
            "caption": "Here is the damaged box",
            "mime_type": "image/jpeg",
            "sha256": "mXwdWm4pOvXENVTR2FW1Fg2ZfEMt6/KqmQ6wW5w8Jwo=",
            "id": "1003383421387256",
            "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1749420000&hash=ATuXYZ"
        }}),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Image(image) = message else {
        panic!("expected IncomingMessage::Image, got {message:?}")
    };
    let media = image.image.as_ref().expect("image");
    assert_eq!(media.id, "1003383421387256");
    assert_eq!(media.mime_type, "image/jpeg");
    assert_eq!(media.caption.as_deref(), Some("Here is the damaged box"));
    assert_eq!(
        media.url.as_deref(),
        Some(
            "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1749420000&hash=ATuXYZ"
        )
    );
    assert_eq!(
        media.sha256.as_deref(),
        Some("mXwdWm4pOvXENVTR2FW1Fg2ZfEMt6/KqmQ6wW5w8Jwo=")
    );
    assert!(media.extra.is_empty(), "{:?}", media.extra);
    assert_round_trip(&payload, &json);
}

#[test]
fn interactive_list_reply_decodes_id_and_title() {
    let json = message_delivery(incoming(
        "interactive",
        json!({
            "context": {"from": DISPLAY_NUMBER, "id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"},
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": "priority_express", "title": "Express Shipping", "description": "Next day to 2 days"}
            }
        }),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Interactive(interactive) = message else {
        panic!("expected IncomingMessage::Interactive, got {message:?}")
    };
    let context = interactive.context.as_ref().expect("context");
    assert_eq!(context.from.as_deref(), Some(DISPLAY_NUMBER));
    assert_eq!(
        context.id.as_deref(),
        Some("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA")
    );
    assert_eq!(
        interactive.interactive.as_ref().expect("interactive").tag(),
        "list_reply"
    );
    let IncomingInteractive::ListReply(reply) =
        interactive.interactive.as_ref().expect("interactive")
    else {
        panic!(
            "expected IncomingInteractive::ListReply, got {:?}",
            interactive.interactive
        )
    };
    assert_eq!(reply.list_reply.id.as_deref(), Some("priority_express"));
    assert_eq!(reply.list_reply.title.as_deref(), Some("Express Shipping"));
    assert_eq!(
        reply.list_reply.description.as_deref(),
        Some("Next day to 2 days")
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn interactive_button_reply_decodes_id_and_title() {
    let json = message_delivery(incoming(
        "interactive",
        json!({
            "context": {"from": DISPLAY_NUMBER, "id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJCQjM4RDlFMUY1MDg0NjlBMTkA"},
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": "change-button", "title": "Change"}
            }
        }),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Interactive(interactive) = message else {
        panic!("expected IncomingMessage::Interactive, got {message:?}")
    };
    let IncomingInteractive::ButtonReply(reply) =
        interactive.interactive.as_ref().expect("interactive")
    else {
        panic!(
            "expected IncomingInteractive::ButtonReply, got {:?}",
            interactive.interactive
        )
    };
    assert_eq!(reply.button_reply.id.as_deref(), Some("change-button"));
    assert_eq!(reply.button_reply.title.as_deref(), Some("Change"));
    assert_round_trip(&payload, &json);
}

#[test]
fn button_message_decodes_payload_and_text() {
    let json = message_delivery(incoming(
        "button",
        json!({
            "context": {"from": DISPLAY_NUMBER, "id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBIyNkQ2RDQ0QjY1NEQ1RjdCQzAA"},
            "button": {"payload": "Unsubscribe from promotions", "text": "Stop promotions"}
        }),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    assert_eq!(message.tag(), "button");
    let IncomingMessage::Button(button) = message else {
        panic!("expected IncomingMessage::Button, got {message:?}")
    };
    assert_eq!(
        button.button.as_ref().expect("button").payload.as_deref(),
        Some("Unsubscribe from promotions")
    );
    assert_eq!(
        button.button.as_ref().expect("button").text.as_deref(),
        Some("Stop promotions")
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn reaction_decodes_message_id_and_emoji() {
    let json = message_delivery(incoming(
        "reaction",
        json!({"reaction": {
            "message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGNjc2OUY3RjRCNUI4QzQ2ODMA",
            "emoji": "\u{1F44D}"
        }}),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Reaction(reaction) = message else {
        panic!("expected IncomingMessage::Reaction, got {message:?}")
    };
    assert_eq!(
        reaction.reaction.as_ref().expect("reaction").message_id,
        "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGNjc2OUY3RjRCNUI4QzQ2ODMA"
    );
    assert_eq!(
        reaction
            .reaction
            .as_ref()
            .expect("reaction")
            .emoji
            .as_deref(),
        Some("\u{1F44D}")
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn removed_reaction_has_no_emoji() {
    // Removing a reaction sends the reaction without `emoji`.
    let json = message_delivery(incoming(
        "reaction",
        json!({"reaction": {"message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGNjc2OUY3RjRCNUI4QzQ2ODMA"}}),
    ));
    let payload = parse_json(&json);
    let IncomingMessage::Reaction(reaction) = only_message(&payload) else {
        panic!("expected a reaction")
    };
    assert_eq!(reaction.reaction.as_ref().expect("reaction").emoji, None);
    assert_round_trip(&payload, &json);
}

#[test]
fn location_decodes_numeric_coordinates_name_and_address() {
    let json = message_delivery(incoming(
        "location",
        json!({"location": {
            "address": "1 Hacker Way, Menlo Park, CA 94025",
            "latitude": 37.483307,
            "longitude": -122.148981,
            "name": "Meta Headquarters",
            "url": "https://www.facebook.com"
        }}),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Location(location) = message else {
        panic!("expected IncomingMessage::Location, got {message:?}")
    };
    let place = location.location.as_ref().expect("location");
    assert_eq!(place.latitude, 37.483307);
    assert_eq!(place.longitude, -122.148981);
    assert_eq!(place.name.as_deref(), Some("Meta Headquarters"));
    assert_eq!(
        place.address.as_deref(),
        Some("1 Hacker Way, Menlo Park, CA 94025")
    );
    assert_eq!(place.url.as_deref(), Some("https://www.facebook.com"));
    assert_round_trip(&payload, &json);
}

#[test]
fn contacts_card_decodes_formatted_name_and_phone() {
    let json = message_delivery(incoming(
        "contacts",
        json!({"contacts": [{
            "addresses": [{
                "city": "Menlo Park",
                "country": "United States",
                "country_code": "us",
                "state": "CA",
                "street": "1 Hacker Way",
                "type": "WORK",
                "zip": "94025"
            }],
            "birthday": "1999-01-23",
            "emails": [{"email": "bjohnson@luckyshrub.example", "type": "WORK"}],
            "name": {
                "first_name": "Barbara",
                "formatted_name": "Barbara J. Johnson",
                "last_name": "Johnson",
                "middle_name": "Joana"
            },
            "org": {"company": "Lucky Shrub", "department": "Legal", "title": "Lead Counsel"},
            "phones": [
                {"phone": "+1 (940) 555-1234", "wa_id": "19405551234", "type": "WORK"},
                {"phone": "+1 (650) 555-1234", "type": "HOME"}
            ],
            "urls": [{"url": "https://www.luckyshrub.example", "type": "WORK"}]
        }]}),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Contacts(contacts) = message else {
        panic!("expected IncomingMessage::Contacts, got {message:?}")
    };
    assert_eq!(contacts.contacts.as_ref().expect("contacts").len(), 1);
    let card = &contacts.contacts.as_ref().expect("contacts")[0];
    let name = card.name.as_ref().expect("name");
    assert_eq!(name.formatted_name.as_deref(), Some("Barbara J. Johnson"));
    assert_eq!(name.first_name.as_deref(), Some("Barbara"));
    let phones = card.phones.as_ref().expect("phones");
    assert_eq!(phones.len(), 2);
    assert_eq!(phones[0].phone.as_deref(), Some("+1 (940) 555-1234"));
    assert_eq!(phones[0].wa_id.as_deref(), Some("19405551234"));
    assert_eq!(phones[0].type_.as_deref(), Some("WORK"));
    assert_eq!(phones[1].phone.as_deref(), Some("+1 (650) 555-1234"));
    assert_eq!(phones[1].wa_id, None);
    assert_eq!(
        card.org.as_ref().and_then(|o| o.company.as_deref()),
        Some("Lucky Shrub")
    );
    assert_eq!(card.birthday.as_deref(), Some("1999-01-23"));
    assert_round_trip(&payload, &json);
}

#[test]
fn order_decodes_catalog_id_and_product_items() {
    // Meta's order example: integer and fractional prices both occur.
    let json = message_delivery(incoming(
        "order",
        json!({
            "context": {"from": DISPLAY_NUMBER, "id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3RkE4NjdCMDk1OEY1NjgyOEYA"},
            "order": {
                "catalog_id": "194836987003835",
                "text": "Please deliver after 6pm",
                "product_items": [
                    {"product_retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 30, "currency": "USD"},
                    {"product_retailer_id": "nqryix03ez", "quantity": 1, "item_price": 25.5, "currency": "USD"}
                ]
            }
        }),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Order(order) = message else {
        panic!("expected IncomingMessage::Order, got {message:?}")
    };
    let order = order.order.as_ref().expect("order");
    assert_eq!(order.catalog_id.as_deref(), Some("194836987003835"));
    assert_eq!(order.text.as_deref(), Some("Please deliver after 6pm"));
    let items = order.product_items.as_ref().expect("product items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].product_retailer_id.as_deref(), Some("di9ozbzfi4"));
    assert_eq!(items[0].quantity, Some(2));
    assert_eq!(items[0].item_price, Some(30.0));
    assert_eq!(items[0].currency.as_deref(), Some("USD"));
    assert_eq!(items[1].product_retailer_id.as_deref(), Some("nqryix03ez"));
    assert_eq!(items[1].quantity, Some(1));
    assert_eq!(items[1].item_price, Some(25.5));
    // `type: number` is `f64` (documented), so the integer price 30 is
    // written back as the same number in float form, 30.0.
    let back = serde_json::to_value(&payload).expect("encodes");
    let price = "/entry/0/changes/0/value/messages/0/order/product_items/0/item_price";
    assert_eq!(back.pointer(price).and_then(Value::as_f64), Some(30.0));
    assert_round_trip(&payload, &json);
}

#[test]
fn system_message_decodes_the_number_change() {
    // System messages come without `contacts`.
    let json = delivery(vec![json!({
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": metadata(),
            "messages": [incoming("system", json!({"system": {
                "body": "User A changed from 16505551234 to 16505559999",
                "wa_id": "16505559999",
                "type": "user_changed_number"
            }}))]
        }
    })]);
    let payload = parse_json(&json);
    let value = messages_value(&payload);
    assert!(value.contacts.is_none());
    let message = ok(&value.messages.as_ref().expect("messages")[0]);
    let IncomingMessage::System(system) = message else {
        panic!("expected IncomingMessage::System, got {message:?}")
    };
    assert_eq!(
        system.system.as_ref().expect("system").body.as_deref(),
        Some("User A changed from 16505551234 to 16505559999")
    );
    assert_eq!(
        system.system.as_ref().expect("system").wa_id.as_deref(),
        Some("16505559999")
    );
    assert_eq!(
        system.system.as_ref().expect("system").type_,
        Some(IncomingSystemType::UserChangedNumber)
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn unsupported_message_decodes_with_its_errors() {
    let json = message_delivery(incoming(
        "unsupported",
        json!({
            "errors": [{
                "code": 131051,
                "title": "Message type unknown",
                "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."}
            }],
            "unsupported": {"type": "edit"}
        }),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    assert_eq!(message.tag(), "unsupported");
    let IncomingMessage::Unsupported(unsupported) = message else {
        panic!("expected IncomingMessage::Unsupported, got {message:?}")
    };
    let errors = unsupported.errors.as_ref().expect("errors");
    assert_eq!(errors.len(), 1);
    let error = ok(&errors[0]);
    assert_eq!(error.code, 131051);
    assert_eq!(error.title.as_deref(), Some("Message type unknown"));
    assert_eq!(
        error.error_data.as_ref().and_then(|d| d.details.as_deref()),
        Some("Message type is currently not supported.")
    );
    // The `unsupported` member names the kind that could not be passed on.
    assert_eq!(
        unsupported
            .unsupported
            .as_ref()
            .and_then(|u| u.type_.as_deref()),
        Some("edit")
    );
    assert!(unsupported.extra.is_empty(), "{:?}", unsupported.extra);
    assert_round_trip(&payload, &json);
}

#[test]
fn documented_unknown_type_decodes_into_the_unknown_message_variant() {
    // `type: unknown` is a documented type of its own, not an unknown tag.
    let json = message_delivery(incoming(
        "unknown",
        json!({"errors": [{"code": 131051, "details": "Message type is not currently supported", "title": "Unsupported message type"}]}),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Unknown(unknown) = message else {
        panic!("expected IncomingMessage::Unknown, got {message:?}")
    };
    let errors = unknown.errors.as_ref().expect("errors");
    let error = ok(&errors[0]);
    assert_eq!(error.code, 131051);
    assert_eq!(
        error.extra.get("details"),
        Some(&json!("Message type is not currently supported"))
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn message_of_unknown_type_keeps_the_tag_and_the_raw_json() {
    let message_json = incoming(
        "hologram",
        json!({"hologram": {"depth": 3, "frames": [1, 2.5, null], "label": "hi"}}),
    );
    let json = message_delivery(message_json.clone());
    let payload = parse_json(&json);
    let message = only_message(&payload);
    assert_eq!(message.tag(), "hologram");
    match message {
        IncomingMessage::Unrecognized { tag, value } => {
            assert_eq!(tag, "hologram");
            assert_eq!(value, &message_json, "the raw message is kept exactly");
        }
        other => panic!("expected IncomingMessage::UnknownTag, got {other:?}"),
    }
    assert_round_trip(&payload, &json);
}

#[test]
fn interactive_reply_of_unknown_type_keeps_the_raw_json() {
    let interactive = json!({"type": "carousel_reply", "carousel_reply": {"card": 2}});
    let json = message_delivery(incoming(
        "interactive",
        json!({"interactive": interactive.clone()}),
    ));
    let payload = parse_json(&json);
    let IncomingMessage::Interactive(message) = only_message(&payload) else {
        panic!("expected an interactive message")
    };
    assert_eq!(
        message.interactive,
        Some(IncomingInteractive::Unrecognized {
            tag: "carousel_reply".into(),
            value: interactive
        })
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn change_of_unknown_field_keeps_the_tag_and_the_raw_json() {
    let change = json!({
        "field": "brand_new_field",
        "value": {
            "event": "SOMETHING_NEW",
            "count": 7,
            "ratio": 0.25,
            "nested": {"list": [true, null, "x"], "empty": {}}
        }
    });
    let json = delivery(vec![change.clone()]);
    let payload = parse_json(&json);
    let parsed = only_change(&payload);
    assert_eq!(parsed.tag(), "brand_new_field");
    match parsed {
        WebhookChange::Unrecognized { tag, value } => {
            assert_eq!(tag, "brand_new_field");
            assert_eq!(value, &change, "the raw change is kept exactly");
        }
        other => panic!("expected WebhookChange::Unrecognized, got {other:?}"),
    }
    assert_round_trip(&payload, &json);
}

#[test]
fn unknown_and_known_changes_in_one_entry_decode_side_by_side() {
    let unknown = json!({"field": "brand_new_field", "value": {"a": 1}});
    let json = json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": WABA_ID,
            "time": 1749416390,
            "changes": [
                unknown.clone(),
                {"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": metadata(),
                    "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": USER}],
                    "messages": [incoming("text", json!({"text": {"body": "hi"}}))]
                }}
            ]
        }]
    });
    let payload = parse_json(&json);
    let entry = ok(&payload.entry[0]);
    assert_eq!(entry.time, Some(1749416390));
    assert_eq!(
        entry
            .changes
            .iter()
            .map(|c| ok(c).tag())
            .collect::<Vec<_>>(),
        ["brand_new_field", "messages"]
    );
    assert!(
        matches!(ok(&entry.changes[0]), WebhookChange::Unrecognized { value, .. } if *value == unknown)
    );
    assert!(matches!(ok(&entry.changes[1]), WebhookChange::Messages(_)));
    assert_round_trip(&payload, &json);
}

// ---------------------------------------------------------------------------
// Statuses
// ---------------------------------------------------------------------------

#[test]
fn read_status_decodes_pricing_and_conversation() {
    let json = status_delivery(json!({
        "id": WAMID,
        "status": "read",
        "timestamp": "1750263773",
        "recipient_id": USER,
        "conversation": {
            "id": "6ceb9d929c1a7f8e0e5bb5c4fd7d4a85",
            "expiration_timestamp": "1750350173",
            "origin": {"type": "marketing"}
        },
        "pricing": {
            "billable": true,
            "pricing_model": "PMP",
            "category": "marketing",
            "type": "regular"
        }
    }));
    let payload = parse_json(&json);
    let status = only_status(&payload);
    assert_eq!(status.id, WAMID);
    assert_eq!(status.status, MessageStatusStatus::Read);
    assert_eq!(status.status.as_str(), "read");
    assert_eq!(status.timestamp, "1750263773");
    assert_eq!(status.recipient_id.as_deref(), Some(USER));
    let pricing = status.pricing.as_ref().expect("pricing");
    assert_eq!(pricing.billable, Some(true));
    assert_eq!(pricing.category.as_deref(), Some("marketing"));
    assert_eq!(pricing.pricing_model, Some(StatusPricingPricingModel::Pmp));
    assert_eq!(pricing.type_.as_deref(), Some("regular"));
    let conversation = status.conversation.as_ref().expect("conversation");
    assert_eq!(
        conversation.id.as_deref(),
        Some("6ceb9d929c1a7f8e0e5bb5c4fd7d4a85")
    );
    assert_eq!(
        conversation.expiration_timestamp.as_deref(),
        Some("1750350173")
    );
    assert_eq!(
        conversation
            .origin
            .as_ref()
            .and_then(|o| o.type_.as_deref()),
        Some("marketing")
    );
    assert!(status.errors.is_none());
    assert_round_trip(&payload, &json);
}

#[test]
fn failed_status_decodes_its_errors() {
    let json = status_delivery(json!({
        "id": WAMID,
        "status": "failed",
        "timestamp": "1750263775",
        "recipient_id": USER,
        "errors": [{
            "code": 131047,
            "title": "Re-engagement message",
            "message": "Re-engagement message",
            "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
        }]
    }));
    let payload = parse_json(&json);
    let status = only_status(&payload);
    assert_eq!(status.status, MessageStatusStatus::Failed);
    assert!(status.pricing.is_none());
    let errors = status.errors.as_ref().expect("errors");
    assert_eq!(errors.len(), 1);
    let error = ok(&errors[0]);
    assert_eq!(error.code, 131047);
    assert_eq!(error.title.as_deref(), Some("Re-engagement message"));
    assert_eq!(error.message.as_deref(), Some("Re-engagement message"));
    assert_eq!(
        error.href.as_deref(),
        Some("https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/")
    );
    assert!(
        error
            .error_data
            .as_ref()
            .and_then(|d| d.details.as_deref())
            .is_some_and(|d| d.starts_with("Message failed to send"))
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn played_status_decodes_into_its_variant() {
    // `played` (voice messages) is seen only in live payloads; the spec lists it.
    let json = status_delivery(json!({
        "id": WAMID,
        "status": "played",
        "timestamp": "1750263780",
        "recipient_id": USER
    }));
    let payload = parse_json(&json);
    let status = only_status(&payload);
    assert_eq!(status.status, MessageStatusStatus::Played);
    assert_eq!(status.status.as_str(), "played");
    assert_round_trip(&payload, &json);
}

#[test]
fn status_value_outside_the_enum_is_kept() {
    let json = status_delivery(json!({
        "id": WAMID,
        "status": "hologram_projected",
        "timestamp": "1750263781",
        "recipient_id": USER
    }));
    let payload = parse_json(&json);
    let status = only_status(&payload);
    assert_eq!(
        status.status,
        MessageStatusStatus::Unrecognized("hologram_projected".into())
    );
    assert_eq!(status.status.as_str(), "hologram_projected");
    assert_round_trip(&payload, &json);
}

#[test]
fn body_of_the_wrong_shape_is_a_parse_error_naming_the_member() {
    let bad = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": "nope"}))
        .expect("encodes");
    match webhooks::parse(&bad) {
        Err(WebhookError::Parse { path, .. }) => assert_eq!(path, "entry"),
        other => panic!("expected WebhookError::Parse, got {other:?}"),
    }
    match webhooks::parse(b"not json at all") {
        Err(WebhookError::Parse { .. }) => {}
        other => panic!("expected WebhookError::Parse, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------

const APP_SECRET: &[u8] = b"app-secret-0123456789abcdef";

/// A delivery body, byte for byte as received.
const SIGNED_BODY: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]}}]}]}"#;

/// HMAC-SHA256 of `SIGNED_BODY` keyed with `APP_SECRET`, computed outside
/// Rust: `python3 -c "import hmac,hashlib;print(hmac.new(b'app-secret-0123456789abcdef',
/// open('body.json','rb').read(), hashlib.sha256).hexdigest())"`.
const SIGNED_BODY_HMAC: &str = "b58e0a45632d31e0302102518a8d9394681699d0cc93abf826e6da4ee4a4c2af";

fn header_for(hex: &str) -> String {
    format!("sha256={hex}")
}

#[test]
fn signature_header_name_is_meta_s() {
    assert_eq!(SIGNATURE_HEADER, "X-Hub-Signature-256");
}

#[test]
fn known_answer_vectors_verify() {
    // RFC 4231, test case 2.
    verify_signature(
        b"Jefe",
        b"what do ya want for nothing?",
        Some("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    )
    .expect("RFC 4231 test case 2 verifies");
    // Python's hmac: hmac.new(b'secret', b'body', hashlib.sha256).
    verify_signature(
        b"secret",
        b"body",
        Some("sha256=dc46983557fea127b43af721467eb9b3fde2338fe3e14f51952aa8478c13d355"),
    )
    .expect("the python vector verifies");
}

#[test]
fn right_signature_verifies_and_parse_verified_returns_the_payload() {
    assert_eq!(
        SIGNED_BODY.len(),
        499,
        "the body is the one that was signed"
    );
    let header = header_for(SIGNED_BODY_HMAC);
    verify_signature(APP_SECRET, SIGNED_BODY.as_bytes(), Some(&header)).expect("verifies");
    let payload = parse_verified(APP_SECRET, SIGNED_BODY.as_bytes(), Some(&header))
        .expect("verifies and parses");
    let message = only_message(&payload);
    let IncomingMessage::Text(text) = message else {
        panic!("expected a text message, got {message:?}")
    };
    assert_eq!(
        text.text.as_ref().expect("text").body,
        "Does it come in another color?"
    );
    // Surrounding whitespace in the header value is tolerated.
    verify_signature(
        APP_SECRET,
        SIGNED_BODY.as_bytes(),
        Some(&format!("  {header} ")),
    )
    .expect("trimmed header verifies");
}

#[test]
fn uppercase_hex_digits_still_verify() {
    let header = header_for(&SIGNED_BODY_HMAC.to_ascii_uppercase());
    verify_signature(APP_SECRET, SIGNED_BODY.as_bytes(), Some(&header))
        .expect("uppercase hex verifies");
    // The prefix itself is case-sensitive: `SHA256=` is not `sha256=`.
    let upper_prefix = format!("SHA256={SIGNED_BODY_HMAC}");
    assert!(matches!(
        verify_signature(APP_SECRET, SIGNED_BODY.as_bytes(), Some(&upper_prefix)),
        Err(WebhookError::MalformedSignature)
    ));
}

#[test]
fn one_byte_change_of_the_body_is_a_mismatch() {
    let header = header_for(SIGNED_BODY_HMAC);
    let mut body = SIGNED_BODY.as_bytes().to_vec();
    // Flip one byte: "color" becomes "kolor".
    let at = SIGNED_BODY.find("color").expect("present");
    body[at] = b'k';
    assert!(matches!(
        verify_signature(APP_SECRET, &body, Some(&header)),
        Err(WebhookError::SignatureMismatch)
    ));
    assert!(matches!(
        parse_verified(APP_SECRET, &body, Some(&header)),
        Err(WebhookError::SignatureMismatch)
    ));
    // A trailing newline is a change too.
    let mut with_newline = SIGNED_BODY.as_bytes().to_vec();
    with_newline.push(b'\n');
    assert!(matches!(
        verify_signature(APP_SECRET, &with_newline, Some(&header)),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn wrong_secret_or_flipped_digest_is_a_mismatch() {
    let header = header_for(SIGNED_BODY_HMAC);
    assert!(matches!(
        verify_signature(b"another-secret", SIGNED_BODY.as_bytes(), Some(&header)),
        Err(WebhookError::SignatureMismatch)
    ));
    let mut flipped = SIGNED_BODY_HMAC.to_string();
    flipped.replace_range(63..64, if flipped.ends_with('f') { "e" } else { "f" });
    assert!(matches!(
        verify_signature(
            APP_SECRET,
            SIGNED_BODY.as_bytes(),
            Some(&header_for(&flipped))
        ),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn wrong_prefix_or_length_is_malformed() {
    let body = SIGNED_BODY.as_bytes();
    let malformed = [
        format!("sha1={SIGNED_BODY_HMAC}"),
        format!("sha1={}", &SIGNED_BODY_HMAC[..40]),
        SIGNED_BODY_HMAC.to_string(),
        header_for(&SIGNED_BODY_HMAC[..63]),
        header_for(&format!("{SIGNED_BODY_HMAC}0")),
        header_for(&SIGNED_BODY_HMAC[..62]),
        header_for(""),
    ];
    for header in &malformed {
        let result = verify_signature(APP_SECRET, body, Some(header));
        assert!(
            matches!(result, Err(WebhookError::MalformedSignature)),
            "{header:?}: {result:?}"
        );
        let parsed = parse_verified(APP_SECRET, body, Some(header));
        assert!(
            matches!(parsed, Err(WebhookError::MalformedSignature)),
            "{header:?}: {parsed:?}"
        );
    }
}

#[test]
fn missing_header_is_missing_signature() {
    assert!(matches!(
        verify_signature(APP_SECRET, SIGNED_BODY.as_bytes(), None),
        Err(WebhookError::MissingSignature)
    ));
    assert!(matches!(
        parse_verified(APP_SECRET, SIGNED_BODY.as_bytes(), None),
        Err(WebhookError::MissingSignature)
    ));
}

#[test]
fn junk_headers_are_rejected_without_panicking() {
    let junk = [
        String::new(),
        "sha256".to_string(),
        "sha256=".to_string(),
        "sha256==".to_string(),
        // 64 characters that are not hex digits.
        header_for(&"zz".repeat(32)),
        // 64 bytes of non-ASCII (32 two-byte characters).
        header_for(&"\u{e9}".repeat(32)),
        // 64 characters, but one multi-byte one: 65 bytes.
        header_for(&format!("{}\u{e9}", &SIGNED_BODY_HMAC[..63])),
        // Hex with a sign or a space inside.
        header_for(&format!("+{}", &SIGNED_BODY_HMAC[..63])),
        header_for(&format!(
            "{} {}",
            &SIGNED_BODY_HMAC[..31],
            &SIGNED_BODY_HMAC[32..]
        )),
        "\u{0}".repeat(71),
    ];
    for header in &junk {
        let outcome = std::panic::catch_unwind(|| {
            verify_signature(APP_SECRET, SIGNED_BODY.as_bytes(), Some(header))
        });
        let result = outcome.unwrap_or_else(|_| panic!("panicked on {header:?}"));
        assert!(
            matches!(result, Err(WebhookError::MalformedSignature)),
            "{header:?}: {result:?}"
        );
    }
    // Empty secret and empty body: a valid verdict, no panic.
    let outcome = std::panic::catch_unwind(|| {
        verify_signature(b"", b"", Some(&header_for(SIGNED_BODY_HMAC)))
    });
    assert!(matches!(
        outcome.expect("no panic"),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn webhook_errors_display_without_panicking() {
    for error in [
        WebhookError::MissingSignature,
        WebhookError::MalformedSignature,
        WebhookError::SignatureMismatch,
        WebhookError::NotSubscribe,
        WebhookError::TokenMismatch,
        WebhookError::MissingChallenge,
    ] {
        assert!(!error.to_string().is_empty());
    }
}

// ---------------------------------------------------------------------------
// Subscription handshake
// ---------------------------------------------------------------------------

const VERIFY_TOKEN: &str = "meatyhamhock";

#[test]
fn subscribe_with_the_right_token_returns_the_challenge() {
    assert_eq!(
        verify_subscription(
            Some("subscribe"),
            Some(VERIFY_TOKEN),
            Some("1158201444"),
            VERIFY_TOKEN
        )
        .expect("accepted"),
        "1158201444"
    );
}

#[test]
fn wrong_or_missing_token_is_token_mismatch() {
    for token in [Some("meatyhamhocks"), Some(""), Some("MEATYHAMHOCK"), None] {
        let result =
            verify_subscription(Some("subscribe"), token, Some("1158201444"), VERIFY_TOKEN);
        assert!(
            matches!(result, Err(WebhookError::TokenMismatch)),
            "{token:?}: {result:?}"
        );
    }
}

#[test]
fn wrong_mode_is_not_subscribe() {
    for mode in [Some("unsubscribe"), Some("Subscribe"), Some(""), None] {
        let result =
            verify_subscription(mode, Some(VERIFY_TOKEN), Some("1158201444"), VERIFY_TOKEN);
        assert!(
            matches!(result, Err(WebhookError::NotSubscribe)),
            "{mode:?}: {result:?}"
        );
    }
}

#[test]
fn missing_challenge_is_missing_challenge() {
    let result = verify_subscription(Some("subscribe"), Some(VERIFY_TOKEN), None, VERIFY_TOKEN);
    assert!(
        matches!(result, Err(WebhookError::MissingChallenge)),
        "{result:?}"
    );
}

#[test]
fn query_string_form_decodes_url_encoded_values() {
    // The query as Meta sends it.
    assert_eq!(
        verify_subscription_query(
            "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock",
            VERIFY_TOKEN
        )
        .expect("accepted"),
        "1158201444"
    );
    // With a leading `?`, percent-encoding and `+` for spaces.
    let token = "my secret+token&more=yes/é";
    assert_eq!(
        verify_subscription_query(
            "?hub.mode=subscribe&hub.verify_token=my+secret%2Btoken%26more%3Dyes%2F%C3%A9&hub.challenge=abc%3D%3D%20x",
            token
        )
        .expect("accepted"),
        "abc== x"
    );
    assert_eq!(
        verify_subscription_query(
            "hub.verify_token=my%20secret%2Btoken%26more%3Dyes%2F%C3%A9&hub.challenge=42&hub.mode=subscribe",
            token
        )
        .expect("order of the pairs does not matter"),
        "42"
    );
}

#[test]
fn query_string_form_rejects_bad_handshakes() {
    let cases = [
        (
            "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
            "token",
        ),
        (
            // Decoded, the token is `meatyhamhock ` with a trailing space.
            "hub.mode=subscribe&hub.verify_token=meatyhamhock%20&hub.challenge=1",
            "token",
        ),
        ("hub.mode=subscribe&hub.challenge=1", "token"),
        (
            "hub.mode=unsubscribe&hub.verify_token=meatyhamhock&hub.challenge=1",
            "mode",
        ),
        ("hub.verify_token=meatyhamhock&hub.challenge=1", "mode"),
        ("", "mode"),
        (
            "hub.mode=subscribe&hub.verify_token=meatyhamhock",
            "challenge",
        ),
    ];
    for (query, expected) in cases {
        let result = verify_subscription_query(query, VERIFY_TOKEN);
        let ok = match expected {
            "token" => matches!(result, Err(WebhookError::TokenMismatch)),
            "mode" => matches!(result, Err(WebhookError::NotSubscribe)),
            "challenge" => matches!(result, Err(WebhookError::MissingChallenge)),
            _ => unreachable!(),
        };
        assert!(ok, "{query:?}: expected {expected} error, got {result:?}");
    }
}

// ---------------------------------------------------------------------------
// Live-traffic facts (see the comments at the top of the webhooks fragment)
// ---------------------------------------------------------------------------

#[test]
fn a_user_known_only_by_business_scoped_id_decodes() {
    // The sender has a username and no visible phone number: the contact has
    // `user_id` (and `parent_user_id`, `profile.username`) but no `wa_id`, and
    // the message has `from_user_id` instead of `from`.
    let json = delivery(vec![json!({
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": metadata(),
            "contacts": [{
                "profile": {"name": "Kai", "username": "kai.builds"},
                "user_id": "US.13491208655302741918",
                "parent_user_id": "US.ENT.11815799212886844830"
            }],
            "messages": [{
                "from_user_id": "US.13491208655302741918",
                "from_parent_user_id": "US.ENT.11815799212886844830",
                "id": WAMID,
                "timestamp": TIMESTAMP,
                "type": "text",
                "text": {"body": "hi"}
            }]
        }
    })]);
    let payload = parse_json(&json);
    let WebhookChange::Messages(change) = only_change(&payload) else {
        panic!("expected a messages change")
    };
    let contact = ok(&change.value.contacts.as_ref().expect("contacts")[0]);
    assert_eq!(contact.wa_id, None);
    assert_eq!(contact.user_id.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(
        contact.parent_user_id.as_deref(),
        Some("US.ENT.11815799212886844830")
    );
    assert_eq!(
        contact.profile.as_ref().and_then(|p| p.username.as_deref()),
        Some("kai.builds")
    );
    let message = ok(&change.value.messages.as_ref().expect("messages")[0]);
    assert_eq!(message.from(), None);
    assert_eq!(message.from_user_id(), Some("US.13491208655302741918"));
    assert_eq!(
        message.from_parent_user_id(),
        Some("US.ENT.11815799212886844830")
    );
    assert_eq!(message.id(), WAMID);
    assert_round_trip(&payload, &json);
}

#[test]
fn a_status_for_a_business_scoped_recipient_decodes_without_recipient_id() {
    let json = status_delivery(json!({
        "id": WAMID,
        "status": "delivered",
        "timestamp": TIMESTAMP,
        "recipient_user_id": "US.13491208655302741918",
        "biz_opaque_callback_data": "order-4521"
    }));
    let payload = parse_json(&json);
    let status = ok(&messages_value(&payload)
        .statuses
        .as_ref()
        .expect("statuses")[0]);
    assert_eq!(status.recipient_id, None);
    assert_eq!(
        status.recipient_user_id.as_deref(),
        Some("US.13491208655302741918")
    );
    assert_eq!(
        status.biz_opaque_callback_data.as_deref(),
        Some("order-4521")
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn an_edit_names_the_original_message_and_carries_the_new_content() {
    let json = message_delivery(incoming(
        "edit",
        json!({"edit": {
            "original_message_id": "wamid.ORIGINAL",
            "message": {"type": "text", "text": {"body": "Table for three, not two"}}
        }}),
    ));
    let payload = parse_json(&json);
    let IncomingMessage::Edit(edit) = only_message(&payload) else {
        panic!("expected IncomingMessage::Edit")
    };
    let edit = edit.edit.as_ref().expect("edit");
    assert_eq!(edit.original_message_id, "wamid.ORIGINAL");
    let content = edit.message.as_ref().expect("message");
    assert_eq!(content.type_.as_deref(), Some("text"));
    assert_eq!(
        content.text.as_ref().map(|t| t.body.as_str()),
        Some("Table for three, not two")
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn a_revoke_names_the_deleted_message() {
    let json = message_delivery(incoming(
        "revoke",
        json!({"revoke": {"original_message_id": "wamid.DELETED"}}),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Revoke(revoke) = message else {
        panic!("expected IncomingMessage::Revoke, got {message:?}")
    };
    assert_eq!(
        revoke
            .revoke
            .as_ref()
            .map(|r| r.original_message_id.as_str()),
        Some("wamid.DELETED")
    );
    assert_eq!(message.id(), WAMID);
    assert_round_trip(&payload, &json);
}

#[test]
fn a_known_kind_with_only_errors_decodes_into_its_variant() {
    // An image whose content WhatsApp could not pass on: `type: image`, no
    // `image` member, and the reason in `errors`.
    let json = message_delivery(incoming(
        "image",
        json!({"errors": [{"code": 131052, "title": "Media download error", "message": "Media download error"}]}),
    ));
    let payload = parse_json(&json);
    let message = only_message(&payload);
    let IncomingMessage::Image(image) = message else {
        panic!("expected IncomingMessage::Image, got {message:?}")
    };
    assert!(image.image.is_none());
    let errors = message.errors().expect("errors");
    assert_eq!(ok(&errors[0]).code, 131052);
    assert_eq!(
        ok(&errors[0]).kind(),
        whatsapp_cloud_api::errors::ErrorKind::Unrecognized {
            code: 131052,
            subcode: None
        }
    );
    assert_round_trip(&payload, &json);
}

#[test]
fn enum_values_seen_live_have_their_own_variants() {
    use whatsapp_cloud_api::types::{
        AccountUpdateValueEvent, IncomingSystemType, ReferralSourceType,
        WhatsAppCodeVerificationStatus,
    };
    for (wire, want) in [
        ("VERIFIED_ACCOUNT", AccountUpdateValueEvent::VerifiedAccount),
        (
            "ACCOUNT_RESTRICTION",
            AccountUpdateValueEvent::AccountRestriction,
        ),
        (
            "ACCOUNT_OFFBOARDED",
            AccountUpdateValueEvent::AccountOffboarded,
        ),
        (
            "PARTNER_CLIENT_CERTIFICATION_NEEDED",
            AccountUpdateValueEvent::PartnerClientCertificationNeeded,
        ),
    ] {
        assert_eq!(AccountUpdateValueEvent::from(wire), want);
    }
    let json = delivery(vec![json!({
        "field": "account_update",
        "value": {
            "event": "ACCOUNT_RESTRICTION",
            "restriction_info": [{"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1751000000}]
        }
    })]);
    let payload = parse_json(&json);
    let WebhookChange::AccountUpdate(change) = only_change(&payload) else {
        panic!("expected an account update")
    };
    assert_eq!(
        change.value.event,
        Some(AccountUpdateValueEvent::AccountRestriction)
    );
    let restriction = &change
        .value
        .restriction_info
        .as_ref()
        .expect("restrictions")[0];
    assert_eq!(restriction.expiration, Some(1751000000));
    assert_round_trip(&payload, &json);

    for (wire, want) in [
        ("EXPIRED", WhatsAppCodeVerificationStatus::Expired),
        ("NOT_VERIFIED", WhatsAppCodeVerificationStatus::NotVerified),
    ] {
        let decoded: WhatsAppCodeVerificationStatus =
            serde_json::from_value(json!(wire)).expect("decodes");
        assert_eq!(decoded, want);
    }
    assert_eq!(
        IncomingSystemType::from("user_changed_user_id"),
        IncomingSystemType::UserChangedUserId
    );
    // The pages list two referral sources; any other is kept as received.
    let unlisted: ReferralSourceType = serde_json::from_value(json!("story")).expect("decodes");
    assert_eq!(unlisted, ReferralSourceType::Unrecognized("story".into()));
    assert_eq!(
        serde_json::to_value(&unlisted).expect("encodes"),
        json!("story")
    );
}

// ---------------------------------------------------------------------------
// Lenient decoding of inbound-only types
// ---------------------------------------------------------------------------

#[test]
fn numbers_where_strings_are_documented_decode_and_keep_their_text() {
    // `timestamp` documented as a string arrives as a number; `entry.time`
    // documented as an integer arrives as a string.
    let mut json = message_delivery(incoming("text", json!({"text": {"body": "hi"}})));
    json["entry"][0]["time"] = json!("1749416390");
    json["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = json!(1749416383);
    let payload = parse_json(&json);
    assert_eq!(ok(&payload.entry[0]).time, Some(1749416390));
    let message = only_message(&payload);
    assert_eq!(message.timestamp(), "1749416383");
    // Coerced values encode in their documented type; the rest as received.
    let back = serde_json::to_value(&payload).expect("encodes");
    assert_eq!(back["entry"][0]["time"], json!(1749416390));
    assert_eq!(
        back["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"],
        json!("1749416383")
    );
    let mut expected = json.clone();
    expected["entry"][0]["time"] = json!(1749416390);
    expected["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = json!("1749416383");
    assert!(same(&back, &expected), "{back:#}");
}

#[test]
fn numeric_strings_decode_into_numbers_and_bad_ones_still_fail() {
    let json = message_delivery(incoming(
        "location",
        json!({"location": {"latitude": "37.483307", "longitude": -122.148981}}),
    ));
    let payload = parse_json(&json);
    let IncomingMessage::Location(location) = only_message(&payload) else {
        panic!("expected a location")
    };
    let place = location.location.as_ref().expect("location");
    assert_eq!(place.latitude, 37.483307);
    assert_eq!(place.longitude, -122.148981);

    let media: whatsapp_cloud_api::types::MediaUrlResponse =
        serde_json::from_value(json!({"id": 1184402993368271_u64, "file_size": "182859"}))
            .expect("decodes");
    assert_eq!(media.id, "1184402993368271");
    assert_eq!(media.file_size, Some(182859));

    // Text that is not a number is still an error, naming the member: the
    // message is kept whole as an invalid item (see `isolation.rs`), and a
    // strict decode refuses the delivery.
    let bad = message_delivery(incoming(
        "location",
        json!({"location": {"latitude": "north", "longitude": 0}}),
    ));
    let payload = parse_json(&bad);
    let Item::Invalid(invalid) = &messages_value(&payload)
        .messages
        .as_ref()
        .expect("messages")[0]
    else {
        panic!("a latitude of `north` must not decode")
    };
    assert_eq!(invalid.path, "location.latitude");
    assert!(invalid.message.contains("\"north\""), "{invalid}");
    let body = serde_json::to_vec(&bad).expect("encodes");
    let e = from_slice_strict::<WebhookPayload>(&body).expect_err("a strict decode refuses it");
    // The error's path leads to the member, through the tagged union.
    assert_eq!(
        e.path,
        "entry[0].changes[0].value.messages[0].location.latitude"
    );
}

#[test]
fn outbound_types_stay_strict() {
    // A message is sent, not received: its text must be a string.
    use whatsapp_cloud_api::types::TextContent;
    assert!(serde_json::from_value::<TextContent>(json!({"body": 42})).is_err());
    assert!(serde_json::from_value::<TextContent>(json!({"body": "42"})).is_ok());
}

/// The webhook fields a WhatsApp Business Account can subscribe to: the
/// subscription fields of Meta's webhook reference, and the fields its
/// calling, Flows, business-scoped user ID, groups, conversation-routing and
/// template-integrity pages document. (`business_status_update` and
/// `tracking_events` appear in the App Dashboard's list, but no public source
/// documents their values; they decode into `WebhookChange::Unrecognized`.)
const FIELDS: &[&str] = &[
    "account_alerts",
    "account_review_update",
    "account_settings_update",
    "account_update",
    "automatic_events",
    "business_capability_update",
    "business_username_updates",
    "calls",
    "flows",
    "group_lifecycle_update",
    "group_participants_update",
    "group_settings_update",
    "group_status_update",
    "history",
    "message_echoes",
    "message_template_components_update",
    "message_template_quality_update",
    "message_template_status_update",
    "messages",
    "messaging_handovers",
    "partner_solutions",
    "payment_configuration_update",
    "phone_number_name_update",
    "phone_number_quality_update",
    "security",
    "smb_app_state_sync",
    "smb_message_echoes",
    "standby",
    "template_category_update",
    "template_correct_category_detection",
    "user_id_update",
    "user_preferences",
];

/// The call events of the `calls` field, each of which has an example.
const CALL_EVENTS: &[&str] = &[
    "call_created",
    "call_recording_available",
    "call_transcription_available",
    "connect",
    "terminate",
];

#[test]
fn every_webhook_example_of_the_fragment_decodes_strictly_into_its_variant_and_encodes_back_whole()
{
    let path = codegen_tests::workspace_root().join("specs/whatsapp/webhooks.yaml");
    let text = std::fs::read_to_string(&path).expect("the fragment reads");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("the fragment parses");
    let examples = doc["paths"]["/whatsapp/webhooks"]["post"]["requestBody"]["content"]
        ["application/json"]["examples"]
        .as_mapping()
        .expect("examples");
    let mut fields = std::collections::BTreeSet::new();
    let mut events = std::collections::BTreeSet::new();
    for (name, example) in examples {
        let json: Value = serde_json::to_value(&example["value"]).expect("YAML to JSON");
        let body = serde_json::to_vec(&json).expect("encodes");
        // Strictly: every item of the example fits its type.
        let payload = match from_slice_strict::<WebhookPayload>(&body) {
            Ok(p) => p,
            Err(e) => panic!(
                "example {name:?} does not decode at {}: {}",
                e.path, e.source
            ),
        };
        for change in payload.changes() {
            assert!(
                !matches!(change, WebhookChange::Unrecognized { .. }),
                "example {name:?}: field `{}` has no variant",
                change.tag()
            );
            fields.insert(change.tag().to_string());
            if let WebhookChange::Calls(calls) = change {
                for call in calls.value.calls.iter().flatten() {
                    let event = ok(call).event.as_ref().map(|e| e.as_str().to_string());
                    events.extend(event);
                }
            }
        }
        let back = serde_json::to_value(&payload).expect("encodes");
        assert!(
            same(&back, &json),
            "example {name:?} loses content:\n got {back:#}\nwant {json:#}"
        );
    }
    let missing: Vec<&&str> = FIELDS.iter().filter(|f| !fields.contains(**f)).collect();
    assert!(missing.is_empty(), "fields without an example: {missing:?}");
    let missing: Vec<&&str> = CALL_EVENTS
        .iter()
        .filter(|e| !events.contains(**e))
        .collect();
    assert!(
        missing.is_empty(),
        "call events without an example: {missing:?}"
    );
}

#[test]
fn signed_fixtures_verify() {
    let body = serde_json::to_vec(&message_delivery(incoming(
        "text",
        json!({"text": {"body": "hi"}}),
    )))
    .expect("encodes");
    let signature = webhooks::sign(b"app-secret", &body);
    assert!(signature.starts_with("sha256="), "{signature}");
    assert_eq!(signature.len(), "sha256=".len() + 64);
    assert!(parse_verified(b"app-secret", &body, Some(&signature)).is_ok());
    assert!(matches!(
        parse_verified(b"another-secret", &body, Some(&signature)),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn a_call_recording_event_carries_the_file_to_download() {
    let json = delivery(vec![json!({
        "field": "calls",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": metadata(),
            "calls": [{
                "id": "wacid.ABGGFjFVU2AfAgo6V-Hc5eCgK5Gh",
                "from": USER,
                "timestamp": TIMESTAMP,
                "event": "call_recording_available",
                "call_recording": {"type": "audio", "audio": {
                    "id": "1290377465128804", "sha256": "c2hhMjU2", "mime_type": "audio/ogg",
                    "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"
                }}
            }]
        }
    })]);
    let payload = parse_json(&json);
    let WebhookChange::Calls(calls) = only_change(&payload) else {
        panic!("expected a calls change")
    };
    let call = ok(&calls.value.calls.as_ref().expect("calls")[0]);
    assert_eq!(
        call.event,
        Some(whatsapp_cloud_api::types::CallEventEvent::CallRecordingAvailable)
    );
    let recording = call.call_recording.as_ref().expect("recording");
    assert_eq!(recording.audio.id, "1290377465128804");
    assert_eq!(recording.audio.mime_type, "audio/ogg");
    assert_round_trip(&payload, &json);
}

#[test]
fn values_as_the_live_api_spells_them_have_variants() {
    use whatsapp_cloud_api::types::{CallPermissionStatus, WabaBusinessVerificationStatus};
    // Lower case, as the API sends it.
    let verified: WabaBusinessVerificationStatus =
        serde_json::from_value(json!("verified")).expect("decodes");
    assert_eq!(verified, WabaBusinessVerificationStatus::Verified);
    let not_verified: WabaBusinessVerificationStatus =
        serde_json::from_value(json!("not_verified")).expect("decodes");
    assert_eq!(not_verified, WabaBusinessVerificationStatus::NotVerified);
    let temporary: CallPermissionStatus =
        serde_json::from_value(json!("temporary")).expect("decodes");
    assert_eq!(temporary, CallPermissionStatus::Temporary);
}

#[test]
fn a_boolean_sent_as_text_decodes_in_received_types() {
    use whatsapp_cloud_api::types::MarkMessageReadResponse;
    for (sent, want) in [
        (json!(true), true),
        (json!("true"), true),
        (json!("false"), false),
    ] {
        let read: MarkMessageReadResponse =
            serde_json::from_value(json!({"success": sent})).expect("decodes");
        assert_eq!(read.success, want, "{sent}");
    }
    // Anything else is still an error naming the member.
    let e = serde_json::from_value::<MarkMessageReadResponse>(json!({"success": "yes"}))
        .expect_err("`yes` is not a boolean");
    assert!(e.to_string().contains("\"yes\""), "{e}");
    // Types that are sent stay strict.
    assert!(
        serde_json::from_value::<whatsapp_cloud_api::types::TextContent>(
            json!({"body": "hi", "preview_url": "true"})
        )
        .is_err()
    );
}
