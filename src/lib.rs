//! apiconform: conformance tests for Kubernetes-style API endpoints.
//!
//! The flow: [`cases`] (YAML files) → [`run`] / [`session`] (against one or more [`target`]s,
//! possibly named in a [`targets`] file: setup, request, captures, teardown) → [`compare`] (protocol,
//! semantics, document inclusion) and [`snapshot`] (the whole normalized answer) → [`results`]
//! (with a [`baseline`] of accepted deviations) → [`report`].
//! [`import`] turns API documents into case files. [`server`] is the embedded reference server, the default target; [`bench`] measures it;
//! [`bench_harness`] measures the harness against a raw HTTP replay and Hurl.
pub mod baseline;
pub mod bench;
pub mod bench_harness;
pub mod cases;
pub mod compare;
pub mod import;
pub mod kinds;
pub mod report;
pub mod results;
pub mod run;
pub mod server;
pub mod session;
pub mod snapshot;
pub mod target;
pub mod targets;
