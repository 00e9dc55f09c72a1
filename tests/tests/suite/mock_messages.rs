//! Mock-server tests for sending messages, media and templates with
//! `whatsapp-cloud-api`: each message kind built with the generated
//! constructors goes on the wire as exactly the documented JSON (the `type`
//! tag once, `messaging_product` filled in), uploads are multipart with the
//! documented parts, downloads return the exact bytes, and the documented
//! success bodies decode.

use serde_json::{Value, json};
use whatsapp_cloud_api::RetryPolicy;
use whatsapp_cloud_api::types::{
    AudioMessage, CaptionedMediaById, CaptionedMediaByLink, Contact, ContactAddress, ContactEmail,
    ContactInfoType, ContactName, ContactOrg, ContactPhone, ContactUrl, ContactsMessage,
    DocumentMediaByLink, DocumentMessage, ImageMessage, Interactive, InteractiveBody,
    InteractiveButtonMessage, InteractiveFooter, InteractiveHeader, InteractiveImageHeader,
    InteractiveListMessage, InteractiveMessage, InteractiveTextHeader, ListAction, ListRow,
    ListSection, LocationContent, LocationMessage, MediaById, MediaByLink, MediaUploadRequest,
    Message, MessageContext, MessagingProductWhatsapp, ReactionContent, ReactionMessage,
    RecipientType, ReplyButton, ReplyButtonAction, ReplyButtonContent, SendMessageResponse,
    SentMessageStatus, StickerMessage, Template, TemplateBodyComponent, TemplateBodyDefinition,
    TemplateBodyExample, TemplateButtonComponent, TemplateButtonDefinition, TemplateButtonSubType,
    TemplateButtonsDefinition, TemplateCategory, TemplateComponentDefinition,
    TemplateCreateRequest, TemplateHeaderComponent, TemplateHeaderDefinition,
    TemplateHeaderExample, TemplateHeaderFormat, TemplateImageParameter, TemplateLanguage,
    TemplateMessage, TemplatePhoneNumberButton, TemplateStatus, TemplateTextParameter,
    TemplateUrlButton, TextContent, TextMessage, VideoMessage,
};
use whatsapp_cloud_api::{Client, FilePart};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "EAAG-secret-token-123";
const PHONE_NUMBER_ID: &str = "106540352242922";
const WABA_ID: &str = "102290129340398";
const USER: &str = "16505551234";
const SENT_WAMID: &str = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3N0EzQkE2RjVGMTQ4QjQ4OUYA";
const REPLY_TO: &str = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";
const MEDIA_ID: &str = "1037543291543636";

fn client(server: &MockServer) -> Client {
    Client::builder(TOKEN)
        .base_url(server.uri())
        // Request shapes are checked one attempt at a time; retries have tests of their own.
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// The only request the server received.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request was sent");
    requests.remove(0)
}

/// The documented success body of a send.
fn sent(message_status: Option<&str>) -> Value {
    let mut message = json!({"id": SENT_WAMID});
    if let Some(status) = message_status {
        message["message_status"] = json!(status);
    }
    json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": "+1 650-555-1234", "wa_id": USER}],
        "messages": [message]
    })
}

/// Sends `message` and checks the request: POST to
/// `/v23.0/<phone number id>/messages` with the bearer token and a JSON body
/// equal to `expected`, in which the top-level `type` tag, `messaging_product`
/// and each of `once` occur exactly once. Decodes the documented answer and
/// checks the message ID and contact.
async fn send_and_check(
    message: impl Into<Message>,
    expected: Value,
    once: &[&str],
    answer: Value,
) -> SendMessageResponse {
    let message: Message = message.into();
    let tag = message.tag().to_string();
    assert_eq!(
        expected["type"],
        json!(tag),
        "the expected body has the tag"
    );
    assert_eq!(expected["messaging_product"], json!("whatsapp"));
    // Encoding alone gives the expected JSON.
    assert_eq!(
        serde_json::to_value(&message).expect("encodes"),
        expected,
        "the typed value encodes into the documented JSON"
    );

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
        .and(header("authorization", bearer().as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .send_message(PHONE_NUMBER_ID, message)
        .send()
        .await
        .expect("sent and decoded");

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        request.url.path(),
        format!("/v23.0/{PHONE_NUMBER_ID}/messages")
    );
    assert_eq!(request.url.query(), None);
    let body = String::from_utf8(request.body.clone()).expect("utf-8 JSON");
    let tag_member = format!(r#""type":"{tag}""#);
    for needle in [tag_member.as_str(), r#""messaging_product":"whatsapp""#]
        .into_iter()
        .chain(once.iter().copied())
    {
        assert_eq!(
            body.matches(needle).count(),
            1,
            "`{needle}` occurs exactly once in {body}"
        );
    }
    // No member is written twice anywhere at the top level.
    assert_eq!(
        body.matches(r#""type":"#).count(),
        count_type_members(&expected),
        "every `type` member is written once: {body}"
    );

    assert_eq!(
        response.messaging_product,
        Some(MessagingProductWhatsapp::Whatsapp)
    );
    let contacts = response.contacts.as_ref().expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].input.as_deref(), Some("+1 650-555-1234"));
    assert_eq!(contacts[0].wa_id.as_deref(), Some(USER));
    let messages = response.messages.as_ref().expect("messages");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].id, SENT_WAMID);
    assert_eq!(
        serde_json::to_value(&response).expect("encodes"),
        answer,
        "the decoded answer keeps everything"
    );
    response
}

