// This file is a copy of `specs/whatsapp/ext/usage.rs`, made by `cargo xtask codegen`.
// Do not edit it here: edit that file, then regenerate.

//! The Graph API's usage headers, parsed: how much of the app's and each
//! business's call budget is used, so a client can slow down before it is
//! rate limited.
//!
//! ```no_run
//! use whatsapp_cloud_api::usage::UsageHeaders;
//!
//! # async fn run(client: whatsapp_cloud_api::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let response = client
//!     .mark_as_read("106540352242922", "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")
//!     .send_with_meta()
//!     .await?;
//! if let Some(usage) = response.meta.app_usage()? {
//!     println!("{}% of the app's call budget used", usage.call_count);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! This module is hand-written (`specs/whatsapp/ext/usage.rs`): the headers
//! are the Graph API's, not part of the generic runtime.
use crate::{HeaderError, ResponseMeta};
/// The `X-App-Usage` header: shares of the app's hourly budget used, in percent.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppUsage {
    /// Calls made, in percent of the budget.
    #[serde(default)]
    pub call_count: u64,
    /// CPU time used, in percent of the budget.
    #[serde(default)]
    pub total_cputime: u64,
    /// Total time used, in percent of the budget.
    #[serde(default)]
    pub total_time: u64,
    /// Members this client does not know, kept as sent.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}
/// The `X-Business-Use-Case-Usage` header: for each business ID, the usage of
/// each of its rate-limited use cases.
pub type BusinessUseCaseUsage = std::collections::BTreeMap<String, Vec<UseCaseUsage>>;
/// The usage of one rate-limited use case of one business.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UseCaseUsage {
    /// The use case (`whatsapp_business_management`, `messenger`, ...).
    #[serde(rename = "type")]
    pub use_case: String,
    /// Calls made, in percent of the budget.
    #[serde(default)]
    pub call_count: u64,
    /// CPU time used, in percent of the budget.
    #[serde(default)]
    pub total_cputime: u64,
    /// Total time used, in percent of the budget.
    #[serde(default)]
    pub total_time: u64,
    /// Minutes until calls are accepted again (0 when not throttled).
    #[serde(default)]
    pub estimated_time_to_regain_access: u64,
    /// Members this client does not know, kept as sent.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}
/// The usage headers of a response (on [`ResponseMeta`], which responses
/// and errors carry).
pub trait UsageHeaders {
    /// The `X-App-Usage` header, parsed: how much of the app's call, CPU and
    /// time budget is used, in percent. `Ok(None)` when the header is absent.
    fn app_usage(&self) -> Result<Option<AppUsage>, HeaderError>;
    /// The `X-Business-Use-Case-Usage` header, parsed: per business ID, the
    /// usage of each rate-limited use case. `Ok(None)` when it is absent.
    fn business_use_case_usage(
        &self,
    ) -> Result<Option<BusinessUseCaseUsage>, HeaderError>;
}
impl UsageHeaders for ResponseMeta {
    fn app_usage(&self) -> Result<Option<AppUsage>, HeaderError> {
        self.header_json("x-app-usage")
    }
    fn business_use_case_usage(
        &self,
    ) -> Result<Option<BusinessUseCaseUsage>, HeaderError> {
        self.header_json("x-business-use-case-usage")
    }
}
