//! A SNIP-29 paymaster client: build the outside execution, check every field of it against
//! what the wallet asked for (`outside_check`), check on chain that its nonce is unused, and
//! hand back the signed result for relaying. One gasless execution costs two round trips to the
//! paymaster (`paymaster_buildTransaction`, `paymaster_executeTransaction`) and one to the node
//! (the nonce and the chain time, batched). Requests are written in the wire format the public
//! server reads (`snip29`): params by name, integer time bounds; the execution is followed by its
//! transaction hash on the node, never by a tracking id.
//!
//! In the default (user-pays) mode the server's suggested fee covers the calls without the
//! account's validation, and the server refuses at execute a fee call below 1.1 × the real cost
//! with it: the fee call is raised before signing by the class's validation margin, never above
//! the fee the user accepted (the unused part comes back in the same transaction).
//!
//! A signed execution the paymaster reported as failed is remembered: before anything new is
//! signed, the node says whether its nonce was used (it ran after all: not sent again), whether
//! it can still run (the same calls are re-sent with the same signature; other calls wait), or
//! whether it expired.

mod fee;
pub(crate) mod in_flight;
mod rpc;
mod types;

use fee::{set_fee_amount, with_margin};
use rpc::invoke_params;
pub use types::{AccountDeployment, ApiKey, BuiltInvoke, Relayed, SupportedToken};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use starknet_core::types::{Call, Felt};

use crate::backends::outside_check::{
    check_outside_execution, Expectation, FeeMode, MAX_VALIDITY_SECONDS,
};
use crate::backends::outside_execution::OutsideExecution;
use crate::backends::snip29::{
    BuildAnswer, DeploymentData, ExecutableInvoke, ExecutableTransaction, ExecuteAnswer,
    ExecutionParameters, Request, Response, TimeBounds, TokenData, TransactionParams, UserInvoke,
    UserTransaction, WireCall, WireFeeMode,
};
use crate::chain::http::{read_rpc_answer, MAX_SERVICE_RESPONSE_BYTES};
use crate::chain::node_client::NodeClient;
use crate::error::SessionError;
use crate::typed_data::TypedData;

use crate::backends::unsettled::Ledger;
pub use in_flight::{Journal, JournalFn};

/// The header a paymaster API key travels in (AVNU's name).
pub const API_KEY_HEADER: &str = "x-paymaster-api-key";

/// The header the owner's signature over a deployment travels in (`0xr,0xs`): this project's
/// sponsor deploys nothing without it; other paymasters ignore a header they do not know, and
/// the body stays the spec's.
pub const DEPLOYMENT_SIGNATURE_HEADER: &str = "x-deployment-signature";

/// The validation margin used for a class that has none measured: the highest of the table.
pub const DEFAULT_VALIDATION_MARGIN_PERCENT: u32 = 160;

/// What the owner signs to ask for a deployment: `poseidon("chipi.deploy", chain_id, address)`
/// (the address commits to the class, the salt and the constructor calldata).
pub fn deployment_authorization(chain_id: Felt, address: Felt) -> Felt {
    const TAG: Felt = Felt::from_hex_unchecked("0x63686970692e6465706c6f79");
    starknet_crypto::poseidon_hash_many(&[TAG, chain_id, address])
}

/// A paymaster endpoint, for one network.
#[derive(Debug, Clone)]
pub struct PaymasterClient {
    http: reqwest::Client,
    url: String,
    api_key: Option<ApiKey>,
    round_trips: Arc<AtomicU64>,
    chain_id: Felt,
    node: Arc<NodeClient>,
    fee: FeeMode,
    /// How much more than the server's suggestion the fee call is raised to (percent), to
    /// cover the account's validation.
    validation_margin_percent: u32,
    /// The relayer every outside execution must name, learnt from the first build.
    caller: Arc<Mutex<Option<Felt>>>,
    /// The signed session execution whose outcome is unknown, shared with the wallet's other
    /// backends and written down before it is sent.
    ledger: Ledger,
}

fn felt_to_u128(value: Felt, what: &str) -> Result<u128, SessionError> {
    value
        .try_into()
        .map_err(|_| SessionError::InvalidResponse(format!("paymaster: {what} out of range")))
}

