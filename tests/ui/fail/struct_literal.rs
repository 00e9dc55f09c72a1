// Generated structs are `#[non_exhaustive]`: values are built with `new`,
// setters and field assignment, never a literal, so a field the next
// version adds is not a breaking change.
use whatsapp_cloud_api::types::TextContent;

fn main() {
    let _ = TextContent {
        body: "hi".into(),
        preview_url: None,
        extra: Default::default(),
    };
    let _ = TextContent::new("hi").with_preview_url(true);
}
