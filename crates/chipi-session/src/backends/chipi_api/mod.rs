//! A client of Chipi's hosted API (`api.chipipay.com`), the path the SDK uses for sponsored
//! transactions. Request bodies keep the SDK's field order so the server sees the same bytes.
//! The hosted service is not reachable from the machines this project is tested on; its tests
//! run against a local listener that records requests.

mod http;
mod wire;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;
use starknet_core::types::{Call, Felt};

use crate::backends::outside_check::{check_outside_execution, Expectation, FeeMode};
use crate::backends::outside_execution::OutsideExecution;
use crate::backends::paymaster::BuiltInvoke;
use crate::backends::unsettled::Ledger;
use crate::backends::{ExecutionBackend, Signer, SubmitContext};
use crate::chain::http::{read_bounded, MAX_SERVICE_RESPONSE_BYTES};
use crate::chain::node_client::NodeClient;
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

/// Longest validity the wallet signs an outside execution the Chipi API built for (the API
/// sets the bounds itself; it has been seen to build windows of years).
pub const CHIPI_MAX_VALIDITY_SECONDS: u64 = 3600;

/// Called with the relayer the first time the API names one, to pin it for later starts.
pub type CallerRecorder = Arc<dyn Fn(Felt) + Send + Sync>;

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
    /// The network's node: chain time and whether the outside nonce is unused.
    node: Option<Arc<NodeClient>>,
    /// The relayer every outside execution must name, once seen.
    caller: Mutex<Option<Felt>>,
    caller_recorder: Option<CallerRecorder>,
    /// The unsettled session execution, shared with the wallet's other backends.
    ledger: Ledger,
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
            node: None,
            caller: Mutex::new(None),
            caller_recorder: None,
            ledger: Ledger::new(chain_id),
        }
    }

    /// Reads chain time and outside nonces from `node` (the network's). Without one, nothing
    /// is signed: the validity window and the nonce could not be checked.
    #[must_use]
    pub fn with_node(mut self, node: NodeClient) -> Self {
        self.node = Some(Arc::new(node));
        self
    }

    /// Requires every outside execution to name `caller` when given (pinned earlier); the
    /// first one seen otherwise is pinned and passed to `recorder`.
    #[must_use]
    pub fn with_caller_pin(mut self, caller: Option<Felt>, recorder: CallerRecorder) -> Self {
        self.caller = Mutex::new(caller);
        self.caller_recorder = Some(recorder);
        self
    }

    /// Keeps the unsettled session execution in `ledger`, shared with the other backends.
    #[must_use]
    pub fn with_ledger(mut self, ledger: Ledger) -> Self {
        self.ledger = ledger;
        self
    }

    fn pinned_caller(&self) -> Option<Felt> {
        *self
            .caller
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn node(&self) -> Result<&NodeClient, SessionError> {
        self.node.as_deref().ok_or_else(|| {
            SessionError::InvalidConfig(
                "the Chipi API path needs the network's node to check what it signs".into(),
            )
        })
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

    /// `POST /transactions/prepare-typed-data`: the outside execution to sign, checked (see
    /// [`Self::check_built`]). Returns the typed data as received, parsed, and its hash for
    /// `account`.
    pub async fn prepare_typed_data(
        &self,
        account: Felt,
        calls: &[Call],
        wallet_type: Option<&str>,
    ) -> Result<BuiltInvoke, SessionError> {
        let body = PrepareBody {
            public_key: format!("{account:#x}"),
            calls: calls.iter().map(ApiCall::from_call).collect(),
            account_class_hash: format!("{:#x}", self.account_class_hash),
            wallet_type,
        };
        let answer = self.post("/transactions/prepare-typed-data", &body).await?;
        // Current servers wrap it in {typedData, walletType}; older ones answer the typed data.
        let endpoint = "prepare-typed-data";
        let typed_data = match wire::read::<wire::Prepared>(&answer, endpoint)? {
            wire::Prepared {
                typed_data: Some(inner),
                ..
            } => inner,
            wire::Prepared {
                types: Some(_),
                message: Some(_),
                ..
            } => answer,
            wire::Prepared { message, .. } => {
                let words = message
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or("typedData is missing");
                return Err(SessionError::InvalidResponse(format!(
                    "{endpoint}: {words}"
                )));
            }
        };
        self.check_built(account, calls, typed_data).await
    }

    /// Checks the typed data the API built as a paymaster's is checked (SNIP-9 v2 types, this
    /// chain, exactly `calls`, no `ANY_CALLER` and the caller pinned once seen, valid from now
    /// for at most [`CHIPI_MAX_VALIDITY_SECONDS`], a nonce unused on chain); the hash is
    /// computed from the fixed layout, never from the API's type definitions.
    async fn check_built(
        &self,
        account: Felt,
        calls: &[Call],
        typed_data: Value,
    ) -> Result<BuiltInvoke, SessionError> {
        let node = self.node()?;
        let typed = TypedData::from_json(&typed_data.to_string())?;
        let nonce = OutsideExecution::from_typed_data(&typed)?.nonce;
        let (unused, chain_now) = node.outside_nonce_state(account, nonce).await?;
        let pinned = self.pinned_caller();
        let expectation = Expectation {
            chain_id: self.chain_id,
            calls,
            caller: pinned,
            now: chain_now,
            fee: FeeMode::Sponsored,
            max_validity: CHIPI_MAX_VALIDITY_SECONDS,
        };
        let outside_execution = check_outside_execution(&typed, &expectation)?;
        if !unused {
            return Err(SessionError::PaymasterTampered { field: "nonce" });
        }
        if pinned.is_none() {
            *self
                .caller
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(outside_execution.caller);
            if let Some(recorder) = &self.caller_recorder {
                recorder(outside_execution.caller);
            }
        }
        let message_hash = outside_execution.message_hash(account, self.chain_id);
        Ok(BuiltInvoke {
            typed_data,
            outside_execution,
            message_hash,
        })
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
        let endpoint = "execute-sponsored-transaction";
        let executed: wire::Executed = wire::read(&answer, endpoint)?;
        executed
            .transaction_hash
            .as_deref()
            .and_then(|s| Felt::from_hex(s).ok())
            .ok_or_else(|| {
                let words = executed
                    .message
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or("no transactionHash");
                SessionError::InvalidResponse(format!("{endpoint}: {words}"))
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
        let wallet: wire::WalletByUser = wire::read(&value, "by-user")?;
        Ok(Some(ChipiWallet {
            address: Felt::from_hex(&wallet.public_key).map_err(|_| {
                SessionError::InvalidResponse("by-user: publicKey is not an address".into())
            })?,
            encrypted_private_key: wallet.encrypted_private_key,
            wallet_type: wallet.wallet_type.unwrap_or_else(|| "CHIPI".into()),
            is_deployed: wallet.is_deployed.unwrap_or(false),
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
        // A session execution whose outcome is unknown (here or through another backend) is
        // settled first; the same calls re-send it rather than sign anew.
        let tracked_on = if session { Some(self.node()?) } else { None };
        let attempt = self
            .ledger
            .attempt(
                tracked_on,
                account,
                calls,
                self.prepare_typed_data(account, calls, session.then_some("CHIPI")),
                |hash| signer.sign(hash),
            )
            .await?;
        self.execute_sponsored(
            account,
            &attempt.built.typed_data,
            &attempt.signature,
            session,
        )
        .await
    }

    fn settled(&self) {
        self.ledger.forget();
    }

    fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }
}
