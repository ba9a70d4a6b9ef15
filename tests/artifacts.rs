//! The committed Sierra/CASM are what the source compiles to, and the node accepts them.

use contract_build::{
    compile, corelib, session_account_artifacts, session_account_project, workspace_root,
    Artifacts, SESSION_ACCOUNT_CONTRACT, SESSION_ACCOUNT_NAME,
};
use devnet_harness::Devnet;
use starknet::core::types::{BlockId, BlockTag, ContractClass};
use starknet::providers::Provider;

fn committed() -> Artifacts {
    Artifacts::new(&session_account_artifacts(), SESSION_ACCOUNT_NAME)
}

/// The contract compiled from the source now.
fn fresh_compile() -> contract_build::CompiledContract {
    let corelib =
        corelib::locate(&workspace_root().join("target/corelib-locator")).expect("corelib");
    compile(
        &session_account_project(),
        SESSION_ACCOUNT_CONTRACT,
        &corelib,
    )
    .expect("compiles")
}

#[test]
fn committed_artifacts_match_a_fresh_compile() {
    let fresh = fresh_compile();
    let artifacts = committed();
    let hint = "stale artifacts: run `cargo run -p contract-build` and commit contracts/artifacts";
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

/// Rewrites `contracts/artifacts` from the source, like `cargo run -p contract-build`, but
/// with the workspace's test feature set, so nothing else is rebuilt:
/// `cargo test --workspace --test artifacts -- --ignored write_artifacts`
/// (`scripts/mutation-check` uses it for each mutation).
#[test]
#[ignore = "writes the artifacts; run on purpose"]
fn write_artifacts() {
    let fresh = fresh_compile();
    let hashes = committed().write(&fresh).expect("written");
    println!("class_hash          {:#x}", hashes.class_hash);
    println!("compiled_class_hash {:#x}", hashes.compiled_class_hash);
}

#[test]
fn recorded_class_hash_is_the_hash_of_the_committed_class() {
    let artifacts = committed();
    let hash =
        contract_build::compiler::sierra_class_hash(&artifacts.read_sierra().unwrap()).unwrap();
    assert_eq!(hash, artifacts.read_hashes().unwrap().class_hash);
}

#[tokio::test]
async fn node_declares_the_class_and_deploys_an_account() {
    let node = Devnet::start().await.expect("devnet");
    let class_hash = node.declare_session_account().await.expect("declare");
    assert_eq!(
        class_hash,
        committed().read_hashes().unwrap().class_hash,
        "the node computed our class hash"
    );
    let class = node
        .provider()
        .get_class(BlockId::Tag(BlockTag::PreConfirmed), class_hash)
        .await
        .unwrap();
    assert!(matches!(class, ContractClass::Sierra(_)));
    let deployed = node.deploy_session_account().await.expect("deploy");
    let on_chain = node
        .provider()
        .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), deployed.address)
        .await
        .unwrap();
    assert_eq!(on_chain, class_hash, "the deployed account runs our class");
}
