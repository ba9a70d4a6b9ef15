//! Sponsor settings, from flags or environment variables.

use clap::Parser;
use starknet::core::types::Felt;

/// How the sponsor runs.
#[derive(Clone)]
pub struct SponsorConfig {
    /// JSON-RPC URL of the node.
    pub rpc_url: String,
    /// The relayer account that submits and pays.
    pub relayer_address: Felt,
    /// The relayer's private key.
    pub relayer_key: Felt,
    /// Loopback port to listen on (0: any free port).
    pub port: u16,
    /// Accounts served; empty means any account of a supported class.
    pub allowed_accounts: Vec<Felt>,
    /// When set, sponsored requests (and deployments) need this value in the
    /// `x-paymaster-api-key` header; the default (user-pays) fee mode needs no key.
    pub api_key: Option<String>,
    /// How long one request to the node may take before it is given up (the submission lock
    /// is released then, so a hung node never stalls every later request).
    pub node_timeout: std::time::Duration,
    /// The most the relayer may pay for one transaction, in fri (the bounds it signs, not the
    /// estimate): a build or execution that would cost more is refused.
    pub max_fee: u128,
    /// How many transactions the relayer sends for one account in an hour.
    pub quota_per_hour: u32,
    /// The most the relayer may pay in an hour, all accounts together, in fri (counted at the
    /// signed bounds).
    pub budget_per_hour: u128,
}

/// The node timeout when none is given.
pub const DEFAULT_NODE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The fee cap when none is given: 5 STRK, far above what an outside execution or a deployment
/// costs on devnet or mainnet.
pub const DEFAULT_MAX_FEE: u128 = 5_000_000_000_000_000_000;

/// The per-account quota when none is given: transactions an hour.
pub const DEFAULT_QUOTA_PER_HOUR: u32 = 500;

/// The relayer's hourly budget when none is given: 200 STRK.
pub const DEFAULT_BUDGET_PER_HOUR: u128 = 200_000_000_000_000_000_000;

impl SponsorConfig {
    /// A sponsor of the node at `rpc_url` relaying from `relayer_address`, on any free port,
    /// for any account of a supported class.
    pub fn new(rpc_url: impl Into<String>, relayer_address: Felt, relayer_key: Felt) -> Self {
        Self {
            rpc_url: rpc_url.into(),
            relayer_address,
            relayer_key,
            port: 0,
            allowed_accounts: vec![],
            api_key: None,
            node_timeout: DEFAULT_NODE_TIMEOUT,
            max_fee: DEFAULT_MAX_FEE,
            quota_per_hour: DEFAULT_QUOTA_PER_HOUR,
            budget_per_hour: DEFAULT_BUDGET_PER_HOUR,
        }
    }

    /// Requires `key` for sponsored requests.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }
}

impl std::fmt::Debug for SponsorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SponsorConfig")
            .field("rpc_url", &self.rpc_url)
            .field(
                "relayer_address",
                &format_args!("{:#x}", self.relayer_address),
            )
            .field("relayer_key", &"<redacted>")
            .field("port", &self.port)
            .field("allowed_accounts", &self.allowed_accounts.len())
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("node_timeout", &self.node_timeout)
            .field("max_fee", &self.max_fee)
            .field("quota_per_hour", &self.quota_per_hour)
            .field("budget_per_hour", &self.budget_per_hour)
            .finish()
    }
}

/// `text`, when given, as a number above zero of `unit` (named `flag` in the refusal).
fn positive<T: std::str::FromStr + PartialOrd + Default>(
    text: Option<String>,
    flag: &str,
    unit: &str,
) -> Result<Option<T>, String> {
    text.map(|s| match s.parse::<T>() {
        Ok(n) if n > T::default() => Ok(n),
        _ => Err(format!("{flag} is a positive number of {unit}")),
    })
    .transpose()
}

/// `sponsor`'s command line; each flag falls back to its environment variable. Numbers are read
/// as text and checked below, so every refusal names its flag.
#[derive(Debug, clap::Parser)]
#[command(name = "sponsor", about = "A SNIP-29 paymaster on loopback")]
struct Args {
    /// The node's JSON-RPC URL (required).
    #[arg(long, env = "SPONSOR_RPC_URL")]
    rpc_url: Option<String>,
    /// The account that relays and pays (required).
    #[arg(long, env = "SPONSOR_RELAYER_ADDRESS")]
    relayer_address: Option<String>,
    /// Its private key (required; prefer the environment variable: a flag shows in the process
    /// list).
    #[arg(long, env = "SPONSOR_RELAYER_KEY", hide_env_values = true)]
    relayer_key: Option<String>,
    /// The loopback port (0: any free one).
    #[arg(long, env = "SPONSOR_PORT", allow_hyphen_values = true)]
    port: Option<String>,
    /// An account the sponsor serves (repeatable; none: every account of a known class).
    #[arg(
        long = "allow",
        env = "SPONSOR_ALLOWED_ACCOUNTS",
        value_delimiter = ','
    )]
    allow: Vec<String>,
    /// Seconds one node request may take (1 to 600).
    #[arg(long, env = "SPONSOR_NODE_TIMEOUT_SECONDS", allow_hyphen_values = true)]
    node_timeout: Option<String>,
    /// The most one transaction may cost the relayer, in fri.
    #[arg(long, env = "SPONSOR_MAX_FEE", allow_hyphen_values = true)]
    max_fee: Option<String>,
    /// Transactions per account an hour.
    #[arg(long, env = "SPONSOR_QUOTA_PER_HOUR", allow_hyphen_values = true)]
    quota: Option<String>,
    /// Fri the relayer may spend an hour.
    #[arg(long, env = "SPONSOR_BUDGET_PER_HOUR", allow_hyphen_values = true)]
    budget: Option<String>,
}

