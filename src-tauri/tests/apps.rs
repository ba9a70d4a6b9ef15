//! Apps on the local wallet API, against the real wallet on devnet: a pairing registers a
//! session of the app's own on chain; calls inside its policy run without a prompt (balances
//! read on chain); a call over a limit, to an entrypoint the policy does not name, or with the
//! wallet locked is refused with the spec's code before anything is signed; two apps are each
//! held by their own session; revoking or disconnecting an app ends its token.
//!
//! The user's side of the pairing (the approval window) is played by the test: it answers with
//! the PIN and records what the window would show.

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use common::Fixture;
use serde_json::{json, Value};
use starknet_core::types::Felt;
use wallet_api::{start, ApiConfig, WalletEvent};
use wallet_service::api::{ApiWallet, AppPrompts, Approval, CallsPrompt, PairingPrompt};
use wallet_service::host::select;
use wallet_service::{Pin, SecretVault, WalletService};

const PIN: &str = "pin-Apps#4";

/// The user at the approval window: approves with `pin` (or declines with `None`), and keeps
/// what each prompt showed.
struct User {
    pin: Mutex<Option<String>>,
    shown: Mutex<Vec<PairingPrompt>>,
    /// Calls outside a session, as shown.
    calls: Mutex<Vec<CallsPrompt>>,
}

#[async_trait]
impl AppPrompts for User {
    async fn approve_pairing(&self, prompt: PairingPrompt) -> Option<Approval> {
        self.shown.lock().unwrap().push(prompt);
        let pin = self.pin.lock().unwrap().clone();
        pin.map(|p| Approval::Pin(Pin::new(p)))
    }

    async fn approve_calls(&self, prompt: CallsPrompt) -> Option<Approval> {
        self.calls.lock().unwrap().push(prompt);
        let pin = self.pin.lock().unwrap().clone();
        pin.map(|p| Approval::Pin(Pin::new(p)))
    }
}

struct Caller {
    http: reqwest::Client,
    url: String,
    /// Every answer's body, with the method asked.
    answers: Mutex<Vec<(String, String)>>,
}

impl Caller {
    async fn call(&self, token: Option<&str>, method: &str, params: Value) -> Value {
        let mut request = self
            .http
            .post(&self.url)
            .json(&json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let body = request.send().await.unwrap().text().await.unwrap();
        self.answers
            .lock()
            .unwrap()
            .push((method.to_owned(), body.clone()));
        serde_json::from_str(&body).unwrap()
    }

    async fn pair(&self, name: &str, policy: Value) -> Value {
        self.call(None, "chipi_pair", json!({"name": name, "policy": policy}))
            .await
    }

    async fn send(&self, token: &str, calls: Value) -> Value {
        self.call(
            Some(token),
            "wallet_addInvokeTransaction",
            json!({"calls": calls}),
        )
        .await
    }
}

fn code(body: &Value) -> i64 {
    body["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error: {body}"))
}

fn strk() -> String {
    format!("{:#x}", devnet_harness::STRK)
}

/// A transfer of `units` (in 10^-18 STRK) to `to`.
fn transfer(to: &str, units: u128) -> Value {
    json!([{"contract_address": strk(), "entry_point": "transfer",
            "calldata": [to, format!("{units:#x}"), "0x0"]}])
}

const STRK: u128 = 1_000_000_000_000_000_000;

/// A wallet of this project's class on devnet with 50 STRK, and the API over it on a free port.
struct Opened {
    fx: Fixture,
    service: Arc<WalletService>,
    wallet: wallet_service::views::WalletInfo,
    user: Arc<User>,
    running: wallet_api::Running,
    api: Caller,
}

