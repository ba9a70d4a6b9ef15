//! JSON-RPC over HTTP on loopback.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::config::SponsorConfig;
use crate::error::SponsorError;
use crate::rpc::{dispatch, Credentials};
use crate::sponsor::Sponsor;
use chipi_session::backends::paymaster::DEPLOYMENT_SIGNATURE_HEADER;
use starknet::core::types::Felt;

/// The API key header, as AVNU's paymaster names it.
pub const API_KEY_HEADER: &str = "x-paymaster-api-key";

/// The largest request body read: a build or execute request with a few dozen calls fits many
/// times over.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Why a request is refused before its body is read: a web page's (any `Origin`: browsers add it
/// to cross-origin posts, and no legitimate client of this loopback service is a page), or a
/// body not declared JSON (a page's "simple" form post cannot declare it without a CORS
/// preflight, which this service never answers).
fn refused_by_headers(headers: &HeaderMap) -> Option<SponsorError> {
    if headers.contains_key(header::ORIGIN) {
        return Some(SponsorError::CrossOrigin);
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    (!json).then_some(SponsorError::ContentType)
}

/// `0xr,0xs`: felts separated by commas, at most a handful.
fn felt_list(text: &str) -> Option<Vec<Felt>> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() > 4 {
        return None;
    }
    parts
        .into_iter()
        .map(|p| Felt::from_hex(p.trim()).ok())
        .collect()
}

/// A JSON-RPC body's id (null when there is none), and its method and params or why they
/// cannot be read.
pub fn read_body(body: &[u8]) -> (Value, Result<(String, Value), SponsorError>) {
    let Ok(mut request) = serde_json::from_slice::<Value>(body) else {
        return (Value::Null, Err(SponsorError::Parse));
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return (id, Err(SponsorError::InvalidParams("no method".into())));
    };
    let params = request
        .get_mut("params")
        .map(Value::take)
        .unwrap_or(Value::Null);
    (id, Ok((method, params)))
}

async fn handle(
    State(sponsor): State<Arc<Sponsor>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> (StatusCode, Json<Value>) {
    let answer = |id: Value, error: SponsorError| {
        if let SponsorError::Unknown(detail) = &error {
            // The operator's log gets the detail; the client gets the code alone.
            tracing::error!(%detail, "unexpected failure");
        }
        let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::OK);
        (
            status,
            Json(json!({"jsonrpc": "2.0", "id": id, "error": error.to_json()})),
        )
    };
    if let Some(error) = refused_by_headers(&headers) {
        return answer(Value::Null, error);
    }
    let Ok(body) = body else {
        return answer(Value::Null, SponsorError::TooLarge(MAX_BODY_BYTES));
    };
    let (id, call) = read_body(&body);
    let (method, params) = match call {
        Ok(call) => call,
        Err(error) => return answer(id, error),
    };
    let key = headers.get(API_KEY_HEADER).and_then(|v| v.to_str().ok());
    let credentials = Credentials {
        authorized: sponsor.accepts_api_key(key),
        deployment_signature: headers
            .get(DEPLOYMENT_SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(felt_list),
    };
    let started = std::time::Instant::now();
    let outcome = dispatch(&sponsor, &method, &params, &credentials).await;
    let ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(result) => {
            tracing::info!(%method, ms, authorized = credentials.authorized, "answered");
            (
                StatusCode::OK,
                Json(json!({"jsonrpc": "2.0", "id": id, "result": result})),
            )
        }
        Err(error) => {
            tracing::warn!(%method, ms, code = error.code(), %error, "refused");
            answer(id, error)
        }
    }
}

/// Serves `sponsor` on `127.0.0.1:port` (0 for any free port). Returns the bound address and
/// the server task.
pub async fn serve(
    sponsor: Arc<Sponsor>,
    port: u16,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    let app = Router::new()
        .route("/", post(handle))
        .route("/rpc", post(handle))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(sponsor);
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((address, task))
}

/// A running sponsor.
#[derive(Debug)]
pub struct Running {
    /// Its JSON-RPC URL (`http://127.0.0.1:PORT/rpc`).
    pub url: String,
    /// The server task; the sponsor stops when the runtime does.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Connects to the node, then serves on the configured port.
pub async fn start(config: &SponsorConfig) -> Result<Running, SponsorError> {
    let sponsor = Arc::new(Sponsor::new(config).await?);
    let (address, task) = serve(sponsor, config.port).await.map_err(|e| {
        SponsorError::Unknown(format!("cannot listen on 127.0.0.1:{}: {e}", config.port))
    })?;
    Ok(Running {
        url: format!("http://{address}/rpc"),
        task,
    })
}
