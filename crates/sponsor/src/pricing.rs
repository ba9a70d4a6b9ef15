//! What the sponsor charges in the default (user-pays) mode, priced as the public paymaster
//! prices (protocol.md §5): the build suggests three times an estimate of the user's calls as a
//! plain invoke *without* the account's validation; the execution requires the signed fee call
//! to pay at least 1.1 times the real cost of the relayed transaction, validation included, and
//! refunds what it does not use in the same transaction.

use chipi_session::backends::snip29::FeeEstimate as FeeEstimateAnswer;
use starknet::core::types::{FeeEstimate, Felt};

use crate::error::SponsorError;

/// A token the sponsor takes fees in, with its price: what one whole token is worth in fri
/// (10^-18 STRK). A fixed table: a local sponsor has no market to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasToken {
    /// The ERC-20.
    pub address: Felt,
    /// Its decimals.
    pub decimals: u8,
    /// One whole token in fri.
    pub price_in_strk: u128,
}

/// The fee tokens of the local network: STRK (1:1) and ETH (10 000 STRK).
pub const GAS_TOKENS: [GasToken; 2] = [
    GasToken {
        address: chipi_session::network::STRK,
        decimals: 18,
        price_in_strk: 1_000_000_000_000_000_000,
    },
    GasToken {
        address: chipi_session::network::ETH,
        decimals: 18,
        price_in_strk: 10_000 * 1_000_000_000_000_000_000,
    },
];

impl GasToken {
    /// The supported gas token at `address`.
    pub fn of(address: Felt) -> Result<Self, SponsorError> {
        GAS_TOKENS
            .into_iter()
            .find(|t| t.address == address)
            .ok_or(SponsorError::TokenNotSupported)
    }

    /// `fri` in this token's base units, rounded up (`ceil(fri * 10^decimals / price)`).
    pub fn from_fri(self, fri: u128) -> u128 {
        let scale = 10u128.pow(u32::from(self.decimals));
        fri.saturating_mul(scale).div_ceil(self.price_in_strk)
    }
}

/// The build's fee multiplier, in thousandths: the suggested fee is three times the estimate of
/// the calls as a plain invoke without the account's validation (the public server's default).
pub const SUGGESTED_PERMILLE: u128 = 3000;

/// The execute-time multiplier, in thousandths: the signed fee call must pay at least 1.1 times
/// the real cost of the relayed transaction (the public server's default overhead).
pub const REQUIRED_PERMILLE: u128 = 1100;

/// `fri * permille / 1000`, rounded down.
pub fn scaled(fri: u128, permille: u128) -> u128 {
    fri.saturating_mul(permille) / 1000
}

/// The `fee` object of a default-mode build: `estimate` (fri) and the suggestion from it.
pub fn fee_estimate(token: GasToken, estimate: u128) -> FeeEstimateAnswer {
    let suggested = scaled(estimate, SUGGESTED_PERMILLE);
    FeeEstimateAnswer {
        gas_token_price_in_strk: Felt::from(token.price_in_strk),
        estimated_fee_in_strk: Felt::from(estimate),
        estimated_fee_in_gas_token: Felt::from(token.from_fri(estimate)),
        suggested_max_fee_in_strk: Felt::from(suggested),
        suggested_max_fee_in_gas_token: Felt::from(token.from_fri(suggested)),
    }
}

/// The resource bounds the relayer signs: twice the estimate (with a floor for L1 gas), as
/// (amount, price per unit) for each resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FeeBounds {
    pub(crate) l1_gas: (u64, u128),
    pub(crate) l2_gas: (u64, u128),
    pub(crate) l1_data_gas: (u64, u128),
}

impl FeeBounds {
    pub(crate) fn from_estimate(fee: &FeeEstimate) -> Self {
        Self {
            l1_gas: (
                fee.l1_gas_consumed.saturating_mul(2).saturating_add(1000),
                fee.l1_gas_price.saturating_mul(2),
            ),
            l2_gas: (
                fee.l2_gas_consumed.saturating_mul(2),
                fee.l2_gas_price.saturating_mul(2),
            ),
            l1_data_gas: (
                fee.l1_data_gas_consumed
                    .saturating_mul(2)
                    .saturating_add(1000),
                fee.l1_data_gas_price.saturating_mul(2),
            ),
        }
    }

    /// The most a transaction with these bounds can cost, in fri.
    pub(crate) fn worst_fee(&self) -> u128 {
        [self.l1_gas, self.l2_gas, self.l1_data_gas]
            .into_iter()
            .map(|(amount, price)| u128::from(amount).saturating_mul(price))
            .fold(0u128, u128::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_cap_is_checked_against_the_signed_bounds() {
        let estimate = FeeEstimate {
            l1_gas_consumed: 0,
            l1_gas_price: 10,
            l2_gas_consumed: 1_000_000,
            l2_gas_price: 3,
            l1_data_gas_consumed: 100,
            l1_data_gas_price: 7,
            overall_fee: 3_000_700,
        };
        let bounds = FeeBounds::from_estimate(&estimate);
        assert_eq!(bounds.l2_gas, (2_000_000, 6));
        assert_eq!(bounds.l1_gas, (1000, 20));
        assert_eq!(bounds.worst_fee(), 1000 * 20 + 2_000_000 * 6 + 1200 * 14);
        let huge = FeeEstimate {
            l2_gas_consumed: u64::MAX,
            l2_gas_price: u128::MAX,
            ..estimate
        };
        assert_eq!(FeeBounds::from_estimate(&huge).worst_fee(), u128::MAX);
    }

    #[test]
    fn fees_are_priced_as_the_public_server_prices_them() {
        let strk = GAS_TOKENS[0];
        let eth = GAS_TOKENS[1];
        assert_eq!(strk.from_fri(1000), 1000, "STRK is 1:1");
        assert_eq!(eth.from_fri(10_001), 2, "rounded up");
        let fee = fee_estimate(strk, 1_000_001);
        assert_eq!(fee.suggested_max_fee_in_gas_token, Felt::from(3_000_003u32));
        assert_eq!(scaled(1_000_001, REQUIRED_PERMILLE), 1_100_001);
        assert_eq!(
            fee_estimate(eth, 10_000).estimated_fee_in_gas_token,
            Felt::ONE
        );
    }
}
