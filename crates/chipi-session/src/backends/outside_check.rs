//! What the wallet checks in an outside execution a paymaster built before it signs anything.
//! The paymaster is not trusted beyond relaying: every field of the SNIP-9 v2 message is
//! compared with what the wallet asked for or bounded by what it accepts, and the hash the
//! wallet signs is computed from the fixed SNIP-9 v2 layout, never from the paymaster's type
//! definitions.

use starknet_core::types::{Call, Felt};

use crate::backends::outside_execution::{OutsideExecution, ANY_CALLER, OUTSIDE_EXECUTION_TYPE};
use crate::entrypoint::{selector, TRANSFER};
use crate::error::SessionError;
use crate::typed_data::{felt_of, TypedData};

/// Longest validity the wallet signs an outside execution for: a signature a paymaster holds
/// back is void a few minutes later.
pub const MAX_VALIDITY_SECONDS: u64 = 300;

/// How the paymaster is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeMode {
    /// The paymaster (its API key holder) pays: the calls are exactly the user's.
    Sponsored,
    /// The user pays in `gas_token`: the paymaster appends one `transfer(caller, fee)` on that
    /// token, accepted up to `max_fee` (base units).
    Gasless {
        /// The token the fee is paid in.
        gas_token: Felt,
        /// The most the user accepted to pay.
        max_fee: u128,
    },
}

impl FeeMode {
    /// The same mode with the accepted fee lowered to `max_fee` when given (never raised).
    #[must_use]
    pub fn within(self, max_fee: Option<u128>) -> Self {
        match (self, max_fee) {
            (
                FeeMode::Gasless {
                    gas_token,
                    max_fee: own,
                },
                Some(accepted),
            ) => FeeMode::Gasless {
                gas_token,
                max_fee: own.min(accepted),
            },
            (mode, _) => mode,
        }
    }

    /// The paymaster's `fee_mode` parameter.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            FeeMode::Sponsored => serde_json::json!({"mode": "sponsored"}),
            FeeMode::Gasless { gas_token, .. } => {
                serde_json::json!({"mode": "default", "gas_token": format!("{gas_token:#x}")})
            }
        }
    }

    /// The fee call the wallet must count against the session's limit for the gas token, at
    /// the most it accepts.
    pub fn worst_fee_call(self, caller: Felt) -> Option<Call> {
        match self {
            FeeMode::Sponsored => None,
            FeeMode::Gasless { gas_token, max_fee } => Some(fee_call(gas_token, caller, max_fee)),
        }
    }
}

fn fee_call(gas_token: Felt, recipient: Felt, amount: u128) -> Call {
    crate::session::registration::transfer_call(gas_token, recipient, amount)
}

/// What the wallet expects of an outside execution.
#[derive(Debug, Clone)]
pub struct Expectation<'a> {
    /// The network's chain id.
    pub chain_id: Felt,
    /// The calls the user asked for.
    pub calls: &'a [Call],
    /// The caller (the paymaster's relayer) pinned for this network; `None` before the first
    /// build, when any caller but `ANY_CALLER` is learnt.
    pub caller: Option<Felt>,
    /// Chain time now (unix seconds).
    pub now: u64,
    /// How the fee is paid.
    pub fee: FeeMode,
    /// The longest validity accepted (seconds from `now`): [`MAX_VALIDITY_SECONDS`] for a
    /// paymaster, which takes the bounds the wallet sends; an hour for the Chipi API, which
    /// sets its own.
    pub max_validity: u64,
}

fn tampered(field: &'static str) -> SessionError {
    SessionError::PaymasterTampered { field }
}

