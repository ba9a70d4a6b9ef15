//! `contract-build`: compiles every contract in `contracts/` and writes `contracts/artifacts/`.
//! `contract-build --check` compiles and exits non-zero when the committed artifacts differ.
//! `contract-build --declare --rpc URL --account ADDRESS [--contract NAME]` declares a committed
//! class (default `session_account`) on that network from the operator's funded account, whose
//! private key is read from `DECLARE_PRIVATE_KEY` (never a flag: it would show in the process
//! list).

use std::process::ExitCode;

use clap::Parser;
use contract_build::{compile, contracts, corelib, workspace_root};

/// `contract-build`'s command line.
#[derive(Debug, Parser)]
#[command(
    name = "contract-build",
    about = "Compiles contracts/ into contracts/artifacts/, or declares a class"
)]
struct Args {
    /// Compare the committed artifacts with a fresh compile; write nothing.
    #[arg(long, conflicts_with = "declare")]
    check: bool,
    /// Declare a committed class on a network (the key from `DECLARE_PRIVATE_KEY`).
    #[arg(long, requires_all = ["rpc", "account"])]
    declare: bool,
    /// The network's JSON-RPC URL (with `--declare`).
    #[arg(long)]
    rpc: Option<String>,
    /// The operator's funded account (with `--declare`).
    #[arg(long)]
    account: Option<String>,
    /// The class to declare.
    #[arg(long, default_value = contract_build::SESSION_ACCOUNT_NAME)]
    contract: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.declare {
        return match declare(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("contract-build: {e}");
                ExitCode::from(2)
            }
        };
    }
    match run(args.check) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("contract-build: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(check: bool) -> Result<bool, contract_build::BuildError> {
    let corelib = corelib::locate(&workspace_root().join("target/corelib-locator"))?;
    let mut all_same = true;
    for contract in contracts() {
        let started = std::time::Instant::now();
        let compiled = compile(&contract.project, contract.module, &corelib)?;
        eprintln!(
            "{}: compiled in {:.2?} (Sierra {})",
            contract.name,
            started.elapsed(),
            compiled.sierra_version
        );
        let artifacts = contract.artifacts();
        if check {
            let same = artifacts.read_sierra()? == compiled.sierra_json
                && artifacts.read_casm()? == compiled.casm_json;
            println!(
                "{}: {}",
                contract.name,
                if same {
                    "artifacts up to date"
                } else {
                    "artifacts differ"
                }
            );
            all_same &= same;
            continue;
        }
        let hashes = artifacts.write(&compiled)?;
        println!("{}", contract.name);
        println!("  class_hash          {:#x}", hashes.class_hash);
        println!("  compiled_class_hash {:#x}", hashes.compiled_class_hash);
        println!("  sierra_version      {}", hashes.sierra_version);
    }
    Ok(all_same)
}

fn declare(args: &Args) -> Result<(), String> {
    let felt = |text: &str, what: &str| {
        starknet_core::types::Felt::from_hex(text.trim())
            .map_err(|_| format!("{what} is not a felt"))
    };
    let rpc = args.rpc.clone().ok_or("--rpc URL is required")?;
    let account = felt(
        args.account
            .as_deref()
            .ok_or("--account ADDRESS is required")?,
        "--account",
    )?;
    let key = felt(
        &std::env::var("DECLARE_PRIVATE_KEY").map_err(|_| "set DECLARE_PRIVATE_KEY")?,
        "DECLARE_PRIVATE_KEY",
    )?;
    let name = args.contract.clone();
    let contract = contracts()
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("no contract {name:?}"))?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let declared = runtime
        .block_on(contract_build::declare::declare(
            &rpc,
            account,
            key,
            &contract.artifacts(),
        ))
        .map_err(|e| e.to_string())?;
    match declared.transaction_hash {
        Some(hash) => println!(
            "declared {name}: class {:#x} in transaction {hash:#x}",
            declared.class_hash
        ),
        None => println!(
            "{name} is declared already: class {:#x}",
            declared.class_hash
        ),
    }
    Ok(())
}
