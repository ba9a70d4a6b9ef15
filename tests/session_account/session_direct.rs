//! Registering sessions and using them on the direct (fee-paying INVOKE) path.

use chipi_session::entrypoint::{selector, APPROVE, TRANSFER};
use chipi_session::SessionStatus;
use starknet::signers::SigningKey;

use crate::common::{fresh_address, public_key, send, strk_transfer, Env, DAY, STRK_UNIT};
use devnet_harness::STRK;

#[tokio::test]
async fn register_session_and_read_it_back() {
    let env = Env::new().await;
    let key = SigningKey::from_random();
    let valid_until = env.now().await + 21_600;
    let allowed = [selector(TRANSFER), selector(APPROVE)];
    let outcome = env.register(&key, valid_until, 1000, &allowed).await;

    let status = env.session_status(&key).await;
    assert_eq!(
        status,
        SessionStatus {
            is_active: true,
            valid_until,
            remaining_calls: 1000,
            allowed_entrypoints: allowed.to_vec()
        }
    );
    let added = outcome
        .events
        .iter()
        .find(|e| {
            e.from_address == env.address() && e.keys.first() == Some(&selector("SessionKeyAdded"))
        })
        .expect("SessionKeyAdded emitted by the account");
    assert_eq!(
        added.keys[1],
        public_key(&key),
        "event keyed by the session key"
    );

    // An unregistered key reads as inactive with nothing left.
    let other = env.session_status(&SigningKey::from_random()).await;
    assert!(!other.is_active && other.remaining_calls == 0 && other.valid_until == 0);
}

#[tokio::test]
async fn session_transfers_strk_on_the_direct_path() {
    let env = Env::new().await;
    let (key, valid_until) = env
        .new_session()
        .allow_selectors(&[selector(TRANSFER)])
        .limits(&[(STRK, 10 * STRK_UNIT, 10 * STRK_UNIT, DAY)])
        .open()
        .await;
    let recipient = fresh_address();

    let outcome = send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 3 * STRK_UNIT)],
    )
    .await
    .succeeded("session transfer");
    assert_eq!(env.strk_balance(recipient).await, 3 * STRK_UNIT);
    assert_eq!(
        env.session_status(&key).await.remaining_calls,
        9,
        "one call consumed"
    );
    assert!(
        outcome
            .events
            .iter()
            .all(|e| e.from_address != env.address()),
        "the account emits no (debug) events while executing: {:?}",
        outcome.events
    );
}

#[tokio::test]
async fn calls_decrement_and_exhaustion_rejects_on_both_paths() {
    let env = Env::new().await;
    let (key, valid_until) = env.spender().calls(2).open().await;
    let recipient = fresh_address();

    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 1)],
    )
    .await
    .succeeded("call 1 of 2");
    assert_eq!(env.session_status(&key).await.remaining_calls, 1);
    env.relay(&key, valid_until, 1, vec![strk_transfer(recipient, 1)])
        .await
        .succeeded("call 2 of 2");
    assert_eq!(env.session_status(&key).await.remaining_calls, 0);

    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 1)],
    )
    .await
    .refused("Session: calls exhausted");
    env.relay(&key, valid_until, 2, vec![strk_transfer(recipient, 1)])
        .await
        .refused("Session: calls exhausted");
    assert_eq!(
        env.strk_balance(recipient).await,
        2,
        "only the two budgeted transfers landed"
    );
}
