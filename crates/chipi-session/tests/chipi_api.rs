//! The Chipi API client against a local HTTP listener that records each request: the path with
//! the version query, the headers, and the bodies byte for byte in the SDK's field order.
//! (The hosted service itself is not reachable from the machines this project is tested on.)

use std::sync::{Arc, Mutex};

use chipi_session::entrypoint::selector;
use chipi_session::{
    ChipiApiClient, ExecutionBackend, NodeClient, OutsideExecution, SecretKey, SessionError,
    SessionSignature, Signer, SubmitContext, TypedData,
};
use serde_json::Value;
use starknet_core::types::{Call, Felt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CHAIN: Felt = Felt::from_hex_unchecked("0x534e5f4d41494e");
const ACCOUNT: Felt =
    Felt::from_hex_unchecked("0x05f3a8b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4");
const USDC: Felt =
    Felt::from_hex_unchecked("0x033068f6539f8e6e6b131e6b2b814e6c34a5224bc66947c47dab9dfee93b35fb");
const RECIPIENT: Felt = Felt::from_hex_unchecked("0xb0b");
const RELAYER: Felt = Felt::from_hex_unchecked("0x7e1a7e5");
/// Chain time on the node double.
const NOW: u64 = 1_700_000_000;
const CHIPI_V29: &str = "0x53f4f8791ed5bed0fddaa553d180c664e32cfaf8316bb232ae77bb08f459f2a";

/// One recorded request.
#[derive(Debug, Clone)]
struct Recorded {
    request_line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves the canned `(status, body)` answers in order and records what it was sent.
async fn listener(answers: Vec<(u16, String)>) -> (String, Arc<Mutex<Vec<Recorded>>>) {
    let socket = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", socket.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let record = log.clone();
    tokio::spawn(async move {
        for (status, body) in answers {
            let (mut stream, _) = socket.accept().await.unwrap();
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            let (head, content) = loop {
                let n = stream.read(&mut buf).await.unwrap();
                raw.extend_from_slice(&buf[..n]);
                if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    while raw.len() < end + 4 + length {
                        let n = stream.read(&mut buf).await.unwrap();
                        raw.extend_from_slice(&buf[..n]);
                    }
                    break (
                        head,
                        String::from_utf8(raw[end + 4..end + 4 + length].to_vec()).unwrap(),
                    );
                }
            };
            let mut lines = head.lines();
            let request_line = lines.next().unwrap().to_owned();
            let headers = lines
                .filter_map(|l| {
                    l.split_once(':')
                        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                })
                .collect();
            record.lock().unwrap().push(Recorded {
                request_line,
                headers,
                body: content,
            });
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(reply.as_bytes()).await.unwrap();
            stream.shutdown().await.ok();
        }
    });
    (url, log)
}

fn transfer() -> Call {
    Call {
        to: USDC,
        selector: selector("transfer"),
        calldata: vec![RECIPIENT, Felt::from(1_500_000u32), Felt::ZERO],
    }
}

fn typed_data_for(calls: Vec<Call>) -> String {
    typed_data_on(CHAIN, calls)
}

fn typed_data_on(chain: Felt, calls: Vec<Call>) -> String {
    built(chain, RELAYER, NOW + 600, calls)
}

fn built(chain: Felt, caller: Felt, execute_before: u64, calls: Vec<Call>) -> String {
    let oe = OutsideExecution {
        caller,
        nonce: Felt::from(77u8),
        execute_after: 1,
        execute_before,
        calls,
    };
    serde_json::to_string(&oe.to_typed_data(chain)).unwrap()
}

/// What the node double answers to the client's one batch (the outside nonce's state, then
/// the pending block's time).
fn nonce_state(unused: bool) -> (u16, String) {
    let flag = if unused { "0x1" } else { "0x0" };
    (
        200,
        format!(
            r#"[{{"jsonrpc":"2.0","id":0,"result":["{flag}"]}},{{"jsonrpc":"2.0","id":1,"result":{{"timestamp":{NOW}}}}}]"#
        ),
    )
}

/// A node double answering `states` in order.
async fn node(states: &[bool]) -> String {
    listener(states.iter().map(|u| nonce_state(*u)).collect())
        .await
        .0
}

async fn client(url: &str) -> ChipiApiClient {
    ChipiApiClient::new(url, "pk_dev_abc123", Some("jwt.token.here".into()), CHAIN)
        .with_node(NodeClient::new(node(&[true; 4]).await))
}

#[tokio::test]
async fn session_execution_sends_the_sdk_bodies() {
    let typed = typed_data_for(vec![transfer()]);
    let (url, log) = listener(vec![
        (
            200,
            format!(r#"{{"typedData":{typed},"walletType":"CHIPI"}}"#),
        ),
        (200, r#"{"transactionHash":"0xabc"}"#.into()),
    ])
    .await;
    let session =
        SecretKey::from_hex("0x02692258c61b07aa1ff4910603108c48519e6a76d52b497ad9eea1c59f8f2fa9")
            .unwrap();
    let api = client(&url).await;
    let hash = api
        .submit(
            ACCOUNT,
            &[transfer()],
            Signer::Session {
                key: &session,
                valid_until: 1_700_021_600,
            },
            SubmitContext::default(),
        )
        .await
        .unwrap();
    assert_eq!(hash, Felt::from(0xabcu16));
    assert_eq!(api.round_trips(), 2);

    let log = log.lock().unwrap().clone();
    assert_eq!(
        log[0].request_line,
        "POST /v1/transactions/prepare-typed-data?__chipi_api_version=2025-12-30 HTTP/1.1"
    );
    assert_eq!(log[0].header("x-api-key"), Some("pk_dev_abc123"));
    assert_eq!(
        log[0].header("authorization"),
        Some("Bearer jwt.token.here")
    );
    assert_eq!(log[0].header("content-type"), Some("application/json"));
    let account = format!("{ACCOUNT:#x}");
    assert_eq!(
        log[0].body,
        format!(
            r#"{{"publicKey":"{account}","calls":[{{"contractAddress":"{USDC:#x}","entrypoint":"transfer","calldata":["0xb0b","0x16e360","0x0"]}}],"accountClassHash":"{CHIPI_V29}","walletType":"CHIPI"}}"#
        )
    );

    // The signature is over the SNIP-12 hash of the typed data as served, for the account.
    let message_hash = TypedData::from_json(&typed)
        .unwrap()
        .message_hash(ACCOUNT)
        .unwrap();
    let signature = SessionSignature::sign_secret(&session, message_hash, 1_700_021_600).unwrap();
    let [pk, r, s, valid_until] = signature.to_felts().try_into().unwrap();
    assert_eq!(log[1].request_line, "POST /v1/transactions/execute-sponsored-transaction?__chipi_api_version=2025-12-30 HTTP/1.1");
    assert_eq!(
        log[1].body,
        format!(
            r#"{{"publicKey":"{account}","typedData":{typed},"userSignature":["{pk:#x}","{r:#x}","{s:#x}","{valid_until:#x}"],"saveToDatabase":true,"walletType":"CHIPI","isSessionSignature":true}}"#
        )
    );
    assert_eq!(
        format!("{pk:#x}"),
        "0x36ead5f7af7ea48a5ee5bdea799543c0a3624871739e15dbb0438e9543f48b6"
    );
}

#[tokio::test]
async fn owner_execution_sends_decimal_r_and_s() {
    let typed = typed_data_for(vec![transfer()]);
    // An older server: the bare typed data.
    let (url, log) = listener(vec![
        (200, typed.clone()),
        (200, r#"{"transactionHash":"0x1"}"#.into()),
    ])
    .await;
    let owner = SecretKey::generate().unwrap();
    client(&url)
        .await
        .submit(
            ACCOUNT,
            &[transfer()],
            Signer::Owner(&owner),
            SubmitContext::default(),
        )
        .await
        .unwrap();
    let log = log.lock().unwrap().clone();
    let account = format!("{ACCOUNT:#x}");
    assert!(
        log[0]
            .body
            .ends_with(&format!(r#""accountClassHash":"{CHIPI_V29}"}}"#)),
        "no walletType: {}",
        log[0].body
    );
    let message_hash = TypedData::from_json(&typed)
        .unwrap()
        .message_hash(ACCOUNT)
        .unwrap();
    let signature = owner.sign(&message_hash).unwrap();
    assert_eq!(
        log[1].body,
        format!(
            r#"{{"publicKey":"{account}","typedData":{typed},"userSignature":{{"r":"{}","s":"{}"}},"saveToDatabase":true,"walletType":"CHIPI"}}"#,
            signature.r.to_biguint(),
            signature.s.to_biguint()
        )
    );
}

#[tokio::test]
async fn api_errors_are_typed_and_tampering_stops_before_signing() {
    let other = Call {
        to: USDC,
        selector: selector("transfer"),
        calldata: vec![Felt::from(0xbadu16), Felt::from(1_500_000u32), Felt::ZERO],
    };
    let (url, log) = listener(vec![
        (401, r#"{"message":"Invalid API key","code":"UNAUTHORIZED"}"#.into()),
        (500, r#"{"message":"boom"}"#.into()),
        (200, format!(r#"{{"typedData":{}}}"#, typed_data_for(vec![other]))),
        (
            200,
            format!(
                r#"{{"typedData":{}}}"#,
                typed_data_on(Felt::from_hex_unchecked("0x534e5f5345504f4c4941"), vec![transfer()])
            ),
        ),
        (404, r#"{"message":"not found"}"#.into()),
        (200, r#"{"publicKey":"0xacc","encryptedPrivateKey":"U2FsdGVkX1...","walletType":"CHIPI","isDeployed":true}"#.into()),
    ])
    .await;
    let api = client(&url).await;
    let key = SecretKey::generate().unwrap();
    let refused = api
        .submit(
            ACCOUNT,
            &[transfer()],
            Signer::Owner(&key),
            SubmitContext::default(),
        )
        .await;
    assert!(
        matches!(&refused, Err(SessionError::ChipiApi { status: 401, code, message }) if code == "UNAUTHORIZED" && message == "Invalid API key"),
        "{refused:?}"
    );
    let refused = api
        .submit(
            ACCOUNT,
            &[transfer()],
            Signer::Owner(&key),
            SubmitContext::default(),
        )
        .await;
    assert!(
        matches!(&refused, Err(SessionError::ChipiApi { status: 500, code, .. }) if code == "HTTP_500"),
        "{refused:?}"
    );
    let tampered = api
        .submit(
            ACCOUNT,
            &[transfer()],
            Signer::Owner(&key),
            SubmitContext::default(),
        )
        .await;
    assert!(
        matches!(
            tampered,
            Err(SessionError::PaymasterTampered { field: "calls" })
        ),
        "{tampered:?}"
    );
    let other_chain = api
        .submit(
            ACCOUNT,
            &[transfer()],
            Signer::Owner(&key),
            SubmitContext::default(),
        )
        .await;
    assert!(
        matches!(
            other_chain,
            Err(SessionError::PaymasterTampered { field: "chain_id" })
        ),
        "typed data for another chain is never signed: {other_chain:?}"
    );
    assert_eq!(api.wallet_by_user("user-1").await.unwrap(), None);
    let wallet = api.wallet_by_user("user 2").await.unwrap().unwrap();
    assert_eq!(
        (wallet.address, wallet.is_deployed),
        (Felt::from(0xaccu16), true)
    );
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log.len(),
        6,
        "nothing was sent after the tampered typed data"
    );
    assert!(log
        .iter()
        .take(4)
        .all(|r| r.request_line.contains("prepare-typed-data")));
    assert_eq!(log[5].request_line, "GET /v1/chipi-wallets/by-user?__chipi_api_version=2025-12-30&externalUserId=user+2 HTTP/1.1");
    let _: Value = serde_json::from_str(&log[0].body).unwrap();
}

/// A 401 asks the bearer source once for a new token and repeats the request with it; a second
/// 401 is the API's answer (no loop), and without a source the 401 is returned as is.
#[tokio::test]
async fn an_expired_bearer_is_refreshed_once() {
    let typed = typed_data_for(vec![transfer()]);
    let expired = r#"{"message":"jwt expired","code":"UNAUTHORIZED"}"#.to_owned();
    let (url, log) = listener(vec![
        (401, expired.clone()),
        (
            200,
            format!(r#"{{"typedData":{typed},"walletType":"CHIPI"}}"#),
        ),
        (401, expired.clone()),
        (401, expired.clone()),
    ])
    .await;
    let asked = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = asked.clone();
    let api = client(&url).await.with_bearer_source(Arc::new(move || {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        Ok(format!("fresh.token.{n}"))
    }));
    api.prepare_typed_data(ACCOUNT, &[transfer()], Some("CHIPI"))
        .await
        .expect("answered after one refresh");
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
    let refused = api
        .prepare_typed_data(ACCOUNT, &[transfer()], Some("CHIPI"))
        .await;
    assert!(
        matches!(refused, Err(SessionError::ChipiApi { status: 401, .. })),
        "{refused:?}"
    );
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "one refresh per request, then the 401 stands"
    );
    let seen = log.lock().unwrap().clone();
    let bearers: Vec<_> = seen
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        bearers,
        [
            "Bearer jwt.token.here",
            "Bearer fresh.token.1",
            "Bearer fresh.token.1",
            "Bearer fresh.token.2"
        ]
    );
}

/// The checks a paymaster's build gets: no `ANY_CALLER`, a window of at most an hour, a nonce
/// unused on chain, and the relayer pinned once seen (and recorded for the next start).
#[tokio::test]
async fn a_hostile_api_is_refused_before_signing() {
    let any = Felt::from_hex_unchecked("0x414e595f43414c4c4552");
    let wrap = |typed: String| (200, format!(r#"{{"typedData":{typed}}}"#));
    let (url, log) = listener(vec![
        wrap(built(CHAIN, any, NOW + 600, vec![transfer()])),
        wrap(built(CHAIN, RELAYER, NOW + 2 * 3600, vec![transfer()])),
        wrap(built(CHAIN, RELAYER, NOW + 600, vec![transfer()])),
        wrap(built(CHAIN, RELAYER, NOW + 600, vec![transfer()])),
        (200, r#"{"transactionHash":"0xabc"}"#.into()),
        wrap(built(
            CHAIN,
            Felt::from(0x0bad_u16),
            NOW + 600,
            vec![transfer()],
        )),
    ])
    .await;
    let pinned = Arc::new(Mutex::new(Vec::new()));
    let recorder = pinned.clone();
    let api = ChipiApiClient::new(&url, "pk_dev_abc123", None, CHAIN)
        .with_node(NodeClient::new(
            node(&[true, true, false, true, true]).await,
        ))
        .with_caller_pin(None, Arc::new(move |c| recorder.lock().unwrap().push(c)));
    let key = SecretKey::generate().unwrap();
    let mut refusals = Vec::new();
    for _ in 0..5 {
        let answer = api
            .submit(
                ACCOUNT,
                &[transfer()],
                Signer::Owner(&key),
                SubmitContext::default(),
            )
            .await;
        refusals.push(match answer {
            Err(SessionError::PaymasterTampered { field }) => field,
            // The fourth build is honest: signed and sent.
            Ok(hash) if hash == Felt::from(0xabcu16) => "sent",
            other => panic!("{other:?}"),
        });
    }
    assert_eq!(
        refusals,
        ["caller", "execute_before", "nonce", "sent", "caller"]
    );
    assert_eq!(*pinned.lock().unwrap(), vec![RELAYER], "pinned once seen");
    assert_eq!(
        log.lock().unwrap().len(),
        6,
        "five builds, one execute: nothing sent after a refused build"
    );
}