/// How many `type` members a JSON value holds, at any depth.
fn count_type_members(value: &Value) -> usize {
    match value {
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| usize::from(k == "type") + count_type_members(v))
            .sum(),
        Value::Array(items) => items.iter().map(count_type_members).sum(),
        _ => 0,
    }
}

// ---------------------------------------------------------------------------
// Sending messages
// ---------------------------------------------------------------------------

#[tokio::test]
async fn send_text_fills_in_messaging_product_and_the_tag() {
    let message = TextMessage::new(USER, TextContent::new("Hello from the bakery!"));
    let response = send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "text",
            "text": {"body": "Hello from the bakery!"}
        }),
        &[],
        sent(None),
    )
    .await;
    assert_eq!(response.messages.expect("messages")[0].message_status, None);
}

#[tokio::test]
async fn send_text_reply_with_preview_and_recipient_type() {
    let mut text = TextContent::new("Your table is booked. Menu: https://bistro.example/menu");
    text.preview_url = Some(true);
    let mut message = TextMessage::new("447700900123", text);
    message.recipient_type = Some(RecipientType::Individual);
    message.context = Some(MessageContext::new(REPLY_TO));
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "447700900123",
            "type": "text",
            "context": {"message_id": REPLY_TO},
            "text": {
                "body": "Your table is booked. Menu: https://bistro.example/menu",
                "preview_url": true
            }
        }),
        &[],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_audio_by_id() {
    let message = AudioMessage::new(USER, MediaById::new("1013859600285441"));
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "audio",
            "audio": {"id": "1013859600285441"}
        }),
        &[],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_document_by_link_with_caption_and_filename() {
    let mut document = DocumentMediaByLink::new("https://shrub.example/invoices/4821.pdf");
    document.caption = Some("Lucky Shrub Invoice".into());
    document.filename = Some("lucky-shrub-invoice.pdf".into());
    let message = DocumentMessage::new(USER, document);
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "document",
            "document": {
                "link": "https://shrub.example/invoices/4821.pdf",
                "caption": "Lucky Shrub Invoice",
                "filename": "lucky-shrub-invoice.pdf"
            }
        }),
        &[],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_image_by_id_with_caption() {
    let mut image = CaptionedMediaById::new(MEDIA_ID);
    image.caption = Some("Today's special".into());
    let message = ImageMessage::new(USER, image);
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "image",
            "image": {"id": MEDIA_ID, "caption": "Today's special"}
        }),
        &[],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_location_with_numeric_coordinates() {
    let mut location = LocationContent::new(37.44216251868683, -122.16153582049394);
    location.name = Some("Philz Coffee".into());
    location.address = Some("101 Forest Ave, Palo Alto, CA 94301".into());
    let message = LocationMessage::new(USER, location);
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "location",
            "location": {
                "latitude": 37.44216251868683,
                "longitude": -122.16153582049394,
                "name": "Philz Coffee",
                "address": "101 Forest Ave, Palo Alto, CA 94301"
            }
        }),
        &[],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_video_by_link_with_caption() {
    let mut video = CaptionedMediaByLink::new("https://shrub.example/videos/tour.mp4");
    video.caption = Some("A tour of the nursery".into());
    let message = VideoMessage::new(USER, video);
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "video",
            "video": {
                "link": "https://shrub.example/videos/tour.mp4",
                "caption": "A tour of the nursery"
            }
        }),
        &[],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_sticker_by_id() {
    let message = StickerMessage::new(USER, MediaById::new("798882015472548"));
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "sticker",
            "sticker": {"id": "798882015472548"}
        }),
        &[],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_reaction() {
    let message = ReactionMessage::new(USER, ReactionContent::new(REPLY_TO, "\u{1F600}"));
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "reaction",
            "reaction": {"message_id": REPLY_TO, "emoji": "\u{1F600}"}
        }),
        &[],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_interactive_list() {
    let row = |id: &str, title: &str, description: &str| {
        let mut row = ListRow::new(id, title);
        row.description = Some(description.into());
        row
    };
    let mut asap = ListSection::new(vec![
        row("priority_express", "Express Shipping", "Next Day to 2 Days"),
        row("priority_mail", "Priority Mail", "1 Day to 3 Days"),
    ]);
    asap.title = Some("I want it ASAP!".into());
    let mut wait = ListSection::new(vec![row(
        "usps_ground",
        "USPS Ground Shipping",
        "3 Days to 5 Days",
    )]);
    wait.title = Some("I can wait".into());
    let mut list = InteractiveListMessage::new(
        InteractiveBody::new("Which shipping option do you prefer?"),
        ListAction::new("Shipping Options", vec![asap, wait]),
    );
    list.header = Some(InteractiveHeader::from(InteractiveTextHeader::new(
        "Choose Shipping Option",
    )));
    list.footer = Some(InteractiveFooter::new(
        "Lucky Shrub: Your gateway to succulents",
    ));
    let message = InteractiveMessage::new(USER, Interactive::from(list));
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "interactive",
            "interactive": {
                "type": "list",
                "header": {"type": "text", "text": "Choose Shipping Option"},
                "body": {"text": "Which shipping option do you prefer?"},
                "footer": {"text": "Lucky Shrub: Your gateway to succulents"},
                "action": {
                    "button": "Shipping Options",
                    "sections": [
                        {
                            "title": "I want it ASAP!",
                            "rows": [
                                {"id": "priority_express", "title": "Express Shipping", "description": "Next Day to 2 Days"},
                                {"id": "priority_mail", "title": "Priority Mail", "description": "1 Day to 3 Days"}
                            ]
                        },
                        {
                            "title": "I can wait",
                            "rows": [
                                {"id": "usps_ground", "title": "USPS Ground Shipping", "description": "3 Days to 5 Days"}
                            ]
                        }
                    ]
                }
            }
        }),
        &[r#""type":"list""#, r#""type":"text""#],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_interactive_reply_buttons() {
    let buttons = ReplyButtonAction::new(vec![
        ReplyButton::new(ReplyButtonContent::new("change-button", "Change")),
        ReplyButton::new(ReplyButtonContent::new("cancel-button", "Cancel")),
    ]);
    let mut prompt = InteractiveButtonMessage::new(
        InteractiveBody::new("Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow."),
        buttons,
    );
    prompt.header = Some(
        InteractiveImageHeader::new(MediaByLink::new("https://shrub.example/workshop.png")).into(),
    );
    prompt.footer = Some(InteractiveFooter::new("Lucky Shrub"));
    let message = InteractiveMessage::new(USER, prompt);
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "image", "image": {"link": "https://shrub.example/workshop.png"}},
                "body": {"text": "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow."},
                "footer": {"text": "Lucky Shrub"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "change-button", "title": "Change"}},
                        {"type": "reply", "reply": {"id": "cancel-button", "title": "Cancel"}}
                    ]
                }
            }
        }),
        &[r#""type":"button""#, r#""type":"image""#],
        sent(None),
    )
    .await;
}

