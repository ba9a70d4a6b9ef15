//! The `sponsor` binary as the sandbox starts it: flags, the printed address, answers on
//! loopback, an account allowlist, and a clear exit on bad configuration.

use std::process::Command;

use devnet_harness::{spawn_with_first_line, Devnet};
use serde_json::{json, Value};

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_serves_snip29_and_refuses_accounts_off_its_list() {
    let node = Devnet::start().await.unwrap();
    let relayer = node.predeployed_accounts().await.unwrap()[1].clone();
    let other = node.predeployed_accounts().await.unwrap()[2].address;
    let allowed = node.predeployed_accounts().await.unwrap()[0].address;
    let (child, line) = spawn_with_first_line(
        Command::new(env!("CARGO_BIN_EXE_sponsor"))
            .args(["--rpc-url", node.rpc_url().as_str()])
            .args(["--relayer-address", &format!("{:#x}", relayer.address)])
            .args(["--allow", &format!("{allowed:#x}")])
            .env("SPONSOR_RELAYER_KEY", format!("{:#x}", relayer.private_key)),
    )
    .unwrap();
    let _child = Killed(child);
    let url = line
        .trim()
        .strip_prefix("sponsor listening on ")
        .expect("prints its address")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let http = reqwest::Client::new();
    let rpc = |method: &str, params: Value| {
        let request = http
            .post(&url)
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}));
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(
        rpc("paymaster_isAvailable", json!([])).await["result"],
        true
    );
    let call = json!({"to": "0x1", "selector": "0x2", "calldata": []});
    // By name, as the public server takes it (protocol.md §5).
    let build = |user: String| json!({"transaction": {"type": "invoke", "invoke": {"user_address": user, "calls": [call.clone()]}}, "parameters": {"version": "0x1", "fee_mode": {"mode": "sponsored"}}});
    let answer = rpc("paymaster_buildTransaction", build(format!("{other:#x}"))).await;
    assert_eq!(
        answer["error"]["code"], 150,
        "not on the allowlist: {answer}"
    );
    // On the list, but an OpenZeppelin account: no session interface.
    let answer = rpc("paymaster_buildTransaction", build(format!("{allowed:#x}"))).await;
    assert_eq!(
        answer["error"]["code"], 155,
        "class not supported: {answer}"
    );
}

#[test]
fn bad_configuration_exits_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_sponsor"))
        .args(["--relayer-address", "0x1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rpc-url is required"));
    let out = Command::new(env!("CARGO_BIN_EXE_sponsor"))
        .args([
            "--rpc-url",
            "http://127.0.0.1:9/rpc",
            "--relayer-address",
            "0x1",
            "--relayer-key",
            "0x2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot start"));
}
