//! Pages through a WhatsApp Business Account's phone numbers.
//!
//! ```sh
//! WHATSAPP_TOKEN=... WHATSAPP_WABA_ID=... cargo run -p whatsapp-cloud-api --example list_phone_numbers
//! ```
//!
//! `WHATSAPP_BASE_URL` sends the requests to another server (a proxy or a
//! mock) instead of `https://graph.facebook.com`.

use futures::TryStreamExt;
use whatsapp_cloud_api::types::{GraphAPIError, WabaPhoneNumber};
use whatsapp_cloud_api::{Client, Error, Item};

/// Every phone number of the account, following the `after` cursors page by
/// page (`page_size` numbers a page, at most `max_pages` pages). Each is an
/// [`Item`]: a number the API describes in a shape this crate does not read
/// is kept whole with why, and the others are read as usual.
pub async fn list_phone_numbers(
    client: &Client,
    waba_id: &str,
    page_size: i64,
    max_pages: Option<usize>,
) -> Result<Vec<Item<WabaPhoneNumber>>, Error<GraphAPIError>> {
    client
        .get_whatsapp_business_account_phone_numbers(waba_id)
        .fields("id,display_phone_number,verified_name,quality_rating")
        .limit(page_size)
        .into_stream(max_pages)
        .try_collect()
        .await
}

/// A client for the token in `WHATSAPP_TOKEN`, sending to `WHATSAPP_BASE_URL`
/// when it is set.
fn client_from_env() -> Result<Client, Box<dyn std::error::Error>> {
    let token = std::env::var("WHATSAPP_TOKEN").map_err(|_| "set WHATSAPP_TOKEN")?;
    let mut builder = Client::builder(token);
    if let Ok(base_url) = std::env::var("WHATSAPP_BASE_URL") {
        builder = builder.base_url(base_url);
    }
    Ok(builder.build()?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = client_from_env()?;
    let waba_id = std::env::var("WHATSAPP_WABA_ID").map_err(|_| "set WHATSAPP_WABA_ID")?;
    for number in list_phone_numbers(&client, &waba_id, 25, None).await? {
        match number {
            Item::Valid(number) => println!(
                "{}\t{}\t{}",
                number.id,
                number.display_phone_number.unwrap_or_default(),
                number.verified_name.unwrap_or_default()
            ),
            Item::Invalid(invalid) => eprintln!("a number not read: {invalid}"),
        }
    }
    Ok(())
}
