// A required path parameter is a method argument: leaving it out does not compile.
use whatsapp_cloud_api::Client;

fn main() {
    let client = Client::new("token").unwrap();
    let _request = client.get_business_encryption_public_key();
}
