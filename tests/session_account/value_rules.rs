//! Every way a session key could move value without a limit is closed: a token without a
//! policy, `transfer_from`, NFT transfers and operator approvals, an empty allowlist, a
//! contract the entrypoint is not bound to, a revoked or re-registered key. Each route is tried
//! on both paths (direct INVOKE and outside execution) and the balances are checked unchanged.

use chipi_session::entrypoint::{
    selector, GET_SESSION_ALLOWED_CALLS, GET_SPENDING_POLICY, TRANSFER,
};
use chipi_session::session::policies::NFT_ONLY_CALLS;
use chipi_session::{register_session_call, revoke_session_call};
use devnet_harness::STRK;
use serde_json::json;
use starknet::accounts::Account;
use starknet::core::types::{Call, Felt};
use starknet::signers::SigningKey;

use crate::common::{
    fresh_address, public_key, send, strk_transfer, with_gas_bounds, Env, Registered, Sent, DAY,
    ETH, STRK_UNIT,
};

/// `token.transfer(to, amount)`.
fn transfer(token: Felt, to: Felt, amount: u128) -> Call {
    Call {
        to: token,
        selector: selector(TRANSFER),
        calldata: vec![to, Felt::from(amount), Felt::ZERO],
    }
}

/// Tries `calls` on both paths and expects both refused for `reason`.
async fn refused_on_both_paths(
    env: &Env,
    key: &SigningKey,
    valid_until: u64,
    nonce: u64,
    calls: Vec<Call>,
    reason: &str,
) {
    send(&env.session(key, valid_until), calls.clone())
        .await
        .refused(reason);
    env.relay(key, valid_until, nonce, calls)
        .await
        .refused(reason);
}

/// Mints `amount` wei of ETH to the account.
async fn mint_eth(env: &Env, amount: u128) {
    env.node
        .rpc(
            "devnet_mint",
            json!({"address": format!("{:#x}", env.address()), "amount": amount, "unit": "WEI"}),
        )
        .await
        .unwrap();
}

async fn eth_balance(env: &Env, owner: Felt) -> u128 {
    env.node.erc20_balance(ETH, owner).await.unwrap()
}

#[tokio::test]
async fn a_token_without_a_policy_cannot_be_moved() {
    let env = Env::new().await;
    mint_eth(&env, 5 * STRK_UNIT).await;
    // A limit for STRK only, and `transfer` allowed on any contract.
    let (key, valid_until) = env.spender().open().await;
    let recipient = fresh_address();

    refused_on_both_paths(
        &env,
        &key,
        valid_until,
        1,
        vec![transfer(ETH, recipient, 1)],
        "Policy: no spending policy",
    )
    .await;
    // Hidden behind an allowed STRK transfer in the same batch.
    refused_on_both_paths(
        &env,
        &key,
        valid_until,
        2,
        vec![strk_transfer(recipient, 1), transfer(ETH, recipient, 1)],
        "Policy: no spending policy",
    )
    .await;
    assert_eq!(eth_balance(&env, recipient).await, 0);
    assert_eq!(eth_balance(&env, env.address()).await, 5 * STRK_UNIT);
    assert_eq!(env.strk_balance(recipient).await, 0);
    assert_eq!(
        env.session_status(&key).await.remaining_calls,
        10,
        "refusals consumed nothing"
    );
}

#[tokio::test]
async fn transfer_from_the_account_falls_under_the_policy() {
    let env = Env::new().await;
    let (key, valid_until) = env
        .new_session()
        .allow_selectors(&[selector("transfer_from"), selector("transferFrom")])
        .limits(&[(STRK, 100, 100, DAY)])
        .open()
        .await;
    let recipient = fresh_address();
    for (nonce, name) in [(1, "transfer_from"), (3, "transferFrom")] {
        let from_account = |token: Felt, amount: u128| Call {
            to: token,
            selector: selector(name),
            calldata: vec![env.address(), recipient, Felt::from(amount), Felt::ZERO],
        };
        refused_on_both_paths(
            &env,
            &key,
            valid_until,
            nonce,
            vec![from_account(STRK, 101)],
            "Policy: over per-call limit",
        )
        .await;
        refused_on_both_paths(
            &env,
            &key,
            valid_until,
            nonce + 1,
            vec![from_account(ETH, 1)],
            "Policy: no spending policy",
        )
        .await;
    }
    assert_eq!(env.strk_balance(recipient).await, 0);
    assert_eq!(eth_balance(&env, recipient).await, 0);
}

