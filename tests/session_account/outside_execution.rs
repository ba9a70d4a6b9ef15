//! SNIP-9 v2: sessions (and the owner) executing through a relayer that pays the fee.

use chipi_session::backends::outside_execution::ANY_CALLER;
use chipi_session::entrypoint::{selector, EXECUTE_FROM_OUTSIDE_V2};
use chipi_session::{register_session_call, OutsideExecution};
use starknet::accounts::Account;
use starknet::core::types::{Call, Felt};
use starknet::signers::SigningKey;

use crate::common::{fresh_address, public_key, send, strk_transfer, Env, STRK_UNIT};

#[tokio::test]
async fn session_transfer_through_a_relayer_that_pays_the_fee() {
    let env = Env::new().await;
    let (key, valid_until) = env.spender().calls(5).open().await;
    let relayer = env.relayer().await;
    let recipient = fresh_address();
    let account_before = env.strk_balance(env.address()).await;
    let relayer_before = env.strk_balance(relayer.address()).await;

    let oe = env
        .outside(77, vec![strk_transfer(recipient, 2 * STRK_UNIT)])
        .await;
    let call = env.outside_call(&oe, &key, valid_until);
    send(&relayer, vec![call])
        .await
        .succeeded("relayed session transfer");

    assert_eq!(env.strk_balance(recipient).await, 2 * STRK_UNIT);
    assert_eq!(
        env.strk_balance(env.address()).await,
        account_before - 2 * STRK_UNIT,
        "the account paid exactly the amount, no fee"
    );
    assert!(
        env.strk_balance(relayer.address()).await < relayer_before,
        "the relayer paid the fee"
    );
    assert_eq!(env.session_status(&key).await.remaining_calls, 4);
    let nonce_ok = env
        .call(
            env.address(),
            "is_valid_outside_execution_nonce",
            vec![Felt::from(77u8)],
        )
        .await;
    assert_eq!(nonce_ok, vec![Felt::ZERO], "the nonce is spent");
}

#[tokio::test]
async fn replayed_nonce_is_rejected() {
    let env = Env::new().await;
    let (key, valid_until) = env.spender().calls(5).open().await;
    let relayer = env.relayer().await;
    let recipient = fresh_address();

    let oe = env.outside(5, vec![strk_transfer(recipient, 1000)]).await;
    let call = env.outside_call(&oe, &key, valid_until);
    send(&relayer, vec![call.clone()])
        .await
        .succeeded("first use");
    send(&relayer, vec![call])
        .await
        .refused("SNIP9: duplicated nonce");
    assert_eq!(env.strk_balance(recipient).await, 1000, "moved once");
}

#[tokio::test]
async fn caller_and_time_bounds_are_enforced() {
    let env = Env::new().await;
    let (key, valid_until) = env.spender().calls(5).open().await;
    let relayer = env.relayer().await;
    let transfer = vec![strk_transfer(fresh_address(), 1)];

    // Only the named caller may submit.
    let mut oe = env.outside(1, transfer.clone()).await;
    oe.caller = fresh_address();
    send(&relayer, vec![env.outside_call(&oe, &key, valid_until)])
        .await
        .refused("SNIP9: invalid caller");
    oe.caller = relayer.address();
    send(&relayer, vec![env.outside_call(&oe, &key, valid_until)])
        .await
        .succeeded("named caller");

    let now = env.now().await;
    let late = OutsideExecution {
        caller: ANY_CALLER,
        nonce: Felt::TWO,
        execute_after: 0,
        execute_before: now - 1,
        calls: transfer.clone(),
    };
    send(&relayer, vec![env.outside_call(&late, &key, valid_until)])
        .await
        .refused("SNIP9: too late");
    let early = OutsideExecution {
        execute_after: now + 600,
        execute_before: now + 1200,
        nonce: Felt::THREE,
        ..late
    };
    send(&relayer, vec![env.outside_call(&early, &key, valid_until)])
        .await
        .refused("SNIP9: too early");
}

/// The owner signs `[r, s]` over the same SNIP-12 hash: this is how registration goes gasless.
#[tokio::test]
async fn owner_signed_outside_execution_registers_a_session() {
    let env = Env::new().await;
    let key = SigningKey::from_random();
    let valid_until = env.now().await + 3600;
    let register = register_session_call(env.address(), public_key(&key), valid_until, 3, &[]);
    let oe = env.outside(9, vec![register]).await;
    let hash = oe.message_hash(env.address(), env.node.chain_id());
    let sig = env.account.owner_key.sign(&hash).unwrap();
    let call = Call {
        to: env.address(),
        selector: selector(EXECUTE_FROM_OUTSIDE_V2),
        calldata: oe.calldata(&[sig.r, sig.s]),
    };
    send(&env.relayer().await, vec![call])
        .await
        .succeeded("owner outside execution");
    let status = env.session_status(&key).await;
    assert!(status.is_active && status.remaining_calls == 3 && status.valid_until == valid_until);

    // A wrong owner signature is refused.
    let oe = env
        .outside(
            10,
            vec![register_session_call(
                env.address(),
                Felt::from(5u8),
                valid_until,
                3,
                &[],
            )],
        )
        .await;
    let bad = SigningKey::from_random()
        .sign(&oe.message_hash(env.address(), env.node.chain_id()))
        .unwrap();
    let call = Call {
        to: env.address(),
        selector: selector(EXECUTE_FROM_OUTSIDE_V2),
        calldata: oe.calldata(&[bad.r, bad.s]),
    };
    send(&env.relayer().await, vec![call])
        .await
        .refused("SNIP9: invalid signature");
}
