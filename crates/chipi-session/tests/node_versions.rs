//! The node client against answers in the shapes of JSON-RPC 0.9 and 0.10.3 (0.10 adds
//! `transaction_index`/`event_index` to events, fields to block headers and receipts, which are
//! ignored), and its fallback from a node that refuses or rate-limits to the next of the
//! network's list. The nodes are scripted HTTP servers on loopback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chipi_session::chain::node_client::spec_supported;
use chipi_session::{NodeClient, SessionError};
use serde_json::{json, Value};
use starknet_core::types::Felt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ACCOUNT: &str = "0x5a11ce";
const TOKEN: &str = "0x4718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d";

/// A node that answers each JSON-RPC method with `answer(method)` (HTTP status and result),
/// one request per connection; returns its URL and how many requests it got.
async fn scripted(
    answer: impl Fn(&str) -> (u16, Value) + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (answer, counted) = (answer.clone(), counted.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 8192];
                // Headers, then as much body as Content-Length says.
                let body = loop {
                    let n = socket.read(&mut buffer).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break request[end + 4..end + 4 + length].to_vec();
                        }
                    }
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let call: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let (status, result) = answer(call["method"].as_str().unwrap_or_default());
                let payload =
                    json!({"jsonrpc": "2.0", "id": call["id"], "result": result}).to_string();
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    payload.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(payload.as_bytes()).await;
            });
        }
    });
    (url, hits)
}

