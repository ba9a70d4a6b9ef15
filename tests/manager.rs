//! The session manager end to end on a real node through the project's sponsor: a wallet made
//! and deployed gaslessly, a session set up with an allowlist and a spending limit, gasless
//! transfers, every refusal typed and sent nowhere, revocation, a READY wallet, a wrong PIN.

use std::sync::{Arc, Mutex};

use chipi_session::backends::paymaster::DEPLOYMENT_SIGNATURE_HEADER;
use chipi_session::entrypoint::{selector, APPROVE, TRANSFER};
use chipi_session::session::state::SessionState;
use chipi_session::wallet_type::READY_CLASS_HASH;
use chipi_session::{
    Clock, DirectBackend, ManagerConfig, ManualClock, NoStore, NodeClient, PaymasterClient,
    PolicySpec, RegisterParams, SecretKey, SessionError, SessionManager, SessionRecord,
    SessionStore, UncheckedPolicies, UnlockedOwner, Wallet,
};
use devnet_harness::{Devnet, STRK};
use local_stack::LocalStack;
use starknet::core::types::{BlockId, BlockTag, Call, Felt};
use starknet::providers::Provider;

const STRK_UNIT: u128 = 1_000_000_000_000_000_000;
const PIN: &str = "4821";

struct Fixture {
    node: Devnet,
    sponsor_url: String,
    relayer: Felt,
    class_hash: Felt,
    clock: Arc<ManualClock>,
}

async fn fixture() -> Fixture {
    let LocalStack {
        node,
        class_hash,
        relayer,
        sponsor_url,
        ..
    } = LocalStack::start().await.expect("the local stack starts");
    let clock = Arc::new(ManualClock::new(node.pending_timestamp().await.unwrap()));
    Fixture {
        node,
        sponsor_url,
        relayer: relayer.address,
        class_hash,
        clock,
    }
}

impl Fixture {
    fn manager(&self, wallet: Wallet) -> (SessionManager, PaymasterClient) {
        self.manager_via(wallet, &self.sponsor_url.clone())
    }

    /// A manager whose paymaster is at `url` (a hostile proxy in some tests).
    fn manager_via(&self, wallet: Wallet, url: &str) -> (SessionManager, PaymasterClient) {
        let paymaster = PaymasterClient::new(
            url.to_owned(),
            self.node.rpc_url().to_string(),
            self.node.chain_id(),
        );
        self.manager_with(wallet, paymaster)
    }

    fn manager_with(
        &self,
        wallet: Wallet,
        paymaster: PaymasterClient,
    ) -> (SessionManager, PaymasterClient) {
        let manager = SessionManager::new(
            wallet,
            NodeClient::new(self.node.rpc_url().to_string()),
            Arc::new(paymaster.clone()),
            self.clock.clone(),
            Arc::new(NoStore),
            ManagerConfig::default(),
            None,
        );
        (manager, paymaster)
    }

    async fn balance(&self, who: Felt) -> u128 {
        self.node.erc20_balance(STRK, who).await.unwrap()
    }

    async fn relayer_nonce(&self) -> Felt {
        self.node.nonce(self.relayer).await.unwrap()
    }

    /// Moves the node and the manager's clock forward together.
    async fn advance(&self, seconds: u64) {
        self.node.increase_time(seconds).await.unwrap();
        self.clock.advance(seconds);
    }
}

async fn account_nonce(f: &Fixture, address: Felt) -> Felt {
    f.node
        .provider()
        .get_nonce(BlockId::Tag(BlockTag::PreConfirmed), address)
        .await
        .unwrap()
}

async fn sent_nothing(f: &Fixture, paymaster: &PaymasterClient, before: (Felt, u64)) {
    assert_eq!(
        f.relayer_nonce().await,
        before.0,
        "the relayer sent nothing"
    );
    assert_eq!(
        paymaster.round_trips(),
        before.1,
        "the sponsor was not asked"
    );
}

/// The wallet's owner key, opened once with the test PIN.
fn owner(manager: &SessionManager) -> UnlockedOwner {
    manager
        .wallet()
        .unlock_owner(PIN)
        .expect("the test PIN opens the owner key")
}

fn strk_transfer(to: Felt, amount: u128) -> Call {
    Call {
        to: STRK,
        selector: selector(TRANSFER),
        calldata: vec![to, Felt::from(amount), Felt::ZERO],
    }
}

/// STRK transfers only, at most 5 STRK a call and `per_hour` STRK an hour, `max_calls` calls.
fn transfers_only(max_calls: u32, per_hour: u128) -> RegisterParams {
    RegisterParams {
        valid_until: None,
        max_calls: Some(max_calls),
        allowed_entrypoints: vec![selector(TRANSFER)],
        allowed_calls: vec![],
        spending_policies: vec![PolicySpec {
            token: STRK,
            max_per_call: 5 * STRK_UNIT,
            max_per_window: per_hour * STRK_UNIT,
            window_seconds: 3600,
        }],
        network_tokens: vec![],
    }
}

