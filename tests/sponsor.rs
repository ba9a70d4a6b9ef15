//! Gasless use of a wallet through the project's SNIP-29 sponsor on a real node: deploy with a
//! zero balance, register a session signed by the owner, transfer with the session key, and the
//! sponsor's refusals, each with its SNIP-29 code and no transaction sent.

use chipi_session::backends::paymaster::AccountDeployment;
use chipi_session::entrypoint::{selector, APPROVE, TRANSFER};
use chipi_session::{
    register_session_call, PaymasterClient, SecretKey, SessionError, SessionSignature,
    SessionStatus,
};
use devnet_harness::{wait_for_receipt, Devnet, STRK};
use local_stack::LocalStack;
use serde_json::json;
use starknet::core::types::{BlockId, BlockTag, Call, Felt, FunctionCall};
use starknet::core::utils::get_contract_address;
use starknet::providers::Provider;

const STRK_UNIT: u128 = 1_000_000_000_000_000_000;

struct Fixture {
    node: Devnet,
    client: PaymasterClient,
    url: String,
    relayer: Felt,
    class_hash: Felt,
}

async fn fixture() -> Fixture {
    let LocalStack {
        node,
        class_hash,
        relayer,
        sponsor_url: url,
        ..
    } = LocalStack::start().await.expect("the local stack starts");
    let client = PaymasterClient::new(url.clone(), node.rpc_url().to_string(), node.chain_id());
    Fixture {
        node,
        client,
        url,
        relayer: relayer.address,
        class_hash,
    }
}

impl Fixture {
    async fn call(&self, to: Felt, name: &str, calldata: Vec<Felt>) -> Vec<Felt> {
        let call = FunctionCall {
            contract_address: to,
            entry_point_selector: selector(name),
            calldata,
        };
        self.node
            .provider()
            .call(call, BlockId::Tag(BlockTag::PreConfirmed))
            .await
            .expect(name)
    }

    async fn balance(&self, who: Felt) -> u128 {
        self.call(STRK, "balance_of", vec![who]).await[0]
            .try_into()
            .unwrap()
    }

    async fn relayer_nonce(&self) -> Felt {
        self.node.nonce(self.relayer).await.unwrap()
    }

    /// Deploys a new account through the sponsor and returns its address.
    async fn deploy(&self, owner: &SecretKey) -> Felt {
        let calldata = vec![owner.public_key()];
        let salt = Felt::from(42u8);
        let address = get_contract_address(salt, self.class_hash, &calldata, Felt::ZERO);
        let deployment = AccountDeployment {
            address,
            class_hash: self.class_hash,
            salt,
            calldata,
        };
        let relayed = self
            .client
            .deploy(&deployment)
            .await
            .expect("gasless deploy");
        let outcome = wait_for_receipt(self.node.provider(), relayed.transaction_hash)
            .await
            .unwrap();
        assert!(outcome.succeeded(), "{outcome:?}");
        address
    }
}

fn strk_transfer(to: Felt, amount: u128) -> Call {
    Call {
        to: STRK,
        selector: selector(TRANSFER),
        calldata: vec![to, Felt::from(amount), Felt::ZERO],
    }
}

