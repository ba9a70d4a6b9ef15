//! The API over a WebSocket (pairing on the socket, events, closing when the app is removed or
//! the API switched off), and starknet.js's own `WalletAccount` driving `clients/js` over it.

mod common;

use common::*;
use futures_util::SinkExt;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use wallet_api::WalletEvent;

#[tokio::test]
async fn websocket_pairs_hears_events_and_closes_when_removed_or_switched_off() {
    let api = Api::start(quick()).await;
    let mut ws = socket(&api, None).await;
    let pair = json!({"jsonrpc": "2.0", "id": 1, "method": "chipi_pair",
                      "params": {"name": "Agent", "policy": policy()}});
    ws.send(Message::Text(pair.to_string().into()))
        .await
        .unwrap();
    let paired = next_json(&mut ws).await;
    let token = paired["result"]["token"].as_str().unwrap().to_owned();
    // The socket is the app's now: it is answered and hears events.
    let ask = json!({"jsonrpc": "2.0", "id": 2, "method": "wallet_requestAccounts"});
    ws.send(Message::Text(ask.to_string().into()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["result"], json!([ACCOUNT]));
    api.running
        .events
        .send(WalletEvent::NetworkChanged {
            chain_id: "0x1".into(),
            accounts: vec![ACCOUNT.into()],
        })
        .unwrap();
    let event = next_json(&mut ws).await;
    assert_eq!(event["method"], "networkChanged");
    assert_eq!(event["params"]["chainId"], "0x1");

    // A second socket opened with the token from the start.
    let mut second = socket(&api, Some(&token)).await;
    second
        .send(Message::Text(ask.to_string().into()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut second).await["result"], json!([ACCOUNT]));

    // Removed: the open sockets close with the code that says so.
    api.wallet.remove("app-1");
    api.running
        .events
        .send(WalletEvent::AppRemoved("app-1".into()))
        .unwrap();
    assert_eq!(next_json(&mut ws).await, json!({"closed": 4001}));
    assert_eq!(next_json(&mut second).await, json!({"closed": 4001}));

    // A socket with a wrong token is not opened at all.
    let mut request = format!("ws://{}/", api.running.address)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "chipi-wallet-api, chipi-token.cwp_00".parse().unwrap(),
    );
    assert!(tokio_tungstenite::connect_async(request).await.is_err());

    // Switched off: open sockets close, new connections are refused.
    let mut third = socket(&api, None).await;
    let address = api.running.address;
    tokio::time::timeout(std::time::Duration::from_secs(10), api.running.stop())
        .await
        .expect("stopped within 10 s");
    assert_eq!(next_json(&mut third).await, json!({"closed": 4002}));
    let refused = reqwest::Client::new()
        .post(format!("http://{address}/"))
        .json(&json!({}))
        .send()
        .await;
    assert!(refused.is_err(), "nothing listens once switched off");
}

