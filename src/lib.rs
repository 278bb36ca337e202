//! apiconform: conformance tests for Kubernetes-style API endpoints.
//!
//! The flow: [`cases`] (YAML files) → [`run`] (against a [`target`]: setup, request, captures,
//! teardown) → [`compare`] (protocol, semantics, document inclusion) → [`report`].
//! [`import`] turns API documents into case files. [`server`] is the embedded reference server, the default target; [`bench`] measures it.
pub mod bench;
pub mod cases;
pub mod compare;
pub mod import;
pub mod report;
pub mod run;
pub mod server;
pub mod target;
