//! The API's door over real loopback HTTP and WebSocket connections: pairing hands a token once,
//! and every refusal the issue lists (no token, a wrong one, a foreign `Origin`, a non-loopback
//! `Host`, too many requests, the API switched off, a removed app) answers with the spec's code.
//! The wallet behind it is a small in-memory one whose user the test plays; the real wallet's
//! answers are the app's end-to-end suite's business.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use wallet_api::rate::Rate;
use wallet_api::wire::{DeploymentData, InvokeCall};
use wallet_api::{
    start, ApiConfig, ApiError, App, PairRequest, Paired, Running, TokenHash, WalletBackend,
    WalletEvent,
};

const CHAIN: &str = "0x534e5f4d41494e";
const ACCOUNT: &str = "0x3cd";

#[derive(Default)]
struct Wallet {
    approve: AtomicBool,
    /// The user takes their time: pairings wait for `answer`.
    hold: AtomicBool,
    answer: tokio::sync::Notify,
    apps: Mutex<Vec<(TokenHash, App)>>,
    asked: Mutex<Vec<PairRequest>>,
    invoked: Mutex<Vec<(String, Vec<InvokeCall>)>>,
}

impl Wallet {
    fn remove(&self, id: &str) {
        self.apps.lock().unwrap().retain(|(_, app)| app.id != id);
    }
}

#[async_trait]
impl WalletBackend for Wallet {
    fn app(&self, token: &TokenHash) -> Option<App> {
        let apps = self.apps.lock().unwrap();
        apps.iter()
            .find(|(t, _)| t == token)
            .map(|(_, a)| a.clone())
    }
    async fn pair(&self, request: PairRequest, token: TokenHash) -> Result<Paired, ApiError> {
        self.asked.lock().unwrap().push(request.clone());
        if self.hold.load(Ordering::SeqCst) {
            self.answer.notified().await;
        }
        if !self.approve.load(Ordering::SeqCst) {
            return Err(ApiError::Refused("the user declined".into()));
        }
        let mut apps = self.apps.lock().unwrap();
        let app = App {
            id: format!("app-{}", apps.len() + 1),
            name: request.name,
            origin: request.origin,
        };
        apps.push((token, app.clone()));
        Ok(Paired {
            app,
            accounts: vec![ACCOUNT.into()],
            chain_id: CHAIN.into(),
        })
    }
    async fn accounts(&self, _: &App) -> Result<Vec<String>, ApiError> {
        Ok(vec![ACCOUNT.into()])
    }
    async fn chain_id(&self) -> Result<String, ApiError> {
        Ok(CHAIN.into())
    }
    async fn deployment_data(&self, _: &App) -> Result<DeploymentData, ApiError> {
        Err(ApiError::AlreadyDeployed)
    }
    async fn add_invoke(&self, app: &App, calls: Vec<InvokeCall>) -> Result<String, ApiError> {
        if calls.iter().any(|c| c.entry_point != "transfer") {
            return Err(ApiError::Refused("entrypoint not in the policy".into()));
        }
        self.invoked.lock().unwrap().push((app.id.clone(), calls));
        Ok("0x0123".into())
    }
    async fn sign_typed_data(&self, _: &App, _: Value) -> Result<Vec<String>, ApiError> {
        Err(ApiError::Refused("no message in the policy".into()))
    }
}

fn policy() -> Value {
    json!({"contracts": {"0x4718": {"methods": [{"entrypoint": "transfer"}]}},
           "limits": [{"token": "0x4718", "per_call": "1", "per_window": "3", "window_secs": 3600}],
           "duration_secs": 3600, "max_calls": 10})
}

struct Api {
    running: Running,
    wallet: Arc<Wallet>,
    http: reqwest::Client,
}