/// A deployed, funded wallet with a registered session: transfers allowed only, at most 5 STRK
/// a call and 8 STRK an hour, 4 calls.
async fn active_session(f: &Fixture) -> (SessionManager, PaymasterClient) {
    active_session_via(f, &f.sponsor_url, transfers_only(4, 8)).await
}

/// A deployed wallet holding 100 STRK with a session registered as `params` says, through the
/// paymaster at `url`.
async fn active_session_via(
    f: &Fixture,
    url: &str,
    params: RegisterParams,
) -> (SessionManager, PaymasterClient) {
    let wallet = Wallet::create(f.class_hash, PIN).unwrap();
    let (manager, paymaster) = f.manager_via(wallet, url);
    manager
        .deploy_wallet(&owner(&manager))
        .await
        .expect("gasless deploy");
    f.node
        .mint_strk(manager.wallet().address, 100 * STRK_UNIT)
        .await
        .unwrap();
    manager
        .create_session(Some(3600), &owner(&manager))
        .unwrap();
    let view = manager
        .register_session(params, &owner(&manager))
        .await
        .expect("register");
    assert_eq!(view.state, SessionState::Active);
    (manager, paymaster)
}

#[tokio::test]
async fn gasless_wallet_session_and_transfers() {
    let f = fixture().await;
    let wallet = Wallet::create(f.class_hash, PIN).unwrap();
    let address = wallet.address;
    let (manager, paymaster) = f.manager(wallet);
    assert_eq!(manager.state(), SessionState::None);
    // Every change is pushed to a listener: states and busy flags as they happen.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    manager.set_listener(move |view| log.lock().unwrap().push((view.state, view.busy)));

    // Deployed by the sponsor: the wallet never held anything.
    manager
        .deploy_wallet(&owner(&manager))
        .await
        .expect("gasless deploy");
    assert_eq!(f.balance(address).await, 0);

    // Created: local only, and not mistaken for revoked once the chain is read.
    let view = manager.create_session(None, &owner(&manager)).unwrap();
    assert_eq!(view.state, SessionState::Created);
    assert_eq!(
        view.valid_until,
        Some(f.clock.now() + 21_600),
        "default duration 6 h"
    );
    assert_eq!(
        manager.refresh_status().await.unwrap().state,
        SessionState::Created
    );
    let early = manager
        .execute_with_session(vec![strk_transfer(f.relayer, 1)], Some(PIN))
        .await;
    assert!(
        matches!(early, Err(SessionError::SessionNotRegistered)),
        "{early:?}"
    );

    // Bad parameters are refused locally; the session stays created.
    let zero = manager.create_session(Some(0), &owner(&manager));
    assert_eq!(
        zero.unwrap_err().sdk_code(),
        Some("SESSION_CREATION_FAILED")
    );
    assert!(matches!(
        manager.create_session(None, &owner(&manager)),
        Err(SessionError::SessionExists)
    ));
    let inverted = PolicySpec {
        token: STRK,
        max_per_call: 10,
        max_per_window: 5,
        window_seconds: 60,
    };
    let bad = RegisterParams {
        spending_policies: vec![inverted],
        ..RegisterParams::default()
    };
    let refused = manager.register_session(bad, &owner(&manager)).await;
    assert!(
        matches!(refused, Err(SessionError::InvalidSpendingPolicy(_))),
        "{refused:?}"
    );
    let bad = RegisterParams {
        max_calls: Some(0),
        ..RegisterParams::default()
    };
    assert!(matches!(
        manager.register_session(bad, &owner(&manager)).await,
        Err(SessionError::InvalidSessionParams(_))
    ));
    assert_eq!(
        paymaster.round_trips(),
        2,
        "only the deployment reached the sponsor"
    );
    assert_eq!(manager.state(), SessionState::Created);

    let params = transfers_only(10, 20);
    let view = manager
        .register_session(params, &owner(&manager))
        .await
        .expect("register");
    assert_eq!(view.state, SessionState::Active);
    assert_eq!(view.remaining_calls, Some(10));
    assert_eq!(
        view.allowed_entrypoints,
        vec![format!("{:#x}", selector(TRANSFER))]
    );
    assert_eq!(
        view.spending_limits[0].max_per_call,
        (5 * STRK_UNIT).to_string()
    );
    assert_eq!(f.balance(address).await, 0, "registration was sponsored");
    {
        let seen = seen.lock().unwrap();
        assert!(
            seen.iter()
                .any(|(state, busy)| *state == SessionState::Registering && busy.registering),
            "registering shown while pending"
        );
        assert!(
            !seen
                .iter()
                .any(|(state, _)| *state == SessionState::Revoked),
            "never shown as revoked"
        );
        assert_eq!(
            seen.last().unwrap().1,
            Default::default(),
            "nothing busy at the end"
        );
    }

    // One transfer, then a batch of two: one call of the budget each, fees paid by the sponsor.
    f.node.mint_strk(address, 50 * STRK_UNIT).await.unwrap();
    let alice = SecretKey::generate().unwrap().public_key();
    let bob = SecretKey::generate().unwrap().public_key();
    let node_before = manager.node().round_trips();
    let sponsor_before = paymaster.round_trips();
    let one = manager
        .transfer(STRK, alice, 2 * STRK_UNIT, Some(PIN))
        .await
        .expect("single transfer");
    assert_eq!(one.remaining_calls, 9);
    assert_eq!(
        paymaster.round_trips() - sponsor_before,
        2,
        "build + execute, no status read"
    );
    let batch = manager
        .execute_with_session(
            vec![
                strk_transfer(alice, STRK_UNIT),
                strk_transfer(bob, 3 * STRK_UNIT),
            ],
            Some(PIN),
        )
        .await
        .expect("batch transfer");
    assert_eq!(batch.remaining_calls, 8);
    assert!(seen.lock().unwrap().iter().any(|(_, busy)| busy.executing));
    assert_eq!(paymaster.round_trips() - sponsor_before, 4);
    eprintln!(
        "round trips for two executes: sponsor {}, node {} (receipt polls only)",
        paymaster.round_trips() - sponsor_before,
        manager.node().round_trips() - node_before
    );
    assert_eq!(f.balance(alice).await, 3 * STRK_UNIT);
    assert_eq!(f.balance(bob).await, 3 * STRK_UNIT);
    assert_eq!(
        f.balance(address).await,
        44 * STRK_UNIT,
        "exactly the amounts left the wallet"
    );

    // The chain agrees with the manager's count.
    let view = manager.refresh_status().await.unwrap();
    assert_eq!(view.remaining_calls, Some(8));
    assert_eq!(
        view.spending_limits[0].spent_in_window,
        (6 * STRK_UNIT).to_string()
    );
}

