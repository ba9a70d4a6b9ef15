//! A client of Chipi's hosted API (`api.chipipay.com`), the path the SDK uses for sponsored
//! transactions. Request bodies keep the SDK's field order so the server sees the same bytes.
//! The hosted service is not reachable from the machines this project is tested on; its tests
//! run against a local listener that records requests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;
use starknet_core::types::{Call, Felt};

use crate::backends::outside_execution::OutsideExecution;
use crate::backends::{ExecutionBackend, Signer, SubmitContext};
use crate::chain::http::{read_bounded, MAX_SERVICE_RESPONSE_BYTES};
use crate::entrypoint::selector;
use crate::error::SessionError;
use crate::typed_data::TypedData;
use crate::wallet_type::CHIPI_V29_CLASS_HASH;

/// The production endpoint.
pub const CHIPI_API_URL: &str = "https://api.chipipay.com/v1";
/// The API version every request names in `?__chipi_api_version=`.
pub const CHIPI_API_VERSION: &str = "2025-12-30";

/// Entrypoint names the client sends by name (the SDK's callers use names).
const KNOWN_ENTRYPOINTS: [&str; 8] = [
    "transfer",
    "approve",
    "increase_allowance",
    "add_or_update_session_key",
    "revoke_session_key",
    "set_spending_policy",
    "remove_spending_policy",
    "transfer_from",
];

/// Where a fresh bearer token comes from when the API answers 401 (the SDK's
/// `getBearerToken`): a blocking call, run off the async threads.
pub type BearerSource = Arc<dyn Fn() -> Result<String, SessionError> + Send + Sync>;

/// Chipi's API, authenticated by a public API key and the user's JWT.
pub struct ChipiApiClient {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
    bearer: Mutex<Option<zeroize::Zeroizing<String>>>,
    bearer_source: Option<BearerSource>,
    account_class_hash: Felt,
    /// The network's chain id: typed data for another chain is refused, and the hash signed
    /// uses this one, never the API's.
    chain_id: Felt,
    round_trips: AtomicU64,
}

impl std::fmt::Debug for ChipiApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipiApiClient")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("bearer", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A call as the API takes it.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiCall {
    /// The contract called.
    pub contract_address: String,
    /// The entrypoint's name, or its selector in hex when the name is not known here.
    pub entrypoint: String,
    /// Calldata as hex strings.
    pub calldata: Vec<String>,
}

