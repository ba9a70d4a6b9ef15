//! A local stand-in for Chipi's hosted API (`protocol.md` §5), on top of the project's sponsor:
//! `POST /v1/transactions/prepare-typed-data` builds the outside execution the way the sponsor
//! does, `POST /v1/transactions/execute-sponsored-transaction` relays it. It checks the
//! `x-api-key` header and the bearer token like the hosted service (401 with `{message, code}`
//! for an expired token), so the app's Chipi API path, token refresh included, runs for real
//! here. The hosted service itself is not reachable from the machines this project is tested on.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chipi_session::entrypoint::selector;
use chipi_session::typed_data::felt_of;
use serde_json::{json, Value};
use sponsor::{Sponsor, SponsorConfig};
use starknet_core::types::{Call, Felt};

/// What the stand-in saw: the bearer token of each request and how it was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The path, without the query.
    pub path: String,
    /// The bearer token sent, if any.
    pub bearer: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
}

struct Inner {
    sponsor: Sponsor,
    api_key: String,
    bearer: Mutex<String>,
    seen: Mutex<Vec<Seen>>,
}

/// A running stand-in.
#[derive(Clone)]
pub struct ChipiApiDouble {
    inner: Arc<Inner>,
    /// Its base URL (`http://127.0.0.1:PORT/v1`).
    pub url: String,
}

impl std::fmt::Debug for ChipiApiDouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipiApiDouble")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({"message": message, "code": code})))
}

fn felt(value: &Value) -> Option<Felt> {
    felt_of(value).ok()
}

/// The API's calls (`{contractAddress, entrypoint, calldata}`), entrypoints by name or hex.
fn calls_of(body: &Value) -> Option<Vec<Call>> {
    body.get("calls")?
        .as_array()?
        .iter()
        .map(|c| {
            let entrypoint = c.get("entrypoint")?.as_str()?;
            Some(Call {
                to: felt(c.get("contractAddress")?)?,
                selector: if entrypoint.starts_with("0x") {
                    Felt::from_hex(entrypoint).ok()?
                } else {
                    selector(entrypoint)
                },
                calldata: c
                    .get("calldata")?
                    .as_array()?
                    .iter()
                    .map(felt)
                    .collect::<Option<_>>()?,
            })
        })
        .collect()
}

/// `userSignature`: `{r, s}` in decimal (owner) or `[pk, r, s, valid_until]` in hex (session).
fn signature_of(body: &Value) -> Option<Vec<Felt>> {
    let signature = body.get("userSignature")?;
    match signature.as_array() {
        Some(list) => list.iter().map(felt).collect(),
        None => Some(vec![felt(signature.get("r")?)?, felt(signature.get("s")?)?]),
    }
}

impl ChipiApiDouble {
    /// Serves on a free loopback port, relaying through the sponsor `config` describes, for
    /// requests with `api_key` and the bearer token `bearer`.
    pub async fn start(
        config: &SponsorConfig,
        api_key: &str,
        bearer: &str,
    ) -> anyhow::Result<Self> {
        let inner = Arc::new(Inner {
            sponsor: Sponsor::new(config).await?,
            api_key: api_key.to_owned(),
            bearer: Mutex::new(bearer.to_owned()),
            seen: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/v1/transactions/prepare-typed-data", post(Self::prepare))
            .route(
                "/v1/transactions/execute-sponsored-transaction",
                post(Self::execute),
            )
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/v1", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { inner, url })
    }

    /// From now on only `bearer` is accepted (the user's token expired).
    pub fn rotate_bearer(&self, bearer: &str) {
        *self.inner.bearer.lock().unwrap() = bearer.to_owned();
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.inner.seen.lock().unwrap().clone()
    }

    /// The key and token checks; `Err` is the answer to send.
    fn authorise(
        inner: &Inner,
        headers: &HeaderMap,
        path: &str,
    ) -> Result<(), (StatusCode, Json<Value>)> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let bearer = header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let outcome = if header("x-api-key") != Some(inner.api_key.as_str()) {
            Err(error(
                StatusCode::UNAUTHORIZED,
                "INVALID_API_KEY",
                "invalid api key",
            ))
        } else if bearer.as_deref() != Some(inner.bearer.lock().unwrap().as_str()) {
            Err(error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "jwt expired",
            ))
        } else {
            Ok(())
        };
        let status = outcome.as_ref().map_or_else(|e| e.0.as_u16(), |()| 200);
        inner.seen.lock().unwrap().push(Seen {
            path: path.to_owned(),
            bearer,
            status,
        });
        outcome
    }

    async fn prepare(
        State(inner): State<Arc<Inner>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, Json<Value>) {
        if let Err(answer) = Self::authorise(&inner, &headers, "prepare-typed-data") {
            return answer;
        }
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "not JSON");
        };
        let (Some(user), Some(calls)) = (body.get("publicKey").and_then(felt), calls_of(&body))
        else {
            return error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "publicKey and calls",
            );
        };
        match inner.sponsor.build_invoke(user, calls, None, None).await {
            Ok((typed_data, _fee)) => (
                StatusCode::OK,
                Json(json!({"typedData": typed_data, "walletType": "CHIPI"})),
            ),
            Err(e) => error(StatusCode::BAD_REQUEST, "PREPARE_FAILED", &e.to_string()),
        }
    }

    async fn execute(
        State(inner): State<Arc<Inner>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, Json<Value>) {
        if let Err(answer) = Self::authorise(&inner, &headers, "execute-sponsored-transaction") {
            return answer;
        }
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "not JSON");
        };
        let (Some(user), Some(typed_data), Some(signature)) = (
            body.get("publicKey").and_then(felt),
            body.get("typedData"),
            signature_of(&body),
        ) else {
            return error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "publicKey, typedData and userSignature",
            );
        };
        match inner
            .sponsor
            .execute_invoke(user, typed_data, signature, None)
            .await
        {
            Ok(hash) => (
                StatusCode::OK,
                Json(json!({"transactionHash": format!("{hash:#x}")})),
            ),
            Err(e) => error(StatusCode::BAD_REQUEST, "EXECUTION_FAILED", &e.to_string()),
        }
    }
}
