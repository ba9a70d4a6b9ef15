//! The API on 127.0.0.1: JSON-RPC over HTTP (`POST /`) and over a WebSocket (`GET /`, which also
//! carries the events), each request through the same door: `Host`, `Origin`, token, rate.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch};

use crate::backend::{App, WalletBackend, WalletEvent};
use crate::error::ApiError;
use crate::gate::{self, SUBPROTOCOL};
use crate::methods::{dispatch, Caller, PAIR_METHOD};
use crate::rate::{Rate, RateLimiter};
use crate::token::TokenHash;
use crate::wire;

/// The largest request read.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The WebSocket close code for an app the user revoked or disconnected.
pub const CLOSE_REMOVED: u16 = 4001;
/// The WebSocket close code when the user switches the API off.
pub const CLOSE_SWITCHED_OFF: u16 = 4002;
/// The close code when the wallet moved to a network (or wallet) where the app is not paired: it
/// heard `networkChanged` or `accountsChanged` with no account first.
pub const CLOSE_OTHER_WALLET: u16 = 4003;

/// How the API listens and how fast callers may ask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApiConfig {
    /// The loopback port (0: any free one).
    pub port: u16,
    /// Each paired app's budget.
    pub rate: Rate,
    /// The budget of everyone who has not paired, together (pairings put a prompt on screen).
    pub anonymous_rate: Rate,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            rate: Rate {
                burst: 20,
                per_second: 5.0,
            },
            anonymous_rate: Rate {
                burst: 10,
                per_second: 0.5,
            },
        }
    }
}

/// The port the API listens on unless set otherwise.
pub const DEFAULT_PORT: u16 = 47_612;

struct Door {
    backend: Arc<dyn WalletBackend>,
    port: u16,
    apps: RateLimiter,
    anonymous: RateLimiter,
    events: broadcast::Sender<WalletEvent>,
    stop: watch::Receiver<bool>,
    /// Held while a pairing waits for the user.
    pairing: Arc<tokio::sync::Semaphore>,
}

/// Who a request is from, once its headers passed.
struct Admitted {
    origin: Option<String>,
    /// The presented token's hash and the app holding it.
    app: Option<(TokenHash, App)>,
}

impl Door {
    fn admit(&self, headers: &HeaderMap) -> Result<Admitted, ApiError> {
        gate::check_host(headers, self.port)?;
        let origin = gate::origin(headers)?;
        let app = match gate::token(headers)? {
            None => None,
            Some(token) => {
                let hash = TokenHash::of(&token);
                let app = self.backend.app(&hash).ok_or(ApiError::NotPaired)?;
                gate::check_origin(&app, origin.as_deref())?;
                Some((hash, app))
            }
        };
        Ok(Admitted { origin, app })
    }

    fn take(&self, app: Option<&App>) -> Result<(), ApiError> {
        let taken = match app {
            Some(app) => self.apps.take(&app.id),
            None => self.anonymous.take("anonymous"),
        };
        taken.map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })
    }

    /// One call's answer (an envelope, and its HTTP status), logged by method, caller, time and
    /// outcome.
    async fn answer(
        &self,
        body: &[u8],
        app: Option<&App>,
        origin: Option<&str>,
    ) -> (Value, StatusCode) {
        let refused = |id: Value, e: &ApiError| {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::OK);
            (wire::error(id, e), status)
        };
        let (call, unreadable) = match wire::read_call(body) {
            Ok(call) => (call, None),
            Err((id, e)) => (
                wire::RpcCall {
                    id,
                    method: String::new(),
                    params: Value::Null,
                },
                Some(e),
            ),
        };
        // Counted before anything else, an unreadable body too; the answer keeps the call's id.
        if let Err(e) = self.take(app) {
            return refused(call.id, &e);
        }
        if let Some(e) = unreadable {
            return refused(call.id, &e);
        }
        // A pairing puts a prompt in front of the user: one at a time, and from everyone's
        // unpaired budget, a paired app's too.
        let _pairing = if call.method == PAIR_METHOD {
            if app.is_some() {
                if let Err(e) = self.take(None) {
                    return refused(call.id, &e);
                }
            }
            match self.pairing.clone().try_acquire_owned() {
                Ok(permit) => Some(permit),
                Err(_) => {
                    let e = ApiError::Refused("another pairing is waiting for the user".into());
                    return refused(call.id, &e);
                }
            }
        } else {
            None
        };
        let caller = match app {
            Some(app) => Caller::App(app),
            None => Caller::Anonymous { origin },
        };
        let started = std::time::Instant::now();
        let outcome = dispatch(self.backend.as_ref(), caller, &call.method, &call.params).await;
        let ms = started.elapsed().as_millis() as u64;
        let who = app.map_or("(not paired)", |a| a.name.as_str());
        match outcome {
            Ok(result) => {
                tracing::info!(method = %call.method, app = who, ms, "answered");
                (wire::result(call.id, result), StatusCode::OK)
            }
            Err(e) => {
                tracing::warn!(method = %call.method, app = who, ms, code = e.code(), %e, "refused");
                refused(call.id, &e)
            }
        }
    }
}

