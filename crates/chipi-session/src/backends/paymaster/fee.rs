//! The default mode's fee call, raised by the class's validation margin within the fee the
//! user accepted.

use super::*;

/// `amount` raised by `percent` (100 = unchanged), rounded up.
pub(super) fn with_margin(amount: u128, percent: u32) -> u128 {
    amount
        .saturating_mul(u128::from(percent))
        .div_ceil(100)
        .max(amount)
}

/// Sets the amount of the last call's `[recipient, low, high]` calldata in `typed_data`
/// (SNIP-9 v2 names: `message.Calls[-1].Calldata`), as the server reads it back at execute.
pub(super) fn set_fee_amount(typed_data: &mut Value, amount: u128) -> Option<()> {
    let calldata = typed_data
        .get_mut("message")?
        .get_mut("Calls")?
        .as_array_mut()?
        .last_mut()?
        .get_mut("Calldata")?
        .as_array_mut()?;
    if calldata.len() != 3 {
        return None;
    }
    calldata[1] = Value::String(format!("{amount:#x}"));
    calldata[2] = Value::String("0x0".into());
    Some(())
}

impl PaymasterClient {
    /// The amount the fee call of a checked default-mode build is raised to: the server's
    /// amount plus the validation margin, at most the accepted fee; `None` when there is no fee
    /// call or nothing to raise.
    pub(super) fn raised_fee(
        &self,
        built: &OutsideExecution,
        asked: usize,
        fee: FeeMode,
    ) -> Option<u128> {
        let FeeMode::Gasless { max_fee, .. } = fee else {
            return None;
        };
        let fee_call = built.calls.get(asked)?;
        let amount: u128 = fee_call.calldata.get(1)?.to_owned().try_into().ok()?;
        let raised = with_margin(amount, self.validation_margin_percent).min(max_fee);
        (raised > amount).then_some(raised)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_call_is_raised_by_the_margin_within_the_accepted_fee() {
        assert_eq!(with_margin(1000, 160), 1600);
        assert_eq!(with_margin(1001, 160), 1602, "rounded up");
        assert_eq!(with_margin(1000, 100), 1000);
        assert_eq!(with_margin(u128::MAX, 160), u128::MAX, "never wraps");
        let client = PaymasterClient::new(
            "http://127.0.0.1:9/rpc",
            "http://127.0.0.1:9/rpc",
            Felt::ONE,
        )
        .with_validation_margin(150);
        let token = Felt::from(0x70c_u64);
        let caller = Felt::from(0xca11_u64);
        let built = OutsideExecution {
            caller,
            nonce: Felt::ONE,
            execute_after: 0,
            execute_before: 10,
            calls: vec![
                crate::session::registration::transfer_call(token, Felt::TWO, 5),
                crate::session::registration::transfer_call(token, caller, 1000),
            ],
        };
        let paying = |max_fee| FeeMode::Gasless {
            gas_token: token,
            max_fee,
        };
        assert_eq!(client.raised_fee(&built, 1, paying(10_000)), Some(1500));
        assert_eq!(
            client.raised_fee(&built, 1, paying(1200)),
            Some(1200),
            "never above the fee the user accepted"
        );
        assert_eq!(client.raised_fee(&built, 1, paying(1000)), None);
        assert_eq!(client.raised_fee(&built, 1, FeeMode::Sponsored), None);
        assert_eq!(
            client.raised_fee(&built, 2, paying(10_000)),
            None,
            "no fee call"
        );

        let mut typed = built.to_typed_data(Felt::ONE);
        set_fee_amount(&mut typed, 1500).unwrap();
        let read =
            OutsideExecution::from_typed_data(&TypedData::from_json(&typed.to_string()).unwrap())
                .unwrap();
        assert_eq!(
            read.calls[1].calldata,
            vec![caller, Felt::from(1500u16), Felt::ZERO]
        );
        assert_eq!(
            read.calls[0], built.calls[0],
            "the user's call is untouched"
        );
    }
}
