//! The integration tests, in one binary: one link and one copy of the
//! generic code they instantiate, instead of one per file.

mod answers;
mod api_diff;
mod bad_specs;
mod conformance;
mod coverage;
mod events;
mod examples;
mod faults;
mod flows;
mod freshness;
mod generate;
mod golden;
mod inbound;
mod isolation;
mod mock_d360;
mod mock_messages;
mod mock_whatsapp;
mod objects;
mod pagination;
mod property;
mod runtime;
mod secrets;
mod semver;
mod split;
mod structure;
mod unions;
mod webhooks;
