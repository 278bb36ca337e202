//! apiconform: conformance tests for Kubernetes-style API endpoints.
//!
//! - [`server`]: the embedded reference server, a model of kube-apiserver v1.20.2's Pod API.
//! - [`target`]: where requests go and how they authenticate.
//! - [`bench`]: the reference server benchmark.
pub mod bench;
pub mod server;
pub mod target;
