//! `typed-data …`: offline, no wallet needed.

use chipi_session::{parse_address, TypedData};
use serde_json::json;
use wallet_service::ServiceError;

use crate::cli::TypedDataCommand;
use crate::output::{out, Output};

/// Runs a `typed-data` subcommand.
pub fn run(command: &TypedDataCommand) -> Result<Output, ServiceError> {
    match command {
        TypedDataCommand::Hash { file, account } => {
            let account = parse_address(account)?;
            let hash = TypedData::from_json(&read_file(file)?)?.message_hash(account)?;
            Ok(out(
                json!({"messageHash": format!("{hash:#x}")}),
                format!("{hash:#x}"),
            ))
        }
    }
}

/// A file given on the command line.
pub fn read_file(path: &std::path::Path) -> Result<String, ServiceError> {
    std::fs::read_to_string(path)
        .map_err(|e| ServiceError::input(format!("{}: {e}", path.display())))
}
