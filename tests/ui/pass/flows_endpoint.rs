// A Flows data endpoint in a few lines: the key from PEM, a handler that
// answers the first screen and closes the Flow, served with axum.
use whatsapp_cloud_api::flows_endpoint::{FlowRequest, FlowResponse, FlowsEndpoint, FlowsKey, routes};

async fn handle(request: FlowRequest) -> FlowResponse {
    match request {
        FlowRequest::Init { .. } => FlowResponse::screen("WELCOME").with("name", "Maria"),
        FlowRequest::DataExchange { flow_token, .. } => FlowResponse::close(flow_token),
        _ => FlowResponse::acknowledge(),
    }
}

fn app(pem: &str) -> Result<axum::Router, Box<dyn std::error::Error>> {
    let endpoint = FlowsEndpoint::new(FlowsKey::from_pem(pem, Some("passphrase"))?).app_secret("app secret");
    Ok(routes::router("/flows", endpoint, handle))
}

fn main() {
    let _ = app("-----BEGIN PRIVATE KEY-----");
}
