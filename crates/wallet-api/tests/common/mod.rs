//! What the door's suites share: a small in-memory wallet whose user the test plays, the API
//! started on a free loopback port, and HTTP and WebSocket callers.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use wallet_api::rate::Rate;
use wallet_api::wire::{DeploymentData, InvokeCall};
use wallet_api::{
    start, ApiConfig, ApiError, App, PairRequest, Paired, Running, TokenHash, WalletBackend,
};

pub const CHAIN: &str = "0x534e5f4d41494e";
pub const ACCOUNT: &str = "0x3cd";

#[derive(Default)]
pub struct Wallet {
    pub approve: AtomicBool,
    /// The user takes their time: pairings wait for `answer`.
    pub hold: AtomicBool,
    pub answer: tokio::sync::Notify,
    /// Pairings whose caller went away while the user was asked (their call dropped).
    pub abandoned: AtomicUsize,
    pub apps: Mutex<Vec<(TokenHash, App)>>,
    pub asked: Mutex<Vec<PairRequest>>,
    pub invoked: Mutex<Vec<(String, Vec<InvokeCall>)>>,
}

impl Wallet {
    pub fn remove(&self, id: &str) {
        self.apps.lock().unwrap().retain(|(_, app)| app.id != id);
    }
}

/// Counts a pairing dropped before the user answered.
struct Asking<'a> {
    abandoned: &'a AtomicUsize,
    answered: bool,
}

impl Drop for Asking<'_> {
    fn drop(&mut self) {
        if !self.answered {
            self.abandoned.fetch_add(1, Ordering::SeqCst);
        }
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
            let mut asking = Asking {
                abandoned: &self.abandoned,
                answered: false,
            };
            self.answer.notified().await;
            asking.answered = true;
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

pub fn policy() -> Value {
    json!({"contracts": {"0x4718": {"methods": [{"entrypoint": "transfer"}]}},
           "limits": [{"token": "0x4718", "per_call": "1", "per_window": "3", "window_secs": 3600}],
           "duration_secs": 3600, "max_calls": 10})
}

pub struct Api {
    pub running: Running,
    pub wallet: Arc<Wallet>,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn start(rate: Rate) -> Self {
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

    pub fn url(&self) -> String {
        format!("http://{}/", self.running.address)
    }

    /// A call over HTTP with these extra headers: the status and the body.
    pub async fn call(
        &self,
        method: &str,
        params: Value,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
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

    pub async fn pair(&self, name: &str, origin: Option<&str>) -> String {
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

pub fn code(body: &Value) -> i64 {
    body["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error: {body}"))
}

pub fn quick() -> Rate {
    Rate {
        burst: 100,
        per_second: 100.0,
    }
}

pub async fn socket(
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

pub async fn next_json<S>(ws: &mut S) -> Value
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

pub async fn wait_until(mut ok: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("never happened");
}
