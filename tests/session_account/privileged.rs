//! A session can never reach the account's privileged entrypoints or nest executes.

use chipi_session::entrypoint::{
    selector, EXECUTE, EXECUTE_FROM_OUTSIDE_V2, SET_PUBLIC_KEY, SET_SPENDING_POLICY, UPGRADE,
};
use chipi_session::register_session_call;
use devnet_harness::STRK;
use starknet::core::types::{Call, Felt};
use starknet::signers::SigningKey;

use crate::common::{public_key, send, Env};

#[tokio::test]
async fn session_cannot_call_privileged_entrypoints_or_nest_executes() {
    let env = Env::new().await;
    // An empty allowlist allows every selector: the guard must hold regardless.
    let (key, valid_until) = env.spender().calls(100).open().await;
    let me = env.address();
    let rogue = SigningKey::from_random();

    let self_calls = [
        register_session_call(me, public_key(&rogue), valid_until, 1000, &[]),
        Call {
            to: me,
            selector: selector(UPGRADE),
            calldata: vec![Felt::from(1u8)],
        },
        Call {
            to: me,
            selector: selector(SET_PUBLIC_KEY),
            calldata: vec![public_key(&rogue)],
        },
        Call {
            to: me,
            selector: selector(SET_SPENDING_POLICY),
            calldata: vec![
                public_key(&key),
                STRK,
                Felt::ONE,
                Felt::ZERO,
                Felt::ONE,
                Felt::ZERO,
                Felt::ONE,
            ],
        },
    ];
    for (i, call) in self_calls.into_iter().enumerate() {
        send(&env.session(&key, valid_until), vec![call.clone()])
            .await
            .refused("Session: self call forbidden");
        env.relay(&key, valid_until, 100 + i as u64, vec![call])
            .await
            .refused("Session: self call forbidden");
    }
    // Nesting an execute on another contract is refused too.
    let other = env.node.predeployed(2).await.unwrap();
    let other_address = starknet::accounts::Account::address(&other);
    for name in [EXECUTE, EXECUTE_FROM_OUTSIDE_V2] {
        let nested = Call {
            to: other_address,
            selector: selector(name),
            calldata: vec![Felt::ZERO],
        };
        send(&env.session(&key, valid_until), vec![nested.clone()])
            .await
            .refused("Session: nested execute");
        env.relay(&key, valid_until, 200, vec![nested])
            .await
            .refused("Session: nested execute");
    }

    assert!(
        !env.session_status(&rogue).await.is_active,
        "no session was smuggled in"
    );
    assert_eq!(
        env.session_status(&key).await.remaining_calls,
        100,
        "refusals consumed nothing"
    );
    let pk = env.call(me, "get_public_key", vec![]).await;
    assert_eq!(
        pk,
        vec![public_key(&env.account.owner_key)],
        "owner key unchanged"
    );
}

#[tokio::test]
async fn outsiders_cannot_call_privileged_entrypoints() {
    let env = Env::new().await;
    let rogue = SigningKey::from_random();
    let relayer = env.relayer().await;
    let valid_until = env.now().await + 3600;
    send(
        &relayer,
        vec![register_session_call(
            env.address(),
            public_key(&rogue),
            valid_until,
            10,
            &[],
        )],
    )
    .await
    .refused("Account: unauthorized");
    send(
        &relayer,
        vec![Call {
            to: env.address(),
            selector: selector(UPGRADE),
            calldata: vec![Felt::ONE],
        }],
    )
    .await
    .refused("Account: unauthorized");
}
