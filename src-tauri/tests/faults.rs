//! The fault table: each step a user takes (create + deploy, register, transfer, revoke, clear)
//! under each fault a real network brings — the node down, the sponsor down, the sponsor
//! failing (HTTP 500), an answer that never comes (the client's timeout ends it), and the app
//! killed after the sponsor sent the transaction (its answer lost, the app started again).
//! After each: the state shown is the chain's, nothing stored is lost, nothing was sent twice
//! (the relayer's nonce), and the next action works. Proxies in front of the node and the
//! sponsor inject the faults (`local_stack::fault_proxy`); the app runs on the mock runtime.
//!
//! Run under `scripts/with-keychain`, as `scripts/test` does.

mod common;

use std::sync::{Arc, Mutex};

use chipi_session::entrypoint::selector;
use common::{Fixture, Ui};
use devnet_harness::STRK;
use local_stack::fault_proxy::{self, Fault, Faults};
use local_stack::LocalStack;
use serde_json::{json, Value};
use starknet_core::types::{BlockId, BlockTag, Felt, FunctionCall};
use starknet_providers::Provider;
use tauri::test::MockRuntime;

const PIN: &str = "pin-Faults#1";
const UNIT: u128 = 1_000_000_000_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    NodeDown,
    SponsorDown,
    SponsorFails,
    NoAnswer,
    KilledAfterSend,
}

const CASES: [Case; 5] = [
    Case::NodeDown,
    Case::SponsorDown,
    Case::SponsorFails,
    Case::NoAnswer,
    Case::KilledAfterSend,
];

struct Rig {
    fx: Fixture,
    node: Faults,
    sponsor: Faults,
    seen: Arc<Mutex<Vec<String>>>,
}

type App = (tauri::App<MockRuntime>, Ui);

impl Rig {
    async fn new() -> Self {
        let mut stack = LocalStack::start().await.unwrap();
        let (node_url, node) = fault_proxy::start(stack.network.rpc_url.clone())
            .await
            .unwrap();
        let (sponsor_url, sponsor) = fault_proxy::start(stack.sponsor_url.clone()).await.unwrap();
        stack.network.rpc_url = node_url;
        stack.network.sponsor_url = Some(sponsor_url);
        stack.network.request_timeout_seconds = Some(3);
        Self {
            fx: Fixture::on(stack).await,
            node,
            sponsor,
            seen: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn app(&self) -> App {
        self.fx.start_app(&self.seen, "none")
    }

    fn inject(&self, case: Case) {
        match case {
            Case::NodeDown => self.node.set(Fault::Down),
            Case::SponsorDown => self.sponsor.set(Fault::Down),
            Case::SponsorFails => self.sponsor.set(Fault::ServerError),
            Case::NoAnswer => self
                .sponsor
                .set_for("paymaster_executeTransaction", Fault::Hang),
            Case::KilledAfterSend => self
                .sponsor
                .set_for("paymaster_executeTransaction", Fault::LoseAnswer),
        }
    }

    /// Clears the fault; after a kill, the app is started again (unlocked with the PIN when
    /// `unlock`).
    async fn recover(&self, case: Case, app: App, unlock: bool) -> App {
        self.node.clear();
        self.sponsor.clear();
        if case != Case::KilledAfterSend {
            return app;
        }
        drop(app);
        let app = self.app();
        if unlock {
            app.1.ok("unlock", json!({"pin": PIN})).await;
        }
        app
    }

    async fn relayer_nonce(&self) -> Felt {
        self.fx
            .stack
            .node
            .nonce(self.fx.stack.relayer.address)
            .await
            .unwrap()
    }

    async fn deployed(&self, address: Felt) -> bool {
        self.fx
            .stack
            .node
            .provider()
            .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), address)
            .await
            .is_ok()
    }

    /// Whether the account says the session key is active.
    async fn active_on_chain(&self, address: Felt, key: Felt) -> bool {
        let data = self
            .fx
            .stack
            .node
            .provider()
            .call(
                FunctionCall {
                    contract_address: address,
                    entry_point_selector: selector("get_session_data"),
                    calldata: vec![key],
                },
                BlockId::Tag(BlockTag::PreConfirmed),
            )
            .await
            .unwrap();
        data.first() == Some(&Felt::ONE)
    }