impl ApiCall {
    /// The API form of `call`.
    pub fn from_call(call: &Call) -> Self {
        let entrypoint = KNOWN_ENTRYPOINTS
            .iter()
            .find(|name| selector(name) == call.selector)
            .map_or_else(
                || format!("{:#x}", call.selector),
                |name| (*name).to_owned(),
            );
        Self {
            contract_address: format!("{:#x}", call.to),
            entrypoint,
            calldata: call.calldata.iter().map(|f| format!("{f:#x}")).collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrepareBody<'a> {
    public_key: String,
    calls: Vec<ApiCall>,
    account_class_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    wallet_type: Option<&'a str>,
}

#[derive(Serialize)]
struct OwnerSignature {
    r: String,
    s: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum UserSignature {
    Owner(OwnerSignature),
    Session(Vec<String>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExecuteBody<'a> {
    public_key: String,
    typed_data: &'a Value,
    user_signature: UserSignature,
    save_to_database: bool,
    wallet_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_session_signature: Option<bool>,
}

/// A wallet as `GET /chipi-wallets/by-user` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipiWallet {
    /// The account address (the API calls it `publicKey`).
    pub address: Felt,
    /// The owner key in the SDK's encrypted format.
    pub encrypted_private_key: String,
    /// `CHIPI`, `READY`, ...
    pub wallet_type: String,
    /// Whether the account is deployed.
    pub is_deployed: bool,
}

impl ChipiApiClient {
    /// A client of the API at `base_url` (normally [`CHIPI_API_URL`]).
    pub fn new(
        base_url: impl Into<String>,
        api_key: impl Into<String>,
        bearer: Option<String>,
        chain_id: Felt,
    ) -> Self {
        let http = crate::chain::http::client(std::time::Duration::from_secs(60));
        Self {
            http,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key: api_key.into(),
            bearer: Mutex::new(bearer.map(zeroize::Zeroizing::new)),
            bearer_source: None,
            account_class_hash: CHIPI_V29_CLASS_HASH,
            chain_id,
            round_trips: AtomicU64::new(0),
        }
    }

    /// Names another account class in `accountClassHash` (the SDK sends CHIPI v29's).
    #[must_use]
    pub fn with_account_class_hash(mut self, class_hash: Felt) -> Self {
        self.account_class_hash = class_hash;
        self
    }

    /// Asks `source` for a new bearer token once when the API answers 401, then repeats the
    /// request with it.
    #[must_use]
    pub fn with_bearer_source(mut self, source: BearerSource) -> Self {
        self.bearer_source = Some(source);
        self
    }

    fn bearer(&self) -> Option<zeroize::Zeroizing<String>> {
        self.bearer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A new bearer token from the source, kept for the next requests; `false` without one.
    async fn refresh_bearer(&self) -> Result<bool, SessionError> {
        let Some(source) = self.bearer_source.clone() else {
            return Ok(false);
        };
        let token = tokio::task::spawn_blocking(move || source())
            .await
            .map_err(|e| SessionError::InvalidConfig(format!("bearer token source: {e}")))??;
        *self
            .bearer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(zeroize::Zeroizing::new(token));
        Ok(true)
    }

    /// Sends the request `build` makes; after a 401, once, with a fresh bearer token.
    async fn send_refreshing(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        endpoint: &str,
    ) -> Result<Option<Value>, SessionError> {
        match self.send(build(), endpoint).await {
            Err(SessionError::ChipiApi { status: 401, .. }) if self.refresh_bearer().await? => {
                self.send(build(), endpoint).await
            }
            other => other,
        }
    }

    fn request(&self, method: reqwest::Method, endpoint: &str) -> reqwest::RequestBuilder {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}{}", self.base_url, endpoint);
        let mut request = self
            .http
            .request(method, url)
            .query(&[("__chipi_api_version", CHIPI_API_VERSION)])
            .header("Content-Type", "application/json")
            .header("x-api-key", &self.api_key);
        if let Some(token) = self.bearer() {
            request = request.header("Authorization", format!("Bearer {}", token.as_str()));
        }
        request
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        endpoint: &str,
    ) -> Result<Option<Value>, SessionError> {
        let response = request.send().await.map_err(|e| SessionError::Network {
            context: format!("Chipi API {endpoint}"),
            source: e.without_url(),
        })?;
        let status = response.status();
        let body = read_bounded(response, "Chipi API", MAX_SERVICE_RESPONSE_BYTES).await?;
        let text = String::from_utf8_lossy(&body);
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let value: Value = serde_json::from_str(&text).map_err(|_| {
            SessionError::InvalidResponse(format!("Chipi API {endpoint}: not JSON (HTTP {status})"))
        })?;
        if !status.is_success() {
            return Err(SessionError::ChipiApi {
                status: status.as_u16(),
                code: value
                    .get("code")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("HTTP_{}", status.as_u16()), str::to_owned),
                message: value
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            });
        }
        Ok(Some(value))
    }

    async fn post<B: Serialize + Sync>(
        &self,
        endpoint: &str,
        body: &B,
    ) -> Result<Value, SessionError> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| SessionError::InvalidCall(e.to_string()))?;
        let build = || {
            self.request(reqwest::Method::POST, endpoint)
                .body(bytes.clone())
        };
        self.send_refreshing(build, endpoint)
            .await?
            .ok_or_else(|| SessionError::ChipiApi {
                status: 404,
                code: "HTTP_404".into(),
                message: "not found".into(),
            })
    }