#[tokio::test]
async fn gasless_deploy_register_and_session_transfer() {
    let f = fixture().await;
    assert!(f.client.is_available().await.unwrap());

    // A new wallet with nothing in it is deployed by the sponsor.
    let owner = SecretKey::generate().unwrap();
    let address = f.deploy(&owner).await;
    let on_chain = f
        .node
        .provider()
        .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), address)
        .await
        .unwrap();
    assert_eq!(on_chain, f.class_hash);
    assert_eq!(
        f.balance(address).await,
        0,
        "deployed with a zero balance, paid nothing"
    );

    // The owner registers a session gaslessly: it signs the sponsor's typed data with [r, s].
    let session = SecretKey::generate().unwrap();
    let valid_until = f.node.pending_timestamp().await.unwrap() + 3600;
    let register = register_session_call(
        address,
        session.public_key(),
        valid_until,
        5,
        &[selector(TRANSFER)],
    );
    // Transfers of up to 10 STRK: without a limit the session could move no STRK at all.
    let limit = chipi_session::session::registration::set_spending_policy_call(
        address,
        session.public_key(),
        STRK,
        10 * STRK_UNIT,
        10 * STRK_UNIT,
        3600,
    );
    let built = f
        .client
        .build_invoke(
            address,
            &[register, limit],
            f.node.pending_timestamp().await.unwrap(),
        )
        .await
        .expect("build register");
    let signature = owner.sign(&built.message_hash).unwrap();
    let relayed = f
        .client
        .execute_invoke(address, &built, &[signature.r, signature.s])
        .await
        .expect("relay register");
    assert!(
        wait_for_receipt(f.node.provider(), relayed.transaction_hash)
            .await
            .unwrap()
            .succeeded()
    );
    let status = SessionStatus::from_felts(
        &f.call(address, "get_session_data", vec![session.public_key()])
            .await,
    )
    .unwrap();
    assert!(status.is_active && status.remaining_calls == 5);
    assert_eq!(
        f.balance(address).await,
        0,
        "registration cost the wallet nothing"
    );

    // The session key transfers gaslessly: the account pays exactly the amount.
    f.node.mint_strk(address, 10 * STRK_UNIT).await.unwrap();
    let recipient = SecretKey::generate().unwrap().public_key();
    let built = f
        .client
        .build_invoke(
            address,
            &[strk_transfer(recipient, 2 * STRK_UNIT)],
            f.node.pending_timestamp().await.unwrap(),
        )
        .await
        .expect("build transfer");
    let signature =
        SessionSignature::sign_secret(&session, built.message_hash, valid_until).unwrap();
    let relayed = f
        .client
        .execute_invoke(address, &built, &signature.to_felts())
        .await
        .expect("relay transfer");
    assert!(
        wait_for_receipt(f.node.provider(), relayed.transaction_hash)
            .await
            .unwrap()
            .succeeded()
    );
    assert_eq!(f.balance(recipient).await, 2 * STRK_UNIT);
    assert_eq!(
        f.balance(address).await,
        8 * STRK_UNIT,
        "no fee taken from the wallet"
    );
    let status = SessionStatus::from_felts(
        &f.call(address, "get_session_data", vec![session.public_key()])
            .await,
    )
    .unwrap();
    assert_eq!(status.remaining_calls, 4);
    let (hash, state) = f.client.tracking(relayed.tracking_id).await.unwrap();
    assert_eq!(
        (hash, state.as_str()),
        (relayed.transaction_hash, "accepted")
    );

    // Refusals: each with its code, and the relayer sends nothing.
    let nonce = f.relayer_nonce().await;
    let built = f
        .client
        .build_invoke(
            address,
            &[strk_transfer(recipient, 1)],
            f.node.pending_timestamp().await.unwrap(),
        )
        .await
        .unwrap();
    let forged = SessionSignature::sign_secret(
        &SecretKey::generate().unwrap(),
        built.message_hash,
        valid_until,
    )
    .unwrap();
    let mut claimed = forged.to_felts();
    claimed[0] = session.public_key();
    let refused = f.client.execute_invoke(address, &built, &claimed).await;
    assert!(
        matches!(refused, Err(SessionError::Paymaster { code: 153, .. })),
        "bad signature: {refused:?}"
    );

    let approve = Call {
        to: STRK,
        selector: selector(APPROVE),
        calldata: vec![recipient, Felt::ONE, Felt::ZERO],
    };
    let built = f
        .client
        .build_invoke(
            address,
            &[approve],
            f.node.pending_timestamp().await.unwrap(),
        )
        .await
        .unwrap();
    let signature =
        SessionSignature::sign_secret(&session, built.message_hash, valid_until).unwrap();
    let refused = f
        .client
        .execute_invoke(address, &built, &signature.to_felts())
        .await;
    match refused {
        Err(SessionError::Paymaster {
            code: 156,
            data: Some(data),
            ..
        }) => {
            assert!(
                data.contains("Session: entrypoint not allowed")
                    || data.contains(
                        "0x53657373696f6e3a20656e747279706f696e74206e6f7420616c6c6f776564"
                    ),
                "{data}"
            )
        }
        other => panic!("simulation should refuse a disallowed entrypoint: {other:?}"),
    }

    let refused = f
        .client
        .build_invoke(
            f.relayer,
            &[strk_transfer(recipient, 1)],
            f.node.pending_timestamp().await.unwrap(),
        )
        .await;
    assert!(
        matches!(refused, Err(SessionError::Paymaster { code: 155, .. })),
        "unsupported class: {refused:?}"
    );
    let nowhere = SecretKey::generate().unwrap().public_key();
    let refused = f
        .client
        .build_invoke(
            nowhere,
            &[strk_transfer(recipient, 1)],
            f.node.pending_timestamp().await.unwrap(),
        )
        .await;
    assert!(
        matches!(refused, Err(SessionError::Paymaster { code: 150, .. })),
        "undeployed address: {refused:?}"
    );
    let refused = f.client.tracking(Felt::from(12345u32)).await;
    assert!(
        matches!(refused, Err(SessionError::Paymaster { code: 160, .. })),
        "unknown tracking id: {refused:?}"
    );
    assert_eq!(
        f.relayer_nonce().await,
        nonce,
        "no refused request sent a transaction"
    );
    assert_eq!(f.balance(recipient).await, 2 * STRK_UNIT);
}

#[tokio::test]
async fn sponsor_answers_bad_requests_with_spec_codes() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    let rpc = |method: &str, params: serde_json::Value| {
        let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
        let request = http.post(&f.url).json(&body);
        async move {
            request
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let tokens = rpc("paymaster_getSupportedTokens", json!([])).await;
    assert_eq!(tokens["result"][0]["decimals"], 18);
    let invoke = json!({"type": "invoke", "invoke": {"user_address": "0x1", "calls": []}});
    let answer = rpc("paymaster_buildTransaction", json!([invoke, {"version": "0x1", "fee_mode": {"mode": "default", "gas_token": STRK.to_hex_string()}}])).await;
    assert_eq!(
        answer["error"]["code"], 151,
        "only sponsored mode: {answer}"
    );
    let answer = rpc("paymaster_nothing", json!([])).await;
    assert_eq!(answer["error"]["code"], -32601);
    assert_eq!(answer["id"], 7);
    let raw = http
        .post(&f.url)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    let answer: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(answer["error"]["code"], -32700);
    let deployment = json!({"type": "deploy", "deployment": {"address": "0x1", "class_hash": format!("{:#x}", f.class_hash), "salt": "0x1", "calldata": ["0x5"], "version": 1}});
    let answer = rpc(
        "paymaster_buildTransaction",
        json!([deployment, {"version": "0x1", "fee_mode": {"mode": "sponsored"}}]),
    )
    .await;
    assert_eq!(
        answer["error"]["code"], 158,
        "address does not match the deployment data: {answer}"
    );
}
