//! Benchmarks (commands that print figures; results in BENCHMARKS.md): [`server`] measures the
//! embedded reference server (`apiconform bench-server`), [`harness`] the harness against a raw
//! HTTP replay and Hurl (`apiconform bench`).

pub mod harness;
pub mod server;
