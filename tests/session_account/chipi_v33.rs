//! The v33-like CHIPI-layout test class (`contracts/chipi_layout_account/src/v33.cairo`) on a
//! real node: spending policies keep the tokens that have one (a refusing policy refuses every
//! amount), a token without one is not bounded, a session's outside execution is held to the
//! allowlist and the call budget, `__execute__` is not atomic, and an account of the v29-like
//! layout upgrades to it keeping its owner and storage.

use chipi_session::entrypoint::{selector, TRANSFER};
use chipi_session::register_session_call;
use devnet_harness::{Devnet, STRK};
use starknet::core::types::{BlockId, BlockTag, Call, Felt};
use starknet::providers::Provider;
use starknet::signers::SigningKey;

use crate::common::{
    fresh_address, public_key, send, set_policy_call, strk_transfer, Env, STRK_UNIT,
};

const ISRC6_ID: Felt =
    Felt::from_hex_unchecked("0x2ceccef7f994940b3962a6c67e0ba4fcd37df7d131417c604f91e03caecc1cd");

async fn v33_env() -> Env {
    let node = Devnet::start().await.expect("devnet starts");
    let account = node
        .deploy_chipi_v33_layout_account(SigningKey::from_random())
        .await
        .expect("v33-like account deploys");
    Env { node, account }
}

fn transfer(token: Felt, to: Felt, amount: u128) -> Call {
    Call {
        to: token,
        selector: selector(TRANSFER),
        calldata: vec![to, Felt::from(amount), Felt::ZERO],
    }
}

/// `[valid_until, max_calls, calls_used, allowed_len]` of `key`.
async fn counted_status(env: &Env, key: &SigningKey) -> Vec<Felt> {
    env.call(env.address(), "get_session_data", vec![public_key(key)])
        .await
}

#[tokio::test]
async fn policies_bound_the_tokens_that_have_one_and_no_other() {
    let env = v33_env().await;
    let refused = env
        .node
        .deploy_erc20("Refused", "RFD", 18, 1_000 * STRK_UNIT)
        .await
        .unwrap();
    let unlisted = env
        .node
        .deploy_erc20("Unlisted", "UNL", 18, 1_000 * STRK_UNIT)
        .await
        .unwrap();
    for token in [refused, unlisted] {
        env.node
            .send_erc20(token, env.address(), 100 * STRK_UNIT)
            .await
            .unwrap();
    }
    let key = SigningKey::from_random();
    let valid_until = env.now().await + 3600;
    // One owner transaction: the session, STRK's limit, the refusing policy.
    send(
        &env.account.owner,
        vec![
            register_session_call(
                env.address(),
                public_key(&key),
                valid_until,
                10,
                &[selector(TRANSFER)],
            ),
            set_policy_call(
                env.address(),
                &key,
                (STRK, 2 * STRK_UNIT, 3 * STRK_UNIT, 3600),
            ),
            set_policy_call(env.address(), &key, (refused, 0, 1, 3600)),
        ],
    )
    .await
    .succeeded("register with policies");
    let policy = env
        .call(
            env.address(),
            "get_spending_policy",
            vec![public_key(&key), refused],
        )
        .await;
    assert_eq!(
        policy,
        [0u16, 0, 1, 0, 3600, 0, 0, 0].map(Felt::from).to_vec(),
        "[per call lo,hi, per window lo,hi, window, spent lo,hi, start]"
    );
    let recipient = fresh_address();

    env.relay(
        &key,
        valid_until,
        1,
        vec![strk_transfer(recipient, 2 * STRK_UNIT)],
    )
    .await
    .succeeded("within STRK's limit");
    env.relay(
        &key,
        valid_until,
        2,
        vec![strk_transfer(recipient, 3 * STRK_UNIT)],
    )
    .await
    .refused("Policy: over per-call limit");
    env.relay(
        &key,
        valid_until,
        3,
        vec![strk_transfer(recipient, 2 * STRK_UNIT)],
    )
    .await
    .refused("Policy: over window limit");
    env.relay(&key, valid_until, 4, vec![transfer(refused, recipient, 1)])
        .await
        .refused("Policy: over per-call limit");
    // A token without a policy: any amount (what the wallet's approval text says).
    env.relay(
        &key,
        valid_until,
        5,
        vec![transfer(unlisted, recipient, 100 * STRK_UNIT)],
    )
    .await
    .succeeded("a token without a policy is not bounded");
    assert_eq!(
        env.node.erc20_balance(unlisted, recipient).await.unwrap(),
        100 * STRK_UNIT
    );
    assert_eq!(env.node.erc20_balance(refused, recipient).await.unwrap(), 0);
    assert_eq!(
        counted_status(&env, &key).await[2],
        Felt::from(2u8),
        "the outside path consumed a call for each execution that ran"
    );
    // Outside the allowlist: refused on the outside path too.
    let approve = Call {
        to: STRK,
        selector: selector("approve"),
        calldata: vec![recipient, Felt::ONE, Felt::ZERO],
    };
    env.relay(&key, valid_until, 6, vec![approve])
        .await
        .refused("Session: not allowed");
}