async fn opened() -> Opened {
    let fx = Fixture::new().await;
    let vault: Arc<dyn SecretVault> = fx.vault.clone();
    let biometrics = select(Some("none"), false, vault, || unreachable!()).unwrap();
    let service = Arc::new(
        WalletService::open(
            fx.vault.clone(),
            fx.prefs.clone(),
            fx.stack.network.clone(),
            biometrics,
            fx.clock.clone(),
        )
        .unwrap(),
    );
    let wallet = service.create_wallet(&Pin::from(PIN), true).await.unwrap();
    let account = Felt::from_hex(&wallet.address).unwrap();
    fx.stack.node.mint_strk(account, 50 * STRK).await.unwrap();
    let user = Arc::new(User {
        pin: Mutex::new(Some(PIN.into())),
        shown: Mutex::new(vec![]),
        calls: Mutex::new(vec![]),
    });
    let backend = Arc::new(ApiWallet::new(service.clone(), user.clone()));
    let config = ApiConfig {
        port: 0,
        ..ApiConfig::default()
    };
    let running = start(config, backend).await.unwrap();
    let api = Caller {
        http: reqwest::Client::new(),
        url: format!("http://{}/", running.address),
        answers: Mutex::new(vec![]),
    };
    Opened {
        fx,
        service,
        wallet,
        user,
        running,
        api,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_act_within_their_own_sessions_on_chain() {
    let Opened {
        fx,
        service,
        wallet,
        user,
        running,
        api,
    } = opened().await;
    let node = &fx.stack.node;
    let removed = Arc::new(Mutex::new(Vec::<String>::new()));
    let heard = removed.clone();
    service.set_app_removed_listener(move |id| heard.lock().unwrap().push(id.to_owned()));

    // A policy this wallet cannot register is refused before the user is asked.
    let unknown_token = json!({"contracts": {"0x1234": {"methods": [{"entrypoint": "transfer"}]}},
        "limits": [{"token": "0x1234", "per_call": "1", "per_window": "2", "window_secs": 3600}],
        "duration_secs": 3600, "max_calls": 5});
    assert_eq!(code(&api.pair("Odd", unknown_token).await), 114);
    let too_fine = json!({"contracts": {strk(): {"methods": [{"entrypoint": "transfer"}]}},
        "limits": [{"token": strk(), "per_call": "0.0000000000000000001", "per_window": "2",
                    "window_secs": 3600}],
        "duration_secs": 3600, "max_calls": 5});
    assert_eq!(code(&api.pair("Odd", too_fine).await), 114);
    assert!(
        user.shown.lock().unwrap().is_empty(),
        "no prompt for either"
    );

    // The game: transfers of STRK, 2 per call, 6 per hour, 10 calls.
    let game_policy = json!({"contracts": {strk(): {"name": "Stark token",
            "methods": [{"entrypoint": "transfer"}]}},
        "limits": [{"token": strk(), "per_call": "2", "per_window": "6", "window_secs": 3600}],
        "duration_secs": 3600, "max_calls": 10});
    let paired = api.pair("Game", game_policy).await;
    let game = paired["result"]["token"].as_str().unwrap().to_owned();
    assert_eq!(paired["result"]["accounts"], json!([wallet.address]));
    {
        let shown = user.shown.lock().unwrap();
        let prompt = shown.last().unwrap();
        assert_eq!(prompt.name, "Game");
        assert_eq!(prompt.origin, None);
        assert_eq!(prompt.max_calls, 10);
        assert_eq!(prompt.duration_secs, 3600);
        assert_eq!(
            prompt.limits,
            vec!["at most 2 STRK per transfer, 6 STRK per 1 h".to_owned()]
        );
        assert!(
            prompt.allowed[0].starts_with("transfer on STRK"),
            "{:?}",
            prompt.allowed
        );
    }

    // Three transfers inside the policy, no prompt; the balances move on chain.
    let recipient = "0x5eed";
    let to = Felt::from_hex(recipient).unwrap();
    let before = node.erc20_balance(devnet_harness::STRK, to).await.unwrap();
    let prompts = user.shown.lock().unwrap().len();
    for _ in 0..3 {
        let sent = api.send(&game, transfer(recipient, STRK)).await;
        assert!(sent["result"]["transaction_hash"].is_string(), "{sent}");
    }
    assert_eq!(
        user.shown.lock().unwrap().len(),
        prompts,
        "no prompt inside the policy"
    );
    let after = node.erc20_balance(devnet_harness::STRK, to).await.unwrap();
    assert_eq!(after - before, 3 * STRK);

    // Over the per-call limit, over the window, an entrypoint the policy does not name:
    // refused with the spec's code; nothing moves.
    let over = api.send(&game, transfer(recipient, 3 * STRK)).await;
    assert_eq!(code(&over), 113, "{over}");
    assert!(over["error"]["data"].to_string().contains("STRK"), "{over}");
    let fourth = api.send(&game, transfer(recipient, 2 * STRK)).await;
    assert!(fourth["result"]["transaction_hash"].is_string(), "{fourth}");
    let window = api.send(&game, transfer(recipient, 2 * STRK)).await;
    assert_eq!(
        code(&window),
        113,
        "6 STRK an hour: 5 sent, 2 more refused: {window}"
    );
    let approve = json!([{"contract_address": strk(), "entry_point": "approve",
                          "calldata": [recipient, "0x1", "0x0"]}]);
    assert_eq!(code(&api.send(&game, approve).await), 113);
    let after = node.erc20_balance(devnet_harness::STRK, to).await.unwrap();
    assert_eq!(
        after - before,
        5 * STRK,
        "only what the policy allowed moved"
    );

    // A second app with another policy: approvals of at most 1 STRK, no transfers. Each is held by its own session.
    let dex_policy = json!({"contracts": {strk(): {"methods": [{"entrypoint": "approve"}]}},
        "limits": [{"token": strk(), "per_call": "1", "per_window": "1", "window_secs": 600}],
        "duration_secs": 1800, "max_calls": 2});
    let dex = api.pair("Dex", dex_policy).await["result"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let approve = json!([{"contract_address": strk(), "entry_point": "approve",
                          "calldata": [recipient, "0x1", "0x0"]}]);
    let approved = api.send(&dex, approve.clone()).await;
    assert!(
        approved["result"]["transaction_hash"].is_string(),
        "{approved}"
    );
    assert_eq!(code(&api.send(&dex, transfer(recipient, 1)).await), 113);
    assert_eq!(code(&api.send(&game, approve).await), 113);
    let apps = service.apps().unwrap();
    assert_eq!(apps.len(), 2);
    let game_info = apps.iter().find(|a| a.name == "Game").unwrap();
    assert_eq!(game_info.session.remaining_calls, Some(6));
    let limit = &game_info.session.limits[0];
    assert_eq!(
        (limit.spent_in_window.as_str(), limit.decimals),
        ("5000000000000000000", 18),
        "5 STRK spent this window, in base units"
    );
    assert!(game_info.last_used.is_some());
    let dex_info = apps.iter().find(|a| a.name == "Dex").unwrap();
    assert_eq!(dex_info.session.remaining_calls, Some(1));
    let keys: Vec<_> = apps.iter().map(|a| a.session.public_key.clone()).collect();
    assert_ne!(keys[0], keys[1], "a key per app");

    // Locked, apps are refused; unlocked with the PIN, they act again.
    service.lock().unwrap();
    assert_eq!(code(&api.send(&game, transfer(recipient, 1)).await), 113);
    service.unlock(Some(&Pin::from(PIN))).await.unwrap();
    let again = api.send(&game, transfer(recipient, 1)).await;
    assert!(again["result"]["transaction_hash"].is_string(), "{again}");

    // Revoked on chain: its token opens nothing; the other app goes on.
    let game_id = game_info.id.clone();
    service
        .revoke_app(&game_id, Some(&Pin::from(PIN)))
        .await
        .unwrap();
    assert_eq!(*removed.lock().unwrap(), vec![game_id.clone()]);
    let gone = api.send(&game, transfer(recipient, 1)).await;
    assert_eq!(code(&gone), 113, "{gone}");
    let accounts = api
        .call(Some(&dex), "wallet_requestAccounts", json!({}))
        .await;
    assert_eq!(accounts["result"], json!([wallet.address]));

    // Disconnected: no transaction, the key is deleted, the token opens nothing.
    let dex_id = dex_info.id.clone();
    service.disconnect_app(&dex_id).unwrap();
    assert_eq!(
        code(
            &api.call(Some(&dex), "wallet_requestAccounts", json!({}))
                .await
        ),
        113
    );
    assert!(service.apps().unwrap().is_empty());
    let history = service.activity();
    assert!(
        history
            .iter()
            .any(|e| e.summary.starts_with("Game: 1 STRK to")),
        "the activity names the app"
    );

    // Declined: no token, no app.
    *user.pin.lock().unwrap() = None;
    let declined = api
        .pair(
            "Later",
            json!({"contracts": {strk(): {"methods": [{"entrypoint": "transfer"}]}},
            "duration_secs": 60, "max_calls": 1}),
        )
        .await;
    assert_eq!(code(&declined), 113);
    assert!(service.apps().unwrap().is_empty());

    // No answer carried the PIN, and a token only in its own pairing's answer.
    let answers = api.answers.lock().unwrap().clone();
    assert_eq!(answers.len(), 20, "every answer above");
    for (method, body) in answers.iter() {
        assert!(!body.contains(PIN), "{method}: {body}");
        let tokens = [&game, &dex]
            .iter()
            .filter(|t| body.contains(t.as_str()))
            .count();
        assert!(
            tokens == 0 || (method == "chipi_pair" && tokens == 1),
            "{method}: {body}"
        );
    }
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_outside_the_policy_go_to_the_user_only_for_an_app_that_may_ask() {
    let Opened {
        fx,
        service,
        wallet,
        user,
        running,
        api,
    } = opened().await;
    let node = &fx.stack.node;
    let policy = json!({"contracts": {strk(): {"methods": [{"entrypoint": "transfer"}]}},
        "limits": [{"token": strk(), "per_call": "1", "per_window": "2", "window_secs": 3600}],
        "duration_secs": 3600, "max_calls": 5});
    let asks = api
        .call(
            None,
            "chipi_pair",
            json!({"name": "Trader", "policy": policy, "ask_outside": true}),
        )
        .await;
    let asks = asks["result"]["token"].as_str().unwrap().to_owned();
    let quiet = api.pair("Quiet", policy).await["result"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let to = Felt::from_hex("0x5eed").unwrap();
    let before = node.erc20_balance(devnet_harness::STRK, to).await.unwrap();

    // Over its limit: the app that may ask puts it to the user, decoded; approved, it is sent
    // signed with the owner key.
    let sent = api.send(&asks, transfer("0x5eed", 3 * STRK)).await;
    assert!(sent["result"]["transaction_hash"].is_string(), "{sent}");
    {
        let shown = user.calls.lock().unwrap();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].name, "Trader");
        assert_eq!(shown[0].calls, vec!["transfer 3 STRK to 0x5eed".to_owned()]);
        assert!(shown[0].reason.contains("STRK"), "{}", shown[0].reason);
    }
    assert_eq!(
        node.erc20_balance(devnet_harness::STRK, to).await.unwrap() - before,
        3 * STRK
    );
    let noted = service.activity();
    assert!(
        noted
            .iter()
            .any(|e| e.summary == "Trader: 3 STRK to 0x5eed (approved by you)"),
        "{:?}",
        noted.iter().map(|e| &e.summary).collect::<Vec<_>>()
    );
    let trader = service.apps().unwrap();
    let trader = trader.iter().find(|a| a.name == "Trader").unwrap();
    assert_eq!(
        trader.session.limits[0].spent_in_window, "0",
        "the owner's transfer is not the session's"
    );

    // The app that may not ask is refused without a prompt.
    let refused = api.send(&quiet, transfer("0x5eed", 3 * STRK)).await;
    assert_eq!(code(&refused), 113);
    assert_eq!(user.calls.lock().unwrap().len(), 1, "no prompt for it");

    // Declined: refused. A call to the account itself: refused before any prompt.
    *user.pin.lock().unwrap() = None;
    let declined = api.send(&asks, transfer("0x5eed", 3 * STRK)).await;
    assert_eq!(code(&declined), 113, "{declined}");
    assert_eq!(user.calls.lock().unwrap().len(), 2);
    *user.pin.lock().unwrap() = Some(PIN.into());
    let itself = json!([{"contract_address": wallet.address, "entry_point": "upgrade",
                         "calldata": ["0x1"]}]);
    let itself = api.send(&asks, itself).await;
    assert_eq!(code(&itself), 113, "{itself}");
    assert!(itself["error"]["data"]
        .to_string()
        .contains("the account itself"));
    assert_eq!(user.calls.lock().unwrap().len(), 2, "never put to the user");
    // Approved, then the app hangs up: the transfer is still sent, and settled in the activity.
    let request = api.send(&asks, transfer("0x5eed", 3 * STRK));
    let hung_up = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        tokio::select! {
            _ = request => panic!("answered before the app hung up"),
            _ = async { while user.calls.lock().unwrap().len() < 3 {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await } } => {}
        }
        let settled = |e: &&wallet_service::views::ActivityInfo| {
            e.summary.ends_with("(approved by you)")
                && e.status == wallet_service::views::ActivityStatus::Succeeded
        };
        while service.activity().iter().filter(settled).count() < 2 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
    hung_up.await.expect("settled within 30 s");
    assert_eq!(
        node.erc20_balance(devnet_harness::STRK, to).await.unwrap() - before,
        6 * STRK
    );
    // Another network (the same node under another name, no wallet there): the apps hear their
    // account go and are refused; back on this one, they hear it again and act.
    let told = Arc::new(Mutex::new(Vec::new()));
    let heard = told.clone();
    service.set_wallet_changed_listener(move |e| heard.lock().unwrap().push(e.clone()));
    let here = fx.stack.network.clone();
    let network = |profile: &str, name: Option<&str>| wallet_service::views::NetworkChoice {
        profile: profile.into(),
        name: name.map(str::to_owned),
        rpc_url: Some(here.rpc_url.clone()),
        chain_id: Some(format!("{:#x}", here.chain_id)),
        sponsor_url: None,
        chipi_api_url: None,
    };
    let elsewhere = network("custom", Some("elsewhere"));
    service.switch_network(&elsewhere, None).await.unwrap();
    assert_eq!(code(&api.send(&asks, transfer("0x5eed", 1)).await), 113);
    service
        .switch_network(&network(&here.name, None), None)
        .await
        .unwrap();
    service.unlock(Some(&Pin::from(PIN))).await.unwrap();
    let sent = api.send(&asks, transfer("0x5eed", 1)).await;
    assert!(sent["result"]["transaction_hash"].is_string(), "{sent}");
    assert_eq!(
        *told.lock().unwrap(),
        vec![
            WalletEvent::AccountsChanged(vec![]),
            WalletEvent::AccountsChanged(vec![wallet.address.clone()])
        ]
    );
    // The wallet is not removed while an app's session is valid on chain.
    let kept = service
        .remove_wallet(&Pin::from(PIN), true)
        .await
        .unwrap_err();
    assert!(kept.to_string().contains("Trader"), "{kept}");
    assert!(service.wallet_info().is_ok());
    running.stop().await;
}
