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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::paymaster::*;
    use serde_json::json;

    #[test]
    fn an_unsettled_execution_reads_back_as_written() {
        let chain_id = Felt::from(0x534e5f5345504f4c4941_u128);
        let account = Felt::from(0xacc_u64);
        let outside_execution = OutsideExecution {
            caller: Felt::from(0xca11_u64),
            nonce: Felt::from(99u8),
            execute_after: 10,
            execute_before: 4000,
            calls: vec![Call {
                to: Felt::from(0x70_u64),
                selector: crate::entrypoint::selector("transfer"),
                calldata: vec![Felt::ONE, Felt::TWO, Felt::ZERO],
            }],
        };
        let written = InFlight {
            account,
            calls: outside_execution.calls.clone(),
            built: BuiltInvoke {
                typed_data: outside_execution.to_typed_data(chain_id),
                message_hash: outside_execution.message_hash(account, chain_id),
                outside_execution,
            },
            signature: vec![Felt::ONE, Felt::TWO, Felt::THREE, Felt::from(4000u64)],
        };
        let read = InFlight::from_json(&written.to_json(), chain_id).expect("reads back");
        assert_eq!(read.account, account);
        assert_eq!(read.calls, written.calls);
        assert_eq!(read.signature, written.signature);
        assert_eq!(read.built.message_hash, written.built.message_hash);
        assert_eq!(read.built.outside_execution.nonce, Felt::from(99u8));
        let mut damaged = written.to_json();
        damaged["typed_data"]["message"] = json!(1);
        assert!(InFlight::from_json(&damaged, chain_id).is_none());
        let mut other_calls = written.to_json();
        other_calls["calls"][0]["to"] = json!("0x71");
        assert!(
            InFlight::from_json(&other_calls, chain_id).is_none(),
            "calls that are not the signed ones"
        );
        assert!(InFlight::from_json(&json!({"account": "0x1"}), chain_id).is_none());

        // Read back by a client: kept as it was; an entry that does not parse is dropped from
        // the journal at once.
        let writes = Arc::new(Mutex::new(Vec::new()));
        let journal = {
            let writes = writes.clone();
            Journal(Arc::new(move |value: Option<&Value>| {
                lock(&writes).push(value.cloned());
                Ok(())
            }))
        };
        let client = |unsettled: &Value| {
            PaymasterClient::new("http://127.0.0.1:9/rpc", "http://127.0.0.1:9/rpc", chain_id)
                .with_journal(journal.clone(), Some(unsettled))
        };
        let restored = client(&written.to_json());
        assert!(restored.ledger.is_unsettled());
        assert!(lock(&writes).is_empty(), "nothing to write");
        let dropped = client(&damaged);
        assert!(!dropped.ledger.is_unsettled());
        assert_eq!(*lock(&writes), vec![None]);
        dropped.settled();
        assert_eq!(lock(&writes).len(), 1, "nothing kept: nothing written");
    }
}
