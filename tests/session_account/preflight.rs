//! The client-side preflight mirrors the account: for a run of executions, what
//! `chipi_session::session::preflight` predicts is what the chain does.

use chipi_session::entrypoint::{
    selector, APPROVE, GET_SPENDING_POLICY, SET_SPENDING_POLICY, TRANSFER,
};
use chipi_session::session::preflight::check_execution;
use chipi_session::SpendingPolicy;
use devnet_harness::STRK;
use starknet::core::types::{Call, Felt};
use starknet::signers::SigningKey;

use crate::common::{fresh_address, public_key, send, strk_transfer, Env, Sent};

#[tokio::test]
async fn preflight_predicts_what_the_chain_does() {
    let env = Env::new().await;
    let key = SigningKey::from_random();
    let valid_until = env.now().await + 3600;
    env.register(
        &key,
        valid_until,
        6,
        &[selector(TRANSFER), selector(APPROVE)],
    )
    .await;
    let policy = Call {
        to: env.address(),
        selector: selector(SET_SPENDING_POLICY),
        calldata: vec![
            public_key(&key),
            STRK,
            Felt::from(100u8),
            Felt::ZERO,
            Felt::from(150u8),
            Felt::ZERO,
            Felt::from(600u16),
        ],
    };
    send(&env.account.owner, vec![policy])
        .await
        .succeeded("set policy");
    let r = fresh_address();
    let other_token = Call {
        to: fresh_address(),
        selector: selector("mint"),
        calldata: vec![],
    };

    let batches: Vec<Vec<Call>> = vec![
        vec![strk_transfer(r, 101)],
        vec![strk_transfer(r, 90)],
        vec![strk_transfer(r, 40), strk_transfer(r, 30)],
        vec![other_token],
        vec![Call {
            to: env.address(),
            selector: selector(TRANSFER),
            calldata: vec![r, Felt::ONE, Felt::ZERO],
        }],
        vec![strk_transfer(r, 50)],
        vec![strk_transfer(r, 1)],
        vec![strk_transfer(r, 1)],
        vec![strk_transfer(r, 1)],
        vec![strk_transfer(r, 1)],
        vec![strk_transfer(r, 1)],
    ];
    let mut agreed = 0;
    for (i, calls) in batches.into_iter().enumerate() {
        let status = env.session_status(&key).await;
        let policy = SpendingPolicy::from_felts(
            &env.call(
                env.address(),
                GET_SPENDING_POLICY,
                vec![public_key(&key), STRK],
            )
            .await,
        )
        .unwrap();
        let predicted = check_execution(
            env.address(),
            &calls,
            &status,
            true,
            &[],
            &[(STRK, policy)],
            env.now().await,
        );
        let sent = env.relay(&key, valid_until, 1000 + i as u64, calls).await;
        let landed = matches!(sent, Sent::Succeeded(_));
        assert_eq!(
            predicted.is_ok(),
            landed,
            "batch {i}: preflight said {predicted:?}, chain said {sent:?}"
        );
        agreed += 1;
    }
    assert_eq!(agreed, 11);
    assert_eq!(
        env.session_status(&key).await.remaining_calls,
        0,
        "six executions landed: the budget ran out and the last one was refused"
    );
}
