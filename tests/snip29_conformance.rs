//! The public paymaster's wire format (protocol.md §5, read from AVNU's server), rule by rule,
//! as request/answer pairs against this project's sponsor, which must refuse what the real one
//! refuses; and every request the wallet's own client sends through a whole flow, recorded in
//! front of the sponsor and checked against the same rules, so a client that only our sponsor
//! would accept fails here rather than on mainnet.

use std::sync::{Arc, Mutex};

use chipi_session::backends::paymaster::{deployment_authorization, AccountDeployment, ApiKey};
use chipi_session::entrypoint::{selector, TRANSFER};
use chipi_session::{FeeMode, OutsideExecution, PaymasterClient, SecretKey, TypedData};
use devnet_harness::{wait_for_receipt, STRK};
use local_stack::LocalStack;
use serde_json::{json, Value};
use sponsor::SponsorConfig;
use starknet::core::types::{Call, Felt};
use starknet::core::utils::get_contract_address;

const STRK_UNIT: u128 = 1_000_000_000_000_000_000;

/// The methods the public server has (it has no `paymaster_trackingIdToLatestHash`).
const METHODS: [&str; 4] = [
    "paymaster_isAvailable",
    "paymaster_getSupportedTokens",
    "paymaster_buildTransaction",
    "paymaster_executeTransaction",
];

/// Every rule of §5 a request breaks (none: the public server reads it).
fn broken_rules(body: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let mut rule = |ok: bool, what: &str| {
        if !ok {
            broken.push(what.to_owned());
        }
    };
    rule(body["jsonrpc"] == "2.0", "jsonrpc is \"2.0\"");
    rule(body.get("id").is_some(), "an id");
    let method = body["method"].as_str().unwrap_or_default();
    rule(METHODS.contains(&method), "a method the public server has");
    let params = body.get("params");
    if matches!(
        method,
        "paymaster_isAvailable" | "paymaster_getSupportedTokens"
    ) {
        rule(
            params.is_none_or(|p| p == &json!([]) || p == &json!({})),
            "no params for a method that takes none",
        );
        return broken;
    }
    let Some(Value::Object(params)) = params else {
        rule(false, "params is one object by name");
        return broken;
    };
    let mut keys: Vec<&str> = params.keys().map(String::as_str).collect();
    keys.sort_unstable();
    rule(
        keys == ["parameters", "transaction"],
        "params holds transaction and parameters",
    );
    let parameters = params.get("parameters").unwrap_or(&Value::Null);
    rule(
        parameters["version"] == "0x1",
        "parameters.version is \"0x1\"",
    );
    let mode = parameters["fee_mode"]["mode"].as_str().unwrap_or_default();
    rule(
        mode == "sponsored" || (mode == "default" && is_hex(&parameters["fee_mode"]["gas_token"])),
        "fee_mode sponsored, or default with a hex gas_token",
    );
    if let Some(bounds) = parameters.get("time_bounds") {
        let after = bounds["execute_after"].as_u64();
        let before = bounds["execute_before"].as_u64();
        rule(
            after.is_some() && before.is_some(),
            "time bounds are JSON integers",
        );
        rule(after < before, "execute_after before execute_before");
    }
    let transaction = params.get("transaction").unwrap_or(&Value::Null);
    match transaction["type"].as_str() {
        Some("invoke") if method == "paymaster_buildTransaction" => {
            let invoke = &transaction["invoke"];
            rule(is_hex(&invoke["user_address"]), "a hex user_address");
            let calls = invoke["calls"].as_array().cloned().unwrap_or_default();
            rule(!calls.is_empty(), "calls to build");
            for call in calls {
                rule(
                    is_hex(&call["to"])
                        && is_hex(&call["selector"])
                        && call["calldata"]
                            .as_array()
                            .is_some_and(|data| data.iter().all(is_hex)),
                    "calls as {to, selector, calldata} in hex",
                );
            }
        }
        Some("invoke") => {
            let invoke = &transaction["invoke"];
            rule(is_hex(&invoke["user_address"]), "a hex user_address");
            rule(invoke["typed_data"].is_object(), "the typed data built");
            rule(
                invoke["signature"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty() && s.iter().all(is_hex)),
                "a signature in hex",
            );
        }
        Some("deploy") => rule(
            transaction["deployment"]["version"] == 1,
            "deployment data version 1",
        ),
        _ => rule(false, "transaction.type invoke or deploy"),
    }
    broken
}

