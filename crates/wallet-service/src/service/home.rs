//! The home screen's reads: balances of the network's tokens, and tokens received, found in
//! the chain's `Transfer` events.

use chipi_session::{format_amount, IncomingTransfer};
use starknet_core::types::Felt;

use super::{hex, WalletService};
use crate::error::AppError;
use crate::prefs::ActivityEntry;
use crate::views::{ActivityKind, ActivityStatus, BalanceInfo};

/// How far back a scan for received tokens looks, in blocks.
pub const INCOMING_SCAN_BLOCKS: u64 = 10_000;
/// Events asked per page of `starknet_getEvents`.
const EVENTS_PER_PAGE: u32 = 100;
/// Pages read per token and scan: a scan is bounded even on a busy token.
const PAGES_PER_SCAN: usize = 5;

impl WalletService {
    /// The wallet's balance of each token of the network, in one batched read.
    pub async fn balances(&self) -> Result<Vec<BalanceInfo>, AppError> {
        let manager = self.manager()?;
        let network = self.prefs.get().network;
        let addresses: Vec<Felt> = network.tokens.iter().map(|t| t.address).collect();
        let amounts = manager
            .node()
            .erc20_balances(manager.wallet().address, &addresses)
            .await?;
        Ok(network
            .tokens
            .iter()
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
    /// [`INCOMING_SCAN_BLOCKS`] blocks that it does not list yet; returns how many were added.
    pub async fn sync_incoming(&self) -> Result<usize, AppError> {
        let manager = self.manager()?;
        let network = self.prefs.get().network;
        let account = manager.wallet().address;
        let node = manager.node();
        let (latest, _) = node.latest_block().await?;
        let from = latest.saturating_sub(INCOMING_SCAN_BLOCKS);
        let mut found: Vec<IncomingTransfer> = Vec::new();
        for token in &network.tokens {
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
        let mut known: Vec<(Felt, Option<String>)> = self
            .prefs
            .get()
            .activity
            .iter()
            .filter(|a| a.kind == ActivityKind::Receive)
            .filter_map(|a| a.transaction_hash.map(|h| (h, a.token.clone())))
            .collect();
        let mut added = 0;
        let mut times: Vec<(u64, u64)> = Vec::new();
        for t in found {
            let Some(token) = network.tokens.iter().find(|x| x.address == t.token) else {
                continue;
            };
            // Our own account's sends to itself, and a second event of the same kind in one
            // transaction, count once.
            if t.from == account
                || known.contains(&(t.transaction_hash, Some(token.symbol.clone())))
            {
                continue;
            }
            let at = match t.block_number {
                Some(n) => match times.iter().find(|(b, _)| *b == n) {
                    Some((_, time)) => *time,
                    None => {
                        let time = node.block_time(n).await?;
                        times.push((n, time));
                        time
                    }
                },
                None => self.clock.now(),
            };
            let amount = format_amount(t.amount, token.decimals);
            self.record(ActivityEntry {
                at,
                kind: ActivityKind::Receive,
                summary: format!("{amount} {} from {:#x}", token.symbol, t.from),
                transaction_hash: Some(t.transaction_hash),
                status: ActivityStatus::Succeeded,
                token: Some(token.symbol.clone()),
                amount: Some(amount),
                counterparty: Some(t.from),
            })?;
            known.push((t.transaction_hash, Some(token.symbol.clone())));
            added += 1;
        }
        if added > 0 {
            // Lines stay in time order when an older receipt is found after newer activity.
            self.prefs.update(|p| p.activity.sort_by_key(|a| a.at))?;
        }
        Ok(added)
    }
}
