//! Kubernetes resource kinds (placeholder until the generated table lands).
pub mod fields;
