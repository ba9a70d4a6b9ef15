//! The account's outside-execution (SNIP-9) version, found as the public server finds it when it
//! builds an invoke (protocol.md §5; AVNU's paymaster, read for facts): SRC-5
//! `supports_interface` asked for v2 and v1, v2 preferred; an account answering no to both is
//! refused with 156 `invalid version`, and so is one whose answer cannot be read unless a
//! version found in the last ten minutes is kept; a version found is kept per address and used
//! without asking for five minutes. This sponsor builds v2 only: a v1-only account is refused.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use starknet::core::types::{BlockId, BlockTag, Felt, FunctionCall};
use starknet::core::utils::get_selector_from_name;
use starknet::providers::jsonrpc::{HttpTransport, JsonRpcClient};
use starknet::providers::Provider;

use crate::error::SponsorError;

/// SRC-5 interface id of SNIP-9 v2 outside executions.
pub const ISRC9_V2_ID: Felt =
    Felt::from_hex_unchecked("0x1d1144bb2138366ff28d8e9ab57456b1d332ac42196230c3a602003c89872");
/// SRC-5 interface id of SNIP-9 v1 outside executions.
pub const ISRC9_V1_ID: Felt =
    Felt::from_hex_unchecked("0x68cfd18b92d1907b8ba3cc324900277f5a3622099431ea85dd8089255e4181");

/// Used without asking again for this long.
const FRESH: Duration = Duration::from_secs(5 * 60);
/// Used when the account's answer cannot be read, for this long.
const KEPT: Duration = Duration::from_secs(10 * 60);

/// Versions found, per account address.
#[derive(Debug, Default)]
pub struct Versions(Mutex<HashMap<Felt, (u8, Instant)>>);

impl Versions {
    fn kept(&self, address: Felt, within: Duration) -> Option<u8> {
        let map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&address)
            .filter(|(_, at)| at.elapsed() < within)
            .map(|(version, _)| *version)
    }

    fn keep(&self, address: Felt, version: u8) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.insert(address, (version, Instant::now()));
    }

    /// The SNIP-9 version of the account at `address` (2: the only one this sponsor builds), or
    /// the public server's refusal.
    pub async fn of(
        &self,
        provider: &JsonRpcClient<HttpTransport>,
        address: Felt,
    ) -> Result<u8, SponsorError> {
        if let Some(version) = self.kept(address, FRESH) {
            return Ok(version);
        }
        let (v2, v1) = tokio::join!(
            supports(provider, address, ISRC9_V2_ID),
            supports(provider, address, ISRC9_V1_ID)
        );
        let version = decide(v2, v1, || self.kept(address, KEPT))?;
        self.keep(address, version);
        Ok(version)
    }
}

/// The version the two SRC-5 answers give (`Err`: the answer could not be read), `kept` the
/// version kept a while. Only v2 is kept and answered: a v1-only account is refused each time.
fn decide(
    v2: Result<bool, ()>,
    v1: Result<bool, ()>,
    kept: impl FnOnce() -> Option<u8>,
) -> Result<u8, SponsorError> {
    match (v2, v1) {
        (Ok(true), Ok(_)) => Ok(2),
        (Ok(false), Ok(true)) => Err(SponsorError::Execution(
            "this sponsor builds SNIP-9 v2 outside executions only".into(),
        )),
        (Ok(false), Ok(false)) => Err(invalid_version()),
        // One answer that cannot be read fails the detection: a version kept a while is used,
        // else refused.
        _ => kept().ok_or_else(invalid_version),
    }
}

fn invalid_version() -> SponsorError {
    SponsorError::Execution("invalid version".into())
}

/// Whether the account answers exactly 1 to `supports_interface(id)`; an error when it cannot
/// be asked (no such entrypoint, a node failure).
async fn supports(
    provider: &JsonRpcClient<HttpTransport>,
    address: Felt,
    id: Felt,
) -> Result<bool, ()> {
    provider
        .call(
            FunctionCall {
                contract_address: address,
                entry_point_selector: get_selector_from_name("supports_interface")
                    .expect("an ASCII name"),
                calldata: vec![id],
            },
            BlockId::Tag(BlockTag::PreConfirmed),
        )
        .await
        .map(|answer| answer == [Felt::ONE])
        .map_err(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(result: Result<u8, SponsorError>) -> String {
        match result {
            Ok(version) => format!("v{version}"),
            Err(SponsorError::Execution(reason)) => reason,
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_version_is_decided_as_the_public_server_decides_it() {
        let none = || None;
        assert_eq!(
            words(decide(Ok(true), Ok(true), none)),
            "v2",
            "v2 preferred"
        );
        assert_eq!(words(decide(Ok(true), Ok(false), none)), "v2");
        assert_eq!(words(decide(Ok(false), Ok(false), none)), "invalid version");
        assert!(
            words(decide(Ok(false), Ok(true), || Some(2))).contains("v2 outside executions only")
        );
        // One answer that cannot be read fails the detection, even beside a yes: a version kept
        // a while is used, else refused.
        assert_eq!(words(decide(Ok(true), Err(()), none)), "invalid version");
        assert_eq!(words(decide(Err(()), Ok(false), || Some(2))), "v2");
        // No yes and no no are read as a fallback: both false is refused, kept or not.
        assert_eq!(
            words(decide(Ok(false), Ok(false), || Some(2))),
            "invalid version"
        );
    }

    #[test]
    fn a_found_version_is_kept_per_address() {
        let versions = Versions::default();
        assert_eq!(versions.kept(Felt::ONE, FRESH), None);
        versions.keep(Felt::ONE, 2);
        assert_eq!(versions.kept(Felt::ONE, FRESH), Some(2));
        assert_eq!(versions.kept(Felt::TWO, KEPT), None, "another account");
        assert_eq!(
            versions.kept(Felt::ONE, Duration::ZERO),
            None,
            "not after its time"
        );
    }
}
