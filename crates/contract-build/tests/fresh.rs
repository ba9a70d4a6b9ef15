//! The committed Sierra/CASM are what the sources compile to now (built with the `compiler`
//! feature; `scripts/contracts check` runs it when the sources changed since the artifacts were
//! written).

use contract_build::{compile, contracts, corelib, workspace_root, Contract};

/// The contract compiled from the source now.
fn fresh_compile(contract: &Contract) -> contract_build::CompiledContract {
    let corelib =
        corelib::locate(&workspace_root().join("target/corelib-locator")).expect("corelib");
    compile(&contract.project, contract.module, &corelib).expect("compiles")
}

#[test]
fn committed_artifacts_match_a_fresh_compile() {
    for contract in contracts() {
        committed_artifacts_match(&contract);
    }
}

fn committed_artifacts_match(contract: &Contract) {
    let fresh = fresh_compile(contract);
    let artifacts = contract.artifacts();
    let hint = format!(
        "{}: stale artifacts: run `scripts/contracts build` and commit contracts/artifacts",
        contract.name
    );
    assert!(
        artifacts.read_sierra().unwrap() == fresh.sierra_json,
        "Sierra differs; {hint}"
    );
    assert!(
        artifacts.read_casm().unwrap() == fresh.casm_json,
        "CASM differs; {hint}"
    );
    let hashes = artifacts.read_hashes().unwrap();
    assert_eq!(hashes.class_hash, fresh.class_hash, "{hint}");
    assert_eq!(
        hashes.compiled_class_hash, fresh.compiled_class_hash,
        "{hint}"
    );
    assert_eq!(
        hashes.sierra_version, "1.8.0",
        "devnet 0.10.1 was checked with Sierra 1.8.0"
    );
}
