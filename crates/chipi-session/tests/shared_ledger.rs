//! The unsettled gasless execution is the wallet's, not one backend's: a session transfer
//! signed through a paymaster and written down is settled from the chain by the direct path
//! after a gas-mode switch, so the same transfer is never signed twice. The node is a local
//! listener answering the one batch the settle reads (the outside nonce, the block time).

use std::sync::{Arc, Mutex};

use chipi_session::backends::unsettled::{Journal, Ledger};
use chipi_session::entrypoint::selector;
use chipi_session::wallet_type::DirectMessage;
use chipi_session::{
    DirectBackend, ExecutionBackend, NodeClient, OutsideExecution, PaymasterClient, SecretKey,
    SessionError, Signer, SubmitContext,
};
use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CHAIN: Felt = Felt::from_hex_unchecked("0x534e5f4d41494e");
const ACCOUNT: Felt = Felt::from_hex_unchecked("0xacc");
const NOW: u64 = 1_700_000_000;

/// A node answering every request with the outside nonce `unused` (or not) at time `NOW`.
async fn node(unused: bool) -> String {
    let flag = if unused { "0x1" } else { "0x0" };
    serve(format!(
        r#"[{{"jsonrpc":"2.0","id":0,"result":["{flag}"]}},{{"jsonrpc":"2.0","id":1,"result":{{"timestamp":{NOW}}}}}]"#
    ))
    .await
}

/// A local listener answering every request with `body`; its URL.
async fn serve(body: String) -> String {
    serve_raw(move |_| body.clone()).await
}

/// A local listener answering each JSON-RPC request with `answer` of it; its URL.
async fn serve_with(answer: impl Fn(&Value) -> Value + Send + Sync + 'static) -> String {
    serve_raw(move |request| {
        let request: Value = serde_json::from_slice(request).unwrap();
        answer(&request).to_string()
    })
    .await
}

/// A local listener answering every request with `reply` of its body; its URL.
async fn serve_raw(reply: impl Fn(&[u8]) -> String + Send + Sync + 'static) -> String {
    let socket = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", socket.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = socket.accept().await.unwrap();
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the body its content-length names, then answer.
            loop {
                let n = stream.read(&mut buf).await.unwrap();
                raw.extend_from_slice(&buf[..n]);
                if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    if raw.len() >= end + 4 + length || n == 0 {
                        break;
                    }
                }
            }
            let end = raw
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(0, |e| e + 4);
            let body = reply(&raw[end..]);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(reply.as_bytes()).await.unwrap();
            stream.shutdown().await.ok();
        }
    });
    url
}

fn transfer() -> Call {
    Call {
        to: Felt::from(0x70c_u16),
        selector: selector("transfer"),
        calldata: vec![Felt::from(0xb0b_u16), Felt::from(5u8), Felt::ZERO],
    }
}

/// The journal entry a paymaster wrote before sending the signed transfer.
fn kept_entry() -> Value {
    let oe = OutsideExecution {
        caller: Felt::from(0x7e1a7e5_u32),
        nonce: Felt::from(77u8),
        execute_after: 1,
        execute_before: NOW + 300,
        calls: vec![transfer()],
    };
    let hex = |f: &Felt| format!("{f:#x}");
    let call = transfer();
    json!({
        "account": hex(&ACCOUNT),
        "calls": [{"to": hex(&call.to), "selector": hex(&call.selector),
            "calldata": call.calldata.iter().map(hex).collect::<Vec<_>>()}],
        "typed_data": oe.to_typed_data(CHAIN),
        "signature": ["0x1", "0x2", "0x3", hex(&Felt::from(NOW + 3600))],
    })
}

/// A direct backend sharing a ledger that starts from the kept entry; the journal's writes.
async fn direct_after_switch(unused: bool) -> (DirectBackend, Arc<Mutex<Vec<Option<Value>>>>) {
    let writes = Arc::new(Mutex::new(Vec::new()));
    let seen = writes.clone();
    let journal = Journal(Arc::new(move |entry: Option<&Value>| {
        seen.lock().unwrap().push(entry.cloned());
        Ok(())
    }));
    let ledger = Ledger::with_journal(CHAIN, journal, Some(&kept_entry()));
    assert!(ledger.is_unsettled(), "the entry reads back");
    let url = node(unused).await;
    // The transaction's own node is unreachable: nothing may be sent to it in these cases.
    let direct = DirectBackend::new("http://127.0.0.1:9", CHAIN)
        .unwrap()
        .with_ledger(ledger, NodeClient::new(url));
    (direct, writes)
}