#[tokio::test]
async fn send_template_with_header_body_and_button_parameters() {
    let mut header = TemplateHeaderComponent::new();
    header.parameters = Some(vec![
        TemplateImageParameter::new(MediaByLink::new("https://shop.example/parcel.jpg")).into(),
    ]);
    let mut body = TemplateBodyComponent::new();
    body.parameters = Some(vec![
        TemplateTextParameter::new("Ana").into(),
        TemplateTextParameter::new("48213").into(),
    ]);
    let button = TemplateButtonComponent::new(
        TemplateButtonSubType::Url,
        "0",
        vec![TemplateTextParameter::new("48213").into()],
    );
    let mut template = Template::new("order_shipped", TemplateLanguage::new("en_US"));
    template.components = Some(vec![header.into(), body.into(), button.into()]);
    let message = TemplateMessage::new(USER, template);
    let response = send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "template",
            "template": {
                "name": "order_shipped",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "header",
                        "parameters": [{"type": "image", "image": {"link": "https://shop.example/parcel.jpg"}}]
                    },
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "48213"}]
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": "48213"}]
                    }
                ]
            }
        }),
        &[r#""type":"header""#, r#""type":"body""#, r#""type":"button""#],
        sent(Some("accepted")),
    )
    .await;
    assert_eq!(
        response.messages.expect("messages")[0].message_status,
        Some(SentMessageStatus::Accepted)
    );
}

