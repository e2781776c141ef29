//! guardline-watch's tests: message shapes (insta), the config section, the GuardDuty and Health sources
//! against aws-smithy-mocks, and the whole pipeline against real local servers (an HTTP server standing in
//! for the Slack and Teams webhooks, an SMTP sink).

mod config;
mod delivery;
mod message;
mod organisation;
mod pipeline;
mod servers;
mod sources;
mod support;
