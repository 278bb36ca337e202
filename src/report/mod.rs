//! Reports of a run's results. Each format is its own module.
pub mod common;
pub mod drift;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod terminal;
