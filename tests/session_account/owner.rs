//! The owner key path: SRC-6 invokes, signatures, SRC-5.

use chipi_session::entrypoint::{selector, SET_PUBLIC_KEY, UPGRADE};
use starknet::core::types::{Call, Felt};
use starknet::signers::SigningKey;

use crate::common::{fresh_address, public_key, send, strk_transfer, Env, STRK_UNIT};

#[tokio::test]
async fn owner_invoke_transfers_strk() {
    let env = Env::new().await;
    let recipient = fresh_address();
    let before = env.strk_balance(env.address()).await;
    send(
        &env.account.owner,
        vec![strk_transfer(recipient, 5 * STRK_UNIT)],
    )
    .await
    .succeeded("owner transfer");
    assert_eq!(
        env.strk_balance(recipient).await,
        5 * STRK_UNIT,
        "recipient got the transfer"
    );
    assert!(
        env.strk_balance(env.address()).await < before - 5 * STRK_UNIT,
        "the account paid the amount and the fee"
    );
    let pk = env.call(env.address(), "get_public_key", vec![]).await;
    assert_eq!(
        pk,
        vec![public_key(&env.account.owner_key)],
        "constructor stored the owner key"
    );
}

#[tokio::test]
async fn wrong_owner_key_is_rejected() {
    let env = Env::new().await;
    let impostor = env
        .node
        .owner_account(env.address(), SigningKey::from_random());
    send(&impostor, vec![strk_transfer(fresh_address(), 1)])
        .await
        .refused("Account: invalid signature");
}

#[tokio::test]
async fn is_valid_signature_accepts_only_the_owner() {
    let env = Env::new().await;
    let hash = Felt::from(0xabcdefu32);
    let good = env.account.owner_key.sign(&hash).unwrap();
    let bad = SigningKey::from_random().sign(&hash).unwrap();
    let valid = starknet::core::utils::cairo_short_string_to_felt("VALID").unwrap();
    let answer = env
        .call(
            env.address(),
            "is_valid_signature",
            vec![hash, Felt::TWO, good.r, good.s],
        )
        .await;
    assert_eq!(answer, vec![valid]);
    let answer = env
        .call(
            env.address(),
            "is_valid_signature",
            vec![hash, Felt::TWO, bad.r, bad.s],
        )
        .await;
    assert_eq!(answer, vec![Felt::ZERO]);
}

#[tokio::test]
async fn supports_src6_and_snip9_v2() {
    let env = Env::new().await;
    for (id, expected) in [
        (
            "0x2ceccef7f994940b3962a6c67e0ba4fcd37df7d131417c604f91e03caecc1cd",
            Felt::ONE,
        ),
        (
            "0x1d1144bb2138366ff28d8e9ab57456b1d332ac42196230c3a602003c89872",
            Felt::ONE,
        ),
        (
            "0x3f918d17e5ee77373b56385708f855659a07f75997f365cf87748628532a055",
            Felt::ONE,
        ),
        ("0x1234", Felt::ZERO),
    ] {
        let answer = env
            .call(
                env.address(),
                "supports_interface",
                vec![Felt::from_hex_unchecked(id)],
            )
            .await;
        assert_eq!(answer, vec![expected], "interface {id}");
    }
    // The ABI exposes the SNIP-9 nonce check under its standard name.
    let answer = env
        .call(
            env.address(),
            "is_valid_outside_execution_nonce",
            vec![Felt::from(99u8)],
        )
        .await;
    assert_eq!(answer, vec![Felt::ONE]);
}

#[tokio::test]
async fn owner_can_change_its_key() {
    let env = Env::new().await;
    let new_key = SigningKey::from_random();
    let change = Call {
        to: env.address(),
        selector: selector(SET_PUBLIC_KEY),
        calldata: vec![public_key(&new_key)],
    };
    let outcome = send(&env.account.owner, vec![change])
        .await
        .succeeded("key change");
    assert!(
        outcome
            .events
            .iter()
            .any(|e| e.from_address == env.address()
                && e.keys == vec![selector("OwnerChanged")]
                && e.data == vec![public_key(&new_key)]),
        "OwnerChanged emitted"
    );
    send(&env.account.owner, vec![strk_transfer(fresh_address(), 1)])
        .await
        .refused("Account: invalid signature");
    let renewed = env.node.owner_account(env.address(), new_key);
    send(&renewed, vec![strk_transfer(fresh_address(), 1)])
        .await
        .succeeded("new key signs");
}

#[tokio::test]
async fn owner_can_upgrade_the_class() {
    let env = Env::new().await;
    // Upgrading to the same class exercises the path without a second contract.
    let class_hash = env.node.declare_session_account().await.unwrap();
    let upgrade = Call {
        to: env.address(),
        selector: selector(UPGRADE),
        calldata: vec![class_hash],
    };
    send(&env.account.owner, vec![upgrade])
        .await
        .succeeded("upgrade");
    let zero = Call {
        to: env.address(),
        selector: selector(UPGRADE),
        calldata: vec![Felt::ZERO],
    };
    send(&env.account.owner, vec![zero])
        .await
        .refused("Account: zero class hash");
}
