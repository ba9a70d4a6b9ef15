//! Every parser of outside data, fed valid inputs broken at random places and inputs with no
//! shape at all: none may panic, and what a parser accepts must survive the next step (hashing
//! typed data, checking a receipt, formatting an amount back). `PROPTEST_CASES` sets the cases
//! per target (`scripts/fuzz`: a million; `scripts/test`: 20 000; plain `cargo test`: 256).

use std::sync::OnceLock;

use chipi_session::chain::node_client::parse_receipt;
use chipi_session::chain::receipts::{check_receipt, ExpectedEvent};
use chipi_session::keys::sdk_cipher;
use chipi_session::wallet_type::StatusLayout;
use chipi_session::{
    format_amount, parse_address, parse_amount, parse_selector, ChainSnapshot, KdfParams,
    OutsideExecution, SealedSecret, SecretKey, SessionKeyData, SessionStatus, TypedData,
};
use parser_fuzz::{any_json, apply_garble, config, field_text, garble, mutate, mutations};
use proptest::prelude::*;
use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};

const TYPED_DATA_KEYS: &[&str] = &[
    "types",
    "primaryType",
    "domain",
    "message",
    "name",
    "type",
    "version",
    "chainId",
    "revision",
    "StarknetDomain",
    "OutsideExecution",
    "Call",
    "Caller",
    "Nonce",
    "Execute After",
    "Execute Before",
    "Calls",
    "To",
    "Selector",
    "Calldata",
    "felt",
    "u128",
    "ContractAddress",
    "selector",
    "shortstring",
    "felt*",
    "Call*",
    "enum",
    "merkletree",
];

fn typed_data_seed() -> &'static Value {
    static SEED: OnceLock<Value> = OnceLock::new();
    SEED.get_or_init(|| {
        OutsideExecution {
            caller: Felt::from(0x414e595f43414c4c4552_u128),
            nonce: Felt::from(7u8),
            execute_after: 1,
            execute_before: 1_900_000_000,
            calls: vec![Call {
                to: Felt::from(0x1234u16),
                selector: Felt::from(0x83afd3f4_u64),
                calldata: vec![Felt::ONE, Felt::from(100u8), Felt::ZERO],
            }],
        }
        .to_typed_data(Felt::from(0x534e5f4d41494e_u64))
    })
}

proptest! {
    #![proptest_config(config())]

    /// Typed data from a paymaster or the Chipi API: parsed, hashed, read as an outside
    /// execution.
    #[test]
    fn typed_data(edits in mutations(TYPED_DATA_KEYS, 3), raw in any_json(TYPED_DATA_KEYS)) {
        for value in [mutate(typed_data_seed(), &edits), raw] {
            if let Ok(typed) = TypedData::from_json(&value.to_string()) {
                let _ = typed.message_hash(Felt::from(0xabcu16));
                let _ = OutsideExecution::from_typed_data(&typed);
            }
        }
    }

    /// A sealed secret read from the keychain or a backup file: parsed; opened when its cost
    /// parameters are small (the real ones are bounded by the parser).
    #[test]
    fn sealed_secret(changes in garble("ABCDEFabcdef0123456789+/=:._-", 4), text in field_text()) {
        let sealed = sealed_seed();
        for candidate in [apply_garble(sealed.as_str(), &changes), text] {
            if let Ok(parsed) = SealedSecret::parse(&candidate) {
                let cheap = parsed.params().is_ok_and(|p| p.memory_kib <= 64 && p.iterations <= 2);
                if cheap {
                    let opened = parsed.open("fuzz-pin");
                    prop_assert!(opened.is_err() || candidate == sealed.as_str());
                }
            }
        }
    }

    /// The SDK's ciphertext (CryptoJS AES) and its `SessionKeyData` JSON.
    #[test]
    fn sdk_ciphertext_and_session_key_data(
        changes in garble("ABCDEFabcdef0123456789+/=", 4),
        edits in mutations(&["publicKey", "encryptedPrivateKey", "validUntil"], 2),
    ) {
        let (encrypted, data) = sdk_seed();
        let garbled = apply_garble(encrypted, &changes);
        if let Ok(plain) = sdk_cipher::decrypt(&garbled, "1234") {
            prop_assert!(plain.len() < garbled.len());
        }
        let seed = serde_json::to_value(data).unwrap();
        if let Ok(read) = SessionKeyData::from_json(&mutate(&seed, &edits).to_string()) {
            let _ = read.import("1234");
        }
    }

    /// The batched status answer (session data, nonce, block, policies, bound calls) in every
    /// layout, and the status felts alone.
    #[test]
    fn status_answer(
        edits in mutations(&["jsonrpc", "id", "result", "error", "timestamp", "code"], 3),
        felts in proptest::collection::vec(any::<u64>().prop_map(Felt::from), 0..12),
    ) {
        let answer = mutate(&status_seed(), &edits).to_string();
        for layout in [StatusLayout::Listed, StatusLayout::Counted, StatusLayout::Either] {
            let _ = ChainSnapshot::from_batch_text_in(&answer, &[Felt::TWO], layout);
            let _ = SessionStatus::parse(layout, &felts);
        }
    }

    /// A receipt as the node answers it, then checked for an event.
    #[test]
    fn receipt(edits in mutations(&["execution_status", "events", "from_address", "keys", "data", "revert_reason", "finality_status"], 3)) {
        let seed = json!({"execution_status": "SUCCEEDED", "finality_status": "ACCEPTED_ON_L2",
            "events": [{"from_address": "0x1", "keys": ["0x2", "0x3"], "data": ["0x4"]}]});
        if let Ok(receipt) = parse_receipt(Felt::ONE, &mutate(&seed, &edits)) {
            let expected = ExpectedEvent { from_address: Felt::ONE, name: "Transfer", fields: vec![Felt::THREE] };
            let _ = check_receipt(&receipt, &[expected]);
        }
    }

    /// Amounts as typed: what is accepted formats back to the same units.
    #[test]
    fn amounts(text in field_text(), decimals in 0u8..40) {
        if let Ok(units) = parse_amount(&text, decimals) {
            prop_assert_eq!(parse_amount(&format_amount(units, decimals), decimals).ok(), Some(units));
        }
    }

    /// Addresses and selectors as typed or pasted: what is accepted reads back the same.
    #[test]
    fn addresses_and_selectors(text in field_text()) {
        if let Ok(address) = parse_address(&text) {
            prop_assert_eq!(parse_address(&format!("{address:#x}")).ok(), Some(address));
        }
        if let Ok(selector) = parse_selector(&text) {
            prop_assert_eq!(parse_selector(&format!("{selector:#x}")).ok(), Some(selector));
        }
    }

    /// The sponsor's JSON-RPC body and every method's params, read before the node is asked.
    #[test]
    fn sponsor_requests(
        edits in mutations(SPONSOR_KEYS, 3),
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
        authorized in any::<bool>(),
    ) {
        for seed in sponsor_seeds() {
            let body = mutate(seed, &edits).to_string();
            if let (_, Ok((method, params))) = sponsor::server::read_body(body.as_bytes()) {
                let _ = sponsor::rpc::read_request(&method, &params, authorized);
            }
        }
        let object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        prop_assert!(sponsor::server::read_body(&bytes).1.is_err() || object);
    }
}