#[tokio::test]
async fn refusals_are_typed_and_send_nothing() {
    let f = fixture().await;
    let (manager, paymaster) = active_session(&f).await;
    let address = manager.wallet().address;
    let carol = SecretKey::generate().unwrap().public_key();

    // Over the per-call limit, and a disallowed entrypoint.
    let before = (f.relayer_nonce().await, paymaster.round_trips());
    let over = manager
        .transfer(STRK, carol, 6 * STRK_UNIT, Some(PIN))
        .await;
    assert!(
        matches!(over, Err(SessionError::SpendingLimit { per: "call", .. })),
        "{over:?}"
    );
    assert_eq!(
        over.unwrap_err().sdk_code(),
        Some("INVALID_SPENDING_POLICY")
    );
    let approve = Call {
        to: STRK,
        selector: selector(APPROVE),
        calldata: vec![carol, Felt::ONE, Felt::ZERO],
    };
    let refused = manager.execute_with_session(vec![approve], Some(PIN)).await;
    assert!(
        matches!(refused, Err(SessionError::EntrypointNotAllowed { .. })),
        "{refused:?}"
    );
    // A token the session has no limit for is refused before anything is signed.
    let eth = Felt::from_hex("0x049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7")
        .unwrap();
    let no_policy = manager.transfer(eth, carol, 1, Some(PIN)).await;
    assert!(
        matches!(no_policy, Err(SessionError::NoSpendingPolicy { contract }) if contract == eth),
        "{no_policy:?}"
    );
    sent_nothing(&f, &paymaster, before).await;

    // Forgetting a session that is active on chain needs the PIN.
    assert!(matches!(
        manager.clear_session(None).await,
        Err(SessionError::SessionStillActive)
    ));
    assert!(matches!(
        manager.wallet().unlock_owner("0000"),
        Err(SessionError::WrongPin)
    ));
    // Another wallet's owner key opens nothing here.
    let stranger = Wallet::import_key(
        Felt::ONE,
        READY_CLASS_HASH,
        &SecretKey::generate().unwrap(),
        PIN,
    )
    .unwrap()
    .unlock_owner(PIN)
    .unwrap();
    assert!(matches!(
        manager.clear_session(Some(&stranger)).await,
        Err(SessionError::WrongPin)
    ));
    assert!(matches!(
        manager.revoke_session(&stranger).await,
        Err(SessionError::WrongPin)
    ));
    assert_eq!(manager.state(), SessionState::Active, "still there");
    // An export never reuses the PIN and is refused under a short passphrase.
    for weak in [PIN, "short"] {
        assert!(matches!(
            manager.export_session(PIN, weak),
            Err(SessionError::WeakExportPassphrase)
        ));
    }
    let exported = manager
        .export_session(PIN, "a long export passphrase")
        .unwrap();
    assert!(
        exported.import(PIN).is_err(),
        "the export is not encrypted with the PIN"
    );
    assert_eq!(
        exported
            .import("a long export passphrase")
            .unwrap()
            .public_key(),
        manager.record().unwrap().public_key
    );
    // A local refusal changed nothing on chain, so the card keeps its numbers (no "unknown").
    let view = manager.view();
    assert!(view.remaining_calls.is_some(), "{view:?}");
    assert_eq!(view.state, SessionState::Active);

    // The window: 5 + 3 fit in 8, one more does not; the error says so before sending.
    manager.refresh_status().await.unwrap();
    manager
        .transfer(STRK, carol, 5 * STRK_UNIT, Some(PIN))
        .await
        .expect("within limits");
    manager
        .transfer(STRK, carol, 3 * STRK_UNIT, Some(PIN))
        .await
        .expect("fills the window");
    let before = (f.relayer_nonce().await, paymaster.round_trips());
    let over = manager.transfer(STRK, carol, 1, Some(PIN)).await;
    assert!(
        matches!(over, Err(SessionError::SpendingLimit { per: "window", .. })),
        "{over:?}"
    );
    sent_nothing(&f, &paymaster, before).await;

    // Exhaustion: 4 calls, 2 used; the window resets after an hour.
    f.advance(600).await;
    manager.refresh_status().await.unwrap();
    let before_balance = f.balance(carol).await;
    let over = manager.transfer(STRK, carol, 1, Some(PIN)).await;
    assert!(
        matches!(over, Err(SessionError::SpendingLimit { .. })),
        "still the same window: {over:?}"
    );
    f.advance(3000).await;
    // Expiry: valid for 3600 s from creation; the clock is now past it.
    manager.refresh_status().await.unwrap();
    let before = (f.relayer_nonce().await, paymaster.round_trips());
    let expired = manager.transfer(STRK, carol, 1, Some(PIN)).await;
    assert!(
        matches!(expired, Err(SessionError::SessionExpired { .. })),
        "{expired:?}"
    );
    assert_eq!(expired.unwrap_err().sdk_code(), Some("SESSION_EXPIRED"));
    assert_eq!(manager.state(), SessionState::Expired);
    sent_nothing(&f, &paymaster, before).await;
    assert_eq!(f.balance(carol).await, before_balance);
    let _ = address;
}

