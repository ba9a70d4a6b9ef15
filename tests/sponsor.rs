//! Gasless use of a wallet through the project's SNIP-29 sponsor on a real node: deploy with a
//! zero balance, register a session signed by the owner, transfer with the session key, and the
//! sponsor's refusals, each with its SNIP-29 code and no transaction sent.

use std::sync::{Arc, Mutex};

use chipi_session::backends::paymaster::{
    deployment_authorization, AccountDeployment, ApiKey, API_KEY_HEADER,
    DEPLOYMENT_SIGNATURE_HEADER,
};
use chipi_session::entrypoint::{selector, APPROVE, TRANSFER};
use chipi_session::{
    register_session_call, PaymasterClient, SecretKey, SessionError, SessionSignature,
    SessionStatus,
};
use devnet_harness::{wait_for_receipt, Devnet, STRK};
use local_stack::fault_proxy::{self, Fault};
use local_stack::LocalStack;
use serde_json::json;
use sponsor::SponsorConfig;
use starknet::core::types::{BlockId, BlockTag, Call, Felt, FunctionCall};
use starknet::core::utils::get_contract_address;
use starknet::providers::Provider;

const STRK_UNIT: u128 = 1_000_000_000_000_000_000;

struct Fixture {
    node: Devnet,
    client: PaymasterClient,
    url: String,
    relayer: Felt,
    relayer_key: Felt,
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
        relayer_key: relayer.private_key,
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
        let deployment = self.deployment(owner, 42);
        let address = deployment.address;
        let relayed = self
            .client
            .deploy(&deployment, &self.authorize(owner, &deployment))
            .await
            .expect("gasless deploy");
        let outcome = wait_for_receipt(self.node.provider(), relayed.transaction_hash)
            .await
            .unwrap();
        assert!(outcome.succeeded(), "{outcome:?}");
        address
    }
}

impl Fixture {
    /// The deployment of `owner`'s account of the project's class with `salt`.
    fn deployment(&self, owner: &SecretKey, salt: u8) -> AccountDeployment {
        let calldata = vec![owner.public_key()];
        let salt = Felt::from(salt);
        AccountDeployment {
            address: get_contract_address(salt, self.class_hash, &calldata, Felt::ZERO),
            class_hash: self.class_hash,
            salt,
            calldata,
        }
    }

    /// `signer`'s signature over `deployment` on this chain.
    fn authorize(&self, signer: &SecretKey, deployment: &AccountDeployment) -> [Felt; 2] {
        let hash = deployment_authorization(self.node.chain_id(), deployment.address);
        let signature = signer.sign(&hash).unwrap();
        [signature.r, signature.s]
    }
}

fn strk_transfer(to: Felt, amount: u128) -> Call {
    Call {
        to: STRK,
        selector: selector(TRANSFER),
        calldata: vec![to, Felt::from(amount), Felt::ZERO],
    }
}

impl Fixture {
    /// The opening most of these tests share: a new wallet deployed by the sponsor, a session
    /// registered gaslessly by its owner (5 calls, `transfer`, up to 10 STRK a call and an hour)
    /// and 10 STRK minted to it.
    async fn wallet_with_session(&self) -> Session {
        let owner = SecretKey::generate().unwrap();
        let address = self.deploy(&owner).await;
        let session = SecretKey::generate().unwrap();
        let valid_until = self.register(&owner, address, &session).await;
        self.node.mint_strk(address, 10 * STRK_UNIT).await.unwrap();
        Session {
            address,
            session,
            valid_until,
        }
    }

    /// The owner of `address` registers `session` gaslessly (it signs the sponsor's typed data
    /// with [r, s]); the session's expiry.
    async fn register(&self, owner: &SecretKey, address: Felt, session: &SecretKey) -> u64 {
        let valid_until = self.node.pending_timestamp().await.unwrap() + 3600;
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
        let built = self
            .client
            .build_invoke(
                address,
                &[register, limit],
                self.node.pending_timestamp().await.unwrap(),
            )
            .await
            .expect("build register");
        let signature = owner.sign(&built.message_hash).unwrap();
        let relayed = self
            .client
            .execute_invoke(address, &built, &[signature.r, signature.s])
            .await
            .expect("relay register");
        assert!(
            wait_for_receipt(self.node.provider(), relayed.transaction_hash)
                .await
                .unwrap()
                .succeeded()
        );
        valid_until
    }
}

