//! A signed gasless execution whose outcome is not known yet, and the journal it is written to
//! before it is sent, so that neither a failure the paymaster reports nor a restart lets the
//! same transfer be signed twice.

use std::sync::Arc;

use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};

use crate::backends::outside_execution::OutsideExecution;
use crate::backends::paymaster::BuiltInvoke;
use crate::error::SessionError;
use crate::typed_data::TypedData;

/// Keeps the unsettled execution across restarts: called with it before it is sent, with
/// `None` once it is settled. An error stops the send.
#[derive(Clone)]
pub struct Journal(pub Arc<JournalFn>);

/// What a [`Journal`] calls.
pub type JournalFn = dyn Fn(Option<&Value>) -> Result<(), SessionError> + Send + Sync;

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Journal")
    }
}

/// A signed execution: the calls asked for, what was built and signed, and the signature.
#[derive(Debug, Clone)]
pub(crate) struct InFlight {
    pub(crate) account: Felt,
    pub(crate) calls: Vec<Call>,
    pub(crate) built: BuiltInvoke,
    pub(crate) signature: Vec<Felt>,
}

/// `calls` as the journal writes them (hex felts).
pub(crate) fn calls_to_json(calls: &[Call]) -> Value {
    let hex = |f: &Felt| format!("{f:#x}");
    calls
        .iter()
        .map(|c| json!({"to": hex(&c.to), "selector": hex(&c.selector), "calldata": c.calldata.iter().map(hex).collect::<Vec<_>>()}))
        .collect()
}

/// [`calls_to_json`] read back; `None` when any part does not parse.
pub(crate) fn calls_from_json(value: &Value) -> Option<Vec<Call>> {
    let felt = |v: &Value| crate::typed_data::felt_of(v).ok();
    value
        .as_array()?
        .iter()
        .map(|c| {
            Some(Call {
                to: felt(c.get("to")?)?,
                selector: felt(c.get("selector")?)?,
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

impl InFlight {
    /// Its public parts (no secret: the calls, the typed data and the signature over it).
    pub(crate) fn to_json(&self) -> Value {
        let hex = |f: &Felt| format!("{f:#x}");
        json!({
            "account": hex(&self.account),
            "calls": calls_to_json(&self.calls),
            "typed_data": self.built.typed_data,
            "signature": self.signature.iter().map(hex).collect::<Vec<_>>(),
        })
    }

    /// Read back, the outside execution parsed from its typed data again.
    pub(crate) fn from_json(value: &Value, chain_id: Felt) -> Option<Self> {
        let felt = |v: &Value| crate::typed_data::felt_of(v).ok();
        let account = felt(value.get("account")?)?;
        let calls = calls_from_json(value.get("calls")?)?;
        let typed_data = value.get("typed_data")?.clone();
        let typed = TypedData::from_json(&typed_data.to_string()).ok()?;
        let outside_execution = OutsideExecution::from_typed_data(&typed).ok()?;
        // The calls remembered are the ones signed (a gasless fee call may follow them): an
        // entry edited to name others is dropped.
        let signed = &outside_execution.calls;
        if !signed.starts_with(&calls) || signed.len() > calls.len() + 1 {
            return None;
        }
        let message_hash = outside_execution.message_hash(account, chain_id);
        let signature = value
            .get("signature")?
            .as_array()?
            .iter()
            .map(felt)
            .collect::<Option<_>>()?;
        Some(Self {
            account,
            calls,
            built: BuiltInvoke {
                typed_data,
                outside_execution,
                message_hash,
            },
            signature,
        })
    }
}
