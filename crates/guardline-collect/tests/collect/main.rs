//! Collector integration tests against moto server (one server per test binary, one account per test), plus
//! aws-smithy-mocks tests for the operations moto lacks.

mod harness;

mod ec2;