/// A deployed wallet with a registered session.
struct Session {
    address: Felt,
    session: SecretKey,
    valid_until: u64,
}

/// A fixture, a wallet with a session there, and a fresh recipient: the wallet's address, the
/// session key, its expiry and the recipient.
async fn with_session() -> (Fixture, Felt, SecretKey, u64, Felt) {
    let f = fixture().await;
    let Session {
        address,
        session,
        valid_until,
    } = f.wallet_with_session().await;
    let recipient = SecretKey::generate().unwrap().public_key();
    (f, address, session, valid_until, recipient)
}

#[tokio::test]
async fn the_sponsor_deploys_then_relays_a_registration_and_a_session_transfer() {
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

    // The owner registers a session gaslessly.
    let session = SecretKey::generate().unwrap();
    let valid_until = f.register(&owner, address, &session).await;
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
    assert_eq!(
        relayed.tracking_id, None,
        "the sponsor answers tracking id 0x0, as the public server: the hash is what is followed"
    );
}

#[tokio::test]
async fn the_default_mode_is_priced_as_the_public_server_prices_it() {
    let (f, address, session, valid_until, recipient) = with_session().await;
    // The default (user-pays) mode, priced as the public server prices it: the suggested fee
    // leaves out the account's validation, so a session transfer signed with the suggestion
    // alone is refused at execute; raised by the class's margin (within the fee accepted) it
    // runs, and what the relayer does not use comes back in the same transaction.
    let calls = [strk_transfer(recipient, STRK_UNIT)];
    let suggested = f.client.suggested_fee(address, &calls, STRK).await.unwrap();
    let accepted = 2 * suggested;
    let paying = |margin: u32| {
        PaymasterClient::new(
            f.url.clone(),
            f.node.rpc_url().to_string(),
            f.node.chain_id(),
        )
        .with_fee_mode(chipi_session::FeeMode::Gasless {
            gas_token: STRK,
            max_fee: accepted,
        })
        .with_validation_margin(margin)
    };
    let session_sign = |hash: Felt| {
        Ok(SessionSignature::sign_secret(&session, hash, valid_until)
            .unwrap()
            .to_felts())
    };
    let now = f.node.pending_timestamp().await.unwrap();
    let unraised = paying(100)
        .submit_invoke(address, &calls, now, false, None, session_sign)
        .await;
    let Err(SessionError::Paymaster {
        code: 156,
        data: Some(data),
        signed_valid_for: Some(left),
        ..
    }) = &unraised
    else {
        panic!("the suggestion alone must not cover a session's validation: {unraised:?}");
    };
    assert!(data.contains("max amount of gas token too low"), "{data}");
    assert!(
        *left > 0 && *left <= 300,
        "told how long the signature lasts: {left}"
    );
    let required = u128::from_str_radix(
        data.rsplit("0x")
            .next()
            .unwrap()
            .trim_end_matches(['"', '}']),
        16,
    )
    .unwrap();
    println!(
        "default mode, session transfer: the server requires {required} fri at execute for a \
         suggestion of {suggested} (x{:.2})",
        required as f64 / suggested as f64
    );
    let margin = chipi_session::wallet_type::ClassProfile::of(f.class_hash)
        .unwrap()
        .validation_margin_percent;
    assert!(
        u128::from(margin) * suggested >= 100 * required,
        "the class's margin ({margin} %) covers what the server requires"
    );
    let before = f.balance(address).await;
    let relayer_before = f.balance(f.relayer).await;
    let raised = paying(margin)
        .submit_invoke(address, &calls, now, false, None, session_sign)
        .await
        .expect("raised by the class's margin, the fee covers the validation");
    assert!(wait_for_receipt(f.node.provider(), raised.transaction_hash)
        .await
        .unwrap()
        .succeeded());
    let paid = before - f.balance(address).await - STRK_UNIT;
    let signed_fee = (suggested * u128::from(margin)).div_ceil(100).min(accepted);
    assert!(
        paid > suggested && paid < signed_fee,
        "the account paid what the server required (about {required}), more than the \
         suggestion ({suggested}) but not all it signed ({signed_fee}): {paid}"
    );
    assert!(
        f.balance(f.relayer).await > relayer_before,
        "the relayer was paid more than its gas"
    );

    assert_eq!(f.balance(recipient).await, STRK_UNIT);
}