    async fn balance(&self, who: Felt) -> u128 {
        self.fx.stack.node.erc20_balance(STRK, who).await.unwrap()
    }
}

fn felt(value: &Value) -> Felt {
    Felt::from_hex(value.as_str().unwrap()).unwrap()
}

fn request() -> Value {
    json!({"durationSeconds": 3600, "maxCalls": 20, "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "5", "maxPerWindow": "50", "windowSeconds": 3600}]})
}

/// A wallet created and deployed through the app (no fault), funded.
async fn ready_wallet(rig: &Rig, ui: &Ui) -> Felt {
    let wallet = ui.ok("create_wallet", json!({"pin": PIN})).await;
    let address = felt(&wallet["address"]);
    rig.fx
        .stack
        .node
        .mint_strk(address, 100 * UNIT)
        .await
        .unwrap();
    address
}

/// The session the app shows, after a read of the chain.
async fn shown(ui: &Ui) -> Value {
    ui.ok("refresh_status", json!({})).await
}

#[tokio::test(flavor = "multi_thread")]
async fn create_and_deploy_under_every_fault() {
    let rig = Rig::new().await;
    for case in CASES {
        let app = rig.app();
        let before = rig.relayer_nonce().await;
        rig.inject(case);
        assert_eq!(
            app.1.kind("create_wallet", json!({"pin": PIN})).await,
            "Network",
            "{case:?}"
        );
        let (app, ui) = rig.recover(case, app, false).await;
        let wallet = ui.ok("get_wallet", json!({})).await;
        let address = felt(&wallet["address"]);
        let on_chain = rig.deployed(address).await;
        assert_eq!(on_chain, case == Case::KilledAfterSend, "{case:?}");
        assert_eq!(ui.ok("is_deployed", json!({})).await, on_chain, "{case:?}");
        if !on_chain {
            ui.ok("deploy_wallet", json!({"pin": PIN})).await;
        }
        assert!(rig.deployed(address).await, "{case:?}");
        assert_eq!(ui.ok("is_deployed", json!({})).await, true);
        assert_eq!(
            rig.relayer_nonce().await,
            before + Felt::ONE,
            "{case:?}: sent once"
        );
        ui.ok("remove_wallet", json!({"pin": PIN, "backedUp": true}))
            .await;
        drop((app, ui));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn register_under_every_fault() {
    let rig = Rig::new().await;
    let (app, ui) = rig.app();
    let address = ready_wallet(&rig, &ui).await;
    let mut app = (app, ui);
    for case in CASES {
        let before = rig.relayer_nonce().await;
        rig.inject(case);
        let kind = app
            .1
            .kind("set_up_session", json!({"request": request(), "pin": PIN}))
            .await;
        assert_eq!(kind, "Network", "{case:?}");
        app = rig.recover(case, app, false).await;
        let ui = &app.1;
        let view = shown(ui).await;
        let key = felt(&view["publicKey"]);
        let on_chain = rig.active_on_chain(address, key).await;
        assert_eq!(on_chain, case == Case::KilledAfterSend, "{case:?}");
        let expected = if on_chain { "active" } else { "created" };
        assert_eq!(view["state"], expected, "{case:?}: {view}");
        if !on_chain {
            let view = ui
                .ok(
                    "register_session",
                    json!({"request": request(), "pin": PIN}),
                )
                .await;
            assert_eq!(view["state"], "active", "{case:?}");
        }
        assert!(rig.active_on_chain(address, key).await, "{case:?}");
        assert_eq!(
            rig.relayer_nonce().await,
            before + Felt::ONE,
            "{case:?}: sent once"
        );
        // Back to no session for the next case.
        ui.ok("revoke_session", json!({"pin": PIN})).await;
        ui.ok("clear_session", json!({"pin": null, "revoke": false}))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn transfer_under_every_fault() {
    let rig = Rig::new().await;
    let (app, ui) = rig.app();
    ready_wallet(&rig, &ui).await;
    ui.ok("set_up_session", json!({"request": request(), "pin": PIN}))
        .await;
    let mut app = (app, ui);
    for (i, case) in CASES.into_iter().enumerate() {
        let recipient = Felt::from(0xfa_0000_u64 + i as u64);
        let body = json!({"token": "STRK", "recipient": format!("{recipient:#x}"), "amount": "1"});
        let before = rig.relayer_nonce().await;
        rig.inject(case);
        let kind = app.1.kind("transfer", body.clone()).await;
        assert_eq!(kind, "Network", "{case:?}");
        app = rig.recover(case, app, true).await;
        let ui = &app.1;
        let view = shown(ui).await;
        assert_eq!(view["state"], "active", "{case:?}");
        let landed = rig.balance(recipient).await == UNIT;
        assert_eq!(landed, case == Case::KilledAfterSend, "{case:?}");
        // The same transfer again: sent if it never ran, never a second time if it did.
        match ui.call("transfer", body.clone()).await {
            Ok(sent) => assert!(!landed, "{case:?}: sent twice: {sent}"),
            Err(error) => {
                assert!(landed, "{case:?}: {error}");
                assert_eq!(error["kind"], "Paymaster", "{case:?}: {error}");
            }
        }
        assert_eq!(rig.balance(recipient).await, UNIT, "{case:?}: once");
        assert_eq!(
            rig.relayer_nonce().await,
            before + Felt::ONE,
            "{case:?}: sent once"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn revoke_and_clear_under_every_fault() {
    let rig = Rig::new().await;
    let (app, ui) = rig.app();
    let address = ready_wallet(&rig, &ui).await;
    let mut app = (app, ui);
    for clear in [false, true] {
        for case in CASES {
            let view = app
                .1
                .ok("set_up_session", json!({"request": request(), "pin": PIN}))
                .await;
            let key = felt(&view["publicKey"]);
            let before = rig.relayer_nonce().await;
            rig.inject(case);
            let kind = if clear {
                app.1
                    .kind("clear_session", json!({"pin": PIN, "revoke": true}))
                    .await
            } else {
                app.1.kind("revoke_session", json!({"pin": PIN})).await
            };
            assert_eq!(kind, "Network", "clear {clear}, {case:?}");
            app = rig.recover(case, app, false).await;
            let ui = &app.1;
            let revoked = !rig.active_on_chain(address, key).await;
            assert_eq!(
                revoked,
                case == Case::KilledAfterSend,
                "clear {clear}, {case:?}"
            );
            let view = shown(ui).await;
            let expected = if revoked { "revoked" } else { "active" };
            assert_eq!(view["state"], expected, "clear {clear}, {case:?}: {view}");
            // The next action: revoke (or clear) again where it did not run; clear after.
            if !revoked {
                if clear {
                    ui.ok("clear_session", json!({"pin": PIN, "revoke": true}))
                        .await;
                } else {
                    ui.ok("revoke_session", json!({"pin": PIN})).await;
                }
            }
            assert!(
                !rig.active_on_chain(address, key).await,
                "clear {clear}, {case:?}"
            );
            assert_eq!(
                rig.relayer_nonce().await,
                before + Felt::ONE,
                "clear {clear}, {case:?}: sent once"
            );
            let cleared = ui
                .call("clear_session", json!({"pin": null, "revoke": false}))
                .await;
            assert!(
                cleared.is_ok() || clear,
                "clear {clear}, {case:?}: {cleared:?}"
            );
            assert_eq!(
                ui.ok("get_session_view", json!({})).await["state"],
                "none",
                "clear {clear}, {case:?}"
            );
        }
    }
}

/// The direct path's row of the table, and the journal every gas mode shares: a transfer sent
/// through the sponsor whose answer was lost (the app killed), then the gas mode switched to
/// the direct path: the same transfer is refused (`AlreadyExecuted`), not signed again. Then
/// the direct path's own faults at the node: refused at the door (503), a server error, no
/// answer: `Network`, nothing sent (the account's nonce unchanged), and the same transfer
/// again goes once; the answer lost after it ran, or its receipt unreadable after an answer:
/// the same transfer is not sent again.
#[tokio::test(flavor = "multi_thread")]
async fn the_direct_path_and_a_gas_mode_switch_under_faults() {
    let rig = Rig::new().await;
    let (app, ui) = rig.app();
    let address = ready_wallet(&rig, &ui).await;
    ui.ok("set_up_session", json!({"request": request(), "pin": PIN}))
        .await;
    let body = |recipient: Felt| json!({"token": "STRK", "recipient": format!("{recipient:#x}"), "amount": "1"});
    let lost = Felt::from(0xfb_0000_u64);
    rig.inject(Case::KilledAfterSend);
    assert_eq!(ui.kind("transfer", body(lost)).await, "Network");
    let app = rig.recover(Case::KilledAfterSend, (app, ui), true).await;
    let ui = &app.1;
    assert_eq!(rig.balance(lost).await, UNIT, "it ran");
    ui.ok(
        "save_gas_settings",
        json!({"input": {"mode": "direct", "feeMode": "sponsored", "gasToken": "STRK",
            "maxFee": "0.1", "paymasterApiKey": null, "chipiApiKey": null, "chipiBearer": null}}),
    )
    .await;
    // `SessionError::AlreadyExecuted`, shown as the paymaster's outcome.
    let again = ui.call("transfer", body(lost)).await.unwrap_err();
    assert_eq!(again["kind"], "Paymaster", "{again}");
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("executed after all"),
        "{again}"
    );
    assert_eq!(rig.balance(lost).await, UNIT, "once");

    let nonce = || async { rig.fx.stack.node.nonce(address).await.unwrap() };
    for (i, fault) in [Fault::Down, Fault::ServerError, Fault::Hang]
        .into_iter()
        .enumerate()
    {
        let recipient = Felt::from(0xfc_0000_u64 + i as u64);
        let before = nonce().await;
        rig.node.set_for("starknet_addInvokeTransaction", fault);
        assert_eq!(
            ui.kind("transfer", body(recipient)).await,
            "Network",
            "{fault:?}"
        );
        rig.node.clear();
        assert_eq!(nonce().await, before, "{fault:?}: nothing sent");
        assert_eq!(rig.balance(recipient).await, 0, "{fault:?}");
        ui.ok("transfer", body(recipient)).await;
        assert_eq!(rig.balance(recipient).await, UNIT, "{fault:?}: once");
        assert_eq!(nonce().await, before + Felt::ONE, "{fault:?}");
    }
    // The node takes it and the answer is lost, or it answers and then its receipt cannot be
    // read: it ran; the same transfer asked again is not sent again (written down with its
    // hash before it went, and kept until a receipt settles it).
    for (i, (method, fault)) in [
        ("starknet_addInvokeTransaction", Fault::LoseAnswer),
        ("starknet_getTransactionReceipt", Fault::Down),
    ]
    .into_iter()
    .enumerate()
    {
        let recipient = Felt::from(0xfd_0000_u64 + i as u64);
        let before = nonce().await;
        rig.node.set_for(method, fault);
        assert_eq!(
            ui.kind("transfer", body(recipient)).await,
            "Network",
            "{method}"
        );
        rig.node.clear();
        assert_eq!(rig.balance(recipient).await, UNIT, "{method}: it ran");
        let again = ui.call("transfer", body(recipient)).await.unwrap_err();
        assert!(
            again["message"]
                .as_str()
                .unwrap()
                .contains("executed after all"),
            "{method}: {again}"
        );
        assert_eq!(rig.balance(recipient).await, UNIT, "{method}: once");
        assert_eq!(nonce().await, before + Felt::ONE, "{method}");
    }
    // Settled: the next transfer goes.
    let next = Felt::from(0xff_0000_u64);
    ui.ok("transfer", body(next)).await;
    assert_eq!(rig.balance(next).await, UNIT);
}
