//! Test ERC-20 tokens (e.g. a 6-decimal USDC) deployed beside the predeployed STRK, from the same
//! class devnet uses for STRK, through the Universal Deployer.

use starknet::accounts::Account;
use starknet::core::types::{BlockId, BlockTag, Call, Felt};
use starknet::core::utils::{
    cairo_short_string_to_felt, get_selector_from_name, get_udc_deployed_address, UdcUniqueness,
};
use starknet::providers::Provider;
use starknet::signers::SigningKey;

use crate::devnet::{Devnet, STRK};
use crate::error::HarnessError;
use crate::receipt::wait_for_receipt;

/// The Universal Deployer Contract devnet predeploys.
pub const UDC: Felt =
    Felt::from_hex_unchecked("0x041a78e741e5af2fec34b695679bc6891742439f7afb8484ecd7766661ad02bf");

/// A short string (under 31 bytes) as a Cairo `ByteArray`: no full words, the pending word, its
/// length.
fn byte_array(text: &str) -> Result<[Felt; 3], HarnessError> {
    let word = cairo_short_string_to_felt(text)
        .map_err(|e| HarnessError::Transaction(format!("{text:?}: {e}")))?;
    Ok([Felt::ZERO, word, Felt::from(text.len() as u64)])
}

impl Devnet {
    /// Deploys an ERC-20 of STRK's class with `decimals`, minting `supply` base units to
    /// predeployed account 0 (also its minter and governance admin). Returns its address; the
    /// same inputs on a node with the same seed give the same address.
    pub async fn deploy_erc20(
        &self,
        name: &str,
        symbol: &str,
        decimals: u8,
        supply: u128,
    ) -> Result<Felt, HarnessError> {
        let class_hash = self
            .provider()
            .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), STRK)
            .await?;
        let owner = self.predeployed(0).await?;
        let admin = owner.address();
        let mut constructor = Vec::new();
        constructor.extend(byte_array(name)?);
        constructor.extend(byte_array(symbol)?);
        constructor.extend([
            Felt::from(decimals),
            Felt::from(supply),
            Felt::ZERO,
            admin,
            admin,
            admin,
            Felt::ZERO,
        ]);
        let salt = cairo_short_string_to_felt(symbol)
            .map_err(|e| HarnessError::Transaction(e.to_string()))?;
        let mut calldata = vec![
            class_hash,
            salt,
            Felt::ZERO,
            Felt::from(constructor.len() as u64),
        ];
        calldata.extend(&constructor);
        let sent = owner
            .execute_v3(vec![Call {
                to: UDC,
                selector: get_selector_from_name("deployContract").expect("an ASCII name"),
                calldata,
            }])
            .send()
            .await
            .map_err(|e| HarnessError::Transaction(format!("deploy {symbol}: {e}")))?;
        let outcome = wait_for_receipt(self.provider(), sent.transaction_hash).await?;
        if let Some(reason) = outcome.revert_reason {
            return Err(HarnessError::Transaction(format!(
                "deploy {symbol} reverted: {reason}"
            )));
        }
        Ok(get_udc_deployed_address(
            salt,
            class_hash,
            &UdcUniqueness::NotUnique,
            &constructor,
        ))
    }

    /// Sends `amount` base units of `token` from predeployed account 0 to `to`.
    pub async fn send_erc20(
        &self,
        token: Felt,
        to: Felt,
        amount: u128,
    ) -> Result<(), HarnessError> {
        let owner = self.predeployed(0).await?;
        let transfer = Call {
            to: token,
            selector: get_selector_from_name("transfer").expect("an ASCII name"),
            calldata: vec![to, Felt::from(amount), Felt::ZERO],
        };
        self.execute(&owner, vec![transfer], "transfer")
            .await
            .map(drop)
    }

    /// Sends `calls` from the account at `address` signed by `key` (it pays the fee), outside
    /// any app: what another device or wallet does to the account. Answers the transaction once
    /// it succeeded.
    pub async fn execute_as(
        &self,
        address: Felt,
        key: SigningKey,
        calls: Vec<Call>,
    ) -> Result<Felt, HarnessError> {
        let account = self.owner_account(address, key);
        self.execute(&account, calls, "execute").await
    }

    async fn execute(
        &self,
        account: &crate::OwnerAccount,
        calls: Vec<Call>,
        what: &str,
    ) -> Result<Felt, HarnessError> {
        let sent = account
            .execute_v3(calls)
            .send()
            .await
            .map_err(|e| HarnessError::Transaction(format!("{what}: {e}")))?;
        let outcome = wait_for_receipt(self.provider(), sent.transaction_hash).await?;
        match outcome.revert_reason {
            Some(reason) => Err(HarnessError::Transaction(format!(
                "{what} reverted: {reason}"
            ))),
            None => Ok(sent.transaction_hash),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_strings_encode_as_byte_arrays() {
        let [words, pending, len] = super::byte_array("USDC").unwrap();
        assert_eq!(words, starknet::core::types::Felt::ZERO);
        assert_eq!(pending, starknet::core::types::Felt::from(0x5553_4443_u64));
        assert_eq!(len, starknet::core::types::Felt::from(4_u64));
    }
}
