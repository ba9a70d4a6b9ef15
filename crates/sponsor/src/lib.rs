//! A SNIP-29 paymaster for the local network: it builds SNIP-9 v2 outside executions for users,
//! checks their signatures and simulates before spending anything, then submits
//! `execute_from_outside_v2` from its own funded relayer account, which pays the fee. It also
//! deploys accounts gaslessly through the Universal Deployer.

pub mod config;
pub mod error;
pub mod pricing;
pub mod quotas;
pub mod rpc;
pub mod server;
pub mod sponsor;
pub mod version;

pub use config::SponsorConfig;
pub use error::SponsorError;
pub use server::{serve, start, Running};
pub use sponsor::Sponsor;
