//! The committed Sierra/CASM are what the source compiles to, and the node accepts them.

use contract_build::{compile, contracts, corelib, workspace_root, Contract};
use devnet_harness::Devnet;
use starknet::core::types::{BlockId, BlockTag, ContractClass};
use starknet::providers::Provider;

/// The session account.
fn session_account() -> Contract {
    contracts()[0].clone()
}

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
        "{}: stale artifacts: run `cargo run -p contract-build` and commit contracts/artifacts",
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

/// Rewrites the session account's artifacts from the source, like `cargo run -p
/// contract-build`, but with the workspace's test feature set, so nothing else is rebuilt:
/// `cargo test --workspace --test artifacts -- --ignored write_artifacts`
/// (`scripts/mutation-check` uses it for each mutation).
#[test]
#[ignore = "writes the artifacts; run on purpose"]
fn write_artifacts() {
    write(&session_account());
}

/// The same for the CHIPI-layout test accounts (v29-like and v33-like, one Cairo project).
#[test]
#[ignore = "writes the artifacts; run on purpose"]
fn write_chipi_layout_artifacts() {
    write(&contracts()[1]);
    write(&contracts()[2]);
}

fn write(contract: &Contract) {
    let fresh = fresh_compile(contract);
    let hashes = contract.artifacts().write(&fresh).expect("written");
    println!("class_hash          {:#x}", hashes.class_hash);
    println!("compiled_class_hash {:#x}", hashes.compiled_class_hash);
}

#[test]
fn recorded_class_hash_is_the_hash_of_the_committed_class() {
    for contract in contracts() {
        let artifacts = contract.artifacts();
        let hash =
            contract_build::compiler::sierra_class_hash(&artifacts.read_sierra().unwrap()).unwrap();
        assert_eq!(
            hash,
            artifacts.read_hashes().unwrap().class_hash,
            "{}",
            contract.name
        );
    }
}

#[tokio::test]
async fn node_declares_the_class_and_deploys_an_account() {
    let node = Devnet::start().await.expect("devnet");
    let class_hash = node.declare_session_account().await.expect("declare");
    assert_eq!(
        class_hash,
        session_account()
            .artifacts()
            .read_hashes()
            .unwrap()
            .class_hash,
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

/// `contract-build --declare`'s work: declares the class from a funded account; a second time
/// it is reported as declared and nothing is sent.
#[tokio::test]
async fn an_operator_declares_the_class() {
    let node = Devnet::start().await.expect("devnet");
    let operator = node.predeployed_accounts().await.unwrap()[0].clone();
    let artifacts = session_account().artifacts();
    let rpc = node.rpc_url().to_string();
    let declared =
        contract_build::declare::declare(&rpc, operator.address, operator.private_key, &artifacts)
            .await
            .expect("declared");
    assert_eq!(
        declared.class_hash,
        artifacts.read_hashes().unwrap().class_hash
    );
    assert!(declared.transaction_hash.is_some());
    let nonce = node.nonce(operator.address).await.unwrap();
    let again =
        contract_build::declare::declare(&rpc, operator.address, operator.private_key, &artifacts)
            .await
            .unwrap();
    assert_eq!(again.transaction_hash, None, "declared already");
    assert_eq!(
        node.nonce(operator.address).await.unwrap(),
        nonce,
        "nothing sent"
    );
    node.provider()
        .get_class(BlockId::Tag(BlockTag::PreConfirmed), declared.class_hash)
        .await
        .expect("the node has the class");
}