impl PaymasterClient {
    /// A client of the paymaster at `url` for the network whose node is at `rpc_url` and whose
    /// chain id is `chain_id`; sponsored fee mode, relayer learnt from the first build.
    pub fn new(url: impl Into<String>, rpc_url: impl Into<String>, chain_id: Felt) -> Self {
        let http = crate::chain::http::client(std::time::Duration::from_secs(60));
        Self {
            http,
            url: url.into(),
            api_key: None,
            round_trips: Arc::new(AtomicU64::new(0)),
            chain_id,
            node: Arc::new(NodeClient::new(rpc_url)),
            fee: FeeMode::Sponsored,
            validation_margin_percent: DEFAULT_VALIDATION_MARGIN_PERCENT,
            caller: Arc::new(Mutex::new(None)),
            ledger: Ledger::new(chain_id),
        }
    }

    /// Gives up each request (to the paymaster and to the node) after `timeout` instead of
    /// 60 s (30 s for the node).
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.http = crate::chain::http::client(timeout);
        self.node = Arc::new(self.node_with(&[]).with_timeout(timeout));
        self
    }

    /// Reads the chain through the network's other nodes too, in order, when the first refuses.
    pub fn with_node_fallbacks(mut self, urls: &[String]) -> Self {
        self.node = Arc::new(self.node_with(urls));
        self
    }

    /// A node client on the same endpoints, `more` after them.
    fn node_with(&self, more: &[String]) -> NodeClient {
        let urls = self.node.urls();
        NodeClient::new(urls[0].clone()).with_fallbacks(urls[1..].iter().chain(more).cloned())
    }

    /// Writes the unsettled execution down through `journal`, and starts from `unsettled` (what
    /// it last wrote, read back after a restart). An entry that does not parse is dropped.
    pub fn with_journal(self, journal: Journal, unsettled: Option<&Value>) -> Self {
        let ledger = Ledger::with_journal(self.chain_id, journal, unsettled);
        self.with_ledger(ledger)
    }

    /// Keeps the unsettled execution in `ledger`, shared with the wallet's other backends.
    pub fn with_ledger(mut self, ledger: Ledger) -> Self {
        self.ledger = ledger;
        self
    }

    /// Sends `key` in [`API_KEY_HEADER`] with every request.
    pub fn with_api_key(mut self, key: Option<ApiKey>) -> Self {
        self.api_key = key;
        self
    }

    /// Pays fees as `fee` says.
    pub fn with_fee_mode(mut self, fee: FeeMode) -> Self {
        self.fee = fee;
        self
    }

    /// Raises the default mode's fee call by `percent` over the server's suggestion (100:
    /// not at all): the account's validation cost, which the suggestion leaves out
    /// ([`crate::wallet_type::ClassProfile::validation_margin_percent`]).
    pub fn with_validation_margin(mut self, percent: u32) -> Self {
        self.validation_margin_percent = percent.max(100);
        self
    }

    /// Requires every outside execution to name `caller` (a relayer pinned earlier).
    pub fn with_caller(self, caller: Felt) -> Self {
        *lock(&self.caller) = Some(caller);
        self
    }

    /// How fees are paid.
    pub fn fee_mode(&self) -> FeeMode {
        self.fee
    }

    /// The relayer pinned so far, to be kept for this network.
    pub fn pinned_caller(&self) -> Option<Felt> {
        *lock(&self.caller)
    }

    /// The fee call a gasless build may append, at the most the user accepts.
    pub fn worst_fee_call(&self) -> Option<Call> {
        let caller = self.pinned_caller().unwrap_or(Felt::ZERO);
        self.fee.worst_fee_call(caller)
    }

    /// HTTP requests made so far.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// `paymaster_getSupportedTokens`.
    pub async fn supported_tokens(&self) -> Result<Vec<SupportedToken>, SessionError> {
        let tokens: Vec<TokenData> = self
            .call("paymaster_getSupportedTokens", None::<()>)
            .await?;
        tokens
            .into_iter()
            .map(|t| {
                Ok(SupportedToken {
                    address: t.token_address,
                    decimals: t.decimals,
                    price_in_strk: felt_to_u128(t.price_in_strk, "price_in_strk")?,
                })
            })
            .collect()
    }

    /// The most the default (user-pays) mode will take, in `gas_token` base units, to run
    /// `calls` from `account`: the server's suggested fee raised by the class's validation
    /// margin, within the fee this client accepts when the suggestion itself is. Nothing is
    /// signed.
    pub async fn quote_fee(
        &self,
        account: Felt,
        calls: &[Call],
        gas_token: Felt,
    ) -> Result<u128, SessionError> {
        let suggested = self.suggested_fee(account, calls, gas_token).await?;
        let raised = with_margin(suggested, self.validation_margin_percent);
        Ok(match self.fee {
            FeeMode::Gasless { max_fee, .. } if suggested <= max_fee => raised.min(max_fee),
            _ => raised,
        })
    }

    /// The server's own `suggested_max_fee_in_gas_token` for `calls` (no margin).
    pub async fn suggested_fee(
        &self,
        account: Felt,
        calls: &[Call],
        gas_token: Felt,
    ) -> Result<u128, SessionError> {
        let mode = FeeMode::Gasless {
            gas_token,
            max_fee: 0,
        };
        let built: BuildAnswer = self
            .call(
                "paymaster_buildTransaction",
                Some(invoke_params(account, calls, mode, None)),
            )
            .await?;
        felt_to_u128(built.fee.suggested_max_fee_in_gas_token, "fee")
    }

    /// `paymaster_isAvailable`.
    pub async fn is_available(&self) -> Result<bool, SessionError> {
        self.call("paymaster_isAvailable", None::<()>).await
    }

    /// Asks the paymaster to build an outside execution of `calls` for `account`, valid for at
    /// most [`MAX_VALIDITY_SECONDS`] from `now` (chain time), and refuses it unless every field
    /// is what the wallet expects and its nonce is unused on chain
    /// ([`SessionError::PaymasterTampered`] names the field). The hash to sign is computed from
    /// the fixed SNIP-9 v2 layout.
    pub async fn build_invoke(
        &self,
        account: Felt,
        calls: &[Call],
        now: u64,
    ) -> Result<BuiltInvoke, SessionError> {
        self.build_invoke_paying(account, calls, now, self.fee)
            .await
    }

    /// [`Self::build_invoke`] with the fee accepted as `fee` says. In the default mode the fee
    /// call is raised by the validation margin, within the accepted fee.
    async fn build_invoke_paying(
        &self,
        account: Felt,
        calls: &[Call],
        now: u64,
        fee: FeeMode,
    ) -> Result<BuiltInvoke, SessionError> {
        let bounds = TimeBounds {
            execute_after: 0,
            execute_before: now + MAX_VALIDITY_SECONDS,
        };
        let built: BuildAnswer = self
            .call(
                "paymaster_buildTransaction",
                Some(invoke_params(account, calls, fee, Some(bounds))),
            )
            .await?;
        let mut typed_data = built
            .typed_data
            .ok_or_else(|| SessionError::InvalidResponse("paymaster: no typed_data".into()))?;
        let typed = TypedData::from_json(&typed_data.to_string())?;
        let pinned = self.pinned_caller();
        // One read for the nonce and a fresh chain time; the bounds are checked against the
        // later of that and the manager's estimate.
        let nonce = OutsideExecution::from_typed_data(&typed)?.nonce;
        let (unused, chain_now) = self.node.outside_nonce_state(account, nonce).await?;
        let expectation = Expectation {
            chain_id: self.chain_id,
            calls,
            caller: pinned,
            now: now.max(chain_now),
            fee,
            max_validity: MAX_VALIDITY_SECONDS,
        };
        let mut outside_execution = check_outside_execution(&typed, &expectation)?;
        if !unused {
            return Err(SessionError::PaymasterTampered { field: "nonce" });
        }
        if outside_execution.execute_before <= chain_now {
            return Err(SessionError::PaymasterTampered {
                field: "execute_before",
            });
        }
        if let Some(raised) = self.raised_fee(&outside_execution, calls.len(), fee) {
            set_fee_amount(&mut typed_data, raised)
                .ok_or(SessionError::PaymasterTampered { field: "fee" })?;
            let typed = TypedData::from_json(&typed_data.to_string())?;
            outside_execution = check_outside_execution(&typed, &expectation)?;
        }
        if pinned.is_none() {
            *lock(&self.caller) = Some(outside_execution.caller);
        }
        let message_hash = outside_execution.message_hash(account, self.chain_id);
        Ok(BuiltInvoke {
            typed_data,
            outside_execution,
            message_hash,
        })
    }

    /// Builds, checks, signs with `sign` and relays `calls` from `account`. With `tracked`
    /// (session executions), the signed execution is remembered until [`Self::settled`], and a
    /// retry of calls whose earlier attempt is still unsettled re-sends that attempt instead of
    /// signing anew. Owner-signed operations (revoking above all) are never held up by it.
    /// `max_fee`, when given, lowers the fee accepted for this execution (the quote the user
    /// saw).
    pub async fn submit_invoke(
        &self,
        account: Felt,
        calls: &[Call],
        now: u64,
        tracked: bool,
        max_fee: Option<u128>,
        sign: impl FnOnce(Felt) -> Result<Vec<Felt>, SessionError>,
    ) -> Result<Relayed, SessionError> {
        let attempt = self
            .ledger
            .attempt(
                tracked.then_some(&self.node),
                account,
                calls,
                self.build_invoke_paying(account, calls, now, self.fee.within(max_fee)),
                sign,
            )
            .await?;
        // A definite refusal leaves a signature the paymaster holds: said with how long it
        // stays valid.
        let execute_before = attempt.built.outside_execution.execute_before;
        self.execute_invoke(account, &attempt.built, &attempt.signature)
            .await
            .map_err(|error| match error {
                SessionError::Paymaster {
                    code,
                    message,
                    data,
                    ..
                } => SessionError::Paymaster {
                    code,
                    message,
                    data,
                    signed_valid_for: Some(execute_before.saturating_sub(now)),
                },
                other => other,
            })
    }

    /// The last tracked execution is confirmed on chain: nothing is left to settle.
    pub fn settled(&self) {
        self.ledger.forget();
    }

    /// Sends the signed outside execution for relaying.
    pub async fn execute_invoke(
        &self,
        account: Felt,
        built: &BuiltInvoke,
        signature: &[Felt],
    ) -> Result<Relayed, SessionError> {
        let params = TransactionParams {
            transaction: ExecutableTransaction::Invoke {
                invoke: ExecutableInvoke {
                    user_address: account,
                    typed_data: built.typed_data.clone(),
                    signature: signature.to_vec(),
                },
            },
            parameters: ExecutionParameters::new(self.fee.to_wire(), None),
        };
        let answer: ExecuteAnswer = self
            .call("paymaster_executeTransaction", Some(params))
            .await?;
        Ok(answer.into())
    }

    /// Has the paymaster deploy an account (gasless: the account may hold nothing).
    /// `signature` is the owner's over [`deployment_authorization`], sent in
    /// [`DEPLOYMENT_SIGNATURE_HEADER`].
    pub async fn deploy(
        &self,
        deployment: &AccountDeployment,
        signature: &[Felt],
    ) -> Result<Relayed, SessionError> {
        let signed = signature
            .iter()
            .map(|f| format!("{f:#x}"))
            .collect::<Vec<_>>()
            .join(",");
        let header = Some((DEPLOYMENT_SIGNATURE_HEADER, signed.as_str()));
        let build = TransactionParams {
            transaction: UserTransaction::Deploy {
                deployment: deployment.to_wire(),
            },
            parameters: ExecutionParameters::sponsored(),
        };
        let _: BuildAnswer = self
            .call_with("paymaster_buildTransaction", Some(build), header)
            .await?;
        let execute = TransactionParams {
            transaction: ExecutableTransaction::Deploy {
                deployment: deployment.to_wire(),
            },
            parameters: ExecutionParameters::sponsored(),
        };
        let answer: ExecuteAnswer = self
            .call_with("paymaster_executeTransaction", Some(execute), header)
            .await?;
        Ok(answer.into())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