impl SponsorConfig {
    /// Reads `--rpc-url`, `--relayer-address`, `--relayer-key`, `--port`, `--allow` (repeatable),
    /// `--node-timeout` (seconds), `--max-fee` (fri), `--quota` (transactions per account an
    /// hour), `--budget` (fri an hour) from `args`, falling back to `SPONSOR_RPC_URL`,
    /// `SPONSOR_RELAYER_ADDRESS`, `SPONSOR_RELAYER_KEY`, `SPONSOR_PORT`,
    /// `SPONSOR_ALLOWED_ACCOUNTS` (comma-separated), `SPONSOR_NODE_TIMEOUT_SECONDS`,
    /// `SPONSOR_MAX_FEE`, `SPONSOR_QUOTA_PER_HOUR`, `SPONSOR_BUDGET_PER_HOUR`; the API key
    /// only from `SPONSOR_API_KEY` (a flag would show in the process list).
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let parsed = match Args::try_parse_from(
            std::iter::once("sponsor").chain(args.iter().map(String::as_str)),
        ) {
            Ok(parsed) => parsed,
            // `--help`: printed, and the process ends.
            Err(e) if !e.use_stderr() => e.exit(),
            Err(e) => return Err(e.to_string().trim_end().to_owned()),
        };
        let felt = |text: String, what: &str| {
            Felt::from_hex(&text).map_err(|_| format!("{what} is not a felt"))
        };
        let rpc_url = parsed.rpc_url.ok_or("--rpc-url is required")?;
        let relayer_address = felt(
            parsed
                .relayer_address
                .ok_or("--relayer-address is required")?,
            "relayer address",
        )?;
        let relayer_key = felt(
            parsed.relayer_key.ok_or("--relayer-key is required")?,
            "relayer key",
        )?;
        let port = parsed
            .port
            .map(|p| p.parse().map_err(|_| "--port is not a port".to_owned()))
            .transpose()?
            .unwrap_or(0);
        let allowed_accounts = parsed
            .allow
            .into_iter()
            .filter(|a| !a.is_empty())
            .map(|a| felt(a, "allowed account"))
            .collect::<Result<_, _>>()?;
        let api_key = std::env::var("SPONSOR_API_KEY")
            .ok()
            .filter(|k| !k.is_empty());
        let node_timeout = parsed
            .node_timeout
            .map(|s| match s.parse::<u64>() {
                Ok(n) if (1..=600).contains(&n) => Ok(std::time::Duration::from_secs(n)),
                _ => Err("--node-timeout is a number of seconds from 1 to 600".to_owned()),
            })
            .transpose()?
            .unwrap_or(DEFAULT_NODE_TIMEOUT);
        let max_fee = positive(parsed.max_fee, "--max-fee", "fri")?.unwrap_or(DEFAULT_MAX_FEE);
        let quota_per_hour =
            positive(parsed.quota, "--quota", "transactions")?.unwrap_or(DEFAULT_QUOTA_PER_HOUR);
        let budget_per_hour =
            positive(parsed.budget, "--budget", "fri")?.unwrap_or(DEFAULT_BUDGET_PER_HOUR);
        Ok(Self {
            rpc_url,
            relayer_address,
            relayer_key,
            port,
            allowed_accounts,
            api_key,
            node_timeout,
            max_fee,
            quota_per_hour,
            budget_per_hour,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Vec<String> {
        let base = ["--rpc-url", "http://127.0.0.1:1/rpc"];
        let keys = ["--relayer-address", "0x1", "--relayer-key", "0x2"];
        base.iter()
            .chain(keys.iter())
            .chain(extra.iter())
            .map(|s| (*s).to_owned())
            .collect()
    }

    #[test]
    fn limits_are_read_from_flags_and_must_be_positive() {
        let config =
            SponsorConfig::from_args(&args(&["--max-fee", "5", "--quota", "2", "--budget", "9"]))
                .unwrap();
        assert_eq!(
            (
                config.max_fee,
                config.quota_per_hour,
                config.budget_per_hour
            ),
            (5, 2, 9)
        );
        for (flag, value) in [("--quota", "0"), ("--max-fee", "-1"), ("--budget", "lots")] {
            let refused = SponsorConfig::from_args(&args(&[flag, value])).unwrap_err();
            assert!(refused.starts_with(flag), "{refused}");
        }
    }
}
