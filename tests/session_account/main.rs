//! Integration tests of the session account on a real `starknet-devnet`. Each test starts its
//! own node, deploys a fresh account and asserts on-chain outcomes.

mod common;

mod chipi_v33;
mod outside_execution;
mod owner;
mod preflight;
mod privileged;
mod rules;
mod session_direct;
mod spending_policy;
mod value_rules;
mod whole_revert;
