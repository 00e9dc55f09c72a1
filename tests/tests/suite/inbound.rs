//! The crate of the golden `inbound` fixture: the payloads of a top-level
//! webhook and of a callback parse into their types.

use golden_inbound::types::SubscribeStatusChangedPayloadStatus as Status;
use golden_inbound::webhooks::{WebhookError, parse_order_shipped, parse_subscribe_status_changed};

#[test]
fn a_webhook_payload_parses_into_its_type() {
    let body = br#"{"order_id":"o1","parcels":[{"tracking":"T1","weight":1.5},{"tracking":"T2"}],"carrier":"x"}"#;
    let shipment = parse_order_shipped(body).expect("parses");
    assert_eq!(shipment.order_id, "o1");
    assert_eq!(shipment.parcels.len(), 2);
    assert_eq!(shipment.parcels[0].weight, Some(1.5));
    // A member the schema does not list is kept.
    assert_eq!(shipment.extra.get("carrier"), Some(&serde_json::json!("x")));
}

#[test]
fn a_callback_payload_parses_into_its_type() {
    let payload =
        parse_subscribe_status_changed(br#"{"order_id":"o2","status":"shipped"}"#).expect("parses");
    assert_eq!(payload.order_id, "o2");
    assert_eq!(payload.status, Status::Shipped);
}

#[test]
fn a_payload_of_another_shape_is_an_error_naming_the_member() {
    match parse_order_shipped(br#"{"order_id":"o1","parcels":[{"weight":2}]}"#) {
        Err(WebhookError::Parse { path, .. }) => assert_eq!(path, "parcels[0]"),
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert!(matches!(
        parse_order_shipped(b"not json"),
        Err(WebhookError::Parse { .. })
    ));
}
