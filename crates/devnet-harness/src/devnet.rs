//! The node process and its devnet-specific RPC methods.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};
use starknet::accounts::{ExecutionEncoding, SingleOwnerAccount};
use starknet::core::types::{
    BlockId, BlockTag, Felt, FunctionCall, MaybePreConfirmedBlockWithTxHashes,
};
use starknet::core::utils::get_selector_from_name;
use starknet::providers::jsonrpc::HttpTransport;
use starknet::providers::{JsonRpcClient, Provider};
use starknet::signers::{LocalWallet, SigningKey};
use url::Url;

use crate::error::HarnessError;

/// Starts `command` with its stdout piped and reads the first line it prints (a binary that
/// announces its address or its endpoints), returning the child and that line.
pub fn spawn_with_first_line(command: &mut Command) -> std::io::Result<(Child, String)> {
    use std::io::{BufRead, BufReader};
    let mut child = command.stdout(Stdio::piped()).spawn()?;
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        BufReader::new(stdout).read_line(&mut line)?;
    }
    Ok((child, line))
}

/// A command that starts `bin` as a child that dies with its parent. On Linux it runs under
/// util-linux's `setpriv --pdeathsig KILL`, so the kernel kills the child when the thread that
/// started it ends — also when its process is killed outright (SIGKILL runs no handler, and a
/// test or a sandbox killed that way would otherwise leave a ~500 MB node behind). Where
/// `setpriv` is missing, `bin` is started directly.
pub fn dies_with_parent(bin: impl Into<std::ffi::OsString>) -> Command {
    let bin = bin.into();
    const SETPRIV: &str = "/usr/bin/setpriv";
    if cfg!(target_os = "linux") && std::path::Path::new(SETPRIV).exists() {
        let mut command = Command::new(SETPRIV);
        command.args(["--pdeathsig", "KILL", "--"]).arg(bin);
        command
    } else {
        Command::new(bin)
    }
}

/// STRK, predeployed by devnet at its mainnet address.
pub const STRK: Felt =
    Felt::from_hex_unchecked("0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d");

/// The seed every node starts with, so predeployed accounts are the same in every run.
pub const SEED: u32 = 20_261_125;

/// An account signed by its owner key, on a devnet.
pub type OwnerAccount = SingleOwnerAccount<JsonRpcClient<HttpTransport>, LocalWallet>;

/// A running `starknet-devnet` on loopback. Dropping it kills the process.
#[derive(Debug)]
pub struct Devnet {
    child: Child,
    base_url: Url,
    rpc_url: Url,
    http: reqwest::Client,
    provider: JsonRpcClient<HttpTransport>,
    chain_id: Felt,
    log_path: PathBuf,
}

/// One of the funded accounts devnet predeploys.
#[derive(Debug, Clone, Deserialize)]
pub struct PredeployedAccount {
    /// Account address.
    pub address: Felt,
    /// Owner private key.
    pub private_key: Felt,
    /// Owner public key.
    pub public_key: Felt,
}

impl Devnet {
    /// Starts a node on a free loopback port with the fixed [`SEED`] and waits until it answers;
    /// it reports Sepolia's chain id (`SN_SEPOLIA`).
    pub async fn start() -> Result<Self, HarnessError> {
        Self::start_on("TESTNET").await
    }

