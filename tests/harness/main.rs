//! The harness as a user runs it: the CLI and the runner against misbehaving, secret-echoing,
//! interrupted and broken targets, targets files, vendor comparisons, bad input, the benchmark
//! command. One test binary; each module is one concern.

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod bench;
mod broken_target;
mod cleanup;
mod compare_cli;
mod faults;
mod interrupt;
mod leftovers;
mod secrets;
mod targets;
