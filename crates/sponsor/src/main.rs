//! `sponsor --rpc-url URL --relayer-address ADDR --relayer-key KEY [--port P] [--allow ADDR]...`
//! (or the `SPONSOR_*` environment variables): a SNIP-29 paymaster on loopback.

use std::process::ExitCode;

use sponsor::{start, SponsorConfig};

#[tokio::main]
async fn main() -> ExitCode {
    // The operator's log, on stderr: `SPONSOR_LOG` = error, warn, info (the default), debug or
    // trace. Request bodies and API keys are never logged.
    let level = std::env::var("SPONSOR_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(tracing_subscriber::filter::LevelFilter::INFO);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(level)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match SponsorConfig::from_args(&args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("sponsor: {e}");
            return ExitCode::from(2);
        }
    };
    match start(&config).await {
        Ok(running) => {
            println!("sponsor listening on {}", running.url);
            match running.task.await {
                Ok(Ok(())) => ExitCode::SUCCESS,
                _ => ExitCode::FAILURE,
            }
        }
        Err(e) => {
            // The node's host only: a provider's key may sit in the URL's path.
            eprintln!(
                "sponsor: cannot start: {e} (node at {})",
                chipi_session::chain::http::host_of(&config.rpc_url)
            );
            ExitCode::FAILURE
        }
    }
}
