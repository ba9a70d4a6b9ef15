//! The session rules of protocol.md §3, each on both paths: existence, expiry, allowlist,
//! revocation and the signature itself.

use async_trait::async_trait;
use chipi_session::entrypoint::{selector, APPROVE};
use chipi_session::{revoke_session_call, SessionAccount, SessionSignature};
use devnet_harness::STRK;
use starknet::accounts::{
    Account, ConnectedAccount, ExecutionEncoder, RawDeclarationV3, RawExecutionV3,
};
use starknet::core::types::{Call, Felt};
use starknet::providers::jsonrpc::HttpTransport;
use starknet::providers::JsonRpcClient;
use starknet::signers::{SignerInteractivityContext, SigningKey};

use crate::common::{fresh_address, public_key, send, strk_transfer, Env, DAY, STRK_UNIT};

#[tokio::test]
async fn expired_session_is_rejected_on_both_paths() {
    let env = Env::new().await;
    let (key, valid_until) = env.spender().valid_for(600).open().await;
    let recipient = fresh_address();
    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 1)],
    )
    .await
    .succeeded("before expiry");

    env.node.increase_time(601).await.unwrap();
    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 1)],
    )
    .await
    .refused("Session: expired");
    env.relay(&key, valid_until, 1, vec![strk_transfer(recipient, 1)])
        .await
        .refused("Session: expired");
    assert_eq!(
        env.strk_balance(recipient).await,
        1,
        "nothing moved after expiry"
    );
}

#[tokio::test]
async fn allowlist_is_enforced_on_both_paths() {
    let env = Env::new().await;
    let (key, valid_until) = env
        .new_session()
        .allow_selectors(&[selector(APPROVE)])
        .limits(&[(STRK, STRK_UNIT, STRK_UNIT, DAY)])
        .open()
        .await;
    let recipient = fresh_address();

    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 1)],
    )
    .await
    .refused("Session: entrypoint not allowed");
    env.relay(&key, valid_until, 1, vec![strk_transfer(recipient, 1)])
        .await
        .refused("Session: entrypoint not allowed");
    // A batch is refused when any one call is off the list.
    let approve = Call {
        to: STRK,
        selector: selector(APPROVE),
        calldata: vec![recipient, Felt::ONE, Felt::ZERO],
    };
    env.relay(
        &key,
        valid_until,
        2,
        vec![approve.clone(), strk_transfer(recipient, 1)],
    )
    .await
    .refused("Session: entrypoint not allowed");
    assert_eq!(env.strk_balance(recipient).await, 0);

    // The allowed entrypoint goes through on both paths.
    send(&env.session(&key, valid_until), vec![approve.clone()])
        .await
        .succeeded("approve direct");
    env.relay(&key, valid_until, 3, vec![approve])
        .await
        .succeeded("approve relayed");
    assert_eq!(
        env.session_status(&key).await.remaining_calls,
        8,
        "refusals consumed nothing"
    );
}

#[tokio::test]
async fn revoked_session_is_rejected_on_both_paths() {
    let env = Env::new().await;
    let (key, valid_until) = env.spender().open().await;
    let recipient = fresh_address();
    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 1)],
    )
    .await
    .succeeded("before revoke");

    let outcome = send(
        &env.account.owner,
        vec![revoke_session_call(env.address(), public_key(&key))],
    )
    .await
    .succeeded("revoke");
    assert!(
        outcome
            .events
            .iter()
            .any(|e| e.from_address == env.address()
                && e.keys == vec![selector("SessionKeyRevoked"), public_key(&key)]),
        "SessionKeyRevoked emitted"
    );
    let status = env.session_status(&key).await;
    assert!(
        !status.is_active && status.valid_until == 0 && status.remaining_calls == 0,
        "record zeroed: {status:?}"
    );

    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 1)],
    )
    .await
    .refused("Session: not registered");
    env.relay(&key, valid_until, 1, vec![strk_transfer(recipient, 1)])
        .await
        .refused("Session: not registered");
    assert_eq!(env.strk_balance(recipient).await, 1);
}

#[tokio::test]
async fn unregistered_key_is_rejected_on_both_paths() {
    let env = Env::new().await;
    let key = SigningKey::from_random();
    let valid_until = env.now().await + 3600;
    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(fresh_address(), 1)],
    )
    .await
    .refused("Session: not registered");
    env.relay(
        &key,
        valid_until,
        1,
        vec![strk_transfer(fresh_address(), 1)],
    )
    .await
    .refused("Session: not registered");
}

#[tokio::test]
async fn wrong_signer_is_rejected_on_both_paths() {
    let env = Env::new().await;
    let (key, valid_until) = env.spender().open().await;
    let impostor = SigningKey::from_random();
    let recipient = fresh_address();

    // Signed by another key while claiming the registered session key.
    let forged = Forged {
        inner: env.session(&impostor, valid_until),
        claimed_key: public_key(&key),
    };
    send(&forged, vec![strk_transfer(recipient, 1)])
        .await
        .refused("Session: invalid signature");

    let oe = env.outside(1, vec![strk_transfer(recipient, 1)]).await;
    let hash = oe.message_hash(env.address(), env.node.chain_id());
    let mut signature = SessionSignature::sign(&impostor, hash, valid_until).unwrap();
    signature.session_key = public_key(&key);
    let call = Call {
        to: env.address(),
        selector: selector(chipi_session::entrypoint::EXECUTE_FROM_OUTSIDE_V2),
        calldata: oe.calldata(&signature.to_felts()),
    };
    send(&env.relayer().await, vec![call])
        .await
        .refused("Session: invalid signature");
    assert_eq!(env.strk_balance(recipient).await, 0);
    assert_eq!(env.session_status(&key).await.remaining_calls, 10);
}

/// A session account whose signature claims another session key than the one that signed.
struct Forged {
    inner: SessionAccount<JsonRpcClient<HttpTransport>>,
    claimed_key: Felt,
}

impl ExecutionEncoder for Forged {
    fn encode_calls(&self, calls: &[Call]) -> Vec<Felt> {
        self.inner.encode_calls(calls)
    }
}

#[async_trait]
impl Account for Forged {
    type SignError = chipi_session::SessionError;

    fn address(&self) -> Felt {
        self.inner.address()
    }

    fn chain_id(&self) -> Felt {
        self.inner.chain_id()
    }

    async fn sign_execution_v3(
        &self,
        execution: &RawExecutionV3,
        query_only: bool,
    ) -> Result<Vec<Felt>, Self::SignError> {
        let mut signature = self.inner.sign_execution_v3(execution, query_only).await?;
        signature[0] = self.claimed_key;
        Ok(signature)
    }

    async fn sign_declaration_v3(
        &self,
        declaration: &RawDeclarationV3,
        query_only: bool,
    ) -> Result<Vec<Felt>, Self::SignError> {
        self.inner
            .sign_declaration_v3(declaration, query_only)
            .await
    }

    fn is_signer_interactive(&self, context: SignerInteractivityContext<'_>) -> bool {
        self.inner.is_signer_interactive(context)
    }
}

impl ConnectedAccount for Forged {
    type Provider = JsonRpcClient<HttpTransport>;

    fn provider(&self) -> &Self::Provider {
        self.inner.provider()
    }
}
