//! Session keys for CHIPI-compatible Starknet accounts.
//!
//! This crate holds what a client needs to use a session key with the project's session account
//! (and any CHIPI account): the message a session key signs for a direct INVOKE
//! ([`session_message_hash`]), the SNIP-9 v2 outside execution and its SNIP-12 hash
//! ([`OutsideExecution`]), the signature layout the account expects ([`SessionSignature`]), the
//! account's entrypoints ([`entrypoint`]) and a starknet-rs [`Account`](starknet_accounts::Account)
//! that sends INVOKE transactions signed by a session key ([`SessionAccount`]).
//! It has no dependency on any UI framework.

pub mod amount;
pub mod backend;
pub mod chipi_api;
pub mod clock;
pub mod direct_backend;
pub mod entrypoint;
pub mod error;
pub mod expected_effect;
pub mod network;
pub mod node_client;
pub mod outside_check;
pub mod outside_execution;
pub mod paymaster;
pub mod paymaster_backend;
pub mod preflight;
pub mod registration;
pub mod sdk_cipher;
pub mod sealed_secret;
pub mod secret_key;
pub mod session_account;
pub mod session_hash;
pub mod session_key_data;
pub mod session_manager;
pub mod session_record;
pub mod session_signature;
pub mod session_state;
pub mod session_status;
pub mod session_view;
pub mod spending_policy;
pub mod typed_data;
pub mod wallet;
pub mod wallet_type;

pub use amount::{format_amount, parse_address, parse_amount, parse_felt, parse_selector};
pub use backend::{ExecutionBackend, Signer, SubmitContext};
pub use chipi_api::ChipiApiClient;
pub use clock::{Clock, ManualClock, SystemClock};
pub use direct_backend::DirectBackend;
pub use error::SessionError;
pub use network::{Network, Token};
pub use node_client::{ChainSnapshot, NodeClient, Polling};
pub use outside_check::FeeMode;
pub use outside_execution::OutsideExecution;
pub use paymaster::PaymasterClient;
pub use registration::{allow_session_calls_call, register_session_call, revoke_session_call};
pub use sealed_secret::{KdfParams, SealedSecret};
pub use secret_key::SecretKey;
pub use session_account::SessionAccount;
pub use session_hash::session_message_hash;
pub use session_key_data::SessionKeyData;
pub use session_manager::{Executed, ManagerConfig, PolicySpec, RegisterParams, SessionManager};
pub use session_record::{NoStore, SessionRecord, SessionStore};
pub use session_signature::SessionSignature;
pub use session_state::{LocalSession, SessionState};
pub use session_status::SessionStatus;
pub use session_view::SessionView;
pub use spending_policy::SpendingPolicy;
pub use typed_data::TypedData;
pub use wallet::Wallet;
pub use wallet_type::WalletType;
