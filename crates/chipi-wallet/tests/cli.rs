//! The `chipi-wallet` binary on a real node through the sponsor: create and deploy a wallet,
//! set up a session with a limit, transfer, read the status, refuse an over-limit transfer and a
//! wrong PIN, export/sign/hash, revoke.

use std::path::Path;
use std::process::{Command, Output};

use local_stack::LocalStack;
use serde_json::Value;
use starknet_core::types::Felt;
use starknet_core::utils::get_selector_from_name;

const EXPORT_PASSPHRASE: &str = "a long export passphrase";
const PIN: &str = "739155";

struct Cli<'a> {
    dir: &'a Path,
    rpc: String,
    sponsor: String,
}

impl Cli<'_> {
    fn run(&self, pin: Option<&str>, args: &[&str]) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_chipi-wallet"))
            .arg("--json")
            .args([
                "--data-dir",
                self.dir.to_str().unwrap(),
                "--rpc",
                &self.rpc,
                "--sponsor",
                &self.sponsor,
            ])
            .args(args)
            .env_remove("CHIPI_WALLET_PIN")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(pin) = pin {
            // A command that fails before it reads the PIN closes its stdin: that is fine.
            let _ = writeln!(child.stdin.as_mut().unwrap(), "{pin}");
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    fn ok(&self, pin: Option<&str>, args: &[&str]) -> Value {
        let out = self.run(pin, args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{args:?}: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&text).unwrap()
    }

    fn err(&self, pin: Option<&str>, args: &[&str]) -> Value {
        let out = self.run(pin, args);
        assert!(!out.status.success(), "{args:?} should fail");
        let value: Value = serde_json::from_slice(&out.stdout).unwrap();
        value["error"].clone()
    }
}

/// A wallet created and deployed from the command line, 10 STRK minted to it, and a session set
/// up (two hours, 5 calls, `transfer`, 2 STRK a call and 3 an hour): the opening the tests of the
/// binary share. Keeps the node and the data folder alive.
struct WithSession {
    stack: LocalStack,
    dir: tempfile::TempDir,
    wallet: String,
    created: Value,
    registered: Value,
}

impl WithSession {
    async fn start() -> Self {
        let stack = LocalStack::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cli = Cli {
            dir: dir.path(),
            rpc: stack.node.rpc_url().to_string(),
            sponsor: stack.sponsor_url.clone(),
        };
        let created = cli.ok(
            Some(PIN),
            &["--network", "local", "wallet", "create", "--deploy"],
        );
        let wallet = created["address"].as_str().unwrap().to_owned();
        stack
            .node
            .mint_strk(Felt::from_hex(&wallet).unwrap(), 10u128.pow(19))
            .await
            .unwrap();
        assert_eq!(
            cli.ok(Some(PIN), &["session", "create", "--duration", "7200"])["state"],
            "created"
        );
        let registered = cli.ok(
            Some(PIN),
            &[
                "session",
                "register",
                "--max-calls",
                "5",
                "--allow",
                "transfer",
                "--limit",
                "STRK:2:3:3600",
            ],
        );
        Self {
            wallet,
            created,
            registered,
            stack,
            dir,
        }
    }

    fn cli(&self) -> Cli<'_> {
        Cli {
            dir: self.dir.path(),
            rpc: self.stack.node.rpc_url().to_string(),
            sponsor: self.stack.sponsor_url.clone(),
        }
    }
}

const RECIPIENT: &str = "0x1234abcd";