#[tokio::test]
async fn send_contacts_card() {
    let mut name = ContactName::new("Barbara J. Johnson");
    name.first_name = Some("Barbara".into());
    name.last_name = Some("Johnson".into());
    let mut phone = ContactPhone::new("+1 (940) 555-1234");
    phone.type_ = Some(ContactInfoType::Work);
    phone.wa_id = Some("19405551234".into());
    let mut email = ContactEmail::new("bjohnson@luckyshrub.example");
    email.type_ = Some(ContactInfoType::Work);
    let mut org = ContactOrg::new();
    org.company = Some("Lucky Shrub".into());
    org.title = Some("Lead Counsel".into());
    let mut url = ContactUrl::new("https://www.luckyshrub.example");
    url.type_ = Some(ContactInfoType::Work);
    let mut address = ContactAddress::new();
    address.street = Some("1 Lucky Shrub Way".into());
    address.city = Some("Menlo Park".into());
    address.country_code = Some("US".into());
    address.type_ = Some(ContactInfoType::Home);
    let mut contact = Contact::new(name);
    contact.phones = Some(vec![phone]);
    contact.emails = Some(vec![email]);
    contact.org = Some(org);
    contact.urls = Some(vec![url]);
    contact.addresses = Some(vec![address]);
    contact.birthday = Some("1999-01-23".into());
    let message = ContactsMessage::new(USER, vec![contact]);
    send_and_check(
        message,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "contacts",
            "contacts": [{
                "addresses": [{
                    "street": "1 Lucky Shrub Way",
                    "city": "Menlo Park",
                    "country_code": "US",
                    "type": "HOME"
                }],
                "birthday": "1999-01-23",
                "emails": [{"email": "bjohnson@luckyshrub.example", "type": "WORK"}],
                "name": {"formatted_name": "Barbara J. Johnson", "first_name": "Barbara", "last_name": "Johnson"},
                "org": {"company": "Lucky Shrub", "title": "Lead Counsel"},
                "phones": [{"phone": "+1 (940) 555-1234", "type": "WORK", "wa_id": "19405551234"}],
                "urls": [{"url": "https://www.luckyshrub.example", "type": "WORK"}]
            }]
        }),
        &[],
        sent(None),
    )
    .await;
}

// ---------------------------------------------------------------------------
// Media
// ---------------------------------------------------------------------------

/// One part of a `multipart/form-data` body.
#[derive(Debug, PartialEq)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A quoted parameter (`name="..."`) of a `Content-Disposition` header.
fn disposition_param(disposition: &str, param: &str) -> Option<String> {
    disposition.split(';').map(str::trim).find_map(|p| {
        p.strip_prefix(&format!("{param}=\""))
            .and_then(|rest| rest.strip_suffix('"'))
            .map(str::to_string)
    })
}

/// Splits a multipart body into its parts, byte-exact (file parts need not
/// be UTF-8).
fn multipart_parts(request: &Request) -> Vec<Part> {
    let content_type = request
        .headers
        .get("content-type")
        .expect("content type")
        .to_str()
        .expect("ascii");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let boundary = content_type.split("boundary=").nth(1).expect("boundary");
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &request.body;
    let mut parts = Vec::new();
    let mut at = find(body, &delimiter, 0).expect("first delimiter");
    loop {
        let after = at + delimiter.len();
        if body[after..].starts_with(b"--") {
            break; // the closing delimiter
        }
        assert!(body[after..].starts_with(b"\r\n"), "CRLF after delimiter");
        let head_start = after + 2;
        let head_end = find(body, b"\r\n\r\n", head_start).expect("end of part headers");
        let head = std::str::from_utf8(&body[head_start..head_end]).expect("ascii headers");
        let next = find(body, &delimiter, head_end).expect("next delimiter");
        let value = &body[head_end + 4..next];
        let value = value.strip_suffix(b"\r\n").expect("CRLF before delimiter");
        let mut disposition = None;
        let mut part_type = None;
        for line in head.split("\r\n") {
            let (key, val) = line.split_once(':').expect("header line");
            match key.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => disposition = Some(val.trim().to_string()),
                "content-type" => part_type = Some(val.trim().to_string()),
                other => panic!("unexpected part header {other}"),
            }
        }
        let disposition = disposition.expect("content disposition");
        assert!(disposition.starts_with("form-data"), "{disposition}");
        parts.push(Part {
            name: disposition_param(&disposition, "name").expect("part name"),
            filename: disposition_param(&disposition, "filename"),
            content_type: part_type,
            body: value.to_vec(),
        });
        at = next;
    }
    parts
}

/// Bytes that are not UTF-8 and contain CR, LF and `--`, like a real file.
fn jpeg_bytes() -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    bytes.extend_from_slice(b"\r\n--not-a-boundary\r\n\r\n");
    bytes.extend((0..=255u8).rev());
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

#[tokio::test]
async fn upload_media_sends_exactly_the_documented_multipart_parts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE_NUMBER_ID}/media")))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": MEDIA_ID})))
        .expect(1)
        .mount(&server)
        .await;
    let file = FilePart::new(jpeg_bytes())
        .file_name("todays-special.jpg")
        .content_type("image/jpeg");
    let request = MediaUploadRequest::new(file, "image/jpeg");
    assert_eq!(
        request.messaging_product,
        MessagingProductWhatsapp::Whatsapp,
        "filled in by the constructor"
    );
    let uploaded = client(&server)
        .upload_media(PHONE_NUMBER_ID, request)
        .send()
        .await
        .expect("decodes");
    assert_eq!(uploaded.id, MEDIA_ID);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    let parts = multipart_parts(&request);
    assert_eq!(
        parts,
        vec![
            Part {
                name: "file".into(),
                filename: Some("todays-special.jpg".into()),
                content_type: Some("image/jpeg".into()),
                body: jpeg_bytes(),
            },
            Part {
                name: "type".into(),
                filename: None,
                content_type: None,
                body: b"image/jpeg".to_vec(),
            },
            Part {
                name: "messaging_product".into(),
                filename: None,
                content_type: None,
                body: b"whatsapp".to_vec(),
            },
        ]
    );
}

