// Generated enums are `#[non_exhaustive]`: a match that names every variant
// still needs a `_` arm, so a value the next version adds is not a breaking
// change.
use whatsapp_cloud_api::types::CallPermissionStatus;

fn label(status: &CallPermissionStatus) -> &'static str {
    match status {
        CallPermissionStatus::NoPermission => "no",
        CallPermissionStatus::Temporary => "for now",
        CallPermissionStatus::Permanent => "yes",
        CallPermissionStatus::Unrecognized(_) => "unknown",
    }
}

fn main() {
    let _ = label(&CallPermissionStatus::Temporary);
}
