//! Cross-checks against starknet.js (the ecosystem's reference), run under node from
//! `tests/js/oracle.mjs`. The setup script installs its npm packages.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use chipi_session::backends::outside_execution::ANY_CALLER;
use chipi_session::entrypoint::{selector, TRANSFER};
use chipi_session::{session_message_hash, OutsideExecution, SessionSignature};
use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};
use starknet_signers::SigningKey;

fn oracle(request: Value) -> Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/js");
    assert!(
        dir.join("node_modules/starknet").is_dir(),
        "starknet.js is missing: run `npm ci --prefix tests/js` (scripts/setup does)"
    );
    let mut child = Command::new("node")
        .arg(dir.join("oracle.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn felt(v: &Value) -> Felt {
    Felt::from_hex(v.as_str().expect("hex string")).expect("felt")
}

fn hex(f: Felt) -> String {
    format!("{f:#x}")
}

const ACCOUNT: &str = "0x3d2f0a9b1f1d7a0f93c0b8d5cbb4b7f2f0bd1e1fb2c6d2a5e0b5c8a3d4e5f61";
const STRK: &str = "0x4718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d";
const RECIPIENT: &str = "0x5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";
const SN_SEPOLIA: &str = "0x534e5f5345504f4c4941";

fn fixed_execution() -> OutsideExecution {
    OutsideExecution {
        caller: ANY_CALLER,
        nonce: Felt::from_hex_unchecked("0x1234abcd"),
        execute_after: 1_700_000_000,
        execute_before: 1_700_003_600,
        calls: vec![
            Call {
                to: Felt::from_hex_unchecked(STRK),
                selector: selector(TRANSFER),
                calldata: vec![
                    Felt::from_hex_unchecked(RECIPIENT),
                    Felt::from(1_000_000u64),
                    Felt::ZERO,
                ],
            },
            Call {
                to: Felt::from_hex_unchecked(STRK),
                selector: selector("approve"),
                calldata: vec![
                    Felt::from_hex_unchecked(RECIPIENT),
                    Felt::from(5u8),
                    Felt::ZERO,
                ],
            },
        ],
    }
}

#[test]
fn outside_execution_hash_matches_starknet_js() {
    let oe = fixed_execution();
    let ours = oe.message_hash(
        Felt::from_hex_unchecked(ACCOUNT),
        Felt::from_hex_unchecked(SN_SEPOLIA),
    );
    let answer = oracle(json!({
        "op": "outside_execution_typed_data",
        "chainId": SN_SEPOLIA,
        "account": ACCOUNT,
        "caller": hex(ANY_CALLER),
        "nonce": "0x1234abcd",
        "executeAfter": 1_700_000_000u64,
        "executeBefore": 1_700_003_600u64,
        "calls": [
            {"to": STRK, "entrypoint": "transfer", "calldata": [RECIPIENT, "1000000", "0"]},
            {"to": STRK, "entrypoint": "approve", "calldata": [RECIPIENT, "5", "0"]},
        ],
    }));
    assert_eq!(
        hex(ours),
        hex(felt(&answer["hash"])),
        "SNIP-12 hash differs from starknet.js"
    );
}

/// Paymasters hand out typed data whose `Selector` values are hex felts, not names. Our hash
/// works on felts, so both spellings must give starknet.js's answer.
#[test]
fn hex_and_name_selectors_hash_alike() {
    let oe = fixed_execution();
    let ours = oe.message_hash(
        Felt::from_hex_unchecked(ACCOUNT),
        Felt::from_hex_unchecked(SN_SEPOLIA),
    );
    let typed = |transfer: String, approve: String| {
        json!({
            "types": {
                "StarknetDomain": [
                    {"name": "name", "type": "shortstring"},
                    {"name": "version", "type": "shortstring"},
                    {"name": "chainId", "type": "shortstring"},
                    {"name": "revision", "type": "shortstring"}
                ],
                "OutsideExecution": [
                    {"name": "Caller", "type": "ContractAddress"},
                    {"name": "Nonce", "type": "felt"},
                    {"name": "Execute After", "type": "u128"},
                    {"name": "Execute Before", "type": "u128"},
                    {"name": "Calls", "type": "Call*"}
                ],
                "Call": [
                    {"name": "To", "type": "ContractAddress"},
                    {"name": "Selector", "type": "selector"},
                    {"name": "Calldata", "type": "felt*"}
                ]
            },
            "primaryType": "OutsideExecution",
            "domain": {"name": "Account.execute_from_outside", "version": "2", "chainId": SN_SEPOLIA, "revision": "1"},
            "message": {
                "Caller": hex(ANY_CALLER),
                "Nonce": "0x1234abcd",
                "Execute After": "0x6553f100",
                "Execute Before": "0x6553ff10",
                "Calls": [
                    {"To": STRK, "Selector": transfer, "Calldata": [RECIPIENT, "0xf4240", "0x0"]},
                    {"To": STRK, "Selector": approve, "Calldata": [RECIPIENT, "0x5", "0x0"]}
                ]
            }
        })
    };
    for (transfer, approve) in [
        (hex(selector(TRANSFER)), hex(selector("approve"))),
        ("transfer".to_owned(), "approve".to_owned()),
    ] {
        let answer = oracle(json!({
            "op": "typed_data_hash",
            "account": ACCOUNT,
            "typedData": typed(transfer.clone(), approve),
        }));
        assert_eq!(
            hex(ours),
            hex(felt(&answer["hash"])),
            "selector spelled {transfer}"
        );
    }
}

#[test]
fn session_message_hash_matches_starknet_js_poseidon() {
    let calls = fixed_execution().calls;
    let account = Felt::from_hex_unchecked(ACCOUNT);
    let chain = Felt::from_hex_unchecked(SN_SEPOLIA);
    let ours = session_message_hash(account, chain, Felt::from(42u8), 1_700_021_600, &calls);
    let mut elements = vec![
        hex(account),
        hex(chain),
        "0x2a".to_owned(),
        hex(Felt::from(1_700_021_600u64)),
    ];
    for call in &calls {
        elements.push(hex(call.to));
        elements.push(hex(call.selector));
        elements.push(hex(Felt::from(call.calldata.len())));
        elements.extend(call.calldata.iter().map(|f| hex(*f)));
    }
    let answer = oracle(json!({"op": "poseidon", "elements": elements}));
    assert_eq!(hex(ours), hex(felt(&answer["hash"])));
}

#[test]
fn session_signature_matches_starknet_js_and_the_keypair_vector() {
    let sk = Felt::from_hex_unchecked(
        "0x02692258c61b07aa1ff4910603108c48519e6a76d52b497ad9eea1c59f8f2fa9",
    );
    let key = SigningKey::from_secret_scalar(sk);
    let hash = fixed_execution().message_hash(
        Felt::from_hex_unchecked(ACCOUNT),
        Felt::from_hex_unchecked(SN_SEPOLIA),
    );
    let ours = SessionSignature::sign(&key, hash, 1_700_021_600).unwrap();
    // The public key's string form is lowercase hex without leading zeros (protocol.md §2).
    assert_eq!(
        hex(ours.session_key),
        "0x36ead5f7af7ea48a5ee5bdea799543c0a3624871739e15dbb0438e9543f48b6"
    );
    let answer = oracle(json!({"op": "sign", "hash": hex(hash), "privateKey": hex(sk)}));
    assert_eq!(
        (hex(ours.r), hex(ours.s)),
        (hex(felt(&answer["r"])), hex(felt(&answer["s"])))
    );
    assert_eq!(
        ours.to_felts(),
        vec![
            ours.session_key,
            ours.r,
            ours.s,
            Felt::from(1_700_021_600u64)
        ],
        "layout is [pk, r, s, valid_until]"
    );
}

#[test]
fn selectors_match_starknet_js() {
    for name in [
        "add_or_update_session_key",
        "revoke_session_key",
        "get_session_data",
        "execute_from_outside_v2",
        "transfer",
    ] {
        let answer = oracle(json!({"op": "selector", "name": name}));
        assert_eq!(
            hex(selector(name)),
            hex(felt(&answer["selector"])),
            "{name}"
        );
    }
}

#[test]
fn typed_data_hash_matches_starknet_js_on_a_rich_document() {
    let document = json!({
        "types": {
            "StarknetDomain": [
                {"name": "name", "type": "shortstring"},
                {"name": "version", "type": "shortstring"},
                {"name": "chainId", "type": "shortstring"},
                {"name": "revision", "type": "shortstring"}
            ],
            "Order": [
                {"name": "Maker", "type": "ContractAddress"},
                {"name": "Payment", "type": "TokenAmount"},
                {"name": "Limit", "type": "u256"},
                {"name": "Expires", "type": "timestamp"},
                {"name": "Partial", "type": "bool"},
                {"name": "Memo", "type": "string"},
                {"name": "Legs", "type": "Leg*"},
                {"name": "Tags", "type": "shortstring*"}
            ],
            "Leg": [
                {"name": "Target", "type": "ContractAddress"},
                {"name": "Entrypoint", "type": "selector"},
                {"name": "Args", "type": "felt*"}
            ]
        },
        "primaryType": "Order",
        "domain": {"name": "Session wallet test", "version": "1", "chainId": "SN_SEPOLIA", "revision": "1"},
        "message": {
            "Maker": ACCOUNT,
            "Payment": {"token_address": STRK, "amount": {"low": "1000", "high": "0"}},
            "Limit": {"low": "0xffffffffffffffffffffffffffffffff", "high": "0x1"},
            "Expires": 1_700_000_000u64,
            "Partial": true,
            "Memo": "a memo longer than thirty-one bytes, to fill a full word",
            "Legs": [
                {"Target": STRK, "Entrypoint": "transfer", "Args": [RECIPIENT, "7", "0"]},
                {"Target": STRK, "Entrypoint": hex(selector("approve")), "Args": []}
            ],
            "Tags": ["gasless", "session"]
        }
    });
    let ours = chipi_session::TypedData::from_json(&document.to_string())
        .unwrap()
        .message_hash(Felt::from_hex_unchecked(ACCOUNT))
        .unwrap();
    let answer =
        oracle(json!({"op": "typed_data_hash", "account": ACCOUNT, "typedData": document}));
    assert_eq!(hex(ours), hex(felt(&answer["hash"])));
}

#[test]
fn paymaster_style_typed_data_reads_back_as_our_outside_execution() {
    let answer = oracle(json!({
        "op": "outside_execution_typed_data",
        "chainId": SN_SEPOLIA,
        "account": ACCOUNT,
        "caller": hex(ANY_CALLER),
        "nonce": "0x1234abcd",
        "executeAfter": 1_700_000_000u64,
        "executeBefore": 1_700_003_600u64,
        "calls": [
            {"to": STRK, "entrypoint": "transfer", "calldata": [RECIPIENT, "1000000", "0"]},
            {"to": STRK, "entrypoint": "approve", "calldata": [RECIPIENT, "5", "0"]},
        ],
    }));
    let typed = chipi_session::TypedData::from_json(&answer["typedData"].to_string()).unwrap();
    let parsed = OutsideExecution::from_typed_data(&typed).unwrap();
    assert_eq!(
        parsed,
        fixed_execution(),
        "same calls, times, nonce and caller"
    );
    let account = Felt::from_hex_unchecked(ACCOUNT);
    assert_eq!(typed.message_hash(account).unwrap(), felt(&answer["hash"]));
    assert_eq!(
        parsed.message_hash(account, Felt::from_hex_unchecked(SN_SEPOLIA)),
        felt(&answer["hash"])
    );
}
