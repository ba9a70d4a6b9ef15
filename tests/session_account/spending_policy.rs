//! Spending policies: per-call and per-window limits per session and token.

use chipi_session::entrypoint::{
    selector, APPROVE, GET_SPENDING_POLICY, REMOVE_SPENDING_POLICY, TRANSFER,
};
use devnet_harness::STRK;
use starknet::core::types::{Call, Felt};
use starknet::signers::SigningKey;

use crate::common::{
    fresh_address, public_key, send, set_policy_call, strk_transfer, Env, STRK_UNIT,
};

/// Amounts in whole STRK: a direct session transaction's fee must fit the per-call limit too.
const U: u128 = STRK_UNIT;

const WINDOW: u64 = 1000;

fn set_policy(account: Felt, key: &SigningKey, per_call: u128, per_window: u128) -> Call {
    set_policy_call(account, key, (STRK, per_call, per_window, WINDOW))
}

#[tokio::test]
async fn spending_limits_reject_overruns_and_the_window_resets() {
    let env = Env::new().await;
    let key = SigningKey::from_random();
    let valid_until = env.now().await + 3 * 3600;
    env.register(
        &key,
        valid_until,
        100,
        &[selector(TRANSFER), selector(APPROVE)],
    )
    .await;
    let outcome = send(
        &env.account.owner,
        vec![set_policy(env.address(), &key, 100 * U, 150 * U)],
    )
    .await
    .succeeded("set policy");
    assert!(
        outcome
            .events
            .iter()
            .any(|e| e.from_address == env.address()
                && e.keys == vec![selector("SpendingPolicySet"), public_key(&key), STRK]),
        "SpendingPolicySet emitted"
    );
    let policy = env
        .call(
            env.address(),
            GET_SPENDING_POLICY,
            vec![public_key(&key), STRK],
        )
        .await;
    assert_eq!(
        policy,
        [100 * U, 0, 150 * U, 0, WINDOW as u128, 0, 0, 0]
            .map(Felt::from)
            .to_vec(),
        "layout of §3"
    );

    let recipient = fresh_address();
    let session = env.session(&key, valid_until);
    send(&session, vec![strk_transfer(recipient, 101 * U)])
        .await
        .refused("Policy: over per-call limit");
    env.relay(
        &key,
        valid_until,
        1,
        vec![strk_transfer(recipient, 101 * U)],
    )
    .await
    .refused("Policy: over per-call limit");
    let approve = Call {
        to: STRK,
        selector: selector(APPROVE),
        calldata: vec![recipient, Felt::from(101 * U), Felt::ZERO],
    };
    send(&session, vec![approve])
        .await
        .refused("Policy: over per-call limit");

    send(&session, vec![strk_transfer(recipient, 100 * U)])
        .await
        .succeeded("100 of 150 in the window");
    send(&session, vec![strk_transfer(recipient, 60 * U)])
        .await
        .refused("Policy: over window limit");
    env.relay(&key, valid_until, 2, vec![strk_transfer(recipient, 60 * U)])
        .await
        .refused("Policy: over window limit");
    // Two calls in one batch count together.
    env.relay(
        &key,
        valid_until,
        3,
        vec![
            strk_transfer(recipient, 30 * U),
            strk_transfer(recipient, 30 * U),
        ],
    )
    .await
    .refused("Policy: over window limit");
    env.relay(&key, valid_until, 4, vec![strk_transfer(recipient, 50 * U)])
        .await
        .succeeded("exactly at the window limit");
    assert_eq!(env.strk_balance(recipient).await, 150 * U);

    env.node.increase_time(WINDOW + 1).await.unwrap();
    env.relay(&key, valid_until, 5, vec![strk_transfer(recipient, 60 * U)])
        .await
        .succeeded("new window");
    let policy = env
        .call(
            env.address(),
            GET_SPENDING_POLICY,
            vec![public_key(&key), STRK],
        )
        .await;
    assert_eq!(
        policy[5],
        Felt::from(60 * U),
        "spent restarted with the window"
    );
    assert_eq!(env.strk_balance(recipient).await, 210 * U);

    // Removing the policy stops the token altogether: no policy, no spending.
    let remove = Call {
        to: env.address(),
        selector: selector(REMOVE_SPENDING_POLICY),
        calldata: vec![public_key(&key), STRK],
    };
    send(&env.account.owner, vec![remove])
        .await
        .succeeded("remove policy");
    send(&session, vec![strk_transfer(recipient, U)])
        .await
        .refused("Policy: no spending policy");
    env.relay(&key, valid_until, 6, vec![strk_transfer(recipient, U)])
        .await
        .refused("Policy: no spending policy");
    assert_eq!(env.strk_balance(recipient).await, 210 * U, "nothing moved");
}
