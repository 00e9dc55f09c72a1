//! Fault isolation: a delivery or a list response in which some items do not
//! fit their type still decodes. Every good item decodes as usual, every bad
//! one is kept whole in `Item::Invalid` with the member that failed and why,
//! and encoding the whole body gives back the input exactly.

// The runtime's strict decoder, which generated code calls (not part of
// the crate's API): it fails on the first item that does not fit.
use fragment_codegen_runtime::__private::decode::from_slice_strict;
use futures::StreamExt;
use serde_json::{Value, json};
use whatsapp_cloud_api::types::{
    IncomingMessage, MessageStatus, MessagesValue, WebhookChange, WebhookContact, WebhookEntry,
    WebhookPayload,
};
use whatsapp_cloud_api::webhooks::{self, WebhookError};
use whatsapp_cloud_api::{Client, Invalid, Item};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WAMID: &str = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";

fn metadata() -> Value {
    json!({"display_phone_number": "15550783881", "phone_number_id": "106540352242922"})
}

fn text(id: &str, body: &str) -> Value {
    json!({"from": "16505551234", "id": id, "timestamp": "1749416383", "type": "text", "text": {"body": body}})
}

/// A `messages` change with these lists.
fn messages_change(value: Value) -> Value {
    let mut full = json!({"messaging_product": "whatsapp", "metadata": metadata()});
    if let (Some(full), Value::Object(lists)) = (full.as_object_mut(), value) {
        full.extend(lists);
    }
    json!({"field": "messages", "value": full})
}

fn delivery(entries: Vec<Value>) -> Value {
    json!({"object": "whatsapp_business_account", "entry": entries})
}

fn parse(json: &Value) -> WebhookPayload {
    let body = serde_json::to_vec(json).expect("encodes");
    match webhooks::parse(&body) {
        Ok(payload) => payload,
        Err(e) => panic!("the delivery must decode: {e}"),
    }
}

/// Encoding the decoded delivery gives back the input, member for member.
fn assert_encodes_back(payload: &WebhookPayload, json: &Value) {
    let back = serde_json::to_value(payload).expect("encodes");
    assert_eq!(
        &back, json,
        "encoding the delivery does not give back its input"
    );
}

fn valid<T: std::fmt::Debug>(item: &Item<T>) -> &T {
    match item {
        Item::Valid(v) => v,
        Item::Invalid(i) => panic!("expected a decoded item, got {i}"),
    }
}

fn invalid<T: std::fmt::Debug>(item: &Item<T>) -> &Invalid {
    match item {
        Item::Invalid(i) => i,
        Item::Valid(v) => panic!("expected an invalid item, got {v:?}"),
    }
}

fn only_entry(payload: &WebhookPayload) -> &WebhookEntry {
    assert_eq!(payload.entry.len(), 1);
    valid(&payload.entry[0])
}

fn messages_value(change: &Item<WebhookChange>) -> &MessagesValue {
    match valid(change) {
        WebhookChange::Messages(change) => &change.value,
        other => panic!("expected a messages change, got {other:?}"),
    }
}

/// An invalid item keeps exactly what was received, and says where and why.
fn assert_kept(item: &Invalid, received: &Value, path: &str, why: &str) {
    assert_eq!(&item.value, received, "the invalid item is not kept whole");
    assert_eq!(item.path, path, "path of {item}");
    assert!(item.message.contains(why), "{item} does not say {why:?}");
    assert!(item.to_string().contains(path), "{item}");
}

#[test]
fn one_message_without_a_type_does_not_cost_the_others() {
    let no_type = json!({"from": "16505551234", "id": "wamid.2", "timestamp": "1749416384", "text": {"body": "?"}});
    let json = delivery(vec![
        json!({"id": "102290129340398", "changes": [messages_change(json!({
            "messages": [text("wamid.1", "first"), no_type.clone(), text("wamid.3", "third")]
        }))]}),
    ]);
    let payload = parse(&json);
    let value = messages_value(&only_entry(&payload).changes[0]);
    let messages = value.messages.as_ref().expect("messages");
    assert_eq!(messages.len(), 3);
    assert!(
        matches!(valid(&messages[0]), IncomingMessage::Text(m) if m.text.as_ref().map(|t| t.body.as_str()) == Some("first"))
    );
    assert_kept(invalid(&messages[1]), &no_type, ".", "missing field `type`");
    assert_eq!(valid(&messages[2]).id(), "wamid.3");
    assert_encodes_back(&payload, &json);
}

