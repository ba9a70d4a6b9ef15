//! A JSON-RPC forwarder in front of the node that can hold back receipt requests: the app then
//! has its transaction's hash but not its outcome, the moment a crash would cost the most.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::Router;

#[derive(Debug, Default)]
pub struct Stall {
    holding: AtomicBool,
    held: AtomicUsize,
}

impl Stall {
    /// Holds receipt requests from now on (or lets them through).
    pub fn hold(&self, on: bool) {
        self.holding.store(on, Ordering::SeqCst);
    }

    /// Receipt requests held so far.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }
}

struct Proxy {
    node: String,
    stall: Arc<Stall>,
    http: reqwest::Client,
}

async fn forward(State(proxy): State<Arc<Proxy>>, body: String) -> String {
    if body.contains("starknet_getTransactionReceipt") && proxy.stall.holding.load(Ordering::SeqCst)
    {
        proxy.stall.held.fetch_add(1, Ordering::SeqCst);
        while proxy.stall.holding.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let answer = proxy
        .http
        .post(&proxy.node)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the node answers");
    answer.text().await.unwrap()
}

/// Starts the forwarder to `node`; returns its URL and its switch.
pub async fn start(node: String) -> (String, Arc<Stall>) {
    let stall = Arc::new(Stall::default());
    let proxy = Arc::new(Proxy {
        node,
        stall: stall.clone(),
        http: reqwest::Client::new(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    let app = Router::new().route("/rpc", post(forward)).with_state(proxy);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, stall)
}
