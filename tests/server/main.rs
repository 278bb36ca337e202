//! The embedded reference server: its robustness, the replay of the real kube-apiserver v1.20.2's
//! recorded answers, and (with `APICONFORM_ORACLE_URL`) the live differential tests against it.

#[path = "../support/mod.rs"]
mod support;

mod apply;
mod authorization;
mod differential;
mod kubectl;
mod live;
mod robustness;
mod sequence;
mod token_review;
mod transcripts;
mod watch;
