//! `chipi-wallet`: the session wallet on the command line.

mod cli;
mod commands;
mod store;

use clap::Parser;
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let as_json = cli.json;
    match commands::run(cli).await {
        Ok(output) => {
            if as_json {
                println!("{}", output.json);
            } else {
                println!("{}", output.text);
            }
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            if as_json {
                println!(
                    "{}",
                    json!({"error": {"code": error.sdk_code(), "message": error.to_string()}})
                );
            } else {
                eprintln!("error: {error}");
                if let Some(code) = error.sdk_code() {
                    eprintln!("code: {code}");
                }
            }
            std::process::ExitCode::FAILURE
        }
    }
}