#[tokio::test]
async fn exhaustion_revocation_wrong_pin_and_ready_wallets() {
    let f = fixture().await;
    let (manager, paymaster) = active_session(&f).await;
    let dave = SecretKey::generate().unwrap().public_key();

    // A wrong PIN opens nothing, sends nothing, and leaves the session as it was.
    let record = manager.record();
    let before = (f.relayer_nonce().await, paymaster.round_trips());
    assert!(matches!(
        manager.transfer(STRK, dave, 1, Some("0000")).await,
        Err(SessionError::WrongPin)
    ));
    assert!(matches!(
        manager.wallet().unlock_owner("0000"),
        Err(SessionError::WrongPin)
    ));
    assert_eq!(manager.record(), record);
    assert_eq!(manager.state(), SessionState::Active);
    assert_eq!((f.relayer_nonce().await, paymaster.round_trips()), before);
    assert_eq!(
        manager.view().last_error.unwrap().code,
        Some("SESSION_DECRYPTION_FAILED")
    );
    // Nor with the key open in memory: a PIN that is given is always checked.
    manager.unlock_session(PIN).unwrap();
    assert!(matches!(
        manager.transfer(STRK, dave, 1, Some("0000")).await,
        Err(SessionError::WrongPin)
    ));
    assert_eq!((f.relayer_nonce().await, paymaster.round_trips()), before);
    manager.lock_session();

    // Two executions at once: serialised, both land, no nonce reused.
    let manager = Arc::new(manager);
    let (a, b) = tokio::join!(
        manager.transfer(STRK, dave, 1, Some(PIN)),
        manager.transfer(STRK, dave, 2, Some(PIN))
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_ne!(a.transaction_hash, b.transaction_hash);
    assert_eq!(
        [
            a.remaining_calls.min(b.remaining_calls),
            a.remaining_calls.max(b.remaining_calls)
        ],
        [2, 3]
    );
    assert_eq!(f.balance(dave).await, 3);

    // Budget of 4: two more, then exhaustion, locally.
    manager.transfer(STRK, dave, 1, Some(PIN)).await.unwrap();
    let last = manager.transfer(STRK, dave, 1, Some(PIN)).await.unwrap();
    assert_eq!(last.remaining_calls, 0);
    let before = (f.relayer_nonce().await, paymaster.round_trips());
    let exhausted = manager.transfer(STRK, dave, 1, Some(PIN)).await;
    assert!(
        matches!(exhausted, Err(SessionError::CallsExhausted)),
        "{exhausted:?}"
    );
    assert_eq!((f.relayer_nonce().await, paymaster.round_trips()), before);
    manager.refresh_status().await.unwrap();
    assert_eq!(manager.state(), SessionState::Expired, "out of calls");

    // Revoke (owner-signed, sponsored), then execution is refused.
    let view = manager
        .revoke_session(&owner(&manager))
        .await
        .expect("revoke");
    assert_eq!(view.state, SessionState::Revoked);
    // The view the revocation returns names its transaction, the one the chain has.
    let revocation = Felt::from_hex(view.owner_transaction.as_deref().unwrap()).unwrap();
    let receipt = f
        .node
        .rpc(
            "starknet_getTransactionReceipt",
            serde_json::json!({"transaction_hash": format!("{revocation:#x}")}),
        )
        .await
        .unwrap();
    assert_eq!(receipt["execution_status"], "SUCCEEDED");
    assert!(
        manager.view().owner_transaction.is_some(),
        "kept until the next registration or revocation"
    );
    let revoked = manager.transfer(STRK, dave, 1, Some(PIN)).await;
    assert!(
        matches!(revoked, Err(SessionError::SessionRevoked)),
        "{revoked:?}"
    );
    manager.clear_session(None).await.unwrap();
    assert_eq!(manager.state(), SessionState::None);

    // A READY wallet: every session operation is refused before any network call.
    let key = SecretKey::generate().unwrap();
    let ready = Wallet::import_key(Felt::from(0x1234u16), READY_CLASS_HASH, &key, PIN).unwrap();
    let (ready, _) = f.manager(ready);
    assert!(matches!(
        ready.create_session(None, &owner(&ready)),
        Err(SessionError::WalletUnsupported { .. })
    ));
    assert!(matches!(
        ready.refresh_status().await,
        Err(SessionError::WalletUnsupported { .. })
    ));
    let refused = ready.transfer(STRK, dave, 1, Some(PIN)).await;
    assert!(matches!(
        refused,
        Err(SessionError::WalletUnsupported { .. })
    ));
    assert_eq!(
        refused.unwrap_err().sdk_code(),
        Some("INVALID_WALLET_TYPE_FOR_SESSION")
    );
    assert_eq!(ready.node().round_trips(), 0);
}

#[tokio::test]
async fn direct_fee_paying_path_never_reuses_a_nonce() {
    let f = fixture().await;
    let wallet = Wallet::create(f.class_hash, PIN).unwrap();
    let address = wallet.address;
    let (sponsored, _) = f.manager(wallet.clone());
    sponsored
        .deploy_wallet(&owner(&sponsored))
        .await
        .expect("deploy");
    f.node.mint_strk(address, 100 * STRK_UNIT).await.unwrap();

    // The same wallet, now paying its own fees: owner-signed registration, session-signed transfers.
    let direct = DirectBackend::new(f.node.rpc_url().as_ref(), f.node.chain_id()).unwrap();
    let manager = Arc::new(SessionManager::new(
        wallet,
        NodeClient::new(f.node.rpc_url().to_string()),
        Arc::new(direct),
        f.clock.clone(),
        Arc::new(NoStore),
        ManagerConfig::default(),
        None,
    ));
    manager
        .create_session(Some(3600), &owner(&manager))
        .unwrap();
    let params = RegisterParams {
        max_calls: Some(3),
        allowed_entrypoints: vec![selector(TRANSFER)],
        // STRK is also the fee token: the direct path's fees must fit its per-call limit.
        spending_policies: vec![PolicySpec {
            token: STRK,
            max_per_call: 10 * STRK_UNIT,
            max_per_window: 10 * STRK_UNIT,
            window_seconds: 3600,
        }],
        ..RegisterParams::default()
    };
    manager
        .register_session(params, &owner(&manager))
        .await
        .expect("owner-signed INVOKE");
    let before = account_nonce(&f, address).await;
    let erin = SecretKey::generate().unwrap().public_key();
    let (a, b) = tokio::join!(
        manager.transfer(STRK, erin, 5, Some(PIN)),
        manager.transfer(STRK, erin, 7, Some(PIN))
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_ne!(a.transaction_hash, b.transaction_hash);
    assert_eq!(
        account_nonce(&f, address).await,
        before + Felt::TWO,
        "two INVOKEs, two consecutive nonces"
    );
    assert_eq!(f.balance(erin).await, 12);
    assert!(
        f.balance(address).await < 100 * STRK_UNIT - 12,
        "the account paid its fees"
    );
    assert_eq!(
        manager.refresh_status().await.unwrap().remaining_calls,
        Some(1)
    );
}

/// How the hostile sponsor alters what the real one answers.
#[derive(Debug, Clone, PartialEq)]
enum Hostility {
    /// Passes everything through.
    Honest,
    /// Rewrites a field of the built typed data (a JSON pointer and its new value).
    Alter(&'static str, serde_json::Value),
    /// Appends a call to the built outside execution.
    AppendCall(serde_json::Value),
    /// Relays the execution, waits for it to land, then answers with an error.
    FailAfterExecuting,
}

/// A sponsor in front of the real one that alters its answers as told.
#[derive(Clone)]
struct HostileSponsor {
    upstream: String,
    rpc_url: String,
    http: reqwest::Client,
    mode: Arc<Mutex<Hostility>>,
    executes: Arc<std::sync::atomic::AtomicU64>,
    last_nonce: Arc<Mutex<Option<serde_json::Value>>>,
}

impl HostileSponsor {
    async fn start(f: &Fixture) -> (Self, String) {
        let proxy = Self {
            upstream: f.sponsor_url.clone(),
            rpc_url: f.node.rpc_url().to_string(),
            http: reqwest::Client::new(),
            mode: Arc::new(Mutex::new(Hostility::Honest)),
            executes: Arc::default(),
            last_nonce: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/", axum::routing::post(Self::handle))
            .with_state(proxy.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (proxy, url)
    }

    fn set(&self, mode: Hostility) {
        *self.mode.lock().unwrap() = mode;
    }

    fn executes(&self) -> u64 {
        self.executes.load(std::sync::atomic::Ordering::SeqCst)
    }

    async fn handle(
        axum::extract::State(proxy): axum::extract::State<Self>,
        headers: axum::http::HeaderMap,
        body: String,
    ) -> axum::Json<serde_json::Value> {
        let request: serde_json::Value = serde_json::from_str(&body).unwrap();
        let method = request["method"].as_str().unwrap_or_default().to_owned();
        if method == "paymaster_executeTransaction" {
            proxy
                .executes
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        let mut forwarded = proxy.http.post(&proxy.upstream).json(&request);
        // The owner's signature of a deployment travels on, like any client's header.
        if let Some(signature) = headers.get(DEPLOYMENT_SIGNATURE_HEADER) {
            forwarded = forwarded.header(DEPLOYMENT_SIGNATURE_HEADER, signature.clone());
        }
        let mut answer: serde_json::Value = forwarded.send().await.unwrap().json().await.unwrap();
        let mode = proxy.mode.lock().unwrap().clone();
        if method == "paymaster_buildTransaction" {
            let typed = &mut answer["result"]["typed_data"];
            match &mode {
                Hostility::Alter(pointer, value) => {
                    *typed.pointer_mut(pointer).unwrap() = value.clone()
                }
                Hostility::AppendCall(call) => typed["message"]["Calls"]
                    .as_array_mut()
                    .unwrap()
                    .push(call.clone()),
                _ => {}
            }
            *proxy.last_nonce.lock().unwrap() = Some(typed["message"]["Nonce"].clone());
        }
        if method == "paymaster_executeTransaction" && mode == Hostility::FailAfterExecuting {
            let hash =
                Felt::from_hex(answer["result"]["transaction_hash"].as_str().unwrap()).unwrap();
            NodeClient::new(proxy.rpc_url.clone())
                .wait_for_receipt(hash, Default::default())
                .await
                .unwrap();
            answer = serde_json::json!({"jsonrpc": "2.0", "id": 1,
                "error": {"code": 163, "message": "unknown error"}});
        }
        axum::Json(answer)
    }
}

#[tokio::test]
async fn a_hostile_sponsor_gets_nothing_signed() {
    let f = fixture().await;
    let (proxy, url) = HostileSponsor::start(&f).await;
    let (manager, paymaster) = active_session_via(&f, &url, transfers_only(20, 20)).await;
    let erin = SecretKey::generate().unwrap().public_key();
    // An honest transfer pins the relayer and leaves a used nonce behind.
    manager.transfer(STRK, erin, 1, Some(PIN)).await.unwrap();
    assert_eq!(paymaster.pinned_caller(), Some(f.relayer));
    let used_nonce = proxy.last_nonce.lock().unwrap().clone().unwrap();
    let hex = |f: Felt| serde_json::json!(format!("{f:#x}"));
    let later = hex(Felt::from(f.clock.now() + 3 * 3600));
    let fee_call = |amount: u128| {
        serde_json::json!({"To": format!("{STRK:#x}"), "Selector": format!("{:#x}", selector(TRANSFER)),
            "Calldata": [format!("{:#x}", f.relayer), format!("{amount:#x}"), "0x0"]})
    };
    let cases = [
        (
            "caller",
            Hostility::Alter(
                "/message/Caller",
                hex(chipi_session::backends::outside_execution::ANY_CALLER),
            ),
        ),
        ("caller", Hostility::Alter("/message/Caller", hex(erin))),
        (
            "execute_after",
            Hostility::Alter("/message/Execute After", later.clone()),
        ),
        (
            "execute_before",
            Hostility::Alter("/message/Execute Before", later),
        ),
        (
            "chain_id",
            Hostility::Alter("/domain/chainId", serde_json::json!("0x534e5f4d41494e")),
        ),
        ("nonce", Hostility::Alter("/message/Nonce", used_nonce)),
        (
            "types",
            Hostility::Alter("/types/OutsideExecution/1/type", serde_json::json!("u128")),
        ),
        ("calls", Hostility::AppendCall(fee_call(1))),
    ];
    let executes = proxy.executes();
    let relayer_nonce = f.relayer_nonce().await;
    for (field, mode) in cases {
        proxy.set(mode.clone());
        let result = manager.transfer(STRK, erin, 1, Some(PIN)).await;
        assert!(
            matches!(&result, Err(SessionError::PaymasterTampered { field: named }) if *named == field),
            "{mode:?} must be refused naming {field}: {result:?}"
        );
    }
    assert_eq!(proxy.executes(), executes, "nothing was sent for execution");
    assert_eq!(
        f.relayer_nonce().await,
        relayer_nonce,
        "the relayer sent nothing"
    );
    assert_eq!(f.balance(erin).await, 1, "only the honest transfer landed");

    // In the default (user-pays) mode the sponsor appends one fee transfer to its relayer: its
    // quote is what the user accepts; a fee above it, or one the session's limit for the fee
    // token cannot cover, is refused before anything is signed.
    proxy.set(Hostility::Honest);
    let quoting =
        PaymasterClient::new(url.clone(), f.node.rpc_url().to_string(), f.node.chain_id());
    let one_to_erin = [Call {
        to: STRK,
        selector: selector(TRANSFER),
        calldata: vec![erin, Felt::ONE, Felt::ZERO],
    }];
    let account = manager.wallet().address;
    let suggested = quoting
        .suggested_fee(account, &one_to_erin, STRK)
        .await
        .unwrap();
    let quote = quoting
        .quote_fee(account, &one_to_erin, STRK)
        .await
        .unwrap();
    assert!(
        quote > suggested,
        "the quote adds the validation margin to the server's suggestion"
    );
    let payer_with = |max_fee: u128| {
        let gasless =
            PaymasterClient::new(url.clone(), f.node.rpc_url().to_string(), f.node.chain_id())
                .with_fee_mode(chipi_session::FeeMode::Gasless {
                    gas_token: STRK,
                    max_fee,
                });
        f.manager_with(manager.wallet().clone(), gasless).0
    };
    let export = manager
        .export_session(PIN, "a long export passphrase")
        .unwrap();
    let stingy = payer_with(suggested - 1);
    stingy
        .import_session(&export, "a long export passphrase", &owner(&stingy))
        .await
        .unwrap();
    let inflated = stingy.transfer(STRK, erin, 1, Some(PIN)).await;
    assert!(
        matches!(
            inflated,
            Err(SessionError::PaymasterTampered { field: "fee" })
        ),
        "a server's fee above the accepted one: {inflated:?}"
    );
    let lavish = payer_with(6 * STRK_UNIT);
    lavish
        .import_session(&export, "a long export passphrase", &owner(&lavish))
        .await
        .unwrap();
    let over = lavish.transfer(STRK, erin, 1, Some(PIN)).await;
    assert!(
        matches!(over, Err(SessionError::SpendingLimit { .. })),
        "a fee of up to 6 STRK does not fit the 5 STRK per-call limit: {over:?}"
    );
    let payer = payer_with(quote);
    payer
        .import_session(&export, "a long export passphrase", &owner(&payer))
        .await
        .unwrap();
    let before = f.balance(manager.wallet().address).await;
    payer
        .transfer(STRK, erin, 1, Some(PIN))
        .await
        .expect("fee within the accepted one");
    assert_eq!(f.balance(erin).await, 2);
    let paid = before - f.balance(manager.wallet().address).await;
    assert!(
        paid > 1 && paid < 1 + quote,
        "the account paid the transfer and the fee the transaction needed, the rest refunded: \
         {paid} of 1 + {quote}"
    );
    let spent = payer.refresh_status().await.unwrap().spending_limits[0]
        .spent_in_window
        .clone();
    assert_eq!(
        spent,
        (1 + 1 + quote).to_string(),
        "the fee counts against the session's limit"
    );
}

#[tokio::test]
async fn a_sponsor_that_lies_about_a_failure_does_not_cause_a_second_transfer() {
    let f = fixture().await;
    let (proxy, url) = HostileSponsor::start(&f).await;
    let (manager, _) = active_session_via(&f, &url, transfers_only(20, 20)).await;
    let frank = SecretKey::generate().unwrap().public_key();

    proxy.set(Hostility::FailAfterExecuting);
    let first = manager.transfer(STRK, frank, 3, Some(PIN)).await;
    assert!(
        matches!(first, Err(SessionError::Paymaster { .. })),
        "{first:?}"
    );
    assert_eq!(
        f.balance(frank).await,
        3,
        "it ran, whatever the sponsor said"
    );
    // The user retries: the earlier nonce is found used, nothing is signed or sent again.
    proxy.set(Hostility::Honest);
    let executes = proxy.executes();
    let retry = manager.transfer(STRK, frank, 3, Some(PIN)).await;
    assert!(
        matches!(retry, Err(SessionError::AlreadyExecuted)),
        "{retry:?}"
    );
    assert_eq!(proxy.executes(), executes, "not sent again");
    assert_eq!(f.balance(frank).await, 3, "one transfer, not two");
    // Afterwards transfers go through as usual.
    manager
        .transfer(STRK, frank, 3, Some(PIN))
        .await
        .expect("a new transfer");
    assert_eq!(f.balance(frank).await, 6);
}

/// A registration the node never saw (sent, then the node dropped it or the app stopped before
/// its receipt): `registering` until the deadline, then settled as not registered so the set-up
/// is offered again; the tokens it limits are kept with it from the moment it is sent.
#[tokio::test]
async fn a_registration_the_node_never_saw_is_settled_after_its_deadline() {
    use chipi_session::session::record::REGISTRATION_DEADLINE;
    let f = fixture().await;
    let wallet = Wallet::create(f.class_hash, PIN).unwrap();
    let (manager, paymaster) = f.manager_via(wallet.clone(), &f.sponsor_url);
    manager
        .deploy_wallet(&owner(&manager))
        .await
        .expect("gasless deploy");
    manager
        .create_session(Some(3600), &owner(&manager))
        .unwrap();
    let mut record = manager.record().unwrap();
    record.registering = Some(Felt::from(0xdead_beef_u64));
    record.registering_since = Some(f.clock.now());
    record.spending_tokens = vec![STRK];
    // The app again, with that record (as after a restart).
    let manager = SessionManager::new(
        wallet,
        NodeClient::new(f.node.rpc_url().to_string()),
        Arc::new(paymaster),
        f.clock.clone(),
        Arc::new(NoStore),
        ManagerConfig::default(),
        Some(record),
    );
    let view = manager.refresh_status().await.unwrap();
    assert_eq!(view.state, SessionState::Registering, "within the deadline");
    f.clock.advance(REGISTRATION_DEADLINE);
    let view = manager.refresh_status().await.unwrap();
    assert_eq!(
        view.state,
        SessionState::Created,
        "settled: set it up again"
    );
    let record = manager.record().unwrap();
    assert_eq!((record.registering, record.registering_since), (None, None));
    assert!(!record.registered);
    assert_eq!(record.spending_tokens, vec![STRK]);
    // Registering now works as for any created session.
    let view = manager
        .register_session(transfers_only(4, 8), &owner(&manager))
        .await
        .expect("register");
    assert_eq!(view.state, SessionState::Active);
}

/// The last record a manager saved.
#[derive(Default)]
struct LastSaved(Mutex<Option<SessionRecord>>);

impl SessionStore for LastSaved {
    fn save(&self, record: Option<&SessionRecord>) -> Result<(), SessionError> {
        *self.0.lock().unwrap() = record.cloned();
        Ok(())
    }
}

/// Spending limits a registration set and that were not read back (on a class whose execute
/// swallows a failed `set_spending_policy`, CHIPI v33: the app stopped, or the node failed,
/// between the receipt and the read) are read before the session signs anything: one that is
/// not on chain as registered refuses every transfer and every message (`PolicyNotSet`, nothing
/// sent or signed); read back
/// as registered, they are forgotten from the record and the transfer goes.
#[tokio::test]
async fn limits_not_read_back_after_a_registration_hold_every_signing() {
    let f = fixture().await;
    let (registered, paymaster) = active_session(&f).await;
    let address = registered.wallet().address;
    let record = registered.record().unwrap();
    assert_eq!(
        record.unchecked_policies, None,
        "our class reverts a failed policy: nothing left to read"
    );
    let on_chain = transfers_only(4, 8).spending_policies[0];
    let erin = SecretKey::generate().unwrap().public_key();
    let with_unchecked = |policy: PolicySpec| {
        let store = Arc::new(LastSaved::default());
        let manager = SessionManager::new(
            registered.wallet().clone(),
            NodeClient::new(f.node.rpc_url().to_string()),
            Arc::new(paymaster.clone()),
            f.clock.clone(),
            store.clone(),
            ManagerConfig::default(),
            Some(SessionRecord {
                unchecked_policies: Some(UncheckedPolicies {
                    registration: Felt::from(0x5e7_u16),
                    policies: vec![policy],
                }),
                ..record.clone()
            }),
        );
        (manager, store)
    };

    // The chain holds 5 STRK a call, the registration asked 6: missing.
    let before = (f.relayer_nonce().await, paymaster.round_trips());
    let (manager, store) = with_unchecked(PolicySpec {
        max_per_call: 6 * STRK_UNIT,
        ..on_chain
    });
    let refused = manager.transfer(STRK, erin, 1, Some(PIN)).await;
    assert!(
        matches!(refused, Err(SessionError::PolicyNotSet { token }) if token == STRK),
        "{refused:?}"
    );
    sent_nothing(&f, &paymaster, before).await;
    assert_eq!(f.balance(erin).await, 0);
    assert!(
        store.0.lock().unwrap().is_none(),
        "nothing saved: still unchecked"
    );
    let again = manager.transfer(STRK, erin, 1, Some(PIN)).await;
    assert!(
        matches!(again, Err(SessionError::PolicyNotSet { .. })),
        "refused every time: {again:?}"
    );
    // Nor is a message signed with it.
    let signed = manager.sign_with_session(Felt::from(7u8), Some(PIN));
    assert!(
        matches!(signed, Err(SessionError::PolicyNotSet { token }) if token == STRK),
        "{signed:?}"
    );

    // As registered: read back, forgotten, and the transfer goes.
    let (manager, store) = with_unchecked(on_chain);
    manager
        .transfer(STRK, erin, 1, Some(PIN))
        .await
        .expect("limits read back");
    assert_eq!(f.balance(erin).await, 1);
    let saved = store.0.lock().unwrap().clone().expect("saved");
    assert_eq!(saved.unchecked_policies, None);
    assert_eq!(saved.public_key, record.public_key);
    assert_ne!(f.balance(address).await, 0);
}
