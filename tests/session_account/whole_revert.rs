//! A failing inner call reverts the whole transaction; it is never swallowed.

use starknet::accounts::ConnectedAccount;
use starknet::core::types::{Call, Felt};

use crate::common::{fresh_address, strk_transfer, with_gas_bounds, Env, Sent, DAY, STRK_UNIT};
use chipi_session::entrypoint::{selector, TRANSFER};
use devnet_harness::wait_for_receipt;
use devnet_harness::STRK;

/// Sends `calls` with gas bounds taken from an estimate of `like` (three times over), so a
/// transaction that will revert is still included instead of failing its fee estimate.
async fn send_unestimated<A: ConnectedAccount + Sync>(
    account: &A,
    like: Vec<Call>,
    calls: Vec<Call>,
) -> Sent {
    let fee = account
        .execute_v3(like)
        .estimate_fee()
        .await
        .expect("estimate of the good batch");
    let result = with_gas_bounds(account.execute_v3(calls), &fee, 3)
        .send()
        .await
        .expect("included");
    let outcome = wait_for_receipt(account.provider(), result.transaction_hash)
        .await
        .unwrap();
    if outcome.succeeded() {
        Sent::Succeeded(outcome)
    } else {
        Sent::Reverted(outcome)
    }
}

#[tokio::test]
async fn failing_inner_call_reverts_an_owner_batch() {
    let env = Env::new().await;
    let recipient = fresh_address();
    let good = vec![
        strk_transfer(recipient, STRK_UNIT),
        strk_transfer(recipient, 1),
    ];
    let bad = vec![
        strk_transfer(recipient, STRK_UNIT),
        strk_transfer(recipient, u128::MAX),
    ];
    let sent = send_unestimated(&env.account.owner, good, bad).await;
    assert!(
        matches!(sent, Sent::Reverted(_)),
        "the batch reverts: {sent:?}"
    );
    assert_eq!(
        env.strk_balance(recipient).await,
        0,
        "the first transfer was rolled back"
    );
}

#[tokio::test]
async fn failing_inner_call_reverts_an_outside_execution() {
    let env = Env::new().await;
    // No limit that the failing transfer would break first: the token must be what fails.
    let (key, valid_until) = env
        .new_session()
        .allow_selectors(&[selector(TRANSFER)])
        .limits(&[(STRK, u128::MAX, u128::MAX, DAY)])
        .open()
        .await;
    let relayer = env.relayer().await;
    let recipient = fresh_address();

    let good = env
        .outside(
            1,
            vec![
                strk_transfer(recipient, STRK_UNIT),
                strk_transfer(recipient, 1),
            ],
        )
        .await;
    let bad = env
        .outside(
            1,
            vec![
                strk_transfer(recipient, STRK_UNIT),
                strk_transfer(recipient, u128::MAX),
            ],
        )
        .await;
    let sent = send_unestimated(
        &relayer,
        vec![env.outside_call(&good, &key, valid_until)],
        vec![env.outside_call(&bad, &key, valid_until)],
    )
    .await;
    let Sent::Reverted(outcome) = &sent else {
        panic!("the relayer's transaction reverts: {sent:?}")
    };
    assert!(outcome.revert_reason.is_some());
    assert_eq!(
        env.strk_balance(recipient).await,
        0,
        "the first transfer was rolled back"
    );
    assert_eq!(
        env.session_status(&key).await.remaining_calls,
        10,
        "the consumed call was rolled back"
    );
    let nonce_ok = env
        .call(
            env.address(),
            "is_valid_outside_execution_nonce",
            vec![Felt::ONE],
        )
        .await;
    assert_eq!(
        nonce_ok,
        vec![Felt::ONE],
        "the nonce was rolled back with it"
    );
}
