//! Reports of a run's results. Each format is its own module.
pub mod progress;
pub mod drift;
pub mod terminal;
