// The webhook payload has one name, `WebhookPayload`, in `types` and
// re-exported by `webhooks`; the old `webhooks::Payload` alias is gone, and so
// is `types::WebhookError`, whose name clashed with `webhooks::WebhookError`
// (it is `types::NotificationError` now).
use whatsapp_cloud_api::types::WebhookError;
use whatsapp_cloud_api::webhooks::Payload;

fn main() {}
