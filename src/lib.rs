//! apiconform: conformance tests for Kubernetes-style API endpoints.
//!
//! The flow, one module tree per stage:
//!
//! - [`import`]: API documents → case files;
//! - [`cases`]: the case model and its loader (YAML files);
//! - [`runner`]: a session over one or more [`target`]s — per target a run in its own namespace
//!   (setup, request, captures, cleanup of what it created), per case its steps;
//! - [`verify`]: the answer against the case's expectations (protocol, semantics, document
//!   inclusion) and against its snapshot;
//! - [`results`]: the result set every report reads, the baseline of accepted deviations, the gate
//!   and the exit codes;
//! - [`report`]: terminal, JSON, JUnit, Markdown, HTML and drift reports.
//!
//! Beside the flow: [`kinds`] (the Kubernetes resource kinds), [`server`] (the embedded reference
//! server, the default target, which depends on nothing of the runner), [`bench`] (benchmarks),
//! [`cli`] (the command line), and the small shared pieces [`signal`], [`fsutil`] and
//! [`json_pointer`].
pub mod bench;
pub mod cases;
pub mod cli;
pub mod fsutil;
pub mod import;
pub mod json_pointer;
pub mod kinds;
pub mod report;
pub mod results;
pub mod runner;
pub mod server;
pub mod signal;
pub mod target;
pub mod verify;
