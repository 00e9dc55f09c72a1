//! Behaviour of generated unions, on the `unions` golden crate: a tag written
//! once, unknown tags and shapes kept whole, untagged variants chosen by their
//! required keys, recursion through `Box`.

use golden_unions::types::{
    Event, IdOrCount, ImageMessage, Media, MediaWithId, MediaWithLink, Message, TextMessage,
    TextMessageText,
};
use serde_json::json;

#[test]
fn tagged_union_writes_the_tag_exactly_once() {
    let message = Message::from(TextMessage::new(
        "15551234567",
        TextMessageText::new("hello"),
    ));
    let text = serde_json::to_string(&message).expect("encodes");
    assert_eq!(text.matches("\"type\"").count(), 1, "{text}");
    assert_eq!(
        serde_json::to_value(&message).expect("encodes"),
        json!({"messaging_product": "whatsapp", "to": "15551234567", "type": "text", "text": {"body": "hello"}})
    );
    assert_eq!(message.tag(), "text");
}

#[test]
fn tagged_union_decodes_by_tag_and_round_trips() {
    let json = json!({"messaging_product": "whatsapp", "to": "1", "type": "image", "image": {"link": "https://x.example/a.png", "caption": "hi"}});
    let message: Message = serde_json::from_value(json.clone()).expect("decodes");
    let Message::Image(ImageMessage {
        image: Media::WithLink(MediaWithLink { link, caption, .. }),
        ..
    }) = &message
    else {
        panic!("expected an image by link, got {message:?}")
    };
    assert_eq!(
        (link.as_str(), caption.as_deref()),
        ("https://x.example/a.png", Some("hi"))
    );
    assert_eq!(serde_json::to_value(&message).expect("encodes"), json);
}

#[test]
fn unknown_tag_keeps_the_tag_and_the_raw_value() {
    let json = json!({"type": "hologram", "to": "1", "hologram": {"depth": 3}});
    let message: Message = serde_json::from_value(json.clone()).expect("unknown tags decode");
    match &message {
        Message::Unrecognized { tag, value } => {
            assert_eq!(tag, "hologram");
            assert_eq!(value, &json);
        }
        other => panic!("expected Unrecognized, got {other:?}"),
    }
    assert_eq!(
        serde_json::to_value(&message).expect("encodes"),
        json,
        "written back unchanged"
    );
}

#[test]
fn missing_tag_is_an_error_naming_the_member() {
    let error = serde_json::from_value::<Message>(json!({"to": "1"})).expect_err("no tag");
    assert!(
        error.to_string().contains("missing field `type`"),
        "{error}"
    );
}

#[test]
fn untagged_union_is_chosen_by_required_keys() {
    let by_id: Media = serde_json::from_value(json!({"id": "123"})).expect("decodes");
    assert_eq!(by_id, Media::WithId(MediaWithId::new("123")));
    let by_link: Media =
        serde_json::from_value(json!({"link": "https://x.example"})).expect("decodes");
    assert!(matches!(by_link, Media::WithLink(_)), "{by_link:?}");
    let neither: Media = serde_json::from_value(json!({"path": "/tmp/a"})).expect("kept");
    assert_eq!(neither, Media::Unrecognized(json!({"path": "/tmp/a"})));
    assert_eq!(
        serde_json::to_value(Media::from(MediaWithId::new("9"))).expect("encodes"),
        json!({"id": "9"})
    );
}

#[test]
fn untagged_primitives_are_chosen_by_json_type() {
    assert_eq!(
        serde_json::from_value::<IdOrCount>(json!("abc")).expect("decodes"),
        IdOrCount::String("abc".into())
    );
    assert_eq!(
        serde_json::from_value::<IdOrCount>(json!(42)).expect("decodes"),
        IdOrCount::Integer(42)
    );
    assert_eq!(
        serde_json::from_value::<IdOrCount>(json!(true)).expect("decodes"),
        IdOrCount::Unrecognized(json!(true))
    );
}

#[test]
fn recursive_unions_decode_through_boxes() {
    let json = json!({"kind": "group", "events": [{"kind": "sent", "id": "a"}], "first": {"kind": "group", "events": []}});
    let event: Event = serde_json::from_value(json.clone()).expect("decodes");
    let Event::Group(group) = &event else {
        panic!("{event:?}")
    };
    assert!(matches!(group.events.as_deref(), Some([Event::Sent(_)])));
    assert!(matches!(group.first.as_deref(), Some(Event::Group(_))));
    assert_eq!(serde_json::to_value(&event).expect("encodes"), json);
}

#[test]
fn a_union_of_primitives_converts_from_each_into_its_first_variant() {
    assert_eq!(IdOrCount::from("abc"), IdOrCount::String("abc".into()));
    assert_eq!(
        IdOrCount::from(String::from("abc")),
        IdOrCount::String("abc".into())
    );
    assert_eq!(IdOrCount::from(7), IdOrCount::Integer(7));
}