fn session_context() -> SubmitContext {
    SubmitContext {
        now: NOW,
        direct_message: DirectMessage::TransactionHash,
        ..SubmitContext::default()
    }
}

#[tokio::test]
async fn a_transfer_run_through_the_paymaster_is_not_signed_again_on_the_direct_path() {
    let (direct, writes) = direct_after_switch(false).await;
    let key = SecretKey::generate().unwrap();
    let signer = Signer::Session {
        key: &key,
        valid_until: NOW + 3600,
    };
    let again = direct
        .submit(ACCOUNT, &[transfer()], signer, session_context())
        .await;
    assert!(
        matches!(again, Err(SessionError::AlreadyExecuted)),
        "{again:?}"
    );
    assert_eq!(*writes.lock().unwrap(), vec![None], "settled and forgotten");
}

#[tokio::test]
async fn a_transfer_still_valid_elsewhere_holds_the_direct_path_until_it_expires() {
    let (direct, writes) = direct_after_switch(true).await;
    let key = SecretKey::generate().unwrap();
    let signer = Signer::Session {
        key: &key,
        valid_until: NOW + 3600,
    };
    let held = direct
        .submit(ACCOUNT, &[transfer()], signer, session_context())
        .await;
    assert!(
        matches!(held, Err(SessionError::PreviousExecutionPending { execute_before }) if execute_before == NOW + 300),
        "{held:?}"
    );
    assert!(writes.lock().unwrap().is_empty(), "still kept");
}

#[tokio::test]
async fn a_session_is_refused_the_direct_path_where_the_fee_is_unsigned() {
    let (direct, _) = direct_after_switch(true).await;
    let key = SecretKey::generate().unwrap();
    let signer = Signer::Session {
        key: &key,
        valid_until: NOW + 3600,
    };
    let context = SubmitContext {
        direct_message: DirectMessage::SessionMessage,
        ..session_context()
    };
    let refused = direct.submit(ACCOUNT, &[transfer()], signer, context).await;
    assert!(
        matches!(&refused, Err(SessionError::InvalidConfig(m)) if m.contains("leaves the fee unsigned")),
        "{refused:?}"
    );
}

/// A journal that records every write.
fn recording_journal() -> (Journal, Arc<Mutex<Vec<Option<Value>>>>) {
    let writes = Arc::new(Mutex::new(Vec::new()));
    let seen = writes.clone();
    let journal = Journal(Arc::new(move |entry: Option<&Value>| {
        seen.lock().unwrap().push(entry.cloned());
        Ok(())
    }));
    (journal, writes)
}

const KEPT_HASH: Felt = Felt::from_hex_unchecked("0xabc");

/// A journal entry keeping a session's direct transfer `KEPT_HASH`, signed with nonce 5, over
/// the transaction hash (`binding`: it can run under that hash only) or not.
fn kept_direct_entry(binding: bool) -> Value {
    let call = transfer();
    let hex = |f: &Felt| format!("{f:#x}");
    json!({"direct": {
        "account": hex(&ACCOUNT),
        "nonce": "0x5",
        "attempts": [{
            "calls": [{"to": hex(&call.to), "selector": hex(&call.selector),
                "calldata": call.calldata.iter().map(hex).collect::<Vec<_>>()}],
            "hash": hex(&KEPT_HASH),
        }],
        "binding": binding,
    }})
}

/// A node whose account nonce is `nonce` and that knows the receipt of `KEPT_HASH` with
/// `status` (`None`: not found).
async fn direct_node(nonce: u8, status: Option<&'static str>) -> String {
    serve_with(move |request| {
        let result = match request["method"].as_str() {
            Some("starknet_getNonce") => json!(format!("{nonce:#x}")),
            Some("starknet_getTransactionReceipt") => {
                assert_eq!(request["params"]["transaction_hash"], "0xabc");
                match status {
                    Some(status) => json!({"execution_status": status, "events": []}),
                    None => {
                        return json!({"jsonrpc": "2.0", "id": request["id"],
                            "error": {"code": 29, "message": "Transaction hash not found"}})
                    }
                }
            }
            other => panic!("unexpected {other:?}"),
        };
        json!({"jsonrpc": "2.0", "id": request["id"], "result": result})
    })
    .await
}