/// Checks `typed` against `expected` and returns the outside execution it holds; its
/// `message_hash` is what the wallet signs. The nonce is checked on chain by the caller.
pub fn check_outside_execution(
    typed: &TypedData,
    expected: &Expectation<'_>,
) -> Result<OutsideExecution, SessionError> {
    // The type definitions must be SNIP-9 v2's own: a paymaster that renames or reorders a
    // member would otherwise make the user sign a hash the wallet did not compute.
    if typed.encode_type("OutsideExecution").ok().as_deref() != Some(OUTSIDE_EXECUTION_TYPE)
        || typed.encode_type("StarknetDomain").ok().as_deref()
            != Some(crate::backends::outside_execution::STARKNET_DOMAIN_TYPE)
        || typed.types.len() != 3
    {
        return Err(tampered("types"));
    }
    let chain_id = typed
        .domain
        .get("chainId")
        .map(felt_of)
        .transpose()
        .map_err(|_| tampered("chain_id"))?;
    if chain_id != Some(expected.chain_id) {
        return Err(tampered("chain_id"));
    }
    let oe = OutsideExecution::from_typed_data(typed).map_err(|_| tampered("domain"))?;
    if oe.caller == ANY_CALLER || expected.caller.is_some_and(|c| c != oe.caller) {
        return Err(tampered("caller"));
    }
    if oe.execute_after > expected.now {
        return Err(tampered("execute_after"));
    }
    if oe.execute_before <= expected.now
        || oe.execute_before > expected.now.saturating_add(expected.max_validity)
    {
        return Err(tampered("execute_before"));
    }
    let (user, extra) = oe.calls.split_at(expected.calls.len().min(oe.calls.len()));
    if user != expected.calls {
        return Err(tampered("calls"));
    }
    match (expected.fee, extra) {
        (_, []) => {}
        (FeeMode::Gasless { gas_token, max_fee }, [fee]) => {
            let [recipient, low, high] = fee.calldata.as_slice() else {
                return Err(tampered("fee"));
            };
            let amount: Option<u128> = (*high == Felt::ZERO)
                .then(|| (*low).try_into().ok())
                .flatten();
            if fee.to != gas_token
                || fee.selector != selector(TRANSFER)
                || *recipient != oe.caller
                || amount.is_none_or(|a| a > max_fee)
            {
                return Err(tampered("fee"));
            }
        }
        _ => return Err(tampered("calls")),
    }
    Ok(oe)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: Felt = Felt::from_hex_unchecked("0x534e5f4d41494e");
    const RELAYER: Felt = Felt::from_hex_unchecked("0x7e1a7e5");
    const TOKEN: Felt = Felt::from_hex_unchecked("0x70c");

    fn calls() -> Vec<Call> {
        vec![fee_call(TOKEN, Felt::from(0xbeefu16), 5)]
    }

    fn built(mutate: impl FnOnce(&mut OutsideExecution)) -> TypedData {
        let mut oe = OutsideExecution {
            caller: RELAYER,
            nonce: Felt::from(77u8),
            execute_after: 900,
            execute_before: 1100,
            calls: calls(),
        };
        mutate(&mut oe);
        TypedData::from_json(&oe.to_typed_data(CHAIN).to_string()).unwrap()
    }

    fn expect(calls: &[Call], fee: FeeMode) -> Expectation<'_> {
        Expectation {
            chain_id: CHAIN,
            calls,
            caller: Some(RELAYER),
            now: 1000,
            fee,
            max_validity: MAX_VALIDITY_SECONDS,
        }
    }

    fn field(result: Result<OutsideExecution, SessionError>) -> &'static str {
        match result {
            Err(SessionError::PaymasterTampered { field }) => field,
            other => panic!("expected a tampered field, got {other:?}"),
        }
    }

    #[test]
    fn an_accepted_fee_only_lowers_the_bound() {
        let mode = FeeMode::Gasless {
            gas_token: TOKEN,
            max_fee: 100,
        };
        let max = |m: FeeMode| match m {
            FeeMode::Gasless { max_fee, .. } => max_fee,
            FeeMode::Sponsored => 0,
        };
        assert_eq!(max(mode.within(Some(20))), 20);
        assert_eq!(max(mode.within(Some(500))), 100, "never raised");
        assert_eq!(max(mode.within(None)), 100);
        assert_eq!(FeeMode::Sponsored.within(Some(5)), FeeMode::Sponsored);
    }

    #[test]
    fn an_honest_build_passes_and_each_alteration_is_named() {
        let asked = calls();
        let ok = check_outside_execution(&built(|_| {}), &expect(&asked, FeeMode::Sponsored));
        assert_eq!(ok.unwrap().nonce, Felt::from(77u8));
        type Alteration = Box<dyn Fn(&mut OutsideExecution)>;
        let cases: [(&str, Alteration); 6] = [
            ("caller", Box::new(|oe| oe.caller = ANY_CALLER)),
            ("caller", Box::new(|oe| oe.caller = Felt::from(0x0bad_u16))),
            ("execute_after", Box::new(|oe| oe.execute_after = 1001)),
            (
                "execute_before",
                Box::new(|oe| oe.execute_before = 1000 + 301),
            ),
            ("execute_before", Box::new(|oe| oe.execute_before = 1000)),
            (
                "calls",
                Box::new(|oe| oe.calls[0].calldata[1] = Felt::from(6u8)),
            ),
        ];
        for (name, mutate) in cases {
            let typed = built(|oe| mutate(oe));
            assert_eq!(
                field(check_outside_execution(
                    &typed,
                    &expect(&asked, FeeMode::Sponsored)
                )),
                name
            );
        }
        let extra = built(|oe| oe.calls.push(fee_call(TOKEN, RELAYER, 1)));
        assert_eq!(
            field(check_outside_execution(
                &extra,
                &expect(&asked, FeeMode::Sponsored)
            )),
            "calls",
            "a sponsored build holds exactly the user's calls"
        );
    }

    #[test]
    fn chain_id_and_type_definitions_come_from_the_wallet() {
        let asked = calls();
        let mut other_chain = built(|_| {});
        other_chain.domain["chainId"] = serde_json::json!("0x534e5f5345504f4c4941");
        assert_eq!(
            field(check_outside_execution(
                &other_chain,
                &expect(&asked, FeeMode::Sponsored)
            )),
            "chain_id"
        );
        let mut renamed = built(|_| {});
        renamed.types.get_mut("OutsideExecution").unwrap()[2].name = "Execute_After".into();
        assert_eq!(
            field(check_outside_execution(
                &renamed,
                &expect(&asked, FeeMode::Sponsored)
            )),
            "types"
        );
        let mut extra_type = built(|_| {});
        extra_type
            .types
            .insert("Extra".into(), extra_type.types["Call"].clone());
        assert_eq!(
            field(check_outside_execution(
                &extra_type,
                &expect(&asked, FeeMode::Sponsored)
            )),
            "types"
        );
    }

    #[test]
    fn a_gasless_fee_call_is_accepted_only_within_the_fee() {
        let asked = calls();
        let gasless = FeeMode::Gasless {
            gas_token: TOKEN,
            max_fee: 10,
        };
        let within = built(|oe| oe.calls.push(fee_call(TOKEN, RELAYER, 10)));
        let oe = check_outside_execution(&within, &expect(&asked, gasless)).unwrap();
        assert_eq!(oe.calls.len(), 2);
        for (amount, token, recipient) in [
            (11u128, TOKEN, RELAYER),
            (1, Felt::from(0x999u16), RELAYER),
            (1, TOKEN, Felt::from(0x999u16)),
        ] {
            let bad = built(|oe| oe.calls.push(fee_call(token, recipient, amount)));
            assert_eq!(
                field(check_outside_execution(&bad, &expect(&asked, gasless))),
                "fee"
            );
        }
        let two = built(|oe| {
            oe.calls.push(fee_call(TOKEN, RELAYER, 1));
            oe.calls.push(fee_call(TOKEN, RELAYER, 1));
        });
        assert_eq!(
            field(check_outside_execution(&two, &expect(&asked, gasless))),
            "calls"
        );
    }

    #[test]
    fn the_first_caller_is_learnt_but_never_any_caller() {
        let asked = calls();
        let mut first = expect(&asked, FeeMode::Sponsored);
        first.caller = None;
        assert!(check_outside_execution(&built(|_| {}), &first).is_ok());
        assert_eq!(
            field(check_outside_execution(
                &built(|oe| oe.caller = ANY_CALLER),
                &first
            )),
            "caller"
        );
    }
}
