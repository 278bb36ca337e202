//! Kubernetes resource kinds (placeholder until the generated table lands).
pub mod fields;
pub mod patch;

pub use patch::PatchType;
