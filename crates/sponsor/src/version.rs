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

    /// The SNIP-9 version of the account at `address`, or the public server's refusal.
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
        let version = match (v2, v1) {
            (Ok(true), Ok(_)) => 2,
            (Ok(false), Ok(true)) => 1,
            (Ok(false), Ok(false)) => return Err(invalid_version()),
            // One answer that cannot be read fails the detection: a version kept a while is
            // used, else refused.
            _ => return self.kept(address, KEPT).ok_or_else(invalid_version),
        };
        self.keep(address, version);
        if version == 1 {
            return Err(SponsorError::Execution(
                "this sponsor builds SNIP-9 v2 outside executions only".into(),
            ));
        }
        Ok(version)
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
