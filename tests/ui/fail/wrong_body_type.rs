// Each operation takes its own body type.
use whatsapp_cloud_api::Client;
use whatsapp_cloud_api::types::WhatsAppBusinessProfileUpdateRequest;

fn main() {
    let client = Client::new("token").unwrap();
    let _request = client.set_business_encryption_public_key("1", WhatsAppBusinessProfileUpdateRequest::new());
}
