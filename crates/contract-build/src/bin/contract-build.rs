//! `contract-build`: compiles every contract in `contracts/` and writes `contracts/artifacts/`.
//! `contract-build --check` compiles and exits non-zero when the committed artifacts differ.

use std::process::ExitCode;

use contract_build::{compile, contracts, corelib, workspace_root};

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    match run(check) {
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