#[test]
fn a_sticker_without_sha256_decodes() {
    let sticker = json!({"from": "16505551234", "id": WAMID, "timestamp": "1749416383", "type": "sticker",
        "sticker": {"mime_type": "image/webp", "id": "1227829768162607", "animated": false}});
    let json = delivery(vec![
        json!({"id": "102290129340398", "changes": [messages_change(json!({"messages": [sticker]}))]}),
    ]);
    let payload = parse(&json);
    let value = messages_value(&only_entry(&payload).changes[0]);
    let IncomingMessage::Sticker(m) = valid(&value.messages.as_ref().expect("messages")[0]) else {
        panic!("expected a sticker")
    };
    let media = m.sticker.as_ref().expect("sticker");
    assert_eq!(media.id, "1227829768162607");
    assert_eq!(media.sha256, None);
    assert_encodes_back(&payload, &json);
}

/// The four kinds of bad item, each beside good ones, in one delivery:
/// (a) an item of unknown shape, (b) one with a required member missing,
/// (c) one with a member of the wrong type, (d) an unknown change field.
#[test]
fn a_delivery_mixing_good_and_bad_items_keeps_every_item() {
    // (a) unknown shapes: a message that is a string, a status that is an array.
    let message_a = json!("not a message");
    let status_a = json!(["not", "a", "status"]);
    // (b) required members missing: a text message without `id`, a status
    // without `status`, an error without `code`.
    let message_b = json!({"from": "16505551234", "timestamp": "1749416384", "type": "text", "text": {"body": "no id"}});
    let status_b = json!({"id": WAMID, "timestamp": "1749416390", "recipient_id": "16505551234"});
    let error_b = json!({"title": "no code"});
    // (c) members of the wrong type: a location whose latitude is text, a
    // contact whose profile is a number, a change whose value is a string.
    let message_c = json!({"from": "16505551234", "id": "wamid.c", "timestamp": "1749416385", "type": "location",
        "location": {"latitude": "north", "longitude": -122.4}});
    let contact_c = json!({"wa_id": "16505550000", "profile": 5});
    let change_c = json!({"field": "messages", "value": "not a value"});
    // (d) a change field this version does not know: kept whole, as data.
    let change_d = json!({"field": "brand_new_field", "value": {"anything": [1, 2, 3]}});
    // An entry that is not an object at all.
    let entry_a = json!(17);

    let good_status = json!({"id": WAMID, "status": "delivered", "timestamp": "1749416390", "recipient_id": "16505551234"});
    let good_contact = json!({"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"});
    let json = delivery(vec![
        json!({"id": "102290129340398", "time": 1749416390, "changes": [
            messages_change(json!({
                "contacts": [good_contact, contact_c.clone()],
                "messages": [text("wamid.1", "first"), message_a.clone(), message_b.clone(), message_c.clone(), text("wamid.5", "last")],
                "statuses": [status_a.clone(), good_status, status_b.clone()],
                "errors": [error_b.clone(), {"code": 131000, "title": "Something went wrong"}]
            })),
            change_c.clone(),
            change_d.clone(),
        ]}),
        entry_a.clone(),
    ]);
    let payload = parse(&json);

    assert_eq!(payload.entry.len(), 2);
    assert_kept(
        invalid(&payload.entry[1]),
        &entry_a,
        ".",
        "expected an object `WebhookEntry`",
    );
    let entry = valid(&payload.entry[0]);
    assert_eq!(entry.changes.len(), 3);

    let value = messages_value(&entry.changes[0]);
    let contacts: &Vec<Item<WebhookContact>> = value.contacts.as_ref().expect("contacts");
    assert_eq!(valid(&contacts[0]).wa_id.as_deref(), Some("16505551234"));
    assert_kept(
        invalid(&contacts[1]),
        &contact_c,
        "profile",
        "invalid type: integer `5`",
    );

    let messages = value.messages.as_ref().expect("messages");
    assert_eq!(messages.len(), 5);
    assert_eq!(valid(&messages[0]).id(), "wamid.1");
    assert_kept(
        invalid(&messages[1]),
        &message_a,
        ".",
        "invalid type: string",
    );
    assert_kept(invalid(&messages[2]), &message_b, ".", "missing field `id`");
    assert_kept(
        invalid(&messages[3]),
        &message_c,
        "location.latitude",
        "north",
    );
    assert_eq!(valid(&messages[4]).id(), "wamid.5");

    let statuses: &Vec<Item<MessageStatus>> = value.statuses.as_ref().expect("statuses");
    assert_kept(
        invalid(&statuses[0]),
        &status_a,
        ".",
        "invalid type: sequence",
    );
    assert_eq!(valid(&statuses[1]).id, WAMID);
    assert_kept(
        invalid(&statuses[2]),
        &status_b,
        ".",
        "missing field `status`",
    );

    let errors = value.errors.as_ref().expect("errors");
    assert_kept(invalid(&errors[0]), &error_b, ".", "missing field `code`");
    assert_eq!(valid(&errors[1]).code, 131000);

    assert_kept(
        invalid(&entry.changes[1]),
        &change_c,
        "value",
        "invalid type: string",
    );
    match valid(&entry.changes[2]) {
        WebhookChange::Unrecognized { tag, value } => {
            assert_eq!(tag, "brand_new_field");
            assert_eq!(value, &change_d);
        }
        other => panic!("expected the unknown field kept whole, got {other:?}"),
    }

    // The helpers skip what did not decode and say where it was.
    let ids: Vec<&str> = payload.messages().map(|(_, m)| m.id()).collect();
    assert_eq!(ids, ["wamid.1", "wamid.5"]);
    assert_eq!(payload.statuses().count(), 1);
    let places: Vec<String> = payload
        .invalid_items()
        .into_iter()
        .map(|(at, _)| at)
        .collect();
    assert_eq!(
        places,
        [
            "entry[0].changes[0].value.messages[1]",
            "entry[0].changes[0].value.messages[2]",
            "entry[0].changes[0].value.messages[3]",
            "entry[0].changes[0].value.statuses[0]",
            "entry[0].changes[0].value.statuses[2]",
            "entry[0].changes[0].value.contacts[1]",
            "entry[0].changes[0].value.errors[0]",
            "entry[0].changes[1]",
            "entry[1]",
        ]
    );

    assert_encodes_back(&payload, &json);
}

