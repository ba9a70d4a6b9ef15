//! A CHIPI-compatible Starknet account with session keys and SNIP-9 v2 outside execution.
pub mod account;
pub mod hashing;
pub mod interface;
pub mod types;
