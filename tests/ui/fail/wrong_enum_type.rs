// Enum fields take the generated enum, not a string.
use whatsapp_cloud_api::types::WhatsAppBusinessProfileUpdateRequest;

fn main() {
    let mut update = WhatsAppBusinessProfileUpdateRequest::new();
    update.vertical = Some("RESTAURANT");
}