#[tokio::test]
async fn nft_transfers_and_operator_approvals_are_refused() {
    let env = Env::new().await;
    let key = SigningKey::from_random();
    let valid_until = env.now().await + 3600;
    // A stand-in collection: the account refuses before any call reaches it.
    let collection = STRK;
    let names = NFT_ONLY_CALLS;
    let allowed: Vec<Felt> = names.iter().map(|n| selector(n)).collect();
    let operator = fresh_address();
    let nft_call = |name: &str| Call {
        to: collection,
        selector: selector(name),
        calldata: if name.contains("approval") {
            vec![operator, Felt::ONE]
        } else {
            vec![env.address(), operator, Felt::ONE, Felt::ZERO, Felt::ZERO]
        },
    };
    // Without a policy for the collection: refused as any value call.
    env.register(&key, valid_until, 10, &allowed).await;
    for (i, name) in names.iter().enumerate() {
        refused_on_both_paths(
            &env,
            &key,
            valid_until,
            i as u64,
            vec![nft_call(name)],
            "Policy: no spending policy",
        )
        .await;
    }
    // With one: still refused, since no amount can bound them.
    let (key, _) = env
        .new_session()
        .until(valid_until)
        .allow_selectors(&allowed)
        .limit((collection, u128::MAX, u128::MAX, DAY))
        .open()
        .await;
    for (i, name) in names.iter().enumerate() {
        refused_on_both_paths(
            &env,
            &key,
            valid_until,
            100 + i as u64,
            vec![nft_call(name)],
            "Policy: NFT call not allowed",
        )
        .await;
    }
    assert_eq!(env.session_status(&key).await.remaining_calls, 10);
}

#[tokio::test]
async fn an_empty_allowlist_allows_nothing() {
    let env = Env::new().await;
    let (key, valid_until) = env
        .new_session()
        .limits(&[(STRK, 100, 100, DAY)])
        .open()
        .await;
    let recipient = fresh_address();
    refused_on_both_paths(
        &env,
        &key,
        valid_until,
        1,
        vec![strk_transfer(recipient, 1)],
        "Session: entrypoint not allowed",
    )
    .await;
    let harmless = Call {
        to: STRK,
        selector: selector("balance_of"),
        calldata: vec![recipient],
    };
    refused_on_both_paths(
        &env,
        &key,
        valid_until,
        2,
        vec![harmless],
        "Session: entrypoint not allowed",
    )
    .await;
    assert_eq!(env.strk_balance(recipient).await, 0);
}

#[tokio::test]
async fn a_bound_entrypoint_works_on_its_contract_only() {
    let env = Env::new().await;
    mint_eth(&env, STRK_UNIT).await;
    let pairs = [(STRK, selector(TRANSFER))];
    // Limits for both tokens, but `transfer` bound to STRK only.
    let Registered {
        key,
        valid_until,
        outcome,
    } = env
        .new_session()
        .bound(&pairs)
        .limits(&[(STRK, STRK_UNIT, STRK_UNIT, DAY), (ETH, 100, 100, DAY)])
        .register()
        .await;
    assert!(
        outcome
            .events
            .iter()
            .any(|e| e.from_address == env.address()
                && e.keys == vec![selector("SessionCallsAllowed"), public_key(&key)]),
        "SessionCallsAllowed emitted"
    );
    assert_eq!(
        env.call(
            env.address(),
            GET_SESSION_ALLOWED_CALLS,
            vec![public_key(&key)]
        )
        .await,
        vec![Felt::ONE, STRK, selector(TRANSFER)],
        "the bound pair reads back"
    );
    let recipient = fresh_address();
    refused_on_both_paths(
        &env,
        &key,
        valid_until,
        1,
        vec![transfer(ETH, recipient, 1)],
        "Session: entrypoint not allowed",
    )
    .await;
    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 40)],
    )
    .await
    .succeeded("bound pair, direct");
    env.relay(&key, valid_until, 2, vec![strk_transfer(recipient, 40)])
        .await
        .succeeded("bound pair, relayed");
    assert_eq!(env.strk_balance(recipient).await, 80);
    assert_eq!(eth_balance(&env, recipient).await, 0);
}

