//! `chipi-wallet`: the session wallet on the command line, a second host of the wallet service
//! (the desktop app is the first): one file per subcommand group.

mod apps;
mod cli;
mod host;
mod output;
mod session;
mod typed_data;
mod wallet;

use clap::Parser;
use serde_json::json;
use wallet_service::{AppError, ServiceError};

use cli::{Cli, Command};
use output::Output;

async fn run(cli: &Cli) -> Result<Output, ServiceError> {
    let mut input = host::Input::new(cli);
    match &cli.command {
        Command::TypedData(command) => typed_data::run(command),
        Command::Wallet(command) => wallet::run(cli, command, &host::open(cli)?, &mut input).await,
        Command::Session(command) => session::run(command, &host::open(cli)?, &mut input).await,
        Command::Apps(command) => apps::run(command, host::open(cli)?, &mut input).await,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(&cli).await {
        Ok(output) => {
            if cli.json {
                println!("{}", output.json);
            } else {
                println!("{}", output.text);
            }
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            // The same kinds and fields as the app's screens receive.
            let error = AppError::from(error);
            if cli.json {
                println!("{}", json!({ "error": error }));
            } else {
                eprintln!("error ({}): {error}", error.kind());
            }
            std::process::ExitCode::FAILURE
        }
    }
}
