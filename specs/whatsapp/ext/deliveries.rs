//! Reading a delivery without walking its levels by hand: the changes, the
//! incoming messages and the status updates that decoded, and the items
//! that did not.
//!
//! A delivery's entries, changes, messages, statuses, contacts and errors
//! decode one by one (each is an [`Item`]), so one odd item never costs the
//! rest. These helpers skip the items that did not fit their type;
//! [`WebhookPayload::invalid_items`] lists them with where they are, for a
//! log:
//!
//! ```
//! use whatsapp_cloud_api::types::{IncomingMessage, WebhookPayload};
//!
//! fn on_delivery(payload: &WebhookPayload) {
//!     for (path, invalid) in payload.invalid_items() {
//!         eprintln!("kept but not decoded: {path}: {invalid}");
//!     }
//!     for (value, message) in payload.messages() {
//!         let number = value.metadata.as_ref().map(|m| m.phone_number_id.as_str());
//!         if let IncomingMessage::Text(text) = message {
//!             println!("to {number:?}: {:?}", text.text.as_ref().map(|t| &t.body));
//!         }
//!     }
//! }
//! ```
//!
//! This module is hand-written (`specs/whatsapp/ext/deliveries.rs`) and
//! compiled with the generated code.

use crate::types::{IncomingMessage, MessageStatus, MessagesValue, WebhookChange, WebhookPayload};
use crate::{Invalid, Item};

impl WebhookPayload {
    /// Every change of every entry, in order, leaving out the entries and
    /// changes that did not fit their type.
    pub fn changes(&self) -> impl Iterator<Item = &WebhookChange> {
        self.entry
            .iter()
            .filter_map(Item::valid)
            .flat_map(|entry| entry.changes.iter().filter_map(Item::valid))
    }

    /// The values of the `messages` changes, in order.
    pub fn messages_values(&self) -> impl Iterator<Item = &MessagesValue> {
        self.changes().filter_map(|change| match change {
            WebhookChange::Messages(change) => Some(&change.value),
            _ => None,
        })
    }

    /// Every incoming message that decoded, in order, with the value it came
    /// in (its `metadata` names the business number, its `contacts` the
    /// sender's profile).
    pub fn messages(&self) -> impl Iterator<Item = (&MessagesValue, &IncomingMessage)> {
        self.messages_values().flat_map(|value| {
            value
                .messages
                .iter()
                .flatten()
                .filter_map(Item::valid)
                .map(move |message| (value, message))
        })
    }

    /// Every status update of a sent message that decoded, in order, with
    /// the value it came in.
    pub fn statuses(&self) -> impl Iterator<Item = (&MessagesValue, &MessageStatus)> {
        self.messages_values().flat_map(|value| {
            value
                .statuses
                .iter()
                .flatten()
                .filter_map(Item::valid)
                .map(move |status| (value, status))
        })
    }

    /// The entries and changes that did not fit their type, and the
    /// messages, statuses, contacts and errors of `messages` changes that did
    /// not, each with where it is in the delivery
    /// (`entry[0].changes[1].value.messages[2]`). Lists inside other
    /// changes keep their invalid items in place too (as `Item::Invalid`).
    pub fn invalid_items(&self) -> Vec<(String, &Invalid)> {
        let mut out = Vec::new();
        for (e, entry) in self.entry.iter().enumerate() {
            let entry = match entry {
                Item::Valid(entry) => entry,
                Item::Invalid(invalid) => {
                    out.push((format!("entry[{e}]"), invalid));
                    continue;
                }
            };
            for (c, change) in entry.changes.iter().enumerate() {
                let at = format!("entry[{e}].changes[{c}]");
                match change {
                    Item::Invalid(invalid) => out.push((at, invalid)),
                    Item::Valid(WebhookChange::Messages(change)) => {
                        let value = &change.value;
                        list(&mut out, &at, "messages", value.messages.as_deref());
                        list(&mut out, &at, "statuses", value.statuses.as_deref());
                        list(&mut out, &at, "contacts", value.contacts.as_deref());
                        list(&mut out, &at, "errors", value.errors.as_deref());
                    }
                    Item::Valid(_) => {}
                }
            }
        }
        out
    }
}

/// The invalid items of one list of a `messages` value.
fn list<'a, T>(out: &mut Vec<(String, &'a Invalid)>, at: &str, name: &str, items: Option<&'a [Item<T>]>) {
    for (i, item) in items.unwrap_or_default().iter().enumerate() {
        if let Item::Invalid(invalid) = item {
            out.push((format!("{at}.value.{name}[{i}]"), invalid));
        }
    }
}