#[tokio::test]
async fn revocation_and_re_registration_leave_nothing_of_the_old_rules() {
    let env = Env::new().await;
    let (key, valid_until) = env
        .new_session()
        .bound(&[(STRK, selector(TRANSFER))])
        .limits(&[(STRK, 100, 100, DAY)])
        .open()
        .await;
    let recipient = fresh_address();
    env.relay(&key, valid_until, 1, vec![strk_transfer(recipient, 10)])
        .await
        .succeeded("before revoke");
    send(
        &env.account.owner,
        vec![revoke_session_call(env.address(), public_key(&key))],
    )
    .await
    .succeeded("revoke");
    refused_on_both_paths(
        &env,
        &key,
        valid_until,
        2,
        vec![strk_transfer(recipient, 1)],
        "Session: not registered",
    )
    .await;
    assert_eq!(
        env.call(
            env.address(),
            GET_SPENDING_POLICY,
            vec![public_key(&key), STRK]
        )
        .await,
        vec![Felt::ZERO; 8],
        "the revoked key's policy is gone"
    );
    assert_eq!(
        env.call(
            env.address(),
            GET_SESSION_ALLOWED_CALLS,
            vec![public_key(&key)]
        )
        .await,
        vec![Felt::ZERO],
        "and so are its bound calls"
    );

    // The same key registered again, with `transfer` allowed but no policy this time: the old
    // policy and bound pair do not come back.
    send(
        &env.account.owner,
        vec![register_session_call(
            env.address(),
            public_key(&key),
            valid_until,
            10,
            &[selector("balance_of")],
        )],
    )
    .await
    .succeeded("re-register");
    refused_on_both_paths(
        &env,
        &key,
        valid_until,
        3,
        vec![strk_transfer(recipient, 1)],
        "Session: entrypoint not allowed",
    )
    .await;
    send(
        &env.account.owner,
        vec![register_session_call(
            env.address(),
            public_key(&key),
            valid_until,
            10,
            &[selector(TRANSFER)],
        )],
    )
    .await
    .succeeded("re-register with transfer");
    refused_on_both_paths(
        &env,
        &key,
        valid_until,
        4,
        vec![strk_transfer(recipient, 1)],
        "Policy: no spending policy",
    )
    .await;
    assert_eq!(
        env.strk_balance(recipient).await,
        10,
        "only the first transfer"
    );
}

#[tokio::test]
async fn a_session_signature_binds_the_fee_fields() {
    let env = Env::new().await;
    let (key, valid_until) = env.spender().open().await;
    let recipient = fresh_address();
    let session = env.session(&key, valid_until);
    let calls = vec![strk_transfer(recipient, 1)];
    let fee = session
        .execute_v3(calls.clone())
        .estimate_fee()
        .await
        .expect("estimate");
    let signed = with_gas_bounds(session.execute_v3(calls), &fee, 2)
        .nonce(env.nonce().await)
        .tip(0)
        .prepared()
        .expect("every field set")
        .get_invoke_request(false, false)
        .await
        .expect("signed");
    let signed = serde_json::to_value(&signed).unwrap();
    let balance = env.strk_balance(env.address()).await;
    let nonce = env.nonce().await;
    // The same signature with a higher tip, or with larger resource bounds, is refused.
    let mut tipped = signed.clone();
    tipped["tip"] = json!("0x3b9aca00");
    let mut bounded = signed.clone();
    bounded["resource_bounds"]["l2_gas"]["max_price_per_unit"] =
        json!(format!("{:#x}", fee.l2_gas_price * 1000));
    for (what, tx) in [("tip", tipped), ("resource bounds", bounded)] {
        let answer = env
            .node
            .rpc(
                "starknet_addInvokeTransaction",
                json!({"invoke_transaction": tx}),
            )
            .await;
        let Err(error) = answer else {
            panic!("a changed {what} must not validate: {answer:?}")
        };
        Sent::Rejected(error.to_string()).refused("Session: invalid signature");
    }
    assert_eq!(env.nonce().await, nonce, "nothing was included");
    assert_eq!(
        env.strk_balance(env.address()).await,
        balance,
        "no fee was charged for the altered transactions"
    );
    // The untouched transaction goes through.
    env.node
        .rpc(
            "starknet_addInvokeTransaction",
            json!({"invoke_transaction": signed}),
        )
        .await
        .expect("the signed transaction as it was signed");
}