#[tokio::test]
async fn get_media_url_decodes_url_mime_type_and_size() {
    let server = MockServer::start().await;
    let answer = json!({
        "messaging_product": "whatsapp",
        "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1037543291543636&ext=1718895342&hash=ATtXkK3vQ5sFz1pYh0eB",
        "mime_type": "image/jpeg",
        "sha256": "3c2f6c0a3e5b9d7b1c4e8f0a2d6b9e1f4a7c0d3e6f9a2b5c8d1e4f7a0b3c6d9e",
        "file_size": 303833,
        "id": MEDIA_ID
    });
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{MEDIA_ID}")))
        .and(query_param("phone_number_id", PHONE_NUMBER_ID))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
        .expect(1)
        .mount(&server)
        .await;
    let media = client(&server)
        .get_media_url(MEDIA_ID)
        .phone_number_id(PHONE_NUMBER_ID)
        .send()
        .await
        .expect("decodes");
    assert_eq!(media.id, MEDIA_ID);
    assert_eq!(
        media.url.as_deref(),
        Some(
            "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1037543291543636&ext=1718895342&hash=ATtXkK3vQ5sFz1pYh0eB"
        )
    );
    assert_eq!(media.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(media.file_size, Some(303833));
    assert_eq!(
        media.sha256.as_deref(),
        Some("3c2f6c0a3e5b9d7b1c4e8f0a2d6b9e1f4a7c0d3e6f9a2b5c8d1e4f7a0b3c6d9e")
    );
    assert_eq!(
        media.messaging_product,
        Some(MessagingProductWhatsapp::Whatsapp)
    );
    assert_eq!(serde_json::to_value(&media).expect("encodes"), answer);
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some(format!("phone_number_id={PHONE_NUMBER_ID}").as_str())
    );
}

#[tokio::test]
async fn download_media_fetches_the_returned_url_with_the_token() {
    let server = MockServer::start().await;
    let media_url = format!(
        "{}/lookaside/media?mid={MEDIA_ID}&ext=1718895342&hash=ATtXkK3v",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "url": media_url,
            "mime_type": "image/jpeg",
            "sha256": "3c2f6c0a3e5b9d7b1c4e8f0a2d6b9e1f4a7c0d3e6f9a2b5c8d1e4f7a0b3c6d9e",
            "file_size": jpeg_bytes().len(),
            "id": MEDIA_ID
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookaside/media"))
        .and(query_param("mid", MEDIA_ID))
        .and(query_param("ext", "1718895342"))
        .and(query_param("hash", "ATtXkK3v"))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(jpeg_bytes(), "image/jpeg"))
        .expect(1)
        .mount(&server)
        .await;

    let c = client(&server);
    let media = c.get_media_url(MEDIA_ID).send().await.expect("url");
    let url = media.url.expect("url present");
    assert_eq!(url, media_url);
    assert_eq!(media.file_size, Some(jpeg_bytes().len() as i64));
    let bytes = c.download_media(&url).send().await.expect("downloads");
    assert_eq!(bytes, jpeg_bytes(), "the exact bytes");

    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 2);
    let download = &requests[1];
    assert_eq!(download.method.as_str(), "GET");
    // wiremock records the host as `localhost`; compare path and query.
    assert_eq!(
        download.url.path(),
        "/lookaside/media",
        "the URL is used as given, not under /v23.0/"
    );
    assert_eq!(
        download.url.query(),
        Some(format!("mid={MEDIA_ID}&ext=1718895342&hash=ATtXkK3v").as_str())
    );
    assert_eq!(
        download
            .headers
            .get("authorization")
            .map(|v| v.to_str().expect("ascii")),
        Some(bearer().as_str())
    );
    assert!(download.body.is_empty());
}

#[tokio::test]
async fn delete_media_decodes_success() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v23.0/{MEDIA_ID}")))
        .and(query_param("phone_number_id", PHONE_NUMBER_ID))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let deleted = client(&server)
        .delete_media(MEDIA_ID)
        .phone_number_id(PHONE_NUMBER_ID)
        .send()
        .await
        .expect("decodes");
    assert!(deleted.success);
    let request = only_request(&server).await;
    assert!(request.body.is_empty());
}

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------