impl Api {
    async fn start(rate: Rate) -> Self {
        let wallet = Arc::new(Wallet::default());
        wallet.approve.store(true, Ordering::SeqCst);
        let config = ApiConfig {
            port: 0,
            rate,
            anonymous_rate: rate,
        };
        let running = start(config, wallet.clone()).await.unwrap();
        Self {
            running,
            wallet,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/", self.running.address)
    }

    /// A call over HTTP with these extra headers: the status and the body.
    async fn call(&self, method: &str, params: Value, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url())
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn pair(&self, name: &str, origin: Option<&str>) -> String {
        let headers: Vec<(&str, &str)> = origin.into_iter().map(|o| ("origin", o)).collect();
        let (status, body) = self
            .call(
                "chipi_pair",
                json!({"name": name, "policy": policy()}),
                &headers,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["result"]["token"].as_str().unwrap().to_owned()
    }
}

fn code(body: &Value) -> i64 {
    body["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error: {body}"))
}

fn quick() -> Rate {
    Rate {
        burst: 100,
        per_second: 100.0,
    }
}

#[tokio::test]
async fn a_paired_app_is_answered_and_everyone_else_refused() {
    let api = Api::start(quick()).await;
    // Before pairing: versions and an empty permission list, nothing else.
    let (_, versions) = api.call("wallet_supportedWalletApi", json!({}), &[]).await;
    assert!(versions["result"]
        .as_array()
        .unwrap()
        .contains(&json!("0.8")));
    let (_, permissions) = api.call("wallet_getPermissions", json!({}), &[]).await;
    assert_eq!(permissions["result"], json!([]));
    let (status, accounts) = api.call("wallet_requestAccounts", json!({}), &[]).await;
    assert_eq!(
        (status, code(&accounts)),
        (401, 113),
        "no token: not paired"
    );
    let (_, silent) = api
        .call("wallet_requestAccounts", json!({"silent_mode": true}), &[])
        .await;
    assert_eq!(
        silent["result"],
        json!([]),
        "silent mode: no account, no error"
    );

    // The user declines, then approves.
    api.wallet.approve.store(false, Ordering::SeqCst);
    let (_, declined) = api
        .call(
            "chipi_pair",
            json!({"name": "Game", "policy": policy()}),
            &[],
        )
        .await;
    assert_eq!(code(&declined), 113);
    api.wallet.approve.store(true, Ordering::SeqCst);
    let token = api.pair("Game", None).await;
    let asked = api.wallet.asked.lock().unwrap().last().cloned().unwrap();
    assert_eq!(asked.name, "Game");
    assert_eq!(
        asked.policy.max_calls, 10,
        "the user saw the policy asked for"
    );
    let stored = api.wallet.apps.lock().unwrap()[0].0;
    assert_eq!(stored, TokenHash::of(&token), "the wallet keeps the hash");

    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];
    let (_, accounts) = api.call("wallet_requestAccounts", json!({}), &auth).await;
    assert_eq!(accounts["result"], json!([ACCOUNT]));
    let (_, chain) = api.call("wallet_requestChainId", json!(null), &auth).await;
    assert_eq!(chain["result"], json!(CHAIN));
    let transfer = json!({"calls": [{"contract_address": "0x4718", "entry_point": "transfer",
                                     "calldata": ["0x5", "1", "0"]}]});
    let (_, sent) = api
        .call("wallet_addInvokeTransaction", transfer.clone(), &auth)
        .await;
    assert_eq!(sent["result"]["transaction_hash"], json!("0x0123"));
    assert_eq!(api.wallet.invoked.lock().unwrap()[0].0, "app-1");
    let approve = json!({"calls": [{"contract_address": "0x4718", "entry_point": "approve"}]});
    let (_, refused) = api
        .call("wallet_addInvokeTransaction", approve, &auth)
        .await;
    assert_eq!(
        code(&refused),
        113,
        "outside the policy: the spec's refusal"
    );
    let (_, switched) = api
        .call(
            "wallet_switchStarknetChain",
            json!({"chainId": "0x534e5f5345504f4c4941"}),
            &auth,
        )
        .await;
    assert_eq!(
        code(&switched),
        113,
        "the app cannot switch the user's network"
    );
    let (_, same) = api
        .call(
            "wallet_switchStarknetChain",
            json!({"chainId": "0x0534E5F4D41494E"}),
            &auth,
        )
        .await;
    assert_eq!(same["result"], json!(true));
    let (_, version) = api
        .call(
            "wallet_requestChainId",
            json!({"api_version": "9.9"}),
            &auth,
        )
        .await;
    assert_eq!(code(&version), 162);
    let (_, unknown) = api.call("wallet_mine", json!({}), &auth).await;
    assert_eq!(code(&unknown), -32601);
    let (_, bad) = api
        .call("wallet_addInvokeTransaction", json!({"calls": []}), &auth)
        .await;
    assert_eq!(code(&bad), 114);

