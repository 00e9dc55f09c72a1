//! A Flows data endpoint for a two-screen appointment Flow: `APPOINTMENT`
//! (pick a day) and `CONFIRM` (check and send), which closes the Flow with
//! the booking in the chat message's parameters.
//!
//! ```sh
//! FLOWS_PRIVATE_KEY=private.pem FLOWS_PRIVATE_KEY_PASSPHRASE=... FLOWS_APP_SECRET=... \
//!     cargo run -p whatsapp-cloud-api --features flows_endpoint,axum --example flows_endpoint
//! ```
//!
//! It listens on `127.0.0.1:3000` (or `FLOWS_ADDR`) at `POST /flows`. The
//! key is the PEM file `FLOWS_PRIVATE_KEY` names (decrypted with
//! `FLOWS_PRIVATE_KEY_PASSPHRASE` when set); with `FLOWS_APP_SECRET` set,
//! request signatures are checked.

use whatsapp_cloud_api::flows_endpoint::{
    FlowRequest, FlowResponse, FlowsEndpoint, FlowsKey, routes,
};

/// The days the Flow offers.
pub const DAYS: [&str; 3] = ["Monday", "Wednesday", "Friday"];

/// Answers one request of the appointment Flow.
pub async fn handle(request: FlowRequest) -> FlowResponse {
    match request {
        FlowRequest::Init { .. } | FlowRequest::Back { .. } => {
            FlowResponse::screen("APPOINTMENT").with("days", DAYS)
        }
        FlowRequest::DataExchange {
            screen,
            data,
            flow_token,
            ..
        } => {
            let day = data
                .get("day")
                .and_then(|d| d.as_str())
                .unwrap_or_default()
                .to_string();
            match screen.as_str() {
                "APPOINTMENT" if DAYS.contains(&day.as_str()) => FlowResponse::screen("CONFIRM")
                    .with("summary", format!("An appointment on {day}"))
                    .with("day", day),
                "APPOINTMENT" => {
                    FlowResponse::error_message("APPOINTMENT", "Pick one of the days offered.")
                }
                _ => FlowResponse::close(flow_token).with("day", day),
            }
        }
        _ => FlowResponse::acknowledge(),
    }
}

/// The endpoint for the key in `FLOWS_PRIVATE_KEY`.
fn endpoint_from_env() -> Result<FlowsEndpoint, Box<dyn std::error::Error>> {
    let path =
        std::env::var("FLOWS_PRIVATE_KEY").map_err(|_| "set FLOWS_PRIVATE_KEY to a PEM file")?;
    let pem = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let passphrase = std::env::var("FLOWS_PRIVATE_KEY_PASSPHRASE").ok();
    let key =
        FlowsKey::from_pem(&pem, passphrase.as_deref()).map_err(|e| format!("{path}: {e}"))?;
    let endpoint = FlowsEndpoint::new(key);
    Ok(match std::env::var("FLOWS_APP_SECRET") {
        Ok(secret) => endpoint.app_secret(secret),
        Err(_) => endpoint,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = routes::router("/flows", endpoint_from_env()?, handle);
    let addr = std::env::var("FLOWS_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}/flows");
    axum::serve(listener, app).await?;
    Ok(())
}
