//! The committed Sierra/CASM carry the hashes recorded beside them, and the node accepts them.
//! That they are what the sources compile to is `scripts/contracts check`'s (the compiler is
//! not part of this build).

use contract_build::{contracts, Contract};
use devnet_harness::Devnet;
use starknet::core::types::{BlockId, BlockTag, ContractClass};
use starknet::providers::Provider;

/// The session account.
fn session_account() -> Contract {
    contracts()[0].clone()
}

#[test]
fn recorded_class_hash_is_the_hash_of_the_committed_class() {
    for contract in contracts() {
        let artifacts = contract.artifacts();
        let hash = contract_build::sierra_class_hash(&artifacts.read_sierra().unwrap()).unwrap();
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
