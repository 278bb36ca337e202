//! `apiconform schema`: the JSON Schema of the case files.

use super::CliError;
use crate::results::Exit;
use clap::Args;

/// Print the JSON Schema of the case files (for editors: completion and checks).
///
/// Generated from the types the loader reads, so it is what `run` accepts. In a case file,
/// `# yaml-language-server: $schema=<path to the saved schema>` lets YAML editors use it.
#[derive(Args)]
pub struct SchemaArgs {}

pub fn schema(_: SchemaArgs) -> Result<Exit, CliError> {
    println!(
        "{}",
        serde_json::to_string_pretty(&crate::cases::json_schema())?
    );
    Ok(Exit::Passed)
}