    /// [`Self::start`] with the chain id `chain`: `MAINNET` (`SN_MAIN`, for a rehearsal of the
    /// mainnet profile), `TESTNET` (`SN_SEPOLIA`) or a custom ASCII name.
    pub async fn start_on(chain: &str) -> Result<Self, HarnessError> {
        let port = free_port().map_err(HarnessError::Spawn)?;
        let bin = std::env::var_os("STARKNET_DEVNET").unwrap_or_else(|| "starknet-devnet".into());
        let log_path = std::env::temp_dir().join(format!("starknet-devnet-{port}.log"));
        let log = std::fs::File::create(&log_path).map_err(HarnessError::Spawn)?;
        let log_err = log.try_clone().map_err(HarnessError::Spawn)?;
        let child = dies_with_parent(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--seed", &SEED.to_string(), "--accounts", "3"])
            .args(["--chain-id", chain])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(HarnessError::Spawn)?;
        let base_url: Url = format!("http://127.0.0.1:{port}/")
            .parse()
            .expect("valid url");
        let rpc_url = base_url.join("rpc").expect("valid url");
        let http = reqwest::Client::new();
        let provider = JsonRpcClient::new(HttpTransport::new_with_client(
            rpc_url.clone(),
            http.clone(),
        ));
        let mut node = Self {
            child,
            base_url,
            rpc_url,
            http,
            provider,
            chain_id: Felt::ZERO,
            log_path,
        };
        node.wait_until_alive(Duration::from_secs(60)).await?;
        node.chain_id = node.provider.chain_id().await?;
        Ok(node)
    }

    async fn wait_until_alive(&mut self, limit: Duration) -> Result<(), HarnessError> {
        let started = Instant::now();
        let url = self.base_url.join("is_alive").expect("valid url");
        loop {
            if let Ok(resp) = self.http.get(url.clone()).send().await {
                if resp.status().is_success() {
                    return Ok(());
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(HarnessError::Spawn(std::io::Error::other(format!(
                    "exited with {status} (log: {})",
                    self.log_path.display()
                ))));
            }
            if started.elapsed() > limit {
                return Err(HarnessError::NotReady(
                    limit,
                    self.log_path.display().to_string(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The JSON-RPC endpoint.
    pub fn rpc_url(&self) -> &Url {
        &self.rpc_url
    }

    /// A starknet-rs client of this node.
    pub fn provider(&self) -> &JsonRpcClient<HttpTransport> {
        &self.provider
    }

    /// The node's chain id.
    pub fn chain_id(&self) -> Felt {
        self.chain_id
    }

    /// Calls a JSON-RPC method and returns its `result`.
    pub async fn rpc(&self, method: &str, params: Value) -> Result<Value, HarnessError> {
        let err = |message: String| HarnessError::Rpc {
            method: method.to_owned(),
            message,
        };
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let resp: Value = self
            .http
            .post(self.rpc_url.clone())
            .json(&body)
            .send()
            .await
            .map_err(|e| err(e.to_string()))?
            .json()
            .await
            .map_err(|e| err(e.to_string()))?;
        if let Some(error) = resp.get("error") {
            return Err(err(error.to_string()));
        }
        Ok(resp["result"].clone())
    }

    /// The funded accounts the node predeployed.
    pub async fn predeployed_accounts(&self) -> Result<Vec<PredeployedAccount>, HarnessError> {
        let value = self.rpc("devnet_getPredeployedAccounts", json!({})).await?;
        Ok(serde_json::from_value(value)?)
    }

    /// Predeployed account `index` as a starknet-rs account.
    pub async fn predeployed(&self, index: usize) -> Result<OwnerAccount, HarnessError> {
        let accounts = self.predeployed_accounts().await?;
        let account = accounts.get(index).ok_or_else(|| HarnessError::Rpc {
            method: "devnet_getPredeployedAccounts".into(),
            message: format!("no account {index}"),
        })?;
        Ok(self.owner_account(
            account.address,
            SigningKey::from_secret_scalar(account.private_key),
        ))
    }

    /// An account at `address` signed by `key`, encoding calls the Cairo 1 way.
    pub fn owner_account(&self, address: Felt, key: SigningKey) -> OwnerAccount {
        let mut account = SingleOwnerAccount::new(
            self.provider.clone(),
            LocalWallet::from(key),
            address,
            self.chain_id,
            ExecutionEncoding::New,
        );
        account.set_block_id(BlockId::Tag(BlockTag::PreConfirmed));
        account
    }

    /// Moves the node's clock forward by `seconds` (and closes a block).
    pub async fn increase_time(&self, seconds: u64) -> Result<(), HarnessError> {
        self.rpc("devnet_increaseTime", json!({ "time": seconds }))
            .await
            .map(drop)
    }

    /// Mints `amount` fri (10^-18 STRK) to `address`.
    pub async fn mint_strk(&self, address: Felt, amount: u128) -> Result<(), HarnessError> {
        self.rpc(
            "devnet_mint",
            json!({ "address": format!("{address:#x}"), "amount": amount, "unit": "FRI" }),
        )
        .await
        .map(drop)
    }

    /// `balance_of(owner)` of an ERC-20 (the low 128 bits of its u256), at the pre-confirmed block.
    pub async fn erc20_balance(&self, token: Felt, owner: Felt) -> Result<u128, HarnessError> {
        let answer = self
            .provider
            .call(
                FunctionCall {
                    contract_address: token,
                    entry_point_selector: get_selector_from_name("balance_of")
                        .expect("an ASCII name"),
                    calldata: vec![owner],
                },
                BlockId::Tag(BlockTag::PreConfirmed),
            )
            .await?;
        let low = answer.first().copied().unwrap_or_default();
        Ok(u128::try_from(low).unwrap_or(u128::MAX))
    }

    /// The nonce `account` has for its next transaction (pre-confirmed state).
    pub async fn nonce(&self, account: Felt) -> Result<Felt, HarnessError> {
        Ok(self
            .provider
            .get_nonce(BlockId::Tag(BlockTag::PreConfirmed), account)
            .await?)
    }

    /// Timestamp of the block the next transaction lands in.
    pub async fn pending_timestamp(&self) -> Result<u64, HarnessError> {
        let block = self
            .provider
            .get_block_with_tx_hashes(BlockId::Tag(BlockTag::PreConfirmed))
            .await?;
        Ok(match block {
            MaybePreConfirmedBlockWithTxHashes::Block(b) => b.timestamp,
            MaybePreConfirmedBlockWithTxHashes::PreConfirmedBlock(b) => b.timestamp,
        })
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port the OS just handed out on loopback. Another process could take it before devnet
/// binds; a failed start then says so in the log.
fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
