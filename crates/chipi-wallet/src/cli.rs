//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A wallet for Starknet session keys: create a session once, then transfer gaslessly.
#[derive(Debug, Parser)]
#[command(name = "chipi-wallet", version)]
pub struct Cli {
    /// Where the wallet and its session are kept.
    #[arg(long, env = "CHIPI_WALLET_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Network profile for `wallet create|import` (mainnet, sepolia, local).
    #[arg(long, global = true)]
    pub network: Option<String>,
    /// Node JSON-RPC URL, overriding the profile's.
    #[arg(long, env = "CHIPI_WALLET_RPC", global = true)]
    pub rpc: Option<String>,
    /// SNIP-29 sponsor URL, overriding the profile's.
    #[arg(long, env = "CHIPI_WALLET_SPONSOR", global = true)]
    pub sponsor: Option<String>,
    /// How executions reach the chain (default: the network's gas settings in the data
    /// directory, the same file format as the app's; a paymaster when none are set).
    #[arg(long, value_enum, global = true)]
    pub backend: Option<BackendKind>,
    /// Chipi API key (`pk_…`), for `--backend chipi-api`.
    #[arg(long, env = "CHIPI_API_KEY", global = true, hide_env_values = true)]
    pub chipi_api_key: Option<String>,
    /// The user's JWT, for `--backend chipi-api`.
    #[arg(long, env = "CHIPI_JWT", global = true, hide_env_values = true)]
    pub chipi_jwt: Option<String>,
    /// Read the PIN from this environment variable's value instead of the first line of stdin.
    #[arg(long, env = "CHIPI_WALLET_PIN", global = true, hide_env_values = true)]
    pub pin: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Execution paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    /// A SNIP-29 paymaster in sponsored mode (gasless).
    Paymaster,
    /// Chipi's hosted API (gasless).
    ChipiApi,
    /// A direct INVOKE the account pays for.
    Direct,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, import or show the wallet.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// Session keys.
    #[command(subcommand)]
    Session(SessionCommand),
    /// SNIP-12 typed data.
    #[command(subcommand, name = "typed-data")]
    TypedData(TypedDataCommand),
    /// Apps paired through the desktop app's wallet API.
    #[command(subcommand)]
    Apps(AppsCommand),
}

/// `apps …`
#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// Every paired app with its session: state, calls left, what it may call and spent.
    List,
    /// Revokes an app's session on chain (needs the PIN while it is live) and forgets the app.
    Revoke {
        /// The app's name.
        name: String,
    },
    /// Forgets an app and deletes its session key, without a transaction.
    Disconnect {
        /// The app's name.
        name: String,
    },
    /// Serves the local wallet API from the terminal (a machine without the desktop app, an
    /// agent's host): unlocks with the PIN, then puts each pairing to the terminal, approved by
    /// typing the PIN (an empty line declines). Stops at `quit` or the end of stdin.
    Serve {
        /// The loopback port (default 47612).
        #[arg(long)]
        port: Option<u16>,
    },
}

/// `wallet …`
#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// A new wallet (our session account class); `--deploy` deploys it through the sponsor.
    Create {
        /// Deploy it now, gaslessly.
        #[arg(long)]
        deploy: bool,
        /// Account class hash (default: this project's session account where it is declared,
        /// else the network's — CHIPI v33 on mainnet and Sepolia).
        #[arg(long)]
        class_hash: Option<String>,
    },
    /// A wallet from an existing account: its owner key on stdin after the PIN line, or the
    /// SDK's encrypted key with `--sdk-encrypted-key` (decrypted with the same PIN).
    Import {
        /// The account address.
        #[arg(long)]
        address: String,
        /// The owner key in the SDK's encrypted format.
        #[arg(long)]
        sdk_encrypted_key: Option<String>,
    },
    /// Deploy the wallet created here, gaslessly.
    Deploy,
    /// Address, owner key, type and network.
    Show,
    /// Let sessions use the direct path on an account class whose session message leaves the
    /// fee unsigned (a node holding it could resubmit it with a large tip); needs the PIN.
    /// `--off` refuses it again.
    AllowUnsignedFees {
        /// Refuse it again.
        #[arg(long)]
        off: bool,
    },
    /// Upgrades an older CHIPI account (no spending limits) to CHIPI v33 where the network has
    /// it; the device's session is revoked with it. Needs the PIN.
    Upgrade,
}

