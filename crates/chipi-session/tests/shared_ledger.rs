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

/// A node answering every request with the account nonce `nonce`.
async fn nonce_node(nonce: u8) -> String {
    serve(format!(
        r#"{{"jsonrpc":"2.0","id":1,"result":"{nonce:#x}"}}"#
    ))
    .await
}

/// A local listener answering every request with `body`; its URL.
async fn serve(body: String) -> String {
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

/// A session's direct transaction whose answer is lost is written down (before it goes) with
/// its nonce, survives a restart, and holds the same transfer on the paymaster path while the
/// account's nonce has not moved past it; once it has, the same transfer is `AlreadyExecuted`.
#[tokio::test]
async fn a_direct_send_without_an_answer_holds_the_same_transfer_after_a_restart() {
    let (journal, writes) = recording_journal();
    let ledger = Ledger::with_journal(CHAIN, journal, None);
    // The transaction's node does not answer: the send's outcome is unknown.
    let direct = DirectBackend::new("http://127.0.0.1:9", CHAIN)
        .unwrap()
        .with_ledger(ledger, NodeClient::new("http://127.0.0.1:9"));
    let key = SecretKey::generate().unwrap();
    let signer = || Signer::Session {
        key: &key,
        valid_until: NOW + 3600,
    };
    let context = SubmitContext {
        nonce: Some(Felt::from(5u8)),
        ..session_context()
    };
    let lost = direct
        .submit(ACCOUNT, &[transfer()], signer(), context)
        .await;
    assert!(
        matches!(lost, Err(SessionError::Network { .. })),
        "{lost:?}"
    );
    let entry = writes.lock().unwrap().last().cloned().flatten().unwrap();
    assert_eq!(entry["direct"]["nonce"], "0x5", "{entry}");
    assert_eq!(writes.lock().unwrap().len(), 1, "kept, not forgotten");

    // After a restart, through a paymaster: held while the nonce is still 5.
    let (journal, after) = recording_journal();
    let restored = Ledger::with_journal(CHAIN, journal, Some(&entry));
    assert!(restored.is_unsettled(), "read back");
    let paymaster = |ledger: Ledger, rpc: String| {
        PaymasterClient::new("http://127.0.0.1:9", rpc, CHAIN).with_ledger(ledger)
    };
    let held = paymaster(restored.clone(), nonce_node(5).await)
        .submit(ACCOUNT, &[transfer()], signer(), session_context())
        .await;
    assert!(
        matches!(held, Err(SessionError::DirectSendPending)),
        "{held:?}"
    );
    assert!(after.lock().unwrap().is_empty(), "still kept");
    // The nonce moved on: it ran, and is forgotten.
    let ran = paymaster(restored.clone(), nonce_node(6).await)
        .submit(ACCOUNT, &[transfer()], signer(), session_context())
        .await;
    assert!(matches!(ran, Err(SessionError::AlreadyExecuted)), "{ran:?}");
    assert_eq!(*after.lock().unwrap(), vec![None], "settled and forgotten");
    assert!(!restored.is_unsettled());
}
