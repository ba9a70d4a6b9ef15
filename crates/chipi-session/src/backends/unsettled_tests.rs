//! The direct sends a ledger keeps: one nonce at a time, never overwritten, read back.

use std::sync::{Arc, Mutex};

use serde_json::Value;
use starknet_core::types::{Call, Felt};

use super::*;

const CHAIN: Felt = Felt::from_hex_unchecked("0x534e5f5345504f4c4941");
const ACCOUNT: Felt = Felt::from_hex_unchecked("0xacc");

fn transfer(amount: u8) -> Vec<Call> {
    vec![Call {
        to: Felt::from(0x70c_u16),
        selector: Felt::from(0x5e1_u16),
        calldata: vec![Felt::from(0xb0b_u16), Felt::from(amount), Felt::ZERO],
    }]
}

fn journaled() -> (Ledger, Arc<Mutex<Vec<Option<Value>>>>) {
    let writes = Arc::new(Mutex::new(Vec::new()));
    let seen = writes.clone();
    let journal = Journal(Arc::new(move |entry: Option<&Value>| {
        seen.lock().unwrap().push(entry.cloned());
        Ok(())
    }));
    (Ledger::with_journal(CHAIN, journal, None), writes)
}

fn kept(ledger: &Ledger) -> Option<DirectSend> {
    ledger.lock().direct.clone()
}

#[test]
fn a_second_send_shares_the_nonce_of_an_unsettled_one_and_never_replaces_it() {
    let (ledger, writes) = journaled();
    let five = Felt::from(5u8);
    ledger
        .keep_direct(ACCOUNT, five, &transfer(1), Felt::from(0xa1_u8), true)
        .unwrap();
    ledger
        .keep_direct(ACCOUNT, five, &transfer(2), Felt::from(0xa2_u8), true)
        .unwrap();
    let both = kept(&ledger).unwrap();
    assert_eq!(both.nonce, five);
    assert_eq!(
        both.attempts,
        vec![
            DirectAttempt {
                calls: transfer(1),
                hash: Some(Felt::from(0xa1_u8))
            },
            DirectAttempt {
                calls: transfer(2),
                hash: Some(Felt::from(0xa2_u8))
            },
        ]
    );
    // Another nonce while these are unsettled: refused, nothing changed.
    let other = ledger.keep_direct(
        ACCOUNT,
        Felt::from(6u8),
        &transfer(3),
        Felt::from(0xa3_u8),
        true,
    );
    assert!(
        matches!(other, Err(SessionError::DirectSendPending)),
        "{other:?}"
    );
    assert_eq!(kept(&ledger).unwrap(), both);
    // The journal holds both, and reads back the same.
    let entry = writes.lock().unwrap().last().cloned().flatten().unwrap();
    let (journal, _) = journaled();
    let restored = Ledger::with_journal(CHAIN, journal.journal.unwrap(), Some(&entry));
    assert_eq!(kept(&restored).unwrap(), both);
}

#[test]
fn at_most_a_few_sends_are_kept_for_one_nonce() {
    let (ledger, _) = journaled();
    for i in 0..MAX_DIRECT_ATTEMPTS {
        ledger
            .keep_direct(
                ACCOUNT,
                Felt::ONE,
                &transfer(1),
                Felt::from(i as u64 + 1),
                true,
            )
            .unwrap();
    }
    let more = ledger.keep_direct(ACCOUNT, Felt::ONE, &transfer(1), Felt::from(99u8), true);
    assert!(
        matches!(more, Err(SessionError::DirectSendPending)),
        "{more:?}"
    );
    assert_eq!(kept(&ledger).unwrap().attempts.len(), MAX_DIRECT_ATTEMPTS);
}

#[test]
fn a_refused_send_is_dropped_and_the_last_one_dropped_clears_the_entry() {
    let (ledger, writes) = journaled();
    ledger
        .keep_direct(ACCOUNT, Felt::ONE, &transfer(1), Felt::from(0xa1_u8), true)
        .unwrap();
    ledger
        .keep_direct(ACCOUNT, Felt::ONE, &transfer(2), Felt::from(0xa2_u8), true)
        .unwrap();
    ledger.drop_direct(Felt::from(0xa2_u8));
    assert_eq!(kept(&ledger).unwrap().attempts.len(), 1);
    // A hash it does not keep changes nothing (and writes nothing).
    let before = writes.lock().unwrap().len();
    ledger.drop_direct(Felt::from(0xff_u8));
    assert_eq!(writes.lock().unwrap().len(), before);
    ledger.drop_direct(Felt::from(0xa1_u8));
    assert!(!ledger.is_unsettled());
    assert_eq!(
        writes.lock().unwrap().last(),
        Some(&None),
        "cleared in the journal"
    );
}

#[test]
fn an_entry_with_too_many_sends_does_not_read_back() {
    let (ledger, writes) = journaled();
    ledger
        .keep_direct(ACCOUNT, Felt::ONE, &transfer(1), Felt::from(0xa1_u8), true)
        .unwrap();
    let entry = writes.lock().unwrap().last().cloned().flatten().unwrap();
    assert_eq!(entry["direct"]["binding"], true);
    let mut crowded = entry.clone();
    let one = crowded["direct"]["attempts"][0].clone();
    crowded["direct"]["attempts"] = Value::Array(vec![one; MAX_DIRECT_ATTEMPTS + 1]);
    let (journal, _) = journaled();
    let restored = Ledger::with_journal(CHAIN, journal.journal.unwrap(), Some(&crowded));
    assert!(kept(&restored).is_none(), "{crowded}");
}

/// An earlier version wrote one send's calls and nonce, without a hash: read back as a send
/// whose hash is unknown, so it is never taken as binding (a nonce used with no receipt is an
/// unknown outcome, not "it did not run").
#[test]
fn an_earlier_versions_entry_reads_back_without_a_hash() {
    let call = &transfer(1)[0];
    let hex = |f: &Felt| format!("{f:#x}");
    let earlier = serde_json::json!({"direct": {
        "account": hex(&ACCOUNT),
        "calls": [{"to": hex(&call.to), "selector": hex(&call.selector),
            "calldata": call.calldata.iter().map(hex).collect::<Vec<_>>()}],
        "nonce": "0x5",
    }});
    let (journal, _) = journaled();
    let restored = Ledger::with_journal(CHAIN, journal.journal.unwrap(), Some(&earlier));
    assert_eq!(
        kept(&restored).unwrap(),
        DirectSend {
            account: ACCOUNT,
            nonce: Felt::from(5u8),
            attempts: vec![DirectAttempt {
                calls: transfer(1),
                hash: None
            }],
            binding: false,
        }
    );
    // A binding flag beside a hashless send is not believed.
    let mut claimed = earlier.clone();
    claimed["direct"]["binding"] = serde_json::json!(true);
    let (journal, _) = journaled();
    let restored = Ledger::with_journal(CHAIN, journal.journal.unwrap(), Some(&claimed));
    assert!(!kept(&restored).unwrap().binding);
}

#[test]
fn a_send_that_does_not_bind_its_fees_makes_the_entry_not_binding() {
    let (ledger, _) = journaled();
    ledger
        .keep_direct(ACCOUNT, Felt::ONE, &transfer(1), Felt::from(0xa1_u8), true)
        .unwrap();
    assert!(kept(&ledger).unwrap().binding);
    ledger
        .keep_direct(ACCOUNT, Felt::ONE, &transfer(2), Felt::from(0xa2_u8), false)
        .unwrap();
    assert!(!kept(&ledger).unwrap().binding);
}