/// `session …`
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// A fresh session key (local).
    Create {
        /// Lifetime in seconds (default 21600).
        #[arg(long)]
        duration: Option<u64>,
    },
    /// Register the session on chain (owner-signed, gasless).
    Register(RegisterArgs),
    /// Read the session's on-chain status.
    Status,
    /// Execute calls with the session key.
    Execute {
        /// `ADDRESS:ENTRYPOINT[:FELT,FELT,…]`, repeatable (a batch).
        #[arg(long = "call", required_unless_present = "calls")]
        call: Vec<String>,
        /// A JSON file of calls `[{contractAddress, entrypoint, calldata}]`.
        #[arg(long)]
        calls: Option<PathBuf>,
    },
    /// Transfer a token with the session key.
    Transfer {
        /// Token symbol or address.
        #[arg(long)]
        token: String,
        /// Recipient address.
        #[arg(long)]
        to: String,
        /// Amount in whole units, e.g. `12.5`.
        #[arg(long)]
        amount: String,
    },
    /// Revoke the session on chain (owner-signed, gasless).
    Revoke,
    /// Forget the session on this device. A session still active on chain needs the PIN (it
    /// could no longer be revoked from here); `--revoke` ends it on chain first.
    Clear {
        /// Revoke the session on chain before forgetting it.
        #[arg(long)]
        revoke: bool,
    },
    /// Print the session in the SDK's `SessionKeyData` JSON, encrypted with an export
    /// passphrase of its own (12+ characters, not the PIN): the SDK's format is much weaker than
    /// the wallet's sealing.
    Export {
        /// The export passphrase (default: read from stdin after the PIN).
        #[arg(long, env = "CHIPI_EXPORT_PASSPHRASE", hide_env_values = true)]
        passphrase: Option<String>,
    },
    /// Import the SDK's `SessionKeyData` JSON.
    Import {
        /// The JSON file.
        file: PathBuf,
        /// The passphrase the file is encrypted with (default: the PIN, as the SDK does).
        #[arg(long, env = "CHIPI_EXPORT_PASSPHRASE", hide_env_values = true)]
        passphrase: Option<String>,
    },
    /// Sign a typed-data file with the session key: `[pk, r, s, valid_until]` (RFC 6979).
    Sign {
        /// The typed-data JSON file.
        file: PathBuf,
    },
}

/// `session register` options.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Expiry, unix seconds (default: the one chosen at creation).
    #[arg(long)]
    pub valid_until: Option<u64>,
    /// Call budget (default 1000).
    #[arg(long)]
    pub max_calls: Option<u32>,
    /// Entrypoints allowed on any contract, names or hex selectors, comma-separated. Value
    /// entrypoints (`transfer`, `approve`, …) still need a `--limit` for each token.
    #[arg(long, value_delimiter = ',')]
    pub allow: Vec<String>,
    /// Entrypoints allowed on one contract only, `CONTRACT:ENTRYPOINT`, repeatable.
    #[arg(long = "allow-call")]
    pub allow_call: Vec<String>,
    /// Spending limit `TOKEN:PER_CALL:PER_WINDOW:WINDOW_SECONDS` (amounts in whole units), repeatable.
    #[arg(long)]
    pub limit: Vec<String>,
    /// Acknowledge that the account's class keeps no spending limit (needed on CHIPI v28–v32:
    /// the session can send any amount of any token within its calls).
    #[arg(long)]
    pub no_spending_limit: bool,
}

/// `typed-data …`
#[derive(Debug, Subcommand)]
pub enum TypedDataCommand {
    /// The SNIP-12 message hash of a typed-data JSON file for an account.
    Hash {
        /// The typed-data JSON file.
        file: PathBuf,
        /// The account the message is for.
        #[arg(long)]
        account: String,
    },
}