#[tokio::test]
async fn a_window_overrun_on_the_direct_path_is_refused_before_any_fee() {
    let env = Env::new().await;
    let (key, valid_until) = env
        .new_session()
        .valid_for(3 * 3600)
        .allow_selectors(&[selector(TRANSFER)])
        .limits(&[(STRK, 100 * STRK_UNIT, 150 * STRK_UNIT, DAY)])
        .open()
        .await;
    let recipient = fresh_address();
    let session = env.session(&key, valid_until);
    send(&session, vec![strk_transfer(recipient, 100 * STRK_UNIT)])
        .await
        .succeeded("100 of 150 in the window");
    let balance = env.strk_balance(env.address()).await;
    let nonce = env.nonce().await;
    // Gas bounds from a transfer that fits, so the node cannot refuse the overrun at its fee
    // estimate: only the account's validation can keep it out.
    let fee = session
        .execute_v3(vec![strk_transfer(recipient, STRK_UNIT)])
        .estimate_fee()
        .await
        .expect("estimate of a transfer within the window");
    let overrun = session.execute_v3(vec![strk_transfer(recipient, 60 * STRK_UNIT)]);
    let sent = match with_gas_bounds(overrun, &fee, 3).send().await {
        Ok(result) => panic!(
            "the overrun was included (and charged): {:#x}",
            result.transaction_hash
        ),
        Err(e) => Sent::Rejected(format!("{e:?}")),
    };
    sent.refused("Policy: over window limit");
    assert_eq!(env.nonce().await, nonce, "nothing was included");
    assert_eq!(
        env.strk_balance(env.address()).await,
        balance,
        "no fee was charged"
    );
    assert_eq!(env.strk_balance(recipient).await, 100 * STRK_UNIT);
}

#[tokio::test]
async fn the_key_holder_cannot_burn_the_balance_in_fees() {
    let env = Env::new().await;
    let recipient = fresh_address();
    // A session whose STRK limit (1000 fri a call) is below any real fee: the direct path,
    // where the key holder sets the fee, is closed to it; the sponsored path is not.
    let (key, valid_until) = env
        .new_session()
        .allow_selectors(&[selector(TRANSFER)])
        .limits(&[(STRK, 1000, 1000, DAY)])
        .open()
        .await;
    let balance = env.strk_balance(env.address()).await;
    let nonce = env.nonce().await;
    send(
        &env.session(&key, valid_until),
        vec![strk_transfer(recipient, 1)],
    )
    .await
    .refused("Policy: fee over limit");
    assert_eq!(env.nonce().await, nonce, "nothing was included");
    assert_eq!(env.strk_balance(env.address()).await, balance, "no fee");
    env.relay(&key, valid_until, 1, vec![strk_transfer(recipient, 1)])
        .await
        .succeeded("the relayer pays the fee");
    assert_eq!(env.strk_balance(recipient).await, 1);

    // A generous limit, but a tip: refused, whoever signs it.
    let (key, _) = env.spender().until(valid_until).open().await;
    let session = env.session(&key, valid_until);
    let calls = vec![strk_transfer(recipient, 1)];
    let fee = session
        .execute_v3(calls.clone())
        .tip(0)
        .estimate_fee()
        .await
        .expect("estimate");
    let tipped = with_gas_bounds(session.execute_v3(calls), &fee, 2)
        .tip(1_000_000)
        .send()
        .await;
    let Err(error) = tipped else {
        panic!("a session transaction with a tip was included")
    };
    Sent::Rejected(format!("{error:?}")).refused("Session: tip not allowed");
    assert_eq!(env.strk_balance(recipient).await, 1);
}