#[tokio::test]
async fn create_template_sends_the_documented_body_and_decodes_the_answer() {
    let expected = json!({
        "name": "order_receipt",
        "language": "en_US",
        "category": "UTILITY",
        "components": [
            {
                "type": "HEADER",
                "format": "DOCUMENT",
                "example": {"header_handle": ["4::YXBwbGljYXRpb24vcGRm:ARb7example:e:1745000000:100000000000001:100000000000002:ARexample"]}
            },
            {
                "type": "BODY",
                "text": "Thanks for your order, {{1}}. Your receipt for order {{2}} is attached.",
                "example": {"body_text": [["Ana", "48213"]]}
            },
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "PHONE_NUMBER", "text": "Call us", "phone_number": "447700900000"},
                    {"type": "URL", "text": "Help centre", "url": "https://shop.example/help"}
                ]
            }
        ]
    });
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{WABA_ID}/message_templates")))
        .and(header("authorization", bearer().as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "1046923380271450",
            "status": "PENDING",
            "category": "UTILITY"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let mut header_example = TemplateHeaderExample::new();
    header_example.header_handle = Some(vec![
        "4::YXBwbGljYXRpb24vcGRm:ARb7example:e:1745000000:100000000000001:100000000000002:ARexample"
            .into(),
    ]);
    let mut header_def = TemplateHeaderDefinition::new(TemplateHeaderFormat::Document);
    header_def.example = Some(header_example);
    let mut body_example = TemplateBodyExample::new();
    body_example.body_text = Some(vec![vec!["Ana".into(), "48213".into()]]);
    let mut body_def = TemplateBodyDefinition::new();
    body_def.text =
        Some("Thanks for your order, {{1}}. Your receipt for order {{2}} is attached.".into());
    body_def.example = Some(body_example);
    let buttons = TemplateButtonsDefinition::new(vec![
        TemplateButtonDefinition::from(TemplatePhoneNumberButton::new("Call us", "447700900000")),
        TemplateUrlButton::new("Help centre", "https://shop.example/help").into(),
    ]);
    let request = TemplateCreateRequest::new(
        "order_receipt",
        "en_US",
        TemplateCategory::Utility,
        vec![
            TemplateComponentDefinition::from(header_def),
            body_def.into(),
            buttons.into(),
        ],
    );
    assert_eq!(serde_json::to_value(&request).expect("encodes"), expected);

    let created = client(&server)
        .create_message_template(WABA_ID, request)
        .send()
        .await
        .expect("decodes");
    assert_eq!(created.id, "1046923380271450");
    assert_eq!(created.status, Some(TemplateStatus::Pending));
    assert_eq!(created.category, Some(TemplateCategory::Utility));
    let request = only_request(&server).await;
    let body = String::from_utf8(request.body).expect("utf-8");
    assert_eq!(body.matches(r#""type":"HEADER""#).count(), 1, "{body}");
    assert_eq!(body.matches(r#""type":"BUTTONS""#).count(), 1, "{body}");
}

#[tokio::test]
async fn list_templates_decodes_data_and_paging() {
    let page = json!({
        "data": [{
            "id": "1046923380271450",
            "name": "order_shipped",
            "language": "en_US",
            "status": "APPROVED",
            "category": "UTILITY",
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Your order is on its way"},
                {
                    "type": "BODY",
                    "text": "Hi {{1}}, order {{2}} has shipped and should arrive by {{3}}.",
                    "example": {"body_text": [["Ana", "48213", "Friday"]]}
                },
                {"type": "FOOTER", "text": "Reply STOP to opt out of updates"},
                {
                    "type": "BUTTONS",
                    "buttons": [{
                        "type": "URL",
                        "text": "Track order",
                        "url": "https://shop.example/track/{{1}}",
                        "example": ["https://shop.example/track/48213"]
                    }]
                }
            ]
        }],
        "paging": {
            "cursors": {"before": "QVFIUkxNZAjBRWTNBUDZAn", "after": "QVFIUkxNZAjBRWTNBUDZAo"}
        }
    });
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{WABA_ID}/message_templates")))
        .and(query_param("limit", "10"))
        .and(query_param("status", "APPROVED"))
        .and(query_param("category", "UTILITY"))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&page))
        .expect(1)
        .mount(&server)
        .await;
    let list = client(&server)
        .list_message_templates(WABA_ID)
        .limit(10)
        .status(TemplateStatus::Approved)
        .category(TemplateCategory::Utility)
        .send()
        .await
        .expect("decodes");

    let data = list.data.as_ref().expect("data");
    assert_eq!(data.len(), 1);
    let template = data[0].valid().expect("the template decodes");
    assert_eq!(template.id, "1046923380271450");
    assert_eq!(template.name.as_deref(), Some("order_shipped"));
    assert_eq!(template.language.as_deref(), Some("en_US"));
    assert_eq!(template.status, Some(TemplateStatus::Approved));
    assert_eq!(template.category, Some(TemplateCategory::Utility));
    let components = template.components.as_ref().expect("components");
    assert_eq!(
        components.iter().map(|c| c.tag()).collect::<Vec<_>>(),
        ["HEADER", "BODY", "FOOTER", "BUTTONS"]
    );
    let TemplateComponentDefinition::Header(header_def) = &components[0] else {
        panic!("expected a header, got {:?}", components[0])
    };
    assert_eq!(header_def.format, TemplateHeaderFormat::Text);
    assert_eq!(header_def.text.as_deref(), Some("Your order is on its way"));
    let TemplateComponentDefinition::Body(body_def) = &components[1] else {
        panic!("expected a body, got {:?}", components[1])
    };
    assert_eq!(
        body_def.example.as_ref().and_then(|e| e.body_text.clone()),
        Some(vec![vec![
            "Ana".to_string(),
            "48213".to_string(),
            "Friday".to_string()
        ]])
    );
    let TemplateComponentDefinition::Buttons(buttons) = &components[3] else {
        panic!("expected buttons, got {:?}", components[3])
    };
    let TemplateButtonDefinition::Url(url) = &buttons.buttons[0] else {
        panic!("expected a URL button, got {:?}", buttons.buttons[0])
    };
    assert_eq!(url.url, "https://shop.example/track/{{1}}");
    assert_eq!(
        url.example,
        Some(vec!["https://shop.example/track/48213".to_string()])
    );

    let paging = list.paging.as_ref().expect("paging");
    let cursors = paging.cursors.as_ref().expect("cursors");
    assert_eq!(cursors.before.as_deref(), Some("QVFIUkxNZAjBRWTNBUDZAn"));
    assert_eq!(cursors.after.as_deref(), Some("QVFIUkxNZAjBRWTNBUDZAo"));
    assert_eq!(paging.next, None);
    assert_eq!(serde_json::to_value(&list).expect("encodes"), page);

    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some("limit=10&status=APPROVED&category=UTILITY")
    );
}

#[tokio::test]
async fn delete_template_sends_the_name_query_and_decodes_success() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v23.0/{WABA_ID}/message_templates")))
        .and(query_param("name", "order_receipt"))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let deleted = client(&server)
        .delete_message_template(WABA_ID, "order_receipt")
        .send()
        .await
        .expect("decodes");
    assert_eq!(deleted.success, Some(true));
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("name=order_receipt"));
    assert!(request.body.is_empty(), "a DELETE sends no body");
}