#[test]
fn a_message_of_a_known_kind_with_a_bad_member_inside_a_status_error_list_is_isolated_there() {
    // An error inside a failed status that does not fit its type costs only
    // that error: the status itself decodes.
    let bad_error = json!({"code": "not a number"});
    let status = json!({"id": WAMID, "status": "failed", "timestamp": "1749416390", "recipient_id": "16505551234",
        "errors": [bad_error.clone(), {"code": 131047, "title": "Re-engagement message"}]});
    let json = delivery(vec![
        json!({"id": "102290129340398", "changes": [messages_change(json!({"statuses": [status]}))]}),
    ]);
    let payload = parse(&json);
    let value = messages_value(&only_entry(&payload).changes[0]);
    let status = valid(&value.statuses.as_ref().expect("statuses")[0]);
    let errors = status.errors.as_ref().expect("errors");
    assert_kept(invalid(&errors[0]), &bad_error, "code", "not a number");
    assert_eq!(valid(&errors[1]).code, 131047);
    assert_encodes_back(&payload, &json);
}

#[test]
fn only_a_body_that_is_not_a_delivery_fails_to_parse() {
    for (body, path) in [
        (&b"not json"[..], "."),
        (br#"{"object": "whatsapp_business_account"}"#, "."),
        (
            br#"{"object": "whatsapp_business_account", "entry": 5}"#,
            "entry",
        ),
        (br#"[1, 2]"#, "."),
    ] {
        match webhooks::parse(body) {
            Err(WebhookError::Parse { path: at, .. }) => {
                assert_eq!(at, path, "{}", String::from_utf8_lossy(body))
            }
            other => panic!(
                "{}: expected a parse error, got {other:?}",
                String::from_utf8_lossy(body)
            ),
        }
    }
    // An empty list of entries is a delivery.
    assert!(webhooks::parse(br#"{"object": "whatsapp_business_account", "entry": []}"#).is_ok());
}

#[test]
fn strict_decoding_refuses_the_item_that_does_not_fit_and_names_it() {
    let json = delivery(vec![
        json!({"id": "102290129340398", "changes": [messages_change(json!({
            "messages": [text("wamid.1", "fine"), {"from": "16505551234", "id": "wamid.2", "timestamp": "1", "type": "location", "location": {"latitude": "north", "longitude": 1.0}}]
        }))]}),
    ]);
    let body = serde_json::to_vec(&json).expect("encodes");
    let e = from_slice_strict::<WebhookPayload>(&body)
        .expect_err("strict decoding refuses the delivery");
    assert_eq!(
        e.path,
        "entry[0].changes[0].value.messages[1].location.latitude"
    );
    // The same body decodes with isolation.
    assert!(webhooks::parse(&body).is_ok());
}

#[test]
fn serde_json_on_its_own_isolates_items_too() {
    // Without the crate's parser (an axum `Json` extractor, say), decoding
    // isolates items the same way.
    let bad = json!({"from": "16505551234", "timestamp": "1", "type": "text"});
    let json = delivery(vec![
        json!({"id": "1", "changes": [messages_change(json!({"messages": [bad.clone(), text("wamid.1", "ok")]}))]}),
    ]);
    let payload: WebhookPayload = serde_json::from_value(json.clone()).expect("decodes");
    let value = messages_value(&only_entry(&payload).changes[0]);
    let messages = value.messages.as_ref().expect("messages");
    assert_kept(invalid(&messages[0]), &bad, ".", "missing field `id`");
    assert_eq!(valid(&messages[1]).id(), "wamid.1");
    let from_text: WebhookPayload = serde_json::from_str(&json.to_string()).expect("decodes");
    assert_eq!(from_text, payload);
}

fn client(server: &MockServer) -> Client {
    Client::builder("token")
        .base_url(server.uri())
        .build()
        .expect("client")
}

fn template(id: &str) -> Value {
    json!({"id": id, "name": format!("t{id}"), "language": "en_US", "status": "APPROVED", "category": "UTILITY"})
}

#[tokio::test]
async fn a_list_response_keeps_its_good_items_beside_a_bad_one() {
    let server = MockServer::start().await;
    let bad = json!({"name": "no id", "language": "en_US"});
    let page = json!({
        "data": [template("1"), bad.clone(), template("3")],
        "paging": {"cursors": {"before": "b", "after": "a"}}
    });
    Mock::given(method("GET"))
        .and(path("/v23.0/waba/message_templates"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&page))
        .mount(&server)
        .await;
    let list = client(&server)
        .list_message_templates("waba")
        .send()
        .await
        .expect("the page decodes");
    let data = list.data.as_ref().expect("data");
    assert_eq!(valid(&data[0]).id, "1");
    assert_kept(invalid(&data[1]), &bad, ".", "missing field `id`");
    assert_eq!(valid(&data[2]).id, "3");
    assert_eq!(serde_json::to_value(&list).expect("encodes"), page);

    // The stream yields the bad item in its place and goes on.
    let items: Vec<Item<_>> = client(&server)
        .list_message_templates("waba")
        .into_stream(Some(1))
        .map(|item| item.expect("no transport or API error"))
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(items[1].invalid().is_some());
    assert_eq!(items[2].valid().map(|t| t.id.as_str()), Some("3"));
}

#[tokio::test]
async fn a_list_item_that_fits_no_type_is_kept_whole_and_others_are_read() {
    let server = MockServer::start().await;
    let bad = json!("a phone number as text");
    Mock::given(method("GET"))
        .and(path("/v23.0/waba/phone_numbers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "1", "display_phone_number": "+1 555 0100"}, bad.clone()]
        })))
        .mount(&server)
        .await;
    let numbers = client(&server)
        .get_whatsapp_business_account_phone_numbers("waba")
        .send()
        .await
        .expect("decodes");
    let data = numbers.data.as_ref().expect("data");
    assert_eq!(valid(&data[0]).id, "1");
    assert_kept(invalid(&data[1]), &bad, ".", "invalid type: string");
}
