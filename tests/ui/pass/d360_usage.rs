// Typical use of the 360dialog client.
use d360_messaging::types::BusinessPublicKeySignatureStatus;
use d360_messaging::{Client, Error};

async fn rotate_key(api_key: &str, pem: &str) -> Result<bool, Error<d360_messaging::types::ErrorResponse>> {
    let client = Client::builder(api_key).build().map_err(|e| Error::Encode(e.to_string()))?;
    let current = client.get_business_public_key().fields("business_public_key_signature_status").send().await?;
    let valid = current
        .data
        .unwrap_or_default()
        .iter()
        .filter_map(d360_messaging::Item::valid)
        .any(|k| k.business_public_key_signature_status == Some(BusinessPublicKeySignatureStatus::Valid));
    if !valid {
        client.set_business_public_key(pem).send().await?;
    }
    Ok(valid)
}

fn main() {
    let _future = rotate_key("key", "-----BEGIN PUBLIC KEY-----");
    assert_eq!(d360_messaging::DEFAULT_BASE_URL, "https://waba-v2.360dialog.io");
}
