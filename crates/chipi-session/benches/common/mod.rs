//! The inputs and the client work both benches time, identical to what `tests/js/bench.mjs`
//! times in starknet.js.

use chipi_session::entrypoint::selector;
use chipi_session::{ChainSnapshot, OutsideExecution, SecretKey, SessionSignature, TypedData};
use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};

/// Fixed inputs: a paymaster's typed data for one USDC transfer, the account, a session key,
/// and a node's answer to the batched status read.
pub struct Inputs {
    pub typed_data: String,
    pub account: Felt,
    pub session_key: SecretKey,
    pub valid_until: u64,
    pub status_answer: String,
}

pub const SESSION_KEY: &str = "0x02692258c61b07aa1ff4910603108c48519e6a76d52b497ad9eea1c59f8f2fa9";

impl Inputs {
    pub fn new() -> Self {
        let usdc = Felt::from_hex_unchecked(
            "0x033068f6539f8e6e6b131e6b2b814e6c34a5224bc66947c47dab9dfee93b35fb",
        );
        let oe = OutsideExecution {
            caller: Felt::from_hex_unchecked(
                "0x75a180e18e56da1b1cae181c92a288f586f5fe22c18df21cf97886f1e4b316c",
            ),
            nonce: Felt::from_hex_unchecked("0x5e6f7a8b9c0d1e2f"),
            execute_after: 1_764_100_000,
            execute_before: 1_764_103_600,
            calls: vec![Call {
                to: usdc,
                selector: selector("transfer"),
                calldata: vec![
                    Felt::from_hex_unchecked("0xb0b"),
                    Felt::from(1_500_000u32),
                    Felt::ZERO,
                ],
            }],
        };
        let typed_data =
            serde_json::to_string(&oe.to_typed_data(Felt::from_hex_unchecked("0x534e5f4d41494e")))
                .unwrap();
        let status_answer = json!([
            {"jsonrpc": "2.0", "id": 0, "result": ["0x1", "0x6926e3a0", "0x3e7", "0x1", format!("{:#x}", selector("transfer"))]},
            {"jsonrpc": "2.0", "id": 1, "result": "0x7"},
            {"jsonrpc": "2.0", "id": 2, "result": {"timestamp": 1_764_100_123u64, "block_hash": "0x1", "transactions": []}},
            {"jsonrpc": "2.0", "id": 3, "result": ["0x4c4b40", "0x0", "0x989680", "0x0", "0xe10", "0x16e360", "0x0", "0x6926d590"]},
        ])
        .to_string();
        Self {
            typed_data,
            account: Felt::from_hex_unchecked(
                "0x05f3a8b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4",
            ),
            session_key: SecretKey::from_hex(SESSION_KEY).unwrap(),
            valid_until: 1_764_121_600,
            status_answer,
        }
    }

    /// The same inputs as JSON, for the starknet.js side.
    #[allow(
        dead_code,
        reason = "used by one of the two benches that include this module"
    )]
    pub fn to_json(&self) -> Value {
        json!({
            "typedData": serde_json::from_str::<Value>(&self.typed_data).unwrap(),
            "account": format!("{:#x}", self.account),
            "sessionKey": SESSION_KEY,
            "validUntil": self.valid_until,
            "statusAnswer": self.status_answer,
        })
    }
}

/// One session execute's client work: parse the paymaster's typed data, hash it (SNIP-12),
/// sign it with the session key, and encode the `paymaster_executeTransaction` body.
pub fn execute_work(inputs: &Inputs) -> String {
    let value: Value = serde_json::from_str(&inputs.typed_data).unwrap();
    let typed = TypedData::from_json(&inputs.typed_data).unwrap();
    let hash = typed.message_hash(inputs.account).unwrap();
    let signature =
        SessionSignature::sign_secret(&inputs.session_key, hash, inputs.valid_until).unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "paymaster_executeTransaction", "params": [
        {"type": "invoke", "invoke": {
            "user_address": format!("{:#x}", inputs.account),
            "typed_data": value,
            "signature": signature.to_felts().iter().map(|f| format!("{f:#x}")).collect::<Vec<_>>(),
        }},
        {"version": "0x1", "fee_mode": {"mode": "sponsored"}},
    ]});
    body.to_string()
}

/// Parsing the batched status answer.
pub fn status_work(inputs: &Inputs) -> ChainSnapshot {
    let usdc = Felt::from_hex_unchecked(
        "0x033068f6539f8e6e6b131e6b2b814e6c34a5224bc66947c47dab9dfee93b35fb",
    );
    ChainSnapshot::from_batch_text(&inputs.status_answer, &[usdc]).unwrap()
}