fn is_hex(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.starts_with("0x") && Felt::from_hex(s).is_ok())
}

/// A JSON-RPC request's answer: HTTP status and body.
async fn post(url: &str, headers: &[(&str, &str)], body: &Value) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

fn rpc(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
}

fn sponsored() -> Value {
    json!({"version": "0x1", "fee_mode": {"mode": "sponsored"}})
}

fn hex(felt: Felt) -> String {
    format!("{felt:#x}")
}

fn transfer(to: Felt, amount: u128) -> Value {
    json!({"to": hex(STRK), "selector": hex(selector(TRANSFER)),
           "calldata": [hex(to), format!("{amount:#x}"), "0x0"]})
}

/// A local stack with one account of the project's class deployed through the sponsor and
/// funded with 5 STRK.
struct Fixture {
    stack: LocalStack,
    owner: SecretKey,
    account: Felt,
}

async fn fixture() -> Fixture {
    let stack = LocalStack::start().await.expect("the local stack starts");
    let owner = SecretKey::generate().unwrap();
    let calldata = vec![owner.public_key()];
    let deployment = AccountDeployment {
        address: get_contract_address(Felt::ONE, stack.class_hash, &calldata, Felt::ZERO),
        class_hash: stack.class_hash,
        salt: Felt::ONE,
        calldata,
    };
    let signature = owner
        .sign(&deployment_authorization(
            stack.node.chain_id(),
            deployment.address,
        ))
        .unwrap();
    let client = PaymasterClient::new(
        stack.sponsor_url.clone(),
        stack.rpc_url(),
        stack.node.chain_id(),
    );
    let relayed = client
        .deploy(&deployment, &[signature.r, signature.s])
        .await
        .expect("deployed through the sponsor");
    assert!(
        wait_for_receipt(stack.node.provider(), relayed.transaction_hash)
            .await
            .unwrap()
            .succeeded()
    );
    stack
        .node
        .mint_strk(deployment.address, 5 * STRK_UNIT)
        .await
        .unwrap();
    Fixture {
        stack,
        owner,
        account: deployment.address,
    }
}

impl Fixture {
    fn invoke(&self, calls: Vec<Value>) -> Value {
        json!({"type": "invoke", "invoke": {"user_address": hex(self.account), "calls": calls}})
    }

    /// The typed data of a build by name, its answer checked to be a result.
    async fn build(&self, parameters: Value) -> Value {
        let (_, answer) = post(
            &self.stack.sponsor_url,
            &[],
            &rpc(
                "paymaster_buildTransaction",
                json!({"transaction": self.invoke(vec![transfer(Felt::TWO, 1)]), "parameters": parameters}),
            ),
        )
        .await;
        assert!(answer["result"].is_object(), "{answer}");
        answer["result"].clone()
    }

    /// `typed_data` signed by the owner, as an executable invoke.
    fn signed(&self, typed_data: &Value) -> Value {
        let typed = TypedData::from_json(&typed_data.to_string()).unwrap();
        let hash = OutsideExecution::from_typed_data(&typed)
            .unwrap()
            .message_hash(self.account, self.stack.node.chain_id());
        let signature = self.owner.sign(&hash).unwrap();
        json!({"type": "invoke", "invoke": {"user_address": hex(self.account),
               "typed_data": typed_data, "signature": [hex(signature.r), hex(signature.s)]}})
    }
}

fn refused(answer: &Value) -> (i64, String, Value) {
    let error = &answer["error"];
    assert!(answer.get("result").is_none(), "{answer}");
    (
        error["code"].as_i64().unwrap(),
        error["message"].as_str().unwrap_or_default().to_owned(),
        error.get("data").cloned().unwrap_or(Value::Null),
    )
}

