//! `sponsor --rpc-url URL --relayer-address ADDR --relayer-key KEY [--port P] [--allow ADDR]...`
//! (or the `SPONSOR_*` environment variables): a SNIP-29 paymaster on loopback.

use std::process::ExitCode;
use std::sync::Arc;

use sponsor::{serve, Sponsor, SponsorConfig};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match SponsorConfig::from_args(&args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("sponsor: {e}");
            return ExitCode::from(2);
        }
    };
    let sponsor = match Sponsor::new(&config).await {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("sponsor: cannot reach the node at {}: {e}", config.rpc_url);
            return ExitCode::FAILURE;
        }
    };
    match serve(sponsor, config.port).await {
        Ok((address, task)) => {
            println!("sponsor listening on http://{address}/rpc");
            match task.await {
                Ok(Ok(())) => ExitCode::SUCCESS,
                _ => ExitCode::FAILURE,
            }
        }
        Err(e) => {
            eprintln!("sponsor: cannot listen on 127.0.0.1:{}: {e}", config.port);
            ExitCode::FAILURE
        }
    }
}
