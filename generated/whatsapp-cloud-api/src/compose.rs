// This file is a copy of `specs/whatsapp/ext/compose.rs`, made by `cargo xtask codegen`.
// Do not edit it here: edit that file, then regenerate.

//! Short ways to build the messages a bot sends most: replies in context,
//! reply buttons, location and address requests, link buttons, and
//! templates with their parameters; and who to answer.
//!
//! Each helper returns the generated types, so whatever it does not cover
//! can still be set on the result. The recipient is an
//! [`Addressee`]: a phone number as a string, or a
//! business-scoped user ID as `Addressee::Recipient`:
//!
//! ```
//! use whatsapp_cloud_api::types::{Addressee, Message, Template};
//!
//! let reply = Message::text("+15551234567", "On its way!").reply_to("wamid.ABC");
//! let to_user = Message::text(Addressee::Recipient("US.13491208655302741918".into()), "Hello!");
//! let buttons = Message::reply_buttons("+15551234567", "Table for two?", [("yes", "Yes"), ("no", "No")]);
//! let location = Message::location_request("+15551234567", "Where should we deliver?");
//! let link = Message::cta_url("+15551234567", "Track your parcel.", "Track", "https://example.com/t/4521");
//! let update = Message::template(
//!     "+15551234567",
//!     Template::named("order_update", "en_US")
//!         .body_texts(["Maria", "#4521"])
//!         .url_button(0, "orders/4521"),
//! );
//! # let _ = (reply, to_user, buttons, location, link, update);
//! ```
//!
//! This module is hand-written (`specs/whatsapp/ext/compose.rs`) and compiled
//! with the generated code, so a spec change that breaks it breaks the build.
use crate::types::{
    AddressMessageAction, AddressMessageParameters, Addressee, Interactive,
    InteractiveAddressMessage, InteractiveBody, InteractiveButtonMessage,
    InteractiveCtaUrlAction, InteractiveCtaUrlMessage, InteractiveLocationRequestMessage,
    LocationRequestAction, Message, MessageContext, ReplyButton, ReplyButtonAction,
    ReplyButtonContent, Template, TemplateBodyComponent, TemplateButtonComponent,
    TemplateButtonParameter, TemplateButtonSubType, TemplateComponent,
    TemplateHeaderComponent, TemplateParameter, TemplatePayloadParameter,
    TemplateTextParameter, CtaUrlParameters,
};
impl Message {
    /// This message as a reply to `message_id` (the `wamid.` of a message the
    /// user sent): sets `context.message_id`, whatever the kind.
    pub fn reply_to(self, message_id: impl Into<String>) -> Message {
        self.with_context(MessageContext::new(message_id))
    }
    /// An interactive message with reply buttons (up to three), each given
    /// as `(id, title)`: the id comes back in the user's reply, the title is
    /// the label.
    pub fn reply_buttons<I, K, V>(
        to: impl Into<Addressee>,
        body: impl Into<String>,
        buttons: I,
    ) -> Message
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let buttons = buttons
            .into_iter()
            .map(|(id, title)| ReplyButton::new(ReplyButtonContent::new(id, title)))
            .collect();
        let content = InteractiveButtonMessage::new(
            InteractiveBody::new(body),
            ReplyButtonAction::new(buttons),
        );
        Message::interactive(to, Interactive::Button(content))
    }
    /// Asks the user to share a location, with a button that opens the
    /// location picker; the answer arrives as a `location` message replying
    /// to this one.
    pub fn location_request(
        to: impl Into<Addressee>,
        body: impl Into<String>,
    ) -> Message {
        let content = InteractiveLocationRequestMessage::new(
            InteractiveBody::new(body),
            LocationRequestAction::new(),
        );
        Message::interactive(to, Interactive::LocationRequestMessage(content))
    }
    /// A message with one button that opens `url`, labelled `display_text`
    /// (up to 20 characters); set a header or footer on the
    /// `InteractiveCtaUrlMessage` for more.
    pub fn cta_url(
        to: impl Into<Addressee>,
        body: impl Into<String>,
        display_text: impl Into<String>,
        url: impl Into<String>,
    ) -> Message {
        let action = InteractiveCtaUrlAction::new(
            CtaUrlParameters::new(display_text, url),
        );
        let content = InteractiveCtaUrlMessage::new(InteractiveBody::new(body), action);
        Message::interactive(to, Interactive::CtaUrl(content))
    }
    /// Asks the user for a delivery address in a form for `country` (an ISO
    /// 3166 code such as `IN`); the answer arrives as an `interactive`
    /// message whose `nfm_reply` is named `address_message`. Prefill fields
    /// or offer saved addresses through the parameters of the returned
    /// message's action.
    pub fn address_request(
        to: impl Into<Addressee>,
        body: impl Into<String>,
        country: impl Into<String>,
    ) -> Message {
        let action = AddressMessageAction::new(AddressMessageParameters::new(country));
        let content = InteractiveAddressMessage::new(InteractiveBody::new(body), action);
        Message::interactive(to, Interactive::AddressMessage(content))
    }
}
#[cfg(feature = "webhooks")]
impl crate::types::IncomingMessage {
    /// Who to answer: the sender's phone number when the delivery shows it
    /// (`from`), otherwise their business-scoped user ID (`from_user_id`),
    /// which users who hide their number behind a username are known by.
    /// `None` only for a message that carries neither.
    ///
    /// ```
    /// # use whatsapp_cloud_api::types::{IncomingMessage, Message};
    /// # fn answer(message: &IncomingMessage) -> Option<Message> {
    /// let reply = Message::text(message.sender()?, "Thanks, we got it.").reply_to(message.id());
    /// # Some(reply)
    /// # }
    /// ```
    pub fn sender(&self) -> Option<Addressee> {
        match (self.from(), self.from_user_id()) {
            (Some(phone), _) if !phone.is_empty() => {
                Some(Addressee::To(phone.to_string()))
            }
            (_, Some(user_id)) if !user_id.is_empty() => {
                Some(Addressee::Recipient(user_id.to_string()))
            }
            _ => None,
        }
    }
}
impl TemplateParameter {
    /// A text value for a named placeholder (`{{customer_name}}`).
    pub fn named(name: impl Into<String>, text: impl Into<String>) -> TemplateParameter {
        let mut parameter = TemplateTextParameter::new(text);
        parameter.parameter_name = Some(name.into());
        TemplateParameter::Text(parameter)
    }
}
impl Template {
    /// The approved template `name` in the language `language_code`
    /// (`en_US`), with no parameters yet.
    pub fn named(name: impl Into<String>, language_code: impl Into<String>) -> Template {
        Template::new(name, language_code.into())
    }
    /// Adds a component.
    pub fn component(mut self, component: impl Into<TemplateComponent>) -> Template {
        self.components.get_or_insert_with(Vec::new).push(component.into());
        self
    }
    /// Adds the body's values for positional placeholders, in order
    /// (`{{1}}`, `{{2}}`, …).
    pub fn body_texts<I, S>(self, texts: I) -> Template
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body(texts.into_iter().map(TemplateParameter::text))
    }
    /// Adds the body's values for named placeholders, as `(name, text)`.
    pub fn body_named<I, K, V>(self, values: I) -> Template
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.body(
            values.into_iter().map(|(name, text)| TemplateParameter::named(name, text)),
        )
    }
    /// Adds the body's values, of any kind (text, currency, date and time).
    pub fn body(
        self,
        parameters: impl IntoIterator<Item = TemplateParameter>,
    ) -> Template {
        let mut body = TemplateBodyComponent::new();
        body.parameters = Some(parameters.into_iter().collect());
        self.component(TemplateComponent::Body(body))
    }
    /// Adds the header's value (text, image, video or document).
    pub fn header(self, parameter: impl Into<TemplateParameter>) -> Template {
        let mut header = TemplateHeaderComponent::new();
        header.parameters = Some(vec![parameter.into()]);
        self.component(TemplateComponent::Header(header))
    }
    /// Fills in the URL button at `index` (from 0): the button opens its
    /// URL with `suffix` in place of its placeholder.
    pub fn url_button(self, index: u32, suffix: impl Into<String>) -> Template {
        let parameter = TemplateButtonParameter::Text(
            TemplateTextParameter::new(suffix),
        );
        self.component(
            TemplateButtonComponent::new(
                TemplateButtonSubType::Url,
                index.to_string(),
                vec![parameter],
            ),
        )
    }
    /// Sets the payload of the quick-reply button at `index` (from 0),
    /// sent back when the user taps it.
    pub fn quick_reply_button(self, index: u32, payload: impl Into<String>) -> Template {
        let parameter = TemplateButtonParameter::Payload(
            TemplatePayloadParameter::new(payload),
        );
        self.component(
            TemplateButtonComponent::new(
                TemplateButtonSubType::QuickReply,
                index.to_string(),
                vec![parameter],
            ),
        )
    }
}
