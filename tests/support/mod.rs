pub mod fault;
pub mod transcript;