#[tokio::test]
async fn delete_one_template_version_sends_name_and_hsm_id() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v23.0/{WABA_ID}/message_templates")))
        .and(query_param("name", "order receipt&more"))
        .and(query_param("hsm_id", "1046923380271450"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let deleted = client(&server)
        .delete_message_template(WABA_ID, "order receipt&more")
        .hsm_id("1046923380271450")
        .send()
        .await
        .expect("decodes");
    assert_eq!(deleted.success, Some(true));
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some("name=order+receipt%26more&hsm_id=1046923380271450")
    );
}

#[test]
fn message_constructors_take_the_required_fields_of_each_kind() {
    let json = serde_json::to_value(Message::text("+15551234567", "hello")).expect("encodes");
    assert_eq!(
        json,
        serde_json::json!({"messaging_product": "whatsapp", "to": "+15551234567", "type": "text", "text": {"body": "hello"}})
    );
    assert_eq!(
        Message::text("1", "hi"),
        Message::from(TextMessage::new("1", TextContent::new("hi"))),
        "the constructor is the kind's `new` plus the conversion"
    );
}

// ---------------------------------------------------------------------------
// The bot loop: read receipts, short builders, media by ID
// ---------------------------------------------------------------------------

/// The JSON body `message` goes on the wire as.
async fn sent_body(message: Message) -> Value {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(sent(None)))
        .mount(&server)
        .await;
    client(&server)
        .send_message(PHONE_NUMBER_ID, message)
        .await
        .expect("sent");
    serde_json::from_slice(&only_request(&server).await.body).expect("JSON")
}

#[tokio::test]
async fn mark_as_read_sends_the_receipt_with_or_without_typing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE_NUMBER_ID}/messages")))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;
    let c = client(&server);
    let plain = c
        .mark_as_read(PHONE_NUMBER_ID, REPLY_TO)
        .await
        .expect("marked");
    assert!(plain.success);
    let typing = c
        .mark_as_read(PHONE_NUMBER_ID, REPLY_TO)
        .typing_indicator()
        .send()
        .await
        .expect("marked");
    assert!(typing.success);
    let requests = server.received_requests().await.expect("recorded");
    let bodies: Vec<Value> = requests
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("JSON"))
        .collect();
    assert_eq!(
        bodies,
        [
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": REPLY_TO}),
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": REPLY_TO, "typing_indicator": {"type": "text"}}),
        ]
    );
}