#[tokio::test(flavor = "multi_thread")]
async fn a_wallet_and_a_session_from_the_command_line() {
    let set_up = WithSession::start().await;
    let (cli, dir, wallet, created) = (set_up.cli(), &set_up.dir, &set_up.wallet, &set_up.created);
    assert!(created["deployTransactionHash"]
        .as_str()
        .unwrap()
        .starts_with("0x"));
    let shown = cli.ok(None, &["wallet", "show"]);
    assert_eq!(
        (shown["deployed"].as_bool(), shown["walletType"].as_str()),
        (Some(true), Some("CHIPI"))
    );
    let sealed = std::fs::read_to_string(
        dir.path()
            .join(format!("secrets/wallet-local-{wallet}-owner")),
    )
    .unwrap();
    assert!(
        sealed.starts_with("chipi-sealed:"),
        "the owner key is stored sealed, in its own file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = dir
            .path()
            .join(format!("secrets/wallet-local-{wallet}-owner"));
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by the owner only");
    }
    let prefs = std::fs::read_to_string(dir.path().join("prefs.json")).unwrap();
    assert!(
        !prefs.contains("chipi-sealed:"),
        "no secret in the preferences"
    );
    let registered = &set_up.registered;
    assert_eq!(registered["state"], "active");
    assert_eq!(registered["remainingCalls"], 5);

    let recipient = RECIPIENT;
    let sent = cli.ok(
        Some(PIN),
        &[
            "session", "transfer", "--token", "STRK", "--to", recipient, "--amount", "1.5",
        ],
    );
    assert_eq!(sent["remainingCalls"], 4);
    let status = cli.ok(None, &["session", "status"]);
    assert_eq!(status["remainingCalls"], 4);
    assert_eq!(status["limits"][0]["spentInWindow"], "1500000000000000000");
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_from_the_command_line_cost_no_call() {
    let set_up = WithSession::start().await;
    let (cli, recipient) = (set_up.cli(), RECIPIENT);
    let over = cli.err(
        Some(PIN),
        &[
            "session", "transfer", "--token", "STRK", "--to", recipient, "--amount", "2.5",
        ],
    );
    assert_eq!(over["kind"], "SpendingLimit", "{over}");
    // The same fields as the app's screens get.
    assert_eq!(
        (&over["token"], &over["amount"]),
        (&serde_json::json!("STRK"), &serde_json::json!("2.5")),
        "{over}"
    );
    let wrong = cli.err(
        Some("0000"),
        &[
            "session", "transfer", "--token", "STRK", "--to", recipient, "--amount", "0.1",
        ],
    );
    assert_eq!(wrong["kind"], "WrongPin", "{wrong}");
    let bad = cli.err(
        Some(PIN),
        &[
            "session", "transfer", "--token", "STRK", "--to", "0xnothex", "--amount", "0.1",
        ],
    );
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("not a valid address"),
        "{bad}"
    );
    let bad = cli.err(
        Some(PIN),
        &[
            "session",
            "transfer",
            "--token",
            "STRK",
            "--to",
            recipient,
            "--amount",
            "0.1234567890123456789",
        ],
    );
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("at most 18 decimals"),
        "{bad}"
    );
    assert_eq!(
        cli.ok(None, &["session", "status"])["remainingCalls"],
        5,
        "refusals cost no call"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn export_sign_and_revoke_from_the_command_line() {
    let set_up = WithSession::start().await;
    let (cli, dir, wallet, recipient) = (set_up.cli(), &set_up.dir, &set_up.wallet, RECIPIENT);
    // Export in the SDK's shape; sign and hash a typed-data file.
    // The export takes a passphrase of its own: never the PIN, never a short one.
    let weak = cli.err(Some(PIN), &["session", "export", "--passphrase", PIN]);
    assert!(
        weak["message"]
            .as_str()
            .unwrap()
            .contains("export passphrase"),
        "{weak}"
    );
    let exported = cli.ok(
        Some(PIN),
        &["session", "export", "--passphrase", EXPORT_PASSPHRASE],
    );
    assert!(exported["encryptedPrivateKey"]
        .as_str()
        .unwrap()
        .starts_with("U2FsdGVkX1"));
    let typed = dir.path().join("typed.json");
    std::fs::write(&typed, include_str!("typed_data.json")).unwrap();
    let hashed = cli.ok(
        None,
        &[
            "typed-data",
            "hash",
            typed.to_str().unwrap(),
            "--account",
            wallet,
        ],
    );
    let signed = cli.ok(Some(PIN), &["session", "sign", typed.to_str().unwrap()]);
    assert_eq!(hashed["messageHash"], signed["messageHash"]);
    assert_eq!(signed["signature"][0], exported["publicKey"]);
    assert_eq!(
        signed,
        cli.ok(Some(PIN), &["session", "sign", typed.to_str().unwrap()]),
        "RFC 6979: deterministic"
    );
    // Not signed: a message for another chain, and an outside execution (calls that would skip
    // every check a transfer gets).
    let mut other_chain: Value = serde_json::from_str(include_str!("typed_data.json")).unwrap();
    other_chain["domain"]["chainId"] = "SN_MAIN".into();
    let outside = serde_json::json!({
        "types": {
            "StarknetDomain": [{"name": "name", "type": "shortstring"}, {"name": "version", "type": "shortstring"},
                {"name": "chainId", "type": "shortstring"}, {"name": "revision", "type": "shortstring"}],
            "OutsideExecution": [{"name": "Caller", "type": "ContractAddress"}, {"name": "Nonce", "type": "felt"},
                {"name": "Execute After", "type": "u128"}, {"name": "Execute Before", "type": "u128"},
                {"name": "Calls", "type": "Call*"}],
            "Call": [{"name": "To", "type": "ContractAddress"}, {"name": "Selector", "type": "selector"},
                {"name": "Calldata", "type": "felt*"}]},
        "primaryType": "OutsideExecution",
        "domain": {"name": "Account.execute_from_outside", "version": "2", "chainId": "SN_SEPOLIA", "revision": "1"},
        "message": {"Caller": "0x414e595f43414c4c4552", "Nonce": "0x1", "Execute After": "0x0",
            "Execute Before": "0xffffffffff", "Calls": []}});
    for (what, typed_data) in [
        ("another chain", other_chain),
        ("an outside execution", outside),
    ] {
        let file = dir.path().join("refused.json");
        std::fs::write(&file, typed_data.to_string()).unwrap();
        let refused = cli.err(Some(PIN), &["session", "sign", file.to_str().unwrap()]);
        assert_eq!(refused["kind"], "InvalidInput", "{what}: {refused}");
    }

    // An active session is not forgotten with a wrong PIN.
    let kept = cli.err(Some("0000"), &["session", "clear"]);
    assert_eq!(kept["kind"], "WrongPin", "{kept}");
    assert_eq!(cli.ok(None, &["session", "status"])["state"], "active");
    assert_eq!(
        cli.ok(Some(PIN), &["session", "revoke"])["state"],
        "revoked"
    );
    let refused = cli.err(
        Some(PIN),
        &[
            "session", "transfer", "--token", "STRK", "--to", recipient, "--amount", "0.1",
        ],
    );
    assert_eq!(refused["kind"], "SessionRevoked", "{refused}");
    assert_eq!(cli.ok(None, &["session", "clear"])["state"], "none");

    // Import the exported session back: the chain says it is revoked.
    let file = dir.path().join("session-export.json");
    std::fs::write(&file, exported.to_string()).unwrap();
    let imported = cli.ok(
        Some(PIN),
        &[
            "session",
            "import",
            file.to_str().unwrap(),
            "--passphrase",
            EXPORT_PASSPHRASE,
        ],
    );
    assert_eq!(imported["publicKey"], exported["publicKey"]);
}

/// The same session flow on an account with the deployed CHIPI classes' interface (the
/// CHIPI-layout test class): import, a set-up with limits refused before anything is sent,
/// set-up, status with the chain's count, a gasless transfer (which this class does not count)
/// and a direct one (which it does), revoke, refusal.
#[tokio::test(flavor = "multi_thread")]
async fn session_on_a_chipi_layout_account() {
    use starknet_signers::SigningKey;

    let stack = LocalStack::start().await.unwrap();
    let node = &stack.node;
    let owner = SigningKey::from_random();
    let account = node
        .deploy_chipi_layout_account(owner.clone())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli {
        dir: dir.path(),
        rpc: node.rpc_url().to_string(),
        sponsor: stack.sponsor_url.clone(),
    };
    let address = format!("{:#x}", account.address);
    let key_line = format!("{PIN}\n{:#x}", owner.secret_scalar());
    let imported = cli.ok(
        Some(&key_line),
        &[
            "--network",
            "local",
            "wallet",
            "import",
            "--address",
            &address,
        ],
    );
    assert_eq!(imported["walletType"], "CHIPI", "{imported}");
    assert_eq!(imported["accountClass"], "CHIPI-layout test class");

    assert_eq!(
        cli.ok(Some(PIN), &["session", "create", "--duration", "7200"])["state"],
        "created"
    );
    let session_key = Felt::from_hex(
        cli.ok(None, &["session", "status"])["publicKey"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let nonce_before = node.nonce(account.address).await.unwrap();
    let refused = cli.err(
        Some(PIN),
        &[
            "session",
            "register",
            "--allow",
            "transfer",
            "--limit",
            "STRK:2:3:3600",
        ],
    );
    assert_eq!(refused["kind"], "SpendingLimit", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("cannot enforce spending limits"),
        "{refused}"
    );
    assert_eq!(
        node.nonce(account.address).await.unwrap(),
        nonce_before,
        "nothing was sent"
    );
    let on_chain = session_data(node, account.address, session_key).await;
    assert_eq!(on_chain, vec![Felt::ZERO; 4], "the chain has no session");
    assert_eq!(cli.ok(None, &["session", "status"])["state"], "created");

    let registered = cli.ok(
        Some(PIN),
        &[
            "session",
            "register",
            "--max-calls",
            "5",
            "--allow",
            "transfer",
            "--no-spending-limit",
        ],
    );
    assert_eq!(registered["state"], "active", "{registered}");
    assert_eq!(registered["remainingCalls"], 5);
    assert_eq!(
        session_data(node, account.address, session_key).await[1..3],
        [Felt::from(5u8), Felt::ZERO],
        "max_calls 5, none used"
    );

    let recipient = Felt::from_hex("0x1234abcd").unwrap();
    let strk = stack.network.token("STRK").unwrap().address;
    let gasless = cli.ok(
        Some(PIN),
        &[
            "session",
            "transfer",
            "--token",
            "STRK",
            "--to",
            "0x1234abcd",
            "--amount",
            "1.5",
        ],
    );
    assert_eq!(
        gasless["remainingCalls"], 5,
        "this class's gasless path consumes no call, and the count is the chain's: {gasless}"
    );
    let direct_args = [
        "--backend",
        "direct",
        "session",
        "transfer",
        "--token",
        "STRK",
        "--to",
        "0x1234abcd",
        "--amount",
        "0.5",
    ];
    // This class's session message leaves the fee unsigned: refused until allowed with the PIN.
    let refused = cli.err(Some(PIN), &direct_args);
    assert_eq!(refused["kind"], "InvalidInput", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("leaves the fee unsigned"),
        "{refused}"
    );
    let wrong = cli.err(Some("000000"), &["wallet", "allow-unsigned-fees"]);
    assert_eq!(wrong["kind"], "WrongPin", "{wrong}");
    let allowed = cli.ok(Some(PIN), &["wallet", "allow-unsigned-fees"]);
    assert_eq!(allowed["directUnsignedFees"], true, "{allowed}");
    let direct = cli.ok(Some(PIN), &direct_args);
    assert_eq!(direct["remainingCalls"], 4, "{direct}");
    assert_eq!(
        node.erc20_balance(strk, recipient).await.unwrap(),
        2 * 10u128.pow(18),
        "both transfers arrived"
    );
    let status = cli.ok(None, &["session", "status"]);
    assert_eq!(
        (status["state"].as_str(), status["remainingCalls"].as_u64()),
        (Some("active"), Some(4))
    );
    assert_eq!(
        status["allowedEntrypoints"][0],
        format!("{:#x}", get_selector_from_name("transfer").unwrap()),
        "the allowlist, read through the class's own views"
    );

    assert_eq!(
        cli.ok(Some(PIN), &["session", "revoke"])["state"],
        "revoked"
    );
    assert_eq!(
        session_data(node, account.address, session_key).await,
        vec![Felt::ZERO; 4]
    );
    let after = cli.err(
        Some(PIN),
        &[
            "session",
            "transfer",
            "--token",
            "STRK",
            "--to",
            "0x1234abcd",
            "--amount",
            "0.1",
        ],
    );
    assert_eq!(after["kind"], "SessionRevoked", "{after}");
}

/// `get_session_data` as the node answers it.
async fn session_data(
    node: &devnet_harness::Devnet,
    account: Felt,
    session_key: Felt,
) -> Vec<Felt> {
    use starknet::core::types::{BlockId, BlockTag, FunctionCall};
    use starknet::providers::Provider;
    let call = FunctionCall {
        contract_address: account,
        entry_point_selector: get_selector_from_name("get_session_data").unwrap(),
        calldata: vec![session_key],
    };
    node.provider()
        .call(call, BlockId::Tag(BlockTag::PreConfirmed))
        .await
        .unwrap()
}