/// Rule: `params` is one object by name; the positional form `[transaction, parameters]` is
/// read as one argument that lacks the field `transaction` (HTTP 200, -32602 "Invalid params",
/// serde's reason with its position as `data`).
#[tokio::test]
async fn params_are_one_object_by_name_and_a_positional_array_is_refused() {
    let f = fixture().await;
    let by_name = f.build(sponsored()).await;
    assert_eq!(by_name["type"], "invoke");
    for method in ["paymaster_buildTransaction", "paymaster_executeTransaction"] {
        let positional = rpc(
            method,
            json!([f.invoke(vec![transfer(Felt::TWO, 1)]), sponsored()]),
        );
        let (status, answer) = post(&f.stack.sponsor_url, &[], &positional).await;
        let (code, message, data) = refused(&answer);
        assert_eq!(
            (status, code, message.as_str()),
            (200, -32602, "Invalid params")
        );
        let data = data.as_str().unwrap();
        assert!(
            data.starts_with("missing field `transaction` at line 1 column "),
            "{method}: {data}"
        );
    }
    let (_, answer) = post(
        &f.stack.sponsor_url,
        &[],
        &rpc("paymaster_buildTransaction", json!(null)),
    )
    .await;
    assert_eq!(refused(&answer).2, json!("No more params"));
}

/// Rule: `time_bounds` are JSON integers; hex strings are refused with serde's reason; given
/// bounds are the typed data's.
#[tokio::test]
async fn time_bounds_are_json_integers() {
    let f = fixture().await;
    let now = f.stack.node.pending_timestamp().await.unwrap();
    let mut hex_bounds = sponsored();
    hex_bounds["time_bounds"] =
        json!({"execute_after": "0x1", "execute_before": format!("{:#x}", now + 300)});
    let (status, answer) = post(
        &f.stack.sponsor_url,
        &[],
        &rpc(
            "paymaster_buildTransaction",
            json!({"transaction": f.invoke(vec![transfer(Felt::TWO, 1)]), "parameters": hex_bounds}),
        ),
    )
    .await;
    let (code, message, data) = refused(&answer);
    assert_eq!(
        (status, code, message.as_str()),
        (200, -32602, "Invalid params")
    );
    assert!(
        data.as_str()
            .unwrap()
            .starts_with("invalid type: string \"0x1\", expected u64 at line 1 column "),
        "{data}"
    );
    let mut integer_bounds = sponsored();
    integer_bounds["time_bounds"] = json!({"execute_after": 1, "execute_before": now + 300});
    let built = f.build(integer_bounds).await;
    let message = &built["typed_data"]["message"];
    assert_eq!(message["Execute After"], "0x1");
    assert_eq!(message["Execute Before"], format!("{:#x}", now + 300));
    assert_eq!(
        built["parameters"]["time_bounds"]["execute_before"],
        json!(now + 300),
        "the parameters are echoed"
    );
}

/// Rule: without `time_bounds` the server uses `[1, now + 3600]`; a version other than `0x1`
/// is refused; bounds that do not contain now are an execution error (156).
#[tokio::test]
async fn default_time_bounds_version_and_bounds_outside_now() {
    let f = fixture().await;
    let now = f.stack.node.pending_timestamp().await.unwrap();
    let built = f.build(sponsored()).await;
    let message = &built["typed_data"]["message"];
    assert_eq!(message["Execute After"], "0x1");
    let before = u64::from_str_radix(
        message["Execute Before"]
            .as_str()
            .unwrap()
            .trim_start_matches("0x"),
        16,
    )
    .unwrap();
    assert!(
        (now + 3600..=now + 3610).contains(&before),
        "an hour from now: {before} vs {now}"
    );
    assert_eq!(
        message["Caller"],
        hex(f.stack.relayer.address),
        "the caller is the relayer, never ANY_CALLER"
    );

    let mut other_version = sponsored();
    other_version["version"] = json!("0x2");
    let (_, answer) = post(
        &f.stack.sponsor_url,
        &[],
        &rpc(
            "paymaster_buildTransaction",
            json!({"transaction": f.invoke(vec![transfer(Felt::TWO, 1)]), "parameters": other_version}),
        ),
    )
    .await;
    let (code, _, data) = refused(&answer);
    assert_eq!(code, -32602);
    assert!(
        data.as_str()
            .unwrap()
            .starts_with("unknown variant `0x2`, expected `0x1`"),
        "{data}"
    );

    let mut past = sponsored();
    past["time_bounds"] = json!({"execute_after": 1, "execute_before": now - 10});
    let (_, answer) = post(
        &f.stack.sponsor_url,
        &[],
        &rpc(
            "paymaster_buildTransaction",
            json!({"transaction": f.invoke(vec![transfer(Felt::TWO, 1)]), "parameters": past}),
        ),
    )
    .await;
    let (code, _, data) = refused(&answer);
    assert_eq!(code, 156);
    assert_eq!(data, json!({"execution_error": "invalid time bounds"}));
}

