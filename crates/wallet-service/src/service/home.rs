//! The home screen's reads: balances of the network's tokens (those not hidden), and tokens received, found in
//! the chain's `Transfer` events.

use chipi_session::{format_amount, IncomingTransfer};
use starknet_core::types::Felt;

use super::activity::trim;
use super::{hex, WalletService};
use crate::error::ServiceError;
use crate::prefs::ActivityEntry;
use crate::views::{ActivityKind, ActivityStatus, BalanceInfo};

/// How far back a scan for received tokens looks, in blocks.
pub const INCOMING_SCAN_BLOCKS: u64 = 10_000;
/// Events asked per page of `starknet_getEvents`.
const EVENTS_PER_PAGE: u32 = 100;
/// Pages read per token and scan: a scan is bounded even on a busy token.
const PAGES_PER_SCAN: usize = 5;
/// Block timestamps read per scan; later lines take the latest block's time.
const BLOCK_TIMES_PER_SCAN: usize = 16;

impl WalletService {
    /// The wallet's balance of each token of the network, in one batched read.
    #[tracing::instrument(level = "debug", skip_all, err(level = "warn", Display))]
    pub async fn balances(&self) -> Result<Vec<BalanceInfo>, ServiceError> {
        let manager = self.manager()?;
        let network = self.prefs.get().network;
        let shown: Vec<_> = network.tokens.iter().filter(|t| !t.hidden).collect();
        let addresses: Vec<Felt> = shown.iter().map(|t| t.address).collect();
        let amounts = manager
            .node()
            .erc20_balances(manager.wallet().address, &addresses)
            .await?;
        Ok(shown
            .into_iter()
            .zip(amounts)
            .map(|(t, amount)| BalanceInfo {
                token: hex(t.address),
                symbol: t.symbol.clone(),
                decimals: t.decimals,
                amount: amount.map(|a| format_amount(a, t.decimals)),
            })
            .collect())
    }

    /// Adds to the activity the transfers of the network's tokens into the wallet in the last
    /// [`INCOMING_SCAN_BLOCKS`] blocks (from where the last scan of this wallet stopped) that it
    /// does not list yet; returns how many were added. One scan at a time; bounded pages, block
    /// reads and lines; nothing is written if the wallet or network changed meanwhile.
    #[tracing::instrument(level = "debug", skip_all, err(level = "warn", Display))]
    pub async fn sync_incoming(&self) -> Result<usize, ServiceError> {
        let _one_scan = self.scans.begin().await;
        let manager = self.manager()?;
        let network = self.prefs.get().network;
        let account = manager.wallet().address;
        let node = manager.node();
        let (latest, latest_time) = node.latest_block().await?;
        let mut from = latest.saturating_sub(INCOMING_SCAN_BLOCKS);
        if let Some(next) = self.scans.resume_from(&network.name, account) {
            from = from.max(next);
        }
        if from > latest {
            return Ok(0);
        }
        let mut found: Vec<IncomingTransfer> = Vec::new();
        for token in network.tokens.iter().filter(|t| !t.hidden) {
            let mut page = None;
            for _ in 0..PAGES_PER_SCAN {
                let (mut events, next) = node
                    .incoming_transfers(token.address, account, from, latest, EVENTS_PER_PAGE, page)
                    .await?;
                found.append(&mut events);
                match next {
                    Some(next) => page = Some(next),
                    None => break,
                }
            }
        }
        // Zero transfers are anyone's to make (`transfer_from(x, you, 0)`): not listed.
        found.retain(|t| t.amount > 0 && t.from != account);
        // Block times as the node says, within reason, for the first blocks a scan meets; the
        // rest take the latest block's.
        let mut times: Vec<(u64, u64)> = Vec::new();
        for n in found.iter().filter_map(|t| t.block_number) {
            if times.len() == BLOCK_TIMES_PER_SCAN {
                break;
            }
            if times.iter().all(|(b, _)| *b != n) {
                let time = node.block_time(n).await?;
                let sane = time != 0 && time <= latest_time + 3600;
                times.push((n, if sane { time } else { latest_time }));
            }
        }
        let mut entries = Vec::new();
        for t in found {
            let Some(token) = network.tokens.iter().find(|x| x.address == t.token) else {
                continue;
            };
            let at = t
                .block_number
                .and_then(|n| times.iter().find(|(b, _)| *b == n).map(|(_, time)| *time))
                .unwrap_or(latest_time);
            let amount = format_amount(t.amount, token.decimals);
            entries.push(ActivityEntry {
                at,
                kind: ActivityKind::Receive,
                summary: format!("{amount} {} from {:#x}", token.symbol, t.from),
                transaction_hash: Some(t.transaction_hash),
                status: ActivityStatus::Succeeded,
                token: Some(token.symbol.clone()),
                amount: Some(amount),
                counterparty: Some(t.from),
            });
        }
        let mut added = 0;
        self.prefs.update(|p| {
            // Written only to the wallet and network the scan was for.
            if p.network.name != network.name
                || p.wallet.as_ref().map(|w| w.address) != Some(account)
            {
                return;
            }
            for entry in entries {
                let seen = p.activity.iter().any(|a| {
                    a.kind == ActivityKind::Receive
                        && a.transaction_hash == entry.transaction_hash
                        && a.token == entry.token
                        && a.counterparty == entry.counterparty
                        && a.amount == entry.amount
                });
                if !seen {
                    p.activity.push(entry);
                    added += 1;
                }
            }
            // Lines stay in time order when an older receipt is found after newer activity.
            p.activity.sort_by_key(|a| a.at);
            trim(&mut p.activity);
        })?;
        self.scans.finished(network.name, account, latest);
        Ok(added)
    }
}