/// starknet.js's own `WalletAccount` (from npm, unchanged) over `clients/js`: it pairs, reads the
/// account, executes within the policy and gets the spec's refusal outside it; a second
/// connection with the kept token needs no pairing. (The wallet here is the in-memory one: the
/// app's end-to-end suite does the same against the real wallet on devnet.)
/// An app that hangs up while the user is asked (its WebSocket, or its HTTP request) ends its
/// call: the wallet's side is dropped (a prompt it showed is withdrawn). Calls sent on the socket
/// while it waited are answered after it, in order.
#[tokio::test]
async fn a_caller_that_hangs_up_while_the_user_is_asked_ends_its_call() {
    let api = Api::start(quick()).await;
    api.wallet.hold.store(true, Ordering::SeqCst);
    let pair = json!({"jsonrpc": "2.0", "id": 1, "method": "chipi_pair",
                      "params": {"name": "Agent", "policy": policy()}});
    let version = json!({"jsonrpc": "2.0", "id": 2, "method": "wallet_supportedWalletApi"});
    let mut ws = socket(&api, None).await;
    ws.send(Message::Text(pair.to_string().into()))
        .await
        .unwrap();
    wait_until(|| api.wallet.asked.lock().unwrap().len() == 1).await;
    // Sent while the pairing waits: answered after it.
    ws.send(Message::Text(version.to_string().into()))
        .await
        .unwrap();
    api.wallet.answer.notify_one();
    assert!(next_json(&mut ws).await["result"]["token"].is_string());
    assert_eq!(next_json(&mut ws).await["id"], 2);
    assert_eq!(api.wallet.abandoned.load(Ordering::SeqCst), 0);

    let mut ws = socket(&api, None).await;
    ws.send(Message::Text(pair.to_string().into()))
        .await
        .unwrap();
    wait_until(|| api.wallet.asked.lock().unwrap().len() == 2).await;
    ws.close(None).await.unwrap();
    wait_until(|| api.wallet.abandoned.load(Ordering::SeqCst) == 1).await;

    // Over HTTP too: a caller that hangs up ends its call.
    let asking = tokio::spawn({
        let (http, url) = (api.http.clone(), api.url());
        async move { http.post(url).json(&pair).send().await }
    });
    wait_until(|| api.wallet.asked.lock().unwrap().len() == 3).await;
    asking.abort();
    wait_until(|| api.wallet.abandoned.load(Ordering::SeqCst) == 2).await;
}

/// The wallet moved to a network (or wallet) where the app is not paired: its socket hears
/// `networkChanged` with no account, then closes (4003).
#[tokio::test]
async fn a_socket_hears_the_wallet_move_where_its_app_is_not_paired() {
    let api = Api::start(quick()).await;
    let token = api.pair("Agent", None).await;
    let mut ws = socket(&api, Some(&token)).await;
    let ask = json!({"jsonrpc": "2.0", "id": 2, "method": "wallet_requestAccounts"});
    ws.send(Message::Text(ask.to_string().into()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["result"], json!([ACCOUNT]));
    // The other network's wallet holds no such app.
    api.wallet.apps.lock().unwrap().clear();
    api.running
        .events
        .send(WalletEvent::NetworkChanged {
            chain_id: "0x1".into(),
            accounts: vec!["0x9".into()],
        })
        .unwrap();
    let event = next_json(&mut ws).await;
    assert_eq!(event["method"], "networkChanged");
    assert_eq!(event["params"], json!({"chainId": "0x1", "accounts": []}));
    assert_eq!(next_json(&mut ws).await["closed"], 4003);
}

#[tokio::test]
async fn starknet_js_wallet_account_over_the_client() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let client = root.join("clients/js/dist/index.js");
    assert!(
        client.exists(),
        "build the client first: npm --prefix clients/js run build"
    );
    let api = Api::start(quick()).await;
    let url = format!("ws://{}/", api.running.address);
    let output = tokio::process::Command::new("node")
        .arg("--experimental-websocket")
        .arg(root.join("tests/js/wallet_api_client.mjs"))
        .arg(&url)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let line = String::from_utf8(output.stdout).unwrap();
    let seen: Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(
        seen["address"], ACCOUNT,
        "WalletAccount took the wallet's account"
    );
    assert_eq!(seen["sent"]["transaction_hash"], "0x0123");
    assert_eq!(seen["refused"]["code"], 113, "outside the policy: {seen}");
    assert_eq!(seen["accounts"], json!([ACCOUNT]));
    assert_eq!(
        api.wallet.asked.lock().unwrap().len(),
        1,
        "paired once, then by token"
    );
    let invoked = api.wallet.invoked.lock().unwrap();
    assert_eq!(invoked.len(), 1);
    assert_eq!(
        invoked[0].1[0].calldata,
        vec!["0x5", "0x1", "0x0"],
        "numbers, bigints and decimal strings reach the wallet as hex felts"
    );
}
