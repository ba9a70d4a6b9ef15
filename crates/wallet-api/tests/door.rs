//! The API's door over real loopback HTTP connections: pairing hands a token once, one pairing
//! waits for the user at a time, and every refusal the issue lists (no token, a wrong one, a
//! foreign `Origin`, a non-loopback `Host`, too many requests, a removed app) answers with the
//! spec's code. The wallet behind it is a small in-memory one (`common`); the real wallet's answers
//! are the app's end-to-end suite's business.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use common::*;
use serde_json::json;
use wallet_api::rate::Rate;
use wallet_api::TokenHash;

#[tokio::test]
async fn a_paired_app_is_answered_and_everyone_else_refused() {
    let api = Api::start(quick()).await;
    // Before pairing: versions and an empty permission list, nothing else.
    let (_, versions) = api.call("wallet_supportedWalletApi", json!({}), &[]).await;
    assert!(versions["result"]
        .as_array()
        .unwrap()
        .contains(&json!("0.8")));
    let (_, permissions) = api.call("wallet_getPermissions", json!({}), &[]).await;
    assert_eq!(permissions["result"], json!([]));
    let (status, accounts) = api.call("wallet_requestAccounts", json!({}), &[]).await;
    assert_eq!(
        (status, code(&accounts)),
        (401, 113),
        "no token: not paired"
    );
    let (_, silent) = api
        .call("wallet_requestAccounts", json!({"silent_mode": true}), &[])
        .await;
    assert_eq!(
        silent["result"],
        json!([]),
        "silent mode: no account, no error"
    );

    // The user declines, then approves.
    api.wallet.approve.store(false, Ordering::SeqCst);
    let (_, declined) = api
        .call(
            "chipi_pair",
            json!({"name": "Game", "policy": policy()}),
            &[],
        )
        .await;
    assert_eq!(code(&declined), 113);
    api.wallet.approve.store(true, Ordering::SeqCst);
    let token = api.pair("Game", None).await;
    let asked = api.wallet.asked.lock().unwrap().last().cloned().unwrap();
    assert_eq!(asked.name, "Game");
    assert_eq!(
        asked.policy.max_calls, 10,
        "the user saw the policy asked for"
    );
    let stored = api.wallet.apps.lock().unwrap()[0].0;
    assert_eq!(stored, TokenHash::of(&token), "the wallet keeps the hash");

    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];
    let (_, accounts) = api.call("wallet_requestAccounts", json!({}), &auth).await;
    assert_eq!(accounts["result"], json!([ACCOUNT]));
    let (_, chain) = api.call("wallet_requestChainId", json!(null), &auth).await;
    assert_eq!(chain["result"], json!(CHAIN));
    let transfer = json!({"calls": [{"contract_address": "0x4718", "entry_point": "transfer",
                                     "calldata": ["0x5", "1", "0"]}]});
    let (_, sent) = api
        .call("wallet_addInvokeTransaction", transfer.clone(), &auth)
        .await;
    assert_eq!(sent["result"]["transaction_hash"], json!("0x0123"));
    assert_eq!(api.wallet.invoked.lock().unwrap()[0].0, "app-1");
    let approve = json!({"calls": [{"contract_address": "0x4718", "entry_point": "approve"}]});
    let (_, refused) = api
        .call("wallet_addInvokeTransaction", approve, &auth)
        .await;
    assert_eq!(
        code(&refused),
        113,
        "outside the policy: the spec's refusal"
    );
    let (_, switched) = api
        .call(
            "wallet_switchStarknetChain",
            json!({"chainId": "0x534e5f5345504f4c4941"}),
            &auth,
        )
        .await;
    assert_eq!(
        code(&switched),
        113,
        "the app cannot switch the user's network"
    );
    let (_, same) = api
        .call(
            "wallet_switchStarknetChain",
            json!({"chainId": "0x0534E5F4D41494E"}),
            &auth,
        )
        .await;
    assert_eq!(same["result"], json!(true));
    let (_, version) = api
        .call(
            "wallet_requestChainId",
            json!({"api_version": "9.9"}),
            &auth,
        )
        .await;
    assert_eq!(code(&version), 162);
    let (_, unknown) = api.call("wallet_mine", json!({}), &auth).await;
    assert_eq!(code(&unknown), -32601);
    let (_, bad) = api
        .call("wallet_addInvokeTransaction", json!({"calls": []}), &auth)
        .await;
    assert_eq!(code(&bad), 114);

    // Another scheme is not "no token".
    let (status, basic) = api
        .call(
            "wallet_supportedSpecs",
            json!({}),
            &[("authorization", "Basic eDp5")],
        )
        .await;
    assert_eq!((status, code(&basic)), (401, 113));
    // Calldata that is not a felt never reaches the wallet.
    let float = json!({"calls": [{"contract_address": "0x4718", "entry_point": "transfer",
                                  "calldata": [1.5]}]});
    let (_, float) = api.call("wallet_addInvokeTransaction", float, &auth).await;
    assert_eq!(code(&float), 114);
    // A wrong token, a token from a browser page, a rebound host name.
    let (status, wrong) = api
        .call(
            "wallet_requestAccounts",
            json!({}),
            &[("authorization", "Bearer cwp_00")],
        )
        .await;
    assert_eq!((status, code(&wrong)), (401, 113));
    let (status, page) = api
        .call(
            "wallet_addInvokeTransaction",
            transfer.clone(),
            &[auth[0], ("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(
        (status, code(&page)),
        (403, 113),
        "a page cannot use a script's token"
    );
    let host = format!("evil.example:{}", api.running.address.port());
    let (status, rebound) = api
        .call(
            "wallet_requestAccounts",
            json!({}),
            &[auth[0], ("host", host.as_str())],
        )
        .await;
    assert_eq!((status, code(&rebound)), (403, 113), "DNS rebinding");
    assert_eq!(
        api.wallet.invoked.lock().unwrap().len(),
        1,
        "none of them executed"
    );

    // The user removes the app: its token is refused from then on.
    api.wallet.remove("app-1");
    let (status, removed) = api.call("wallet_requestAccounts", json!({}), &auth).await;
    assert_eq!((status, code(&removed)), (401, 113));
    // No answer ever carried the token again.
    for body in [&accounts, &chain, &sent, &refused, &wrong, &page, &removed] {
        assert!(!body.to_string().contains(&token[4..]), "{body}");
    }
}

#[tokio::test]
async fn a_page_pairs_from_its_origin_and_is_held_to_it() {
    let api = Api::start(quick()).await;
    let token = api.pair("Dex", Some("https://dex.example")).await;
    assert_eq!(
        api.wallet.asked.lock().unwrap()[0].origin.as_deref(),
        Some("https://dex.example"),
        "the user is shown the origin the browser vouches for"
    );
    let bearer = format!("Bearer {token}");
    let from =
        |origin: &'static str| [("authorization", bearer.clone()), ("origin", origin.into())];
    let ok = from("https://dex.example");
    let ok: Vec<(&str, &str)> = ok.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let (status, accounts) = api.call("wallet_requestAccounts", json!({}), &ok).await;
    assert_eq!(status, 200, "{accounts}");
    let foreign = from("https://dex.example.evil.test");
    let foreign: Vec<(&str, &str)> = foreign.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let (status, _) = api
        .call("wallet_requestAccounts", json!({}), &foreign)
        .await;
    assert_eq!(status, 403);
    let (status, _) = api
        .call(
            "wallet_requestAccounts",
            json!({}),
            &[("authorization", bearer.as_str())],
        )
        .await;
    assert_eq!(status, 403, "the page's token without its origin");
    let (status, null) = api
        .call(
            "chipi_pair",
            json!({"name": "x", "policy": policy()}),
            &[("origin", "null")],
        )
        .await;
    assert_eq!(
        (status, code(&null)),
        (403, 113),
        "an opaque origin cannot pair"
    );
}

#[tokio::test]
async fn too_many_requests_then_allowed_again() {
    let api = Api::start(Rate {
        burst: 3,
        per_second: 1.0,
    })
    .await;
    for _ in 0..3 {
        let (status, _) = api.call("wallet_supportedSpecs", json!({}), &[]).await;
        assert_eq!(status, 200);
    }
    let (status, body) = api.call("wallet_supportedSpecs", json!({}), &[]).await;
    assert_eq!((status, code(&body)), (429, 163), "{body}");
    assert_eq!(body["id"], 1, "the refusal answers the call by its id");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _) = api.call("wallet_supportedSpecs", json!({}), &[]).await;
    assert_eq!(status, 200, "the bucket refills");
}

#[tokio::test]
async fn one_pairing_waits_for_the_user_at_a_time() {
    let api = Arc::new(Api::start(quick()).await);
    api.wallet.hold.store(true, Ordering::SeqCst);
    let first = {
        let api = api.clone();
        tokio::spawn(async move { api.pair("First", None).await })
    };
    wait_until(|| api.wallet.asked.lock().unwrap().len() == 1).await;
    let (_, second) = api
        .call(
            "chipi_pair",
            json!({"name": "Second", "policy": policy()}),
            &[],
        )
        .await;
    assert_eq!(code(&second), 113, "{second}");
    assert_eq!(
        api.wallet.asked.lock().unwrap().len(),
        1,
        "the second app never reached the user"
    );
    api.wallet.answer.notify_one();
    let token = first.await.unwrap();
    assert!(token.starts_with("cwp_"));
    // Answered: the next pairing is put to the user.
    api.wallet.hold.store(false, Ordering::SeqCst);
    api.pair("Second", None).await;
}
