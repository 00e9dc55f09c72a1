//! Sends a text message.
//!
//! ```sh
//! WHATSAPP_TOKEN=... WHATSAPP_PHONE_NUMBER_ID=... WHATSAPP_TO=447700900123 \
//!     cargo run -p whatsapp-cloud-api --example send_text -- "Hello from Rust"
//! ```
//!
//! `WHATSAPP_BASE_URL` sends the request to another server (a proxy or a mock)
//! instead of `https://graph.facebook.com`.

use whatsapp_cloud_api::types::{GraphAPIError, Message};
use whatsapp_cloud_api::{Client, Error};

/// Sends `body` to `to` from the business number `phone_number_id`, and
/// returns the ID of the new message.
pub async fn send_text(
    client: &Client,
    phone_number_id: &str,
    to: &str,
    body: &str,
) -> Result<Option<String>, Error<GraphAPIError>> {
    let sent = client
        .send_message(phone_number_id, Message::text(to, body))
        .send()
        .await?;
    Ok(sent
        .messages
        .unwrap_or_default()
        .into_iter()
        .next()
        .map(|m| m.id))
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
    let phone_number_id =
        std::env::var("WHATSAPP_PHONE_NUMBER_ID").map_err(|_| "set WHATSAPP_PHONE_NUMBER_ID")?;
    let to = std::env::var("WHATSAPP_TO").map_err(|_| "set WHATSAPP_TO")?;
    let body = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Hello!".to_string());
    match send_text(&client, &phone_number_id, &to, &body).await {
        Ok(id) => println!("sent: {}", id.unwrap_or_default()),
        Err(e) => {
            // The error's kind says what to do about it.
            let kind = e.api_error().map(|body| body.kind());
            eprintln!("not sent ({kind:?}): {e}");
            std::process::exit(1);
        }
    }
    Ok(())
}