#[tokio::test]
async fn refusals_carry_their_codes_and_send_nothing() {
    let (f, address, session, valid_until, recipient) = with_session().await;
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
    assert_eq!(
        f.relayer_nonce().await,
        nonce,
        "no refused request sent a transaction"
    );
    assert_eq!(f.balance(recipient).await, 0, "nothing was transferred");
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
    assert_eq!(
        tokens["result"][1]["price_in_strk"],
        format!("{:#x}", 10_000 * STRK_UNIT),
        "ETH at its fixed local price: {tokens}"
    );
    let invoke = json!({"type": "invoke", "invoke": {"user_address": "0x1", "calls": []}});
    let answer = rpc(
        "paymaster_buildTransaction",
        json!({"transaction": invoke, "parameters": {"version": "0x1", "fee_mode": {"mode": "default", "gas_token": "0x1234"}}}),
    )
    .await;
    assert_eq!(
        answer["error"]["code"], 151,
        "fees in STRK or ETH only: {answer}"
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
        json!({"transaction": deployment, "parameters": {"version": "0x1", "fee_mode": {"mode": "sponsored"}}}),
    )
    .await;
    assert_eq!(
        answer["error"]["code"], 158,
        "address does not match the deployment data: {answer}"
    );
}

/// A request's method and the API key header it carried.
type Seen = (String, Option<String>);