/// A session's direct transfer kept without a receipt (its answer lost, or the app stopped),
/// read back after a restart, is settled by its receipt when the same transfer is asked through
/// a paymaster: held while it may still run (its nonce is still the account's), `AlreadyExecuted`
/// once its receipt says it ran, and forgotten (the transfer goes on to the paymaster) when it
/// reverted or when another transaction took its nonce: the nonce moving is not read as "ran".
/// Where its hash does not bind the fee fields, a used nonce without its receipt is an unknown
/// outcome, refused once.
#[tokio::test]
async fn a_kept_direct_send_is_settled_by_its_receipt_not_by_the_nonce() {
    let key = SecretKey::generate().unwrap();
    let signer = || Signer::Session {
        key: &key,
        valid_until: NOW + 3600,
    };
    let paymaster = |ledger: Ledger, rpc: String| {
        PaymasterClient::new("http://127.0.0.1:9", rpc, CHAIN).with_ledger(ledger)
    };
    let restored_with = |binding: bool| {
        let (journal, writes) = recording_journal();
        let ledger = Ledger::with_journal(CHAIN, journal, Some(&kept_direct_entry(binding)));
        assert!(ledger.is_unsettled(), "read back");
        (ledger, writes)
    };
    let restored = || restored_with(true);

    // No receipt, the nonce still 5: it may run, the same transfer is held.
    let (ledger, writes) = restored();
    let held = paymaster(ledger.clone(), direct_node(5, None).await)
        .submit(ACCOUNT, &[transfer()], signer(), session_context())
        .await;
    assert!(
        matches!(held, Err(SessionError::DirectSendPending)),
        "{held:?}"
    );
    assert!(writes.lock().unwrap().is_empty(), "still kept");
    assert!(ledger.is_unsettled());

    // Other calls are not held by it (the paymaster path cannot share its nonce), and it stays.
    let other = Call {
        calldata: vec![Felt::from(0xca7_u16), Felt::from(5u8), Felt::ZERO],
        ..transfer()
    };
    let on = paymaster(ledger.clone(), direct_node(5, None).await)
        .submit(ACCOUNT, &[other], signer(), session_context())
        .await;
    assert!(
        matches!(on, Err(SessionError::Network { .. })),
        "went on to the (unreachable) paymaster: {on:?}"
    );
    assert!(ledger.is_unsettled(), "still kept");

    // Its receipt says it ran: `AlreadyExecuted`, forgotten.
    let (ledger, writes) = restored();
    let ran = paymaster(ledger.clone(), direct_node(6, Some("SUCCEEDED")).await)
        .submit(ACCOUNT, &[transfer()], signer(), session_context())
        .await;
    assert!(matches!(ran, Err(SessionError::AlreadyExecuted)), "{ran:?}");
    assert_eq!(*writes.lock().unwrap(), vec![None], "settled and forgotten");

    // The nonce used with no receipt of it, signed over a message that leaves the fee unsigned
    // (a node could have run it under another hash): the outcome is unknown, refused once
    // (`DirectOutcomeUnknown`) and forgotten; asked again, it goes on.
    let (ledger, writes) = restored_with(false);
    let unknown = paymaster(ledger.clone(), direct_node(6, None).await)
        .submit(ACCOUNT, &[transfer()], signer(), session_context())
        .await;
    assert!(
        matches!(unknown, Err(SessionError::DirectOutcomeUnknown)),
        "{unknown:?}"
    );
    assert_eq!(*writes.lock().unwrap(), vec![None], "forgotten");
    let on = paymaster(ledger.clone(), direct_node(6, None).await)
        .submit(ACCOUNT, &[transfer()], signer(), session_context())
        .await;
    assert!(matches!(on, Err(SessionError::Network { .. })), "{on:?}");

    // Reverted, or the nonce taken by another transaction (no receipt) where the hash binds
    // the fee fields: it did not run; the same transfer goes on, and the entry is forgotten.
    for (nonce, status) in [(6, Some("REVERTED")), (6, None)] {
        let (ledger, writes) = restored();
        let on = paymaster(ledger.clone(), direct_node(nonce, status).await)
            .submit(ACCOUNT, &[transfer()], signer(), session_context())
            .await;
        assert!(
            matches!(on, Err(SessionError::Network { .. })),
            "{status:?}: went on to the (unreachable) paymaster: {on:?}"
        );
        assert_eq!(*writes.lock().unwrap(), vec![None], "{status:?}: forgotten");
        assert!(!ledger.is_unsettled());
    }
}