const SPONSOR_KEYS: &[&str] = &[
    "jsonrpc",
    "id",
    "method",
    "params",
    "transaction",
    "parameters",
    "type",
    "invoke",
    "deploy",
    "deployment",
    "user_address",
    "calls",
    "to",
    "selector",
    "calldata",
    "typed_data",
    "signature",
    "version",
    "fee_mode",
    "mode",
    "gas_token",
    "time_bounds",
    "execute_after",
    "execute_before",
    "address",
    "class_hash",
    "salt",
    "tracking_id",
];

fn sponsor_seeds() -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let call = json!({"to": "0x1234", "selector": "0x83afd3f4", "calldata": ["0x1", "0x64", "0x0"]});
        let sponsored = json!({"version": "0x1", "fee_mode": {"mode": "sponsored"},
            "time_bounds": {"execute_after": 1, "execute_before": 1_879_048_192u64}});
        let paying = json!({"version": "0x1", "fee_mode": {"mode": "default", "gas_token":
            "0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d"}});
        let deployment = json!({"address": "0x5", "class_hash": "0x6", "salt": "0x7",
            "calldata": ["0x8"], "version": 1});
        let rpc = |method: &str, params: Value| json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        // Params by name, as the public server reads them; one positional seed too.
        vec![
            rpc("paymaster_buildTransaction", json!({"transaction": {"type": "invoke", "invoke":
                {"user_address": "0x9", "calls": [call]}}, "parameters": paying})),
            rpc("paymaster_buildTransaction", json!({"transaction": {"type": "deploy", "deployment": deployment}, "parameters": sponsored})),
            rpc("paymaster_executeTransaction", json!({"transaction": {"type": "invoke", "invoke":
                {"user_address": "0x9", "typed_data": typed_data_seed(), "signature": ["0x1", "0x2"]}}, "parameters": sponsored})),
            rpc("paymaster_executeTransaction", json!([{"transaction": {"type": "deploy", "deployment": deployment}, "parameters": sponsored}])),
            rpc("paymaster_trackingIdToLatestHash", json!({"tracking_id": "0x10"})),
        ]
    })
}

fn sealed_seed() -> &'static SealedSecret {
    static SEED: OnceLock<SealedSecret> = OnceLock::new();
    SEED.get_or_init(|| {
        let params = KdfParams {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        };
        SealedSecret::seal_with(&SecretKey::generate().unwrap(), "fuzz-pin", params).unwrap()
    })
}

fn sdk_seed() -> &'static (String, SessionKeyData) {
    static SEED: OnceLock<(String, SessionKeyData)> = OnceLock::new();
    SEED.get_or_init(|| {
        let key = SecretKey::generate().unwrap();
        let encrypted = sdk_cipher::encrypt(&key.to_padded_hex(), "1234").unwrap();
        (
            encrypted,
            SessionKeyData::export(&key, "1234", 1_900_000_000).unwrap(),
        )
    })
}

fn status_seed() -> Value {
    json!([
        {"jsonrpc": "2.0", "id": 2, "result": {"timestamp": 1_700_000_123u64, "transactions": []}},
        {"jsonrpc": "2.0", "id": 0, "result": ["0x1", "0x65544560", "0x3e7", "0x1", "0x83afd3f4"]},
        {"jsonrpc": "2.0", "id": 3, "result": ["0x5", "0x0", "0x8", "0x0", "0xe10", "0x3", "0x0", "0x10"]},
        {"jsonrpc": "2.0", "id": 1, "result": "0x7"},
        {"jsonrpc": "2.0", "id": 4, "result": ["0x1", "0xa", "0xb"]},
    ])
}