fn refusal(error: &ApiError) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    tracing::warn!(code = error.code(), %error, "refused at the door");
    (status, axum::Json(wire::error(Value::Null, error))).into_response()
}

/// Lets a browser page read the answer: only ever its own, already admitted, origin.
fn with_cors(mut response: Response, origin: Option<&str>) -> Response {
    if let Some(value) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

async fn post_call(State(door): State<Arc<Door>>, headers: HeaderMap, body: Bytes) -> Response {
    let admitted = match door.admit(&headers) {
        Ok(admitted) => admitted,
        Err(e) => return refusal(&e),
    };
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return refusal(&ApiError::InvalidRequest(
            "Content-Type must be application/json".into(),
        ));
    }
    let app = admitted.app.as_ref().map(|(_, app)| app);
    let origin = admitted.origin.as_deref();
    let (answer, status) = door.answer(&body, app, origin).await;
    with_cors((status, axum::Json(answer)).into_response(), origin)
}

/// A browser's preflight before a JSON post with a token: allowed for any well-formed origin
/// (the post itself is then judged by its token and origin).
async fn preflight(State(door): State<Arc<Door>>, headers: HeaderMap) -> Response {
    let origin = match door.admit_preflight(&headers) {
        Ok(origin) => origin,
        Err(e) => return refusal(&e),
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    with_cors(response, origin.as_deref())
}

impl Door {
    fn admit_preflight(&self, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
        gate::check_host(headers, self.port)?;
        gate::origin(headers)
    }
}

async fn upgrade(
    State(door): State<Arc<Door>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let admitted = match door.admit(&headers) {
        Ok(admitted) => admitted,
        Err(e) => return refusal(&e),
    };
    ws.protocols([SUBPROTOCOL])
        .max_message_size(MAX_BODY_BYTES)
        .on_upgrade(move |socket| connection(door, socket, admitted))
}

fn event_message(event: &WalletEvent) -> Option<Message> {
    let value = match event {
        WalletEvent::AccountsChanged(accounts) => {
            wire::notification("accountsChanged", json!(accounts))
        }
        WalletEvent::NetworkChanged { chain_id, accounts } => wire::notification(
            "networkChanged",
            json!({"chainId": chain_id, "accounts": accounts}),
        ),
        WalletEvent::AppRemoved(_) => return None,
    };
    Some(Message::Text(value.to_string().into()))
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// One WebSocket: calls answered in order; events for a paired app; closed when the app is
/// removed or the API switched off. The app is looked up again for every call, so a revocation
/// holds at once even if its event was missed. While a call is answered (a prompt may wait on
/// the user) the socket is still watched: the app hanging up, or the API switched off, ends the
/// call (its prompt withdrawn); what the app sends meanwhile waits its turn.
async fn connection(door: Arc<Door>, mut socket: WebSocket, admitted: Admitted) {
    let mut token = admitted.app.as_ref().map(|(hash, _)| *hash);
    let origin = admitted.origin;
    let mut events = door.events.subscribe();
    let mut stop = door.stop.clone();
    let mut queued = VecDeque::new();
    loop {
        let message = match queued.pop_front() {
            Some(message) => Some(Ok(message)),
            None => tokio::select! {
                _ = stop.changed() => {
                    let _ = socket.send(close(CLOSE_SWITCHED_OFF, "the wallet API was switched off")).await;
                    return;
                }
                event = events.recv() => {
                    // Only a paired socket hears events; one whose app is gone (removed before
                    // or by this event) closes.
                    let Some(hash) = token else { continue };
                    let app = door.backend.app(&hash);
                    let event = match (event, &app) {
                        (Ok(event), _) => event,
                        // Events were missed: the current state stands in for them.
                        (Err(broadcast::error::RecvError::Lagged(_)), Some(app)) => {
                            match (door.backend.chain_id().await, door.backend.accounts(app).await) {
                                (Ok(chain_id), Ok(accounts)) => WalletEvent::NetworkChanged { chain_id, accounts },
                                _ => continue,
                            }
                        }
                        (Err(_), _) => continue,
                    };
                    if app.is_none() && !matches!(event, WalletEvent::AppRemoved(_)) {
                        // The wallet moved where this app is not paired: it hears so, with no
                        // account, and the socket closes (it connects again if the user moves
                        // back).
                        if let Some(message) = event_message(&event.without_accounts()) {
                            let _ = socket.send(message).await;
                        }
                        let _ = socket.send(close(CLOSE_OTHER_WALLET, "the wallet moved where this app is not paired")).await;
                        return;
                    }
                    if app.is_none_or(|app| event == WalletEvent::AppRemoved(app.id)) {
                        let _ = socket.send(close(CLOSE_REMOVED, "the user removed this app")).await;
                        return;
                    }
                    if let Some(message) = event_message(&event) {
                        if socket.send(message).await.is_err() {
                            return;
                        }
                    }
                    continue;
                }
                message = socket.recv() => message,
            },
        };
        let body = match message {
            Some(Ok(Message::Text(text))) => Bytes::from(text.as_str().to_owned()),
            Some(Ok(Message::Binary(bytes))) => bytes,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            _ => return,
        };
        let app = match token {
            Some(hash) => match door.backend.app(&hash) {
                Some(app) => Some(app),
                None => {
                    let _ = socket
                        .send(close(CLOSE_REMOVED, "the user removed this app"))
                        .await;
                    return;
                }
            },
            None => None,
        };
        let answering = door.answer(&body, app.as_ref(), origin.as_deref());
        tokio::pin!(answering);
        let (answer, _) = loop {
            tokio::select! {
                answered = &mut answering => break answered,
                _ = stop.changed() => {
                    let _ = socket.send(close(CLOSE_SWITCHED_OFF, "the wallet API was switched off")).await;
                    return;
                }
                next = socket.recv() => match next {
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                    Some(Ok(message)) => queued.push_back(message),
                },
            }
        };
        // A pairing on this socket makes it the new app's (only a pairing's result carries a
        // token; the body is not read a second time to tell).
        if token.is_none() {
            token = answer["result"]["token"].as_str().map(TokenHash::of);
        }
        if socket
            .send(Message::Text(answer.to_string().into()))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// A running API.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub address: SocketAddr,
    /// Send events to every open connection here.
    pub events: broadcast::Sender<WalletEvent>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops listening and closes every open connection (the API switched off).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Listens on `127.0.0.1:config.port` for `backend`'s apps.
pub async fn start(config: ApiConfig, backend: Arc<dyn WalletBackend>) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    let address = listener.local_addr()?;
    let (events, _) = broadcast::channel(64);
    let (stop, stopped) = watch::channel(false);
    let door = Arc::new(Door {
        backend,
        port: address.port(),
        apps: RateLimiter::new(config.rate),
        anonymous: RateLimiter::new(config.anonymous_rate),
        events: events.clone(),
        stop: stopped.clone(),
        pairing: Arc::new(tokio::sync::Semaphore::new(1)),
    });
    let router = Router::new()
        .route("/", get(upgrade).post(post_call).options(preflight))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(door);
    let mut until = stopped;
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = until.changed().await;
            })
            .await
    });
    tracing::info!(%address, "wallet API listening");
    Ok(Running {
        address,
        events,
        stop,
        task,
    })
}