#[tokio::test]
async fn reply_to_tracking_data_and_newer_fields_go_on_any_kind() {
    let mut image = ImageMessage::new(USER, CaptionedMediaById::new(MEDIA_ID));
    image
        .extra
        .insert("future_member".into(), json!({"on": true}));
    let message = Message::from(image)
        .reply_to(REPLY_TO)
        .with_biz_opaque_callback_data("campaign-7");
    assert_eq!(
        sent_body(message).await,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "image",
            "image": {"id": MEDIA_ID},
            "context": {"message_id": REPLY_TO},
            "biz_opaque_callback_data": "campaign-7",
            "future_member": {"on": true}
        })
    );
    // A kind this version does not know gets them in its JSON.
    let unknown = Message::Unrecognized {
        tag: "poll".into(),
        value: json!({"messaging_product": "whatsapp", "to": USER, "type": "poll", "poll": {}}),
    };
    let body = sent_body(unknown.reply_to(REPLY_TO)).await;
    assert_eq!(body["context"], json!({"message_id": REPLY_TO}));
    assert_eq!(body["poll"], json!({}));
}

#[tokio::test]
async fn template_builders_fill_named_parameters_and_buttons() {
    use whatsapp_cloud_api::types::TemplateParameter;
    let template = Template::named("appointment", "en_GB")
        .header(TemplateParameter::text("Dr Smith"))
        .body_named([("patient", "Sam"), ("time", "10:30")])
        .quick_reply_button(0, "CONFIRM_42")
        .url_button(1, "appointments/42");
    assert_eq!(
        sent_body(Message::template(USER, template)).await,
        json!({
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "template",
            "template": {
                "name": "appointment",
                "language": {"code": "en_GB"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "Dr Smith"}]},
                    {"type": "body", "parameters": [
                        {"type": "text", "parameter_name": "patient", "text": "Sam"},
                        {"type": "text", "parameter_name": "time", "text": "10:30"}
                    ]},
                    {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "payload", "payload": "CONFIRM_42"}]},
                    {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "appointments/42"}]}
                ]
            }
        })
    );
}

/// A mock with the media endpoint answering the `n`-th URL request with
/// `/files/photo-<n>`, so a refetch can be told apart.
async fn media_server(photo: &[u8], first_download_status: u16) -> MockServer {
    let server = MockServer::start().await;
    let uri = server.uri();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{MEDIA_ID}")))
        .respond_with(move |_: &Request| {
            let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "url": format!("{uri}/files/photo-{n}"),
                "mime_type": "image/jpeg",
                "sha256": "abc",
                "file_size": 9,
                "id": MEDIA_ID
            }))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/photo-1"))
        .respond_with(ResponseTemplate::new(first_download_status).set_body_bytes(photo.to_vec()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/photo-2"))
        .and(header("authorization", bearer().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(photo.to_vec()))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn download_media_by_id_fetches_the_url_then_the_bytes() {
    let photo = b"\xff\xd8 photo".to_vec();
    let server = media_server(&photo, 200).await;
    let media = client(&server)
        .download_media_by_id(MEDIA_ID)
        .await
        .expect("downloaded");
    assert_eq!(media.bytes, photo);
    assert_eq!(media.mime_type, "image/jpeg");
    assert_eq!(media.sha256.as_deref(), Some("abc"));
    let paths: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [format!("/v23.0/{MEDIA_ID}"), "/files/photo-1".to_string()]
    );
}

#[tokio::test]
async fn an_expired_download_url_is_fetched_afresh_once() {
    let photo = b"\xff\xd8 photo".to_vec();
    let server = media_server(&photo, 404).await;
    let media = client(&server)
        .download_media_by_id(MEDIA_ID)
        .send()
        .await
        .expect("downloaded after a fresh URL");
    assert_eq!(media.bytes, photo);
    let paths: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            format!("/v23.0/{MEDIA_ID}"),
            "/files/photo-1".to_string(),
            format!("/v23.0/{MEDIA_ID}"),
            "/files/photo-2".to_string()
        ]
    );
}

#[tokio::test]
async fn a_large_file_streams_chunk_by_chunk() {
    // 4 MiB arrive in several chunks; none of them is the whole file.
    let photo: Vec<u8> = (0..4 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let server = media_server(&photo, 200).await;
    let mut download = client(&server)
        .download_media_by_id(MEDIA_ID)
        .send_streaming()
        .await
        .expect("started");
    assert_eq!(download.mime_type, "image/jpeg");
    assert_eq!(download.body.content_length(), Some(photo.len() as u64));
    let mut received = Vec::new();
    let mut chunks = 0;
    let mut largest = 0;
    while let Some(chunk) = download.body.next_chunk().await.expect("a chunk") {
        chunks += 1;
        largest = largest.max(chunk.len());
        received.extend_from_slice(&chunk);
    }
    assert_eq!(received, photo);
    assert!(chunks > 1, "{chunks} chunk(s)");
    assert!(largest < photo.len(), "largest chunk {largest}");
}