/// Rule: an execution answers `{transaction_hash, tracking_id: "0x0"}`; there is no
/// `paymaster_trackingIdToLatestHash` (-32601, no data); the no-argument methods take no params.
#[tokio::test]
async fn an_execution_answers_tracking_id_zero_and_there_is_no_tracking_method() {
    let f = fixture().await;
    let built = f.build(sponsored()).await;
    let (status, answer) = post(
        &f.stack.sponsor_url,
        &[],
        &rpc(
            "paymaster_executeTransaction",
            json!({"transaction": f.signed(&built["typed_data"]), "parameters": sponsored()}),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let result = &answer["result"];
    assert_eq!(result["tracking_id"], "0x0", "{answer}");
    let hash = Felt::from_hex(result["transaction_hash"].as_str().unwrap()).unwrap();
    assert!(
        wait_for_receipt(f.stack.node.provider(), hash)
            .await
            .unwrap()
            .succeeded(),
        "the hash is what is followed, on the node"
    );

    let (_, answer) = post(
        &f.stack.sponsor_url,
        &[],
        &rpc(
            "paymaster_trackingIdToLatestHash",
            json!({"tracking_id": "0x0"}),
        ),
    )
    .await;
    assert_eq!(
        answer["error"],
        json!({"code": -32601, "message": "Method not found"})
    );

    for method in ["paymaster_isAvailable", "paymaster_getSupportedTokens"] {
        let (_, answer) = post(
            &f.stack.sponsor_url,
            &[],
            &json!({"jsonrpc": "2.0", "id": 9, "method": method}),
        )
        .await;
        assert!(
            answer.get("result").is_some(),
            "{method} without params: {answer}"
        );
    }
}

/// Rule: a sponsored request with a missing or wrong API key is HTTP 200 with code 163 and
/// `data` "x-paymaster-api-key is invalid" (not 401); the client names it `PaymasterApiKey`.
#[tokio::test]
async fn a_bad_api_key_is_http_200_with_163() {
    const KEY: &str = "pk_local_conformance";
    let f = fixture().await;
    let relayer = f.stack.node.predeployed_accounts().await.unwrap()[2].clone();
    let keyed = sponsor::start(
        &SponsorConfig::new(f.stack.rpc_url(), relayer.address, relayer.private_key)
            .with_api_key(KEY),
    )
    .await
    .unwrap();
    let request = rpc(
        "paymaster_buildTransaction",
        json!({"transaction": f.invoke(vec![transfer(Felt::TWO, 1)]), "parameters": sponsored()}),
    );
    for headers in [vec![], vec![("x-paymaster-api-key", "pk_local_wrong")]] {
        let (status, answer) = post(&keyed.url, &headers, &request).await;
        assert_eq!(status, 200, "{headers:?}");
        assert_eq!(
            answer["error"],
            json!({"code": 163, "message": "An error occurred (UNKNOWN_ERROR)",
                   "data": "x-paymaster-api-key is invalid"}),
            "{headers:?}"
        );
    }
    let (_, answer) = post(&keyed.url, &[("x-paymaster-api-key", KEY)], &request).await;
    assert!(answer["result"].is_object(), "{answer}");

    let client = |key: &str| {
        PaymasterClient::new(
            keyed.url.clone(),
            f.stack.rpc_url(),
            f.stack.node.chain_id(),
        )
        .with_api_key(Some(ApiKey::new(key)))
    };
    let now = f.stack.node.pending_timestamp().await.unwrap();
    let calls = [Call {
        to: STRK,
        selector: selector(TRANSFER),
        calldata: vec![Felt::TWO, Felt::ONE, Felt::ZERO],
    }];
    let refused = client("pk_local_wrong")
        .build_invoke(f.account, &calls, now)
        .await;
    assert!(
        matches!(
            refused,
            Err(chipi_session::SessionError::PaymasterApiKey { key_sent: true })
        ),
        "{refused:?}"
    );
}

/// Rule: in the default mode the fee call is the last one, `transfer(caller,
/// suggested_max_fee_in_gas_token)` on the gas token, the suggestion three times the estimate;
/// at execute a fee call below 1.1 times the real cost is refused (156, "max amount of gas
/// token too low. Expected at least 0x…"); an account with no gas token cannot build (156).
#[tokio::test]
async fn the_default_modes_fee_call_is_last_priced_and_checked_at_execute() {
    let f = fixture().await;
    let default =
        json!({"version": "0x1", "fee_mode": {"mode": "default", "gas_token": hex(STRK)}});
    let built = f.build(default.clone()).await;
    let fee = &built["fee"];
    let felt =
        |v: &Value| u128::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    let estimated = felt(&fee["estimated_fee_in_strk"]);
    assert!(estimated > 0);
    assert_eq!(felt(&fee["suggested_max_fee_in_strk"]), 3 * estimated);
    assert_eq!(felt(&fee["gas_token_price_in_strk"]), STRK_UNIT);
    let calls = built["typed_data"]["message"]["Calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2, "the user's call and the fee call");
    let last = calls.last().unwrap();
    assert_eq!(last["To"], hex(STRK));
    assert_eq!(last["Selector"], hex(selector(TRANSFER)));
    assert_eq!(
        last["Calldata"],
        json!([
            hex(f.stack.relayer.address),
            fee["suggested_max_fee_in_gas_token"],
            "0x0"
        ]),
        "the fee call pays the caller the suggested fee"
    );

    let mut underpaid = built["typed_data"].clone();
    underpaid["message"]["Calls"][1]["Calldata"][1] = json!("0x1");
    let (status, answer) = post(
        &f.stack.sponsor_url,
        &[],
        &rpc(
            "paymaster_executeTransaction",
            json!({"transaction": f.signed(&underpaid), "parameters": default}),
        ),
    )
    .await;
    let (code, _, data) = refused(&answer);
    assert_eq!((status, code), (200, 156));
    assert!(
        data["execution_error"]
            .as_str()
            .unwrap()
            .starts_with("max amount of gas token too low. Expected at least 0x"),
        "{data}"
    );

    let eth = json!({"version": "0x1", "fee_mode": {"mode": "default", "gas_token": hex(chipi_session::network::ETH)}});
    let (_, answer) = post(
        &f.stack.sponsor_url,
        &[],
        &rpc(
            "paymaster_buildTransaction",
            json!({"transaction": f.invoke(vec![transfer(Felt::TWO, 1)]), "parameters": eth}),
        ),
    )
    .await;
    let (code, _, data) = refused(&answer);
    assert_eq!(code, 156);
    assert!(
        data["execution_error"]
            .as_str()
            .unwrap()
            .ends_with("is zero"),
        "{data}"
    );
}

/// A forwarder in front of the sponsor that keeps every request body.
async fn recorder(upstream: String) -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = seen.clone();
    let http = reqwest::Client::new();
    let app = axum::Router::new().route(
        "/rpc",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let (kept, http, upstream) = (kept.clone(), http.clone(), upstream.clone());
            async move {
                kept.lock()
                    .unwrap()
                    .push(serde_json::from_str(&body).unwrap_or(Value::Null));
                let mut request = http
                    .post(&upstream)
                    .header("content-type", "application/json")
                    .body(body);
                for (name, value) in &headers {
                    if name.as_str().starts_with("x-") {
                        request = request.header(name, value);
                    }
                }
                let answer = request.send().await.unwrap();
                let status = axum::http::StatusCode::from_u16(answer.status().as_u16()).unwrap();
                (status, answer.text().await.unwrap())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// The client's own requests, through deploy, a sponsored owner execution, a quote and a
/// default-mode execution, each keep every rule above.
#[tokio::test]
async fn every_request_the_client_sends_keeps_the_rules() {
    let f = fixture().await;
    let (url, seen) = recorder(f.stack.sponsor_url.clone()).await;
    let chain_id = f.stack.node.chain_id();
    let client = PaymasterClient::new(url.clone(), f.stack.rpc_url(), chain_id);
    assert!(client.is_available().await.unwrap());
    assert!(!client.supported_tokens().await.unwrap().is_empty());

    let owner = SecretKey::generate().unwrap();
    let calldata = vec![owner.public_key()];
    let deployment = AccountDeployment {
        address: get_contract_address(Felt::TWO, f.stack.class_hash, &calldata, Felt::ZERO),
        class_hash: f.stack.class_hash,
        salt: Felt::TWO,
        calldata,
    };
    let authorization = owner
        .sign(&deployment_authorization(chain_id, deployment.address))
        .unwrap();
    client
        .deploy(&deployment, &[authorization.r, authorization.s])
        .await
        .unwrap();

    let calls = [Call {
        to: STRK,
        selector: selector(TRANSFER),
        calldata: vec![Felt::TWO, Felt::ONE, Felt::ZERO],
    }];
    let owner_sign = |hash: Felt| {
        let signature = f.owner.sign(&hash).unwrap();
        Ok(vec![signature.r, signature.s])
    };
    let now = f.stack.node.pending_timestamp().await.unwrap();
    let relayed = client
        .submit_invoke(f.account, &calls, now, false, None, owner_sign)
        .await
        .unwrap();
    assert_eq!(relayed.tracking_id, None);
    wait_for_receipt(f.stack.node.provider(), relayed.transaction_hash)
        .await
        .unwrap();

    let quote = client.quote_fee(f.account, &calls, STRK).await.unwrap();
    let paying =
        PaymasterClient::new(url, f.stack.rpc_url(), chain_id).with_fee_mode(FeeMode::Gasless {
            gas_token: STRK,
            max_fee: quote,
        });
    let relayed = paying
        .submit_invoke(f.account, &calls, now, false, None, owner_sign)
        .await
        .expect("a default-mode execution");
    assert!(
        wait_for_receipt(f.stack.node.provider(), relayed.transaction_hash)
            .await
            .unwrap()
            .succeeded()
    );

    let seen = seen.lock().unwrap().clone();
    let methods: Vec<&str> = seen.iter().filter_map(|b| b["method"].as_str()).collect();
    for method in METHODS {
        assert!(
            methods.contains(&method),
            "{method} was exercised: {methods:?}"
        );
    }
    for body in &seen {
        assert_eq!(broken_rules(body), Vec::<String>::new(), "{body}");
    }
    // The rules can fail: the shapes the wallet used to send break them.
    let positional = rpc("paymaster_buildTransaction", json!([{}, sponsored()]));
    assert!(!broken_rules(&positional).is_empty());
    let mut hex_bounds = seen
        .iter()
        .find(|b| b["params"]["parameters"].get("time_bounds").is_some())
        .expect("a build with time bounds")
        .clone();
    hex_bounds["params"]["parameters"]["time_bounds"]["execute_after"] = json!("0x0");
    assert!(broken_rules(&hex_bounds).contains(&"time bounds are JSON integers".to_owned()));
    assert!(!broken_rules(&rpc("paymaster_trackingIdToLatestHash", json!({}))).is_empty());
}
