//! Collector integration tests against moto server (one server per test binary, one account per test), plus
//! aws-smithy-mocks tests for the operations moto lacks.

mod harness;
mod mocks;

mod account;
mod analyzer;
mod cloudtrail;
mod config;
mod cost;
mod ec2;
mod events;
mod guardduty;
mod iam;
mod iam_details;
mod inspector;
mod organizations;
mod s3;
mod scheduler;
mod securityhub;
mod spend;
mod ssm;