/// What a node speaking `spec` answers to the methods the wallet reads.
fn answers(spec: &'static str) -> impl Fn(&str) -> (u16, Value) + Send + Sync + 'static {
    let v10 = spec.starts_with("0.10");
    move |method| {
        let result = match method {
            "starknet_specVersion" => json!(spec),
            "starknet_chainId" => json!("0x534e5f4d41494e"),
            "starknet_getBlockWithTxHashes" => {
                let mut header = json!({
                    "status": "ACCEPTED_ON_L2", "block_hash": "0xb10c", "parent_hash": "0xb10b",
                    "block_number": 812_345, "new_root": "0x1", "timestamp": 1_790_000_000u64,
                    "sequencer_address": "0x2", "l1_gas_price": {"price_in_fri": "0x1", "price_in_wei": "0x1"},
                    "l2_gas_price": {"price_in_fri": "0x1", "price_in_wei": "0x1"},
                    "l1_data_gas_price": {"price_in_fri": "0x1", "price_in_wei": "0x1"},
                    "l1_da_mode": "BLOB", "starknet_version": "0.14.0", "transactions": ["0x7"],
                });
                if v10 {
                    for (field, value) in [
                        ("event_commitment", json!("0x3")),
                        ("transaction_commitment", json!("0x4")),
                        ("receipt_commitment", json!("0x5")),
                        ("state_diff_commitment", json!("0x6")),
                        ("event_count", json!(12)),
                        ("transaction_count", json!(1)),
                        ("state_diff_length", json!(9)),
                    ] {
                        header[field] = value;
                    }
                }
                header
            }
            "starknet_getEvents" => {
                let mut event = json!({
                    "from_address": TOKEN,
                    "keys": ["0x99cd8bde557814842a3121e8ddfd433a539b8c9f14bf31ebf108d12e6196e9", "0xf00", ACCOUNT],
                    "data": ["0x2a", "0x0"],
                    "block_hash": "0xb10c", "block_number": 812_345, "transaction_hash": "0x7",
                });
                if v10 {
                    event["transaction_index"] = json!(0);
                    event["event_index"] = json!(3);
                }
                json!({"events": [event], "continuation_token": "next"})
            }
            "starknet_getTransactionReceipt" => {
                let mut receipt = json!({
                    "type": "INVOKE", "transaction_hash": "0x7", "actual_fee": {"amount": "0x10", "unit": "FRI"},
                    "execution_status": "SUCCEEDED", "finality_status": "ACCEPTED_ON_L2",
                    "block_hash": "0xb10c", "block_number": 812_345, "messages_sent": [],
                    "events": [{"from_address": TOKEN, "keys": ["0x1"], "data": ["0x2"]}],
                    "execution_resources": {"l1_gas": 0, "l1_data_gas": 128, "l2_gas": 900_000},
                });
                if v10 {
                    receipt["events"][0]["transaction_index"] = json!(0);
                    receipt["events"][0]["event_index"] = json!(0);
                    receipt["transaction_index"] = json!(0);
                }
                receipt
            }
            _ => Value::Null,
        };
        (200, result)
    }
}

#[tokio::test]
async fn answers_of_rpc_0_9_and_0_10_3_are_read_alike() {
    for spec in ["0.9.0", "0.10.3"] {
        let (url, _) = scripted(answers(spec)).await;
        let node = NodeClient::new(url);
        assert_eq!(node.spec_version().await.unwrap(), spec);
        assert!(spec_supported(spec));
        assert_eq!(
            node.chain_id().await.unwrap(),
            Felt::from_hex_unchecked("0x534e5f4d41494e")
        );
        assert_eq!(
            node.latest_block().await.unwrap(),
            (812_345, 1_790_000_000),
            "{spec}: block header"
        );
        let token = Felt::from_hex(TOKEN).unwrap();
        let account = Felt::from_hex(ACCOUNT).unwrap();
        let (found, next) = node
            .incoming_transfers(token, account, 812_000, 812_345, 50, None)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{spec}: events");
        assert_eq!(found[0].amount, 42);
        assert_eq!(found[0].from, Felt::from(0xf00u16));
        assert_eq!(next.as_deref(), Some("next"));
        let receipt = node.receipt(Felt::from(7u8)).await.unwrap().unwrap();
        assert!(receipt.succeeded, "{spec}: receipt");
        assert_eq!(receipt.events.len(), 1);
    }
}

#[test]
fn spec_versions_the_client_reads() {
    for ok in ["0.9.0", "0.10.0", "0.10.3", " 0.9.1 "] {
        assert!(spec_supported(ok), "{ok}");
    }
    for refused in ["0.8.1", "0.7.0", "1.0.0", "", "0", "v0.9", "0.x"] {
        assert!(!spec_supported(refused), "{refused}");
    }
}

#[tokio::test]
async fn a_busy_or_unreachable_node_falls_back_to_the_next_in_order() {
    let (busy, busy_hits) = scripted(|_| (429, json!(null))).await;
    let (down, _) = scripted(|_| (503, json!(null))).await;
    let (good, good_hits) = scripted(answers("0.10.3")).await;
    // Nothing listens on port 9 of loopback.
    let node = NodeClient::new(busy.clone()).with_fallbacks([
        "http://127.0.0.1:9/rpc".to_owned(),
        down,
        good.clone(),
    ]);
    assert_eq!(node.spec_version().await.unwrap(), "0.10.3");
    assert_eq!(node.url(), good, "the node that answered is kept");
    assert_eq!(busy_hits.load(Ordering::SeqCst), 1);
    node.chain_id().await.unwrap();
    assert_eq!(
        busy_hits.load(Ordering::SeqCst),
        1,
        "the next request goes to the node that answered first"
    );
    assert_eq!(good_hits.load(Ordering::SeqCst), 2);

    // Every node busy: said in words, with no retry loop.
    let only_busy = NodeClient::new(busy);
    let refused = only_busy.chain_id().await;
    assert!(
        matches!(&refused, Err(SessionError::Busy { .. })),
        "{refused:?}"
    );
    assert!(refused.unwrap_err().to_string().contains("busy"));
    assert_eq!(busy_hits.load(Ordering::SeqCst), 2);

    // A JSON-RPC error is the node's answer, not a refusal: no fallback.
    let (erring, _) = scripted(|_| (200, json!(null))).await;
    let (never, never_hits) = scripted(answers("0.10.3")).await;
    let node = NodeClient::new(erring).with_fallbacks([never]);
    assert!(node.spec_version().await.is_err(), "null is not a version");
    assert_eq!(never_hits.load(Ordering::SeqCst), 0);
}