    // Another scheme is not "no token".
    let (status, basic) = api
        .call(
            "wallet_supportedSpecs",
            json!({}),
            &[("authorization", "Basic eDp5")],
        )
        .await;
    assert_eq!((status, code(&basic)), (401, 113));
    // Calldata that is not a felt never reaches the wallet.
    let float = json!({"calls": [{"contract_address": "0x4718", "entry_point": "transfer",
                                  "calldata": [1.5]}]});
    let (_, float) = api.call("wallet_addInvokeTransaction", float, &auth).await;
    assert_eq!(code(&float), 114);
    // A wrong token, a token from a browser page, a rebound host name.
    let (status, wrong) = api
        .call(
            "wallet_requestAccounts",
            json!({}),
            &[("authorization", "Bearer cwp_00")],
        )
        .await;
    assert_eq!((status, code(&wrong)), (401, 113));
    let (status, page) = api
        .call(
            "wallet_addInvokeTransaction",
            transfer.clone(),
            &[auth[0], ("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(
        (status, code(&page)),
        (403, 113),
        "a page cannot use a script's token"
    );
    let host = format!("evil.example:{}", api.running.address.port());
    let (status, rebound) = api
        .call(
            "wallet_requestAccounts",
            json!({}),
            &[auth[0], ("host", host.as_str())],
        )
        .await;
    assert_eq!((status, code(&rebound)), (403, 113), "DNS rebinding");
    assert_eq!(
        api.wallet.invoked.lock().unwrap().len(),
        1,
        "none of them executed"
    );

    // The user removes the app: its token is refused from then on.
    api.wallet.remove("app-1");
    let (status, removed) = api.call("wallet_requestAccounts", json!({}), &auth).await;
    assert_eq!((status, code(&removed)), (401, 113));
    // No answer ever carried the token again.
    for body in [&accounts, &chain, &sent, &refused, &wrong, &page, &removed] {
        assert!(!body.to_string().contains(&token[4..]), "{body}");
    }
}

#[tokio::test]
async fn a_page_pairs_from_its_origin_and_is_held_to_it() {
    let api = Api::start(quick()).await;
    let token = api.pair("Dex", Some("https://dex.example")).await;
    assert_eq!(
        api.wallet.asked.lock().unwrap()[0].origin.as_deref(),
        Some("https://dex.example"),
        "the user is shown the origin the browser vouches for"
    );
    let bearer = format!("Bearer {token}");
    let from =
        |origin: &'static str| [("authorization", bearer.clone()), ("origin", origin.into())];
    let ok = from("https://dex.example");
    let ok: Vec<(&str, &str)> = ok.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let (status, accounts) = api.call("wallet_requestAccounts", json!({}), &ok).await;
    assert_eq!(status, 200, "{accounts}");
    let foreign = from("https://dex.example.evil.test");
    let foreign: Vec<(&str, &str)> = foreign.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let (status, _) = api
        .call("wallet_requestAccounts", json!({}), &foreign)
        .await;
    assert_eq!(status, 403);
    let (status, _) = api
        .call(
            "wallet_requestAccounts",
            json!({}),
            &[("authorization", bearer.as_str())],
        )
        .await;
    assert_eq!(status, 403, "the page's token without its origin");
    let (status, null) = api
        .call(
            "chipi_pair",
            json!({"name": "x", "policy": policy()}),
            &[("origin", "null")],
        )
        .await;
    assert_eq!(
        (status, code(&null)),
        (403, 113),
        "an opaque origin cannot pair"
    );
}

#[tokio::test]
async fn too_many_requests_then_allowed_again() {
    let api = Api::start(Rate {
        burst: 3,
        per_second: 1.0,
    })
    .await;
    for _ in 0..3 {
        let (status, _) = api.call("wallet_supportedSpecs", json!({}), &[]).await;
        assert_eq!(status, 200);
    }
    let (status, body) = api.call("wallet_supportedSpecs", json!({}), &[]).await;
    assert_eq!((status, code(&body)), (429, 163), "{body}");
    assert_eq!(body["id"], 1, "the refusal answers the call by its id");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _) = api.call("wallet_supportedSpecs", json!({}), &[]).await;
    assert_eq!(status, 200, "the bucket refills");
}

async fn socket(
    api: &Api,
    token: Option<&str>,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request = format!("ws://{}/", api.running.address)
        .into_client_request()
        .unwrap();
    let protocols = match token {
        Some(t) => format!("chipi-wallet-api, chipi-token.{t}"),
        None => "chipi-wallet-api".into(),
    };
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocols.parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("a message within 10 s");
        match next.expect("a message").expect("no error") {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Close(frame) => return json!({"closed": frame.map(|f| u16::from(f.code))}),
            _ => continue,
        }
    }
}

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

#[tokio::test]
async fn one_pairing_waits_for_the_user_at_a_time() {
    let api = Arc::new(Api::start(quick()).await);
    api.wallet.hold.store(true, Ordering::SeqCst);
    let first = {
        let api = api.clone();
        tokio::spawn(async move { api.pair("First", None).await })
    };
    wait_until(|| api.wallet.asked.lock().unwrap().len() == 1).await;
    let (_, second) = api
        .call(
            "chipi_pair",
            json!({"name": "Second", "policy": policy()}),
            &[],
        )
        .await;
    assert_eq!(code(&second), 113, "{second}");
    assert_eq!(
        api.wallet.asked.lock().unwrap().len(),
        1,
        "the second app never reached the user"
    );
    api.wallet.answer.notify_one();
    let token = first.await.unwrap();
    assert!(token.starts_with("cwp_"));
    // Answered: the next pairing is put to the user.
    api.wallet.hold.store(false, Ordering::SeqCst);
    api.pair("Second", None).await;
}

async fn wait_until(mut ok: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("never happened");
}