#[tokio::test]
async fn execute_is_not_atomic() {
    let env = v33_env().await;
    let recipient = fresh_address();
    let before = env.strk_balance(env.address()).await;
    // The first call fails (more than the balance), the second still runs.
    send(
        &env.account.owner,
        vec![
            strk_transfer(recipient, before * 2),
            strk_transfer(recipient, STRK_UNIT),
        ],
    )
    .await
    .succeeded("a failed inner call does not fail the transaction");
    assert_eq!(env.strk_balance(recipient).await, STRK_UNIT);
}

#[tokio::test]
async fn an_account_of_the_v29_layout_upgrades_keeping_its_owner_and_storage() {
    let node = Devnet::start().await.expect("devnet starts");
    let owner = SigningKey::from_random();
    let account = node
        .deploy_chipi_layout_account(owner.clone())
        .await
        .unwrap();
    let env = Env { node, account };
    let target = env.node.declare_chipi_v33_layout_account().await.unwrap();
    let key = SigningKey::from_random();
    let valid_until = env.now().await + 3600;
    env.register(&key, valid_until, 5, &[selector(TRANSFER)])
        .await;
    let balance = env.strk_balance(env.address()).await;

    // A session may not upgrade the account (a self-call), on either path.
    let upgrade = Call {
        to: env.address(),
        selector: selector("upgrade"),
        calldata: vec![target],
    };
    env.relay(&key, valid_until, 1, vec![upgrade.clone()])
        .await
        .refused("Session: self call forbidden");
    send(&env.account.owner, vec![upgrade])
        .await
        .succeeded("the owner upgrades");
    assert_eq!(
        env.node
            .provider()
            .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), env.address())
            .await
            .unwrap(),
        target
    );
    assert_eq!(
        env.call(env.address(), "get_public_key", vec![]).await,
        vec![public_key(&owner)],
        "the owner key stays"
    );
    assert_eq!(
        env.call(env.address(), "get_contract_info", vec![]).await,
        vec![Felt::from_bytes_be_slice(b"v33")]
    );
    assert_eq!(
        counted_status(&env, &key).await[0],
        Felt::from(valid_until),
        "session records stay until revoked (the wallet revokes its own with the upgrade)"
    );
    assert_eq!(
        env.call(env.address(), "supports_interface", vec![ISRC6_ID])
            .await,
        vec![Felt::ZERO],
        "no interface until register_interfaces"
    );
    send(
        &env.account.owner,
        vec![Call {
            to: env.address(),
            selector: selector("register_interfaces"),
            calldata: vec![],
        }],
    )
    .await
    .succeeded("register_interfaces");
    assert_eq!(
        env.call(env.address(), "supports_interface", vec![ISRC6_ID])
            .await,
        vec![Felt::ONE]
    );
    assert!(
        env.strk_balance(env.address()).await < balance,
        "the owner paid the fees (the balance is the same account's)"
    );
}