    /// `POST /transactions/prepare-typed-data`: the outside execution to sign, checked to hold
    /// exactly `calls`. Returns the typed data as received and its hash for `account`.
    pub async fn prepare_typed_data(
        &self,
        account: Felt,
        calls: &[Call],
        wallet_type: Option<&str>,
    ) -> Result<(Value, Felt), SessionError> {
        let body = PrepareBody {
            public_key: format!("{account:#x}"),
            calls: calls.iter().map(ApiCall::from_call).collect(),
            account_class_hash: format!("{:#x}", self.account_class_hash),
            wallet_type,
        };
        let answer = self.post("/transactions/prepare-typed-data", &body).await?;
        // Current servers wrap it in {typedData, walletType}; older ones answer the typed data.
        let typed_data = match answer.get("typedData") {
            Some(inner) => inner.clone(),
            None if answer.get("types").is_some() && answer.get("message").is_some() => answer,
            None => {
                let message = answer
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("typedData is missing");
                return Err(SessionError::InvalidResponse(format!(
                    "prepare-typed-data: {message}"
                )));
            }
        };
        let typed = TypedData::from_json(&typed_data.to_string())?;
        let outside = OutsideExecution::from_typed_data(&typed)?;
        if outside.calls != calls {
            return Err(SessionError::PaymasterTampered { field: "calls" });
        }
        // The hash comes from the fixed SNIP-9 v2 layout, never from the API's type definitions.
        if typed.encode_type("OutsideExecution").ok().as_deref()
            != Some(crate::backends::outside_execution::OUTSIDE_EXECUTION_TYPE)
        {
            return Err(SessionError::PaymasterTampered { field: "types" });
        }
        let chain_id = typed
            .domain
            .get("chainId")
            .map(crate::typed_data::felt_of)
            .transpose()?;
        if chain_id != Some(self.chain_id) {
            return Err(SessionError::PaymasterTampered { field: "chain_id" });
        }
        let hash = outside.message_hash(account, self.chain_id);
        Ok((typed_data, hash))
    }

    /// `POST /transactions/execute-sponsored-transaction` with an owner or session signature.
    pub async fn execute_sponsored(
        &self,
        account: Felt,
        typed_data: &Value,
        signature: &[Felt],
        session: bool,
    ) -> Result<Felt, SessionError> {
        let user_signature = if session {
            UserSignature::Session(signature.iter().map(|f| format!("{f:#x}")).collect())
        } else {
            let [r, s] = signature else {
                return Err(SessionError::Signing(
                    "an owner signature has two felts".into(),
                ));
            };
            UserSignature::Owner(OwnerSignature {
                r: r.to_biguint().to_string(),
                s: s.to_biguint().to_string(),
            })
        };
        let body = ExecuteBody {
            public_key: format!("{account:#x}"),
            typed_data,
            user_signature,
            save_to_database: true,
            wallet_type: "CHIPI",
            is_session_signature: session.then_some(true),
        };
        let answer = self
            .post("/transactions/execute-sponsored-transaction", &body)
            .await?;
        answer
            .get("transactionHash")
            .and_then(Value::as_str)
            .and_then(|s| Felt::from_hex(s).ok())
            .ok_or_else(|| {
                let message = answer
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("no transactionHash");
                SessionError::InvalidResponse(format!("execute-sponsored-transaction: {message}"))
            })
    }

    /// `GET /chipi-wallets/by-user?externalUserId=…`; `None` when the user has no wallet.
    pub async fn wallet_by_user(
        &self,
        external_user_id: &str,
    ) -> Result<Option<ChipiWallet>, SessionError> {
        let endpoint = "/chipi-wallets/by-user";
        let build = || {
            self.request(reqwest::Method::GET, endpoint)
                .query(&[("externalUserId", external_user_id)])
        };
        let Some(value) = self.send_refreshing(build, endpoint).await? else {
            return Ok(None);
        };
        let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        let bad = |name: &str| SessionError::InvalidResponse(format!("by-user: {name} missing"));
        Ok(Some(ChipiWallet {
            address: text("publicKey")
                .and_then(|s| Felt::from_hex(&s).ok())
                .ok_or_else(|| bad("publicKey"))?,
            encrypted_private_key: text("encryptedPrivateKey")
                .ok_or_else(|| bad("encryptedPrivateKey"))?,
            wallet_type: text("walletType").unwrap_or_else(|| "CHIPI".into()),
            is_deployed: value
                .get("isDeployed")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }))
    }
}

#[async_trait]
impl ExecutionBackend for ChipiApiClient {
    fn name(&self) -> &'static str {
        "chipi-api"
    }

    async fn submit(
        &self,
        account: Felt,
        calls: &[Call],
        signer: Signer<'_>,
        _context: SubmitContext,
    ) -> Result<Felt, SessionError> {
        let session = signer.is_session();
        let (typed_data, hash) = self
            .prepare_typed_data(account, calls, session.then_some("CHIPI"))
            .await?;
        let signature = signer.sign(hash)?;
        self.execute_sponsored(account, &typed_data, &signature, session)
            .await
    }

    fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }
}