/// A forwarder in front of a sponsor that records each request's method and API key header.
#[derive(Clone)]
struct KeyRecorder {
    upstream: String,
    http: reqwest::Client,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl KeyRecorder {
    async fn start(upstream: String) -> (Self, String) {
        let recorder = Self {
            upstream,
            http: reqwest::Client::new(),
            seen: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/rpc", axum::routing::post(Self::forward))
            .with_state(recorder.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/rpc", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (recorder, url)
    }

    async fn forward(
        axum::extract::State(this): axum::extract::State<Self>,
        headers: axum::http::HeaderMap,
        body: String,
    ) -> (axum::http::StatusCode, String) {
        let key = headers
            .get(API_KEY_HEADER)
            .map(|v| v.to_str().unwrap().to_owned());
        let method = serde_json::from_str::<serde_json::Value>(&body).unwrap()["method"]
            .as_str()
            .unwrap()
            .to_owned();
        this.seen.lock().unwrap().push((method, key.clone()));
        let mut request = this
            .http
            .post(&this.upstream)
            .header("content-type", "application/json")
            .body(body);
        if let Some(key) = key {
            request = request.header(API_KEY_HEADER, key);
        }
        if let Some(signature) = headers.get(DEPLOYMENT_SIGNATURE_HEADER) {
            request = request.header(DEPLOYMENT_SIGNATURE_HEADER, signature.clone());
        }
        let answer = request.send().await.unwrap();
        let status = axum::http::StatusCode::from_u16(answer.status().as_u16()).unwrap();
        (status, answer.text().await.unwrap())
    }

    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// A sponsor configured with an API key: sponsored requests without it (or with another one)
/// are refused as the public server refuses them (HTTP 200, code 163, "x-paymaster-api-key is
/// invalid"), which the client names; with it every request carries the header. In the default
/// mode no key is needed: the sponsor appends its fee transfer, the client raises it by the
/// validation margin up to the quote, and the account pays the amount and the fee the
/// transaction needed; an empty balance of the gas token is refused before anything is built.
#[tokio::test]
async fn api_key_and_fee_modes() {
    const KEY: &str = "pk_local_0123456789";
    let f = fixture().await;
    let relayer = f.node.predeployed_accounts().await.unwrap()[1].clone();
    let keyed = sponsor::start(
        &SponsorConfig::new(
            f.node.rpc_url().to_string(),
            relayer.address,
            relayer.private_key,
        )
        .with_api_key(KEY),
    )
    .await
    .unwrap();
    let (recorder, url) = KeyRecorder::start(keyed.url.clone()).await;
    let client = |key: Option<&str>| {
        PaymasterClient::new(url.clone(), f.node.rpc_url().to_string(), f.node.chain_id())
            .with_api_key(key.map(ApiKey::new))
    };
    let owner = SecretKey::generate().unwrap();
    let deployment = f.deployment(&owner, 43);
    let address = deployment.address;
    let authorization = f.authorize(&owner, &deployment);
    let relayer_nonce = f.relayer_nonce().await;
    for (key, sent) in [(None, false), (Some("pk_local_wrong"), true)] {
        let refused = client(key).deploy(&deployment, &authorization).await;
        assert!(
            matches!(refused, Err(SessionError::PaymasterApiKey { key_sent }) if key_sent == sent),
            "{refused:?}"
        );
        let words = refused.unwrap_err().to_string();
        assert!(words.contains("set a valid key"), "{words}");
    }
    assert_eq!(f.relayer_nonce().await, relayer_nonce, "nothing was sent");
    recorder.take();

    let sponsored = client(Some(KEY));
    let relayed = sponsored
        .deploy(&deployment, &authorization)
        .await
        .expect("deploy with the key");
    assert!(
        wait_for_receipt(f.node.provider(), relayed.transaction_hash)
            .await
            .unwrap()
            .succeeded()
    );
    assert!(sponsored.is_available().await.unwrap());
    let tokens = sponsored.supported_tokens().await.unwrap();
    assert_eq!(
        tokens.iter().map(|t| t.address).collect::<Vec<_>>(),
        vec![STRK, chipi_session::network::ETH]
    );
    let seen = recorder.take();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(
        seen.iter().all(|(_, key)| key.as_deref() == Some(KEY)),
        "the key travels with every request: {seen:?}"
    );

    // Default mode, no key: the fee is quoted, then appended as the last call.
    let recipient = SecretKey::generate().unwrap().public_key();
    let calls = [strk_transfer(recipient, STRK_UNIT)];
    let keyless = client(None);
    let poor = keyless.quote_fee(address, &calls, STRK).await;
    assert!(
        matches!(&poor, Err(SessionError::Paymaster { code: 156, .. })),
        "an empty account cannot pay the fee: {poor:?}"
    );
    assert!(
        poor.unwrap_err().to_string().contains("is zero"),
        "the server's reason is kept"
    );
    f.node.mint_strk(address, 5 * STRK_UNIT).await.unwrap();
    let suggested = keyless.suggested_fee(address, &calls, STRK).await.unwrap();
    let fee = keyless.quote_fee(address, &calls, STRK).await.unwrap();
    assert!(suggested > 0);
    assert_eq!(
        fee,
        (suggested
            * u128::from(chipi_session::backends::paymaster::DEFAULT_VALIDATION_MARGIN_PERCENT))
        .div_ceil(100),
        "the quote is the suggestion and the validation margin"
    );
    let eth_fee = keyless
        .quote_fee(address, &calls, chipi_session::network::ETH)
        .await;
    assert!(
        matches!(eth_fee, Err(SessionError::Paymaster { code: 156, .. })),
        "no ETH to pay with: {eth_fee:?}"
    );
    let gasless = client(None).with_fee_mode(chipi_session::FeeMode::Gasless {
        gas_token: STRK,
        max_fee: fee,
    });
    let now = f.node.pending_timestamp().await.unwrap();
    let built = gasless.build_invoke(address, &calls, now).await.unwrap();
    let appended = built.outside_execution.calls.last().unwrap();
    assert_eq!(
        (appended.to, appended.calldata.clone()),
        (STRK, vec![relayer.address, Felt::from(fee), Felt::ZERO]),
        "the fee call pays the relayer"
    );
    let signature = owner.sign(&built.message_hash).unwrap();
    let before = f.balance(address).await;
    let relayed = gasless
        .execute_invoke(address, &built, &[signature.r, signature.s])
        .await
        .unwrap();
    assert!(
        wait_for_receipt(f.node.provider(), relayed.transaction_hash)
            .await
            .unwrap()
            .succeeded()
    );
    assert_eq!(f.balance(recipient).await, STRK_UNIT);
    let paid = before - f.balance(address).await - STRK_UNIT;
    assert!(
        paid > 0 && paid < fee,
        "the fee the transaction needed, the rest refunded in it: {paid} of {fee}"
    );

    // A signed execution without the fee call is not relayed by the default mode.
    let sponsored_build = sponsored
        .build_invoke(address, &calls, f.node.pending_timestamp().await.unwrap())
        .await
        .unwrap();
    let signature = owner.sign(&sponsored_build.message_hash).unwrap();
    let unpaid = gasless
        .execute_invoke(address, &sponsored_build, &[signature.r, signature.s])
        .await;
    assert!(
        matches!(&unpaid, Err(SessionError::Paymaster { code: 156, data: Some(data), .. }) if data.contains("invalid typed data")),
        "{unpaid:?}"
    );
}

/// A JSON-RPC request's answer: HTTP status and body.
async fn post(url: &str, headers: &[(&str, &str)], body: String) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().post(url).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

/// What a web page (or a flood) could send is refused before anything reaches the node, with
/// JSON-RPC's "invalid request" and the HTTP status that says why; nothing is sent.
#[tokio::test]
async fn pages_wrong_content_types_and_oversized_bodies_are_refused() {
    let f = fixture().await;
    let before = f.relayer_nonce().await;
    let body =
        json!({"jsonrpc": "2.0", "id": 1, "method": "paymaster_getSupportedTokens", "params": []})
            .to_string();
    let json_type = ("content-type", "application/json");
    let (status, ok) = post(&f.url, &[json_type], body.clone()).await;
    assert_eq!(status, 200);
    assert!(ok["result"].is_array(), "{ok}");
    let (status, ok) = post(
        &f.url,
        &[("content-type", "application/json; charset=utf-8")],
        body.clone(),
    )
    .await;
    assert_eq!((status, ok["result"].is_array()), (200, true));

    let refusals = [
        (
            vec![json_type, ("origin", "https://page.example")],
            body.clone(),
            403,
        ),
        (vec![json_type, ("origin", "null")], body.clone(), 403),
        (vec![("content-type", "text/plain")], body.clone(), 415),
        (
            vec![("content-type", "application/x-www-form-urlencoded")],
            body.clone(),
            415,
        ),
        (vec![], body.clone(), 415),
        (
            vec![json_type],
            json!({"jsonrpc": "2.0", "id": 1, "method": "paymaster_getSupportedTokens",
                   "params": ["x".repeat(sponsor::server::MAX_BODY_BYTES)]})
            .to_string(),
            413,
        ),
    ];
    for (headers, body, expected) in refusals {
        let (status, answer) = post(&f.url, &headers, body).await;
        assert_eq!(status, expected, "{headers:?}: {answer}");
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
        assert!(answer.get("result").is_none());
    }
    assert_eq!(f.relayer_nonce().await, before, "nothing was sent");
}

/// A node that stops answering: each request gives up after the sponsor's node timeout with
/// the spec's unknown error and no internal detail, the submission lock is free again, and the
/// sponsor serves as soon as the node answers again. Nothing is sent meanwhile.
#[tokio::test]
async fn a_hung_node_times_out_without_stalling_the_sponsor() {
    let f = fixture().await;
    let (proxy, faults) = fault_proxy::start(f.node.rpc_url().to_string())
        .await
        .unwrap();
    let mut config = SponsorConfig::new(proxy, f.relayer, f.relayer_key);
    config.node_timeout = std::time::Duration::from_secs(2);
    let running = sponsor::start(&config).await.expect("the sponsor starts");
    let before = f.relayer_nonce().await;
    // An invoke for an account the sponsor must look up on the node first.
    let build = json!({"jsonrpc": "2.0", "id": 3, "method": "paymaster_buildTransaction",
        "params": {"transaction": {"type": "invoke", "invoke": {"user_address": format!("{:#x}", f.relayer),
            "calls": [{"to": format!("{STRK:#x}"), "selector": format!("{:#x}", selector(TRANSFER)),
                       "calldata": ["0x1", "0x1", "0x0"]}]}},
                   "parameters": {"version": "0x1", "fee_mode": {"mode": "sponsored"}}}})
    .to_string();
    let json_type = [("content-type", "application/json")];
    let (_, direct) = post(&f.url, &json_type, build.clone()).await;
    assert_ne!(
        direct["error"]["code"], 163,
        "the node answers directly: {direct}"
    );
    faults.set(Fault::Hang);
    for _ in 0..2 {
        // Two in a row: the second is not stuck behind the first.
        let (status, answer) = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            post(&running.url, &json_type, build.clone()),
        )
        .await
        .expect("the sponsor answers although the node does not");
        assert_eq!(status, 200);
        assert_eq!(answer["error"]["code"], 163, "{answer}");
        assert!(
            answer["error"].get("data").is_none(),
            "no internal detail: {answer}"
        );
    }
    faults.clear();
    let (_, answer) = post(&running.url, &json_type, build).await;
    assert_eq!(
        answer, direct,
        "serves again as the sponsor on the node itself"
    );
    assert_eq!(f.relayer_nonce().await, before, "nothing was sent");
}

/// A sponsor people could run for others pays for nothing it was not asked for by the key that
/// controls the account: a deployment without the owner's signature over it (none, a garbled
/// one, another key's, or one made for another chain) is refused with INVALID_SIGNATURE; a
/// transaction that could cost the relayer more than its cap is refused with
/// MAX_AMOUNT_TOO_LOW; an account past its quota gets HTTP 429 and the spec's unknown error
/// with the reason, while another account is still served. The relayer's nonce shows that
/// nothing was sent for any refusal.
#[tokio::test]
async fn deployments_need_the_owner_signature_fees_a_cap_and_accounts_a_quota() {
    let f = fixture().await;
    let owner = SecretKey::generate().unwrap();
    let deployment = f.deployment(&owner, 44);
    let before = f.relayer_nonce().await;

    let stranger = SecretKey::generate().unwrap();
    let other_chain = {
        let hash = deployment_authorization(Felt::from(0x5eed_u64), deployment.address);
        let signature = owner.sign(&hash).unwrap();
        vec![signature.r, signature.s]
    };
    let refusals: [(&str, Vec<Felt>); 4] = [
        ("no signature", vec![]),
        ("a garbled one", vec![Felt::ONE, Felt::TWO]),
        (
            "another key's",
            f.authorize(&stranger, &deployment).to_vec(),
        ),
        ("one for another chain", other_chain),
    ];
    for (what, signature) in refusals {
        let refused = f.client.deploy(&deployment, &signature).await;
        assert!(
            matches!(refused, Err(SessionError::Paymaster { code: 153, .. })),
            "{what}: {refused:?}"
        );
    }
    // Without the header at all, at the build and at the execution.
    let request = |method: &str| {
        json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": {
            "transaction": {"type": "deploy", "deployment": deployment.to_json()},
            "parameters": {"version": "0x1", "fee_mode": {"mode": "sponsored"}}}})
        .to_string()
    };
    for method in ["paymaster_buildTransaction", "paymaster_executeTransaction"] {
        let (status, answer) = post(
            &f.url,
            &[("content-type", "application/json")],
            request(method),
        )
        .await;
        assert_eq!((status, answer["error"]["code"].clone()), (200, json!(153)));
    }
    assert_eq!(f.relayer_nonce().await, before, "nothing was sent");
    assert!(
        f.node
            .provider()
            .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), deployment.address)
            .await
            .is_err(),
        "not deployed"
    );

    // A sponsor whose cap is below any real fee: the signed deployment is refused, unsent.
    let accounts = f.node.predeployed_accounts().await.unwrap();
    let mut capped = SponsorConfig::new(
        f.node.rpc_url().to_string(),
        accounts[2].address,
        accounts[2].private_key,
    );
    capped.max_fee = 1000;
    let capped = sponsor::start(&capped).await.unwrap();
    let capped_nonce = f.node.nonce(accounts[2].address).await.unwrap();
    let client = |url: &str| {
        PaymasterClient::new(
            url.to_owned(),
            f.node.rpc_url().to_string(),
            f.node.chain_id(),
        )
    };
    let over = client(&capped.url)
        .deploy(&deployment, &f.authorize(&owner, &deployment))
        .await;
    let Err(SessionError::Paymaster {
        code: 154, data, ..
    }) = &over
    else {
        panic!("over the cap: {over:?}");
    };
    assert!(
        data.as_deref().is_some_and(|d| d.contains("cap of 1000")),
        "{data:?}"
    );
    assert_eq!(
        f.node.nonce(accounts[2].address).await.unwrap(),
        capped_nonce
    );

    // One transaction an hour per account: the deployment passes, the account's next
    // transaction does not; another account's deployment still does.
    let mut config = SponsorConfig::new(
        f.node.rpc_url().to_string(),
        accounts[0].address,
        accounts[0].private_key,
    );
    config.quota_per_hour = 1;
    let limited = sponsor::start(&config).await.unwrap();
    let relayed = client(&limited.url)
        .deploy(&deployment, &f.authorize(&owner, &deployment))
        .await
        .expect("the first transaction is within the quota");
    assert!(
        wait_for_receipt(f.node.provider(), relayed.transaction_hash)
            .await
            .unwrap()
            .succeeded()
    );
    let limited_nonce = f.node.nonce(accounts[0].address).await.unwrap();
    let calls = [strk_transfer(f.relayer, 0)];
    let now = f.node.pending_timestamp().await.unwrap();
    let quota_client = client(&limited.url);
    let built = quota_client
        .build_invoke(deployment.address, &calls, now)
        .await
        .expect("building costs nothing and is not counted");
    let signature = owner.sign(&built.message_hash).unwrap();
    let past = quota_client
        .execute_invoke(deployment.address, &built, &[signature.r, signature.s])
        .await;
    let Err(SessionError::Paymaster {
        code: 163, data, ..
    }) = &past
    else {
        panic!("past the quota: {past:?}");
    };
    assert!(
        data.as_deref().is_some_and(|d| d.contains("quota")),
        "{data:?}"
    );
    let (status, _) = post(
        &limited.url,
        &[("content-type", "application/json")],
        json!({"jsonrpc": "2.0", "id": 1, "method": "paymaster_executeTransaction", "params": {
            "transaction": {"type": "invoke", "invoke": {"user_address": format!("{:#x}", deployment.address),
             "typed_data": built.typed_data, "signature": [
                 format!("{:#x}", signature.r), format!("{:#x}", signature.s)]}},
            "parameters": {"version": "0x1", "fee_mode": {"mode": "sponsored"}}}})
        .to_string(),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(
        f.node.nonce(accounts[0].address).await.unwrap(),
        limited_nonce
    );
    let second = SecretKey::generate().unwrap();
    let other = f.deployment(&second, 45);
    client(&limited.url)
        .deploy(&other, &f.authorize(&second, &other))
        .await
        .expect("another account has its own quota");
}
