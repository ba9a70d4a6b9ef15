//! `contract-build`: compiles `contracts/session_account` and writes `contracts/artifacts/`.
//! `contract-build --check` compiles and exits non-zero when the committed artifacts differ.

use std::process::ExitCode;

use contract_build::{
    compile, corelib, session_account_artifacts, session_account_project, workspace_root,
    Artifacts, SESSION_ACCOUNT_CONTRACT, SESSION_ACCOUNT_NAME,
};

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
    let started = std::time::Instant::now();
    let compiled = compile(
        &session_account_project(),
        SESSION_ACCOUNT_CONTRACT,
        &corelib,
    )?;
    eprintln!(
        "compiled in {:.2?} (Sierra {})",
        started.elapsed(),
        compiled.sierra_version
    );
    let artifacts = Artifacts::new(&session_account_artifacts(), SESSION_ACCOUNT_NAME);
    if check {
        let same = artifacts.read_sierra()? == compiled.sierra_json
            && artifacts.read_casm()? == compiled.casm_json;
        println!(
            "{}",
            if same {
                "artifacts up to date"
            } else {
                "artifacts differ"
            }
        );
        return Ok(same);
    }
    let hashes = artifacts.write(&compiled)?;
    println!("class_hash          {:#x}", hashes.class_hash);
    println!("compiled_class_hash {:#x}", hashes.compiled_class_hash);
    println!("sierra_version      {}", hashes.sierra_version);
    Ok(true)
}
