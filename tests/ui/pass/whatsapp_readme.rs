// The usage example from the README, compiled as a user's crate would be.
use whatsapp_cloud_api::types::{WhatsAppBusinessProfileUpdateRequest, WhatsAppBusinessVertical};
use whatsapp_cloud_api::{Client, Error, Item};

async fn update_profile(token: String, phone_number_id: &str) -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder(token).version("v23.0").build()?;

    // Read: optional query parameters are setters; `.send().await` runs the call.
    let profile = client.get_business_profile(phone_number_id).fields("about,vertical").send().await?;
    // List items decode one by one: one the crate cannot read is kept as
    // `Item::Invalid` instead of failing the call.
    for entry in profile.data.unwrap_or_default().into_iter().filter_map(Item::into_valid) {
        println!("about: {:?}, vertical: {:?}", entry.about, entry.vertical);
    }

    // Write: `messaging_product` is filled in by the generated code.
    let mut update = WhatsAppBusinessProfileUpdateRequest::new();
    update.about = Some("Open every day from 9 to 5.".into());
    update.vertical = Some(WhatsAppBusinessVertical::Restaurant);
    client.update_business_profile(phone_number_id, update).send().await?;

    // Errors: documented error statuses decode into `GraphAPIError`.
    match client.get_business_encryption_public_key(phone_number_id).send().await {
        Ok(key) => println!("{key:?}"),
        Err(Error::Api { status, body, .. }) => eprintln!("HTTP {status}: {} (code {})", body.error.message, body.error.code),
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

fn main() {
    // Building a request does no I/O; only `.send().await` does.
    let _future = update_profile("token".into(), "1234567890");
    let client = Client::builder("token").base_url("http://127.0.0.1:9").build().expect("client builds");
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    assert_eq!(client.version(), "v23.0");
    assert!(!format!("{client:?}").contains("token\""));
}
