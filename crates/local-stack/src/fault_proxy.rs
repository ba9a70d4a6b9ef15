//! A JSON-RPC forwarder in front of a node or a sponsor that fails on command: the faults a
//! wallet meets on a real network (the service down, an HTTP 5xx, an answer that never comes,
//! an answer lost after the request took effect), for every request or only for one method.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

/// What the forwarder does with a request the fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Refused without reaching the service (HTTP 503, as a load balancer in front of a
    /// stopped service answers).
    Down,
    /// Forwarded nowhere; HTTP 500 with a body that is not JSON-RPC.
    ServerError,
    /// Taken and never answered (the client's timeout is what ends it).
    Hang,
    /// Forwarded, so it takes effect, and its answer dropped (HTTP 502): what the client sees
    /// when the connection breaks or the app dies after sending.
    LoseAnswer,
    /// Held until the fault is cleared, then forwarded and answered (a slow answer: a receipt
    /// the app waits for while it is killed).
    Hold,
}

#[derive(Debug, Default)]
struct Switch {
    fault: Option<(Fault, Option<String>)>,
    hit: usize,
    /// Requests received, faulted or not (a batch counts once: one round trip).
    seen: usize,
}

/// The forwarder's control.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Switch>>);

impl Faults {
    /// From now on, every request meets `fault`.
    pub fn set(&self, fault: Fault) {
        self.lock().fault = Some((fault, None));
    }

    /// From now on, requests for `method` meet `fault`; the others pass.
    pub fn set_for(&self, method: &str, fault: Fault) {
        self.lock().fault = Some((fault, Some(method.to_owned())));
    }

    /// Every request passes again.
    pub fn clear(&self) {
        self.lock().fault = None;
    }

    /// How many requests met a fault so far.
    pub fn hits(&self) -> usize {
        self.lock().hit
    }

    /// How many requests (round trips) reached the forwarder so far.
    pub fn seen(&self) -> usize {
        self.lock().seen
    }

    fn holding(&self) -> bool {
        matches!(self.lock().fault, Some((Fault::Hold, _)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Switch> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The fault `body` meets, counting it.
    fn meets(&self, body: &str) -> Option<Fault> {
        let mut switch = self.lock();
        switch.seen += 1;
        let (fault, method) = switch.fault.clone()?;
        // A batch meets it when one of its requests is for the method.
        let applies = method.is_none_or(|m| {
            let asks = |v: &serde_json::Value| v.get("method").and_then(|x| x.as_str()) == Some(&m);
            match serde_json::from_str::<serde_json::Value>(body) {
                Ok(serde_json::Value::Array(batch)) => batch.iter().any(asks),
                Ok(single) => asks(&single),
                Err(_) => false,
            }
        });
        if applies {
            switch.hit += 1;
        }
        applies.then_some(fault)
    }
}

struct Proxy {
    upstream: String,
    faults: Faults,
    http: reqwest::Client,
}

async fn forward(
    State(proxy): State<Arc<Proxy>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, HeaderMap, String) {
    let fault = proxy.faults.meets(&body);
    match fault {
        Some(Fault::Down) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                HeaderMap::new(),
                String::new(),
            )
        }
        Some(Fault::ServerError) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                HeaderMap::new(),
                "internal error".into(),
            )
        }
        Some(Fault::Hang) => loop {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        },
        Some(Fault::Hold) => {
            while proxy.faults.holding() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Some(Fault::LoseAnswer) | None => {}
    }
    // Every header but the hop's own travels on (API keys, signatures, the content type).
    let mut request = proxy.http.post(&proxy.upstream).body(body);
    for (name, value) in &headers {
        if !matches!(name.as_str(), "host" | "content-length" | "connection") {
            request = request.header(name, value);
        }
    }
    let Ok(answer) = request.send().await else {
        return (StatusCode::BAD_GATEWAY, HeaderMap::new(), String::new());
    };
    if fault == Some(Fault::LoseAnswer) {
        return (StatusCode::BAD_GATEWAY, HeaderMap::new(), String::new());
    }
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut back = HeaderMap::new();
    if let Some(kind) = answer.headers().get("content-type") {
        back.insert("content-type", kind.clone());
    }
    (status, back, answer.text().await.unwrap_or_default())
}

/// Starts a forwarder to `upstream` on a free loopback port; returns its URL (`/rpc`, and `/`
/// too) and its control.
pub async fn start(upstream: String) -> std::io::Result<(String, Faults)> {
    let faults = Faults::default();
    let proxy = Arc::new(Proxy {
        upstream,
        faults: faults.clone(),
        http: reqwest::Client::new(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/rpc", listener.local_addr()?);
    let app = Router::new()
        .route("/rpc", post(forward))
        .route("/", post(forward))
        .with_state(proxy);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, faults))
}
