//! Which kind of account an address runs, from its class hash.

use starknet_core::types::Felt;

use crate::backends::paymaster::DEFAULT_VALIDATION_MARGIN_PERCENT;
use crate::error::SessionError;

/// Kinds of wallet the app knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletType {
    /// A CHIPI-compatible account with session keys (CHIPI's classes and ours).
    Chipi,
    /// Argent X v0.4.0 ("READY"): no session support.
    Ready,
}

impl WalletType {
    /// Whether session keys can be used with this wallet.
    pub fn supports_sessions(self) -> bool {
        matches!(self, WalletType::Chipi)
    }

    /// The wallet type of a class hash, `None` when unknown.
    pub fn from_class_hash(class_hash: Felt) -> Option<Self> {
        if class_hash == READY_CLASS_HASH {
            Some(WalletType::Ready)
        } else if ClassProfile::of(class_hash).is_some() {
            Some(WalletType::Chipi)
        } else {
            None
        }
    }
}

/// How a class answers `get_session_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StatusLayout {
    /// `[is_active, valid_until, remaining_calls, n, selectors...]` (what the SDK parses; this
    /// project's class).
    Listed,
    /// `[valid_until, max_calls, calls_used, allowed_entrypoints_len]`, all zero for a revoked
    /// or unknown key; the selectors through `get_session_allowed_entrypoint_at` (Chipi's
    /// deployed classes).
    Counted,
    /// One of the two, told apart by the answer (classes whose source could not be read): a
    /// first felt other than 0 or 1 can only be a `Counted` expiry; a `Counted` answer read as
    /// `Listed` has an expiry in 1970, so a misread never shows a session as active.
    Either,
}

/// What a session key signs on the direct (fee-paying) path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DirectMessage {
    /// The transaction hash, which binds the fee fields (this project's class).
    #[default]
    TransactionHash,
    /// `poseidon([account, chain_id, nonce, valid_until, calls...])`, the published classes'
    /// message (the fee fields are not signed).
    SessionMessage,
}

/// What the contract of an account class enforces on a session, so the wallet states no limit
/// the chain does not keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassProfile {
    /// The class hash.
    pub class_hash: Felt,
    /// A short name, e.g. `CHIPI v29`.
    pub name: &'static str,
    /// The layout of `get_session_data`.
    pub layout: StatusLayout,
    /// Per-token spending limits (`set_spending_policy`) are enforced.
    pub spending_policies: bool,
    /// A token without a policy is not bounded at all (CHIPI v33: a policy exists only while
    /// its window amount is above zero), so a registration gives every token of the network
    /// the user set no limit for a refusing policy. On this project's class such a token cannot
    /// be sent.
    pub unbounded_without_policy: bool,
    /// A CHIPI class without spending policies that `upgrade` can move to v33 (the owner's
    /// self-call, then `register_interfaces`).
    pub upgradable: bool,
    /// Contract-bound calls (`add_session_allowed_calls`) are enforced.
    pub bound_calls: bool,
    /// The outside-execution (gasless) path checks the allowlist and consumes a call of the
    /// budget; when false, a gasless session call is limited by the session's expiry only.
    pub gasless_checks_rules: bool,
    /// What a session key signs on the direct path.
    pub direct_message: DirectMessage,
    /// The account emits this project's session events (`SessionKeyAdded`, ...), which a
    /// receipt is checked for; other classes are checked by reading the status again.
    pub session_events: bool,
    /// How far (percent of the server's suggestion) a gasless fee call is raised before
    /// signing: a public paymaster's suggestion leaves out the account's validation, which it
    /// then requires at execute. Measured on devnet against the sponsor that prices as the
    /// public server does (`tests/sponsor.rs` prints the ratio).
    pub validation_margin_percent: u32,
    /// The account's `is_valid_signature` accepts a session key's signature (without the
    /// allowlist): a session key can sign any SNIP-12 message an app checks against the
    /// account (permits, off-chain orders). Read in CHIPI v33's source; assumed of the other
    /// CHIPI classes and of probed ones (the weaker case).
    pub session_signs_messages: bool,
}

impl ClassProfile {
    /// The profile of a known session-capable class, `None` otherwise.
    pub fn of(class_hash: Felt) -> Option<Self> {
        CLASS_PROFILES
            .iter()
            .find(|p| p.class_hash == class_hash)
            .copied()
    }

    /// What the wallet promises on a class the table does not list but whose answers show the
    /// CHIPI session interface (probed: SRC-6, `get_session_data`): the weakest guarantees of
    /// that layout — expiry, call budget and allowlist on the direct path, expiry only on the
    /// gasless path, no spending limits, no contract-bound calls.
    pub const fn probed_chipi(class_hash: Felt, layout: StatusLayout) -> Self {
        ClassProfile {
            class_hash,
            name: "CHIPI-layout account (class not in the table, rules unverified)",
            layout,
            spending_policies: false,
            unbounded_without_policy: false,
            upgradable: false,
            bound_calls: false,
            gasless_checks_rules: false,
            direct_message: DirectMessage::SessionMessage,
            session_events: false,
            validation_margin_percent: DEFAULT_VALIDATION_MARGIN_PERCENT,
            session_signs_messages: true,
        }
    }

    /// Refuses a registration asking for limits the class cannot enforce (spending limits,
    /// contract-bound calls): the session would run on chain without them.
    pub fn check_limits(
        &self,
        spending_limits: bool,
        bound_calls: bool,
    ) -> Result<(), SessionError> {
        if spending_limits && !self.spending_policies {
            return Err(SessionError::InvalidSpendingPolicy(format!(
                "{} cannot enforce spending limits; register without limits, or use an account \
                 class that keeps them",
                self.name
            )));
        }
        if bound_calls && !self.bound_calls {
            return Err(SessionError::InvalidSessionParams(format!(
                "{} cannot bind an entrypoint to one contract; allow the selector instead",
                self.name
            )));
        }
        Ok(())
    }
}

const fn chipi(
    class_hash: Felt,
    name: &'static str,
    layout: StatusLayout,
    gasless_checks_rules: bool,
) -> ClassProfile {
    ClassProfile {
        class_hash,
        name,
        layout,
        spending_policies: false,
        unbounded_without_policy: false,
        upgradable: true,
        bound_calls: false,
        gasless_checks_rules,
        direct_message: DirectMessage::SessionMessage,
        session_events: false,
        validation_margin_percent: DEFAULT_VALIDATION_MARGIN_PERCENT,
        session_signs_messages: true,
    }
}

/// CHIPI v33's rules: spending policies on both paths, a token without one unbounded (the
/// registration sets refusing policies and reads every policy back: a failed
/// `set_spending_policy` inside its non-atomic `__execute__` would leave a token unbounded).
const fn v33(class_hash: Felt, name: &'static str) -> ClassProfile {
    ClassProfile {
        spending_policies: true,
        unbounded_without_policy: true,
        upgradable: false,
        ..chipi(class_hash, name, StatusLayout::Counted, true)
    }
}

/// Every session-capable class the wallet knows. CHIPI v31–v33 return the 4-felt status (their
/// sources were read); v28–v30 could not be read and are parsed either way. v29 and later check
/// the allowlist and consume a call on the gasless path; v28 is assumed not to. Spending
/// policies exist in the v33 source only: limits are registered there (with a refusing policy
/// for every other token of the network) and refused on the older classes, which `upgrade` can
/// move to v33. The CHIPI-layout test classes are this project's own test doubles of the
/// v29-like and v33-like classes (`contracts/chipi_layout_account`).
pub const CLASS_PROFILES: [ClassProfile; 9] = [
    ClassProfile {
        class_hash: SESSION_ACCOUNT_CLASS_HASH,
        name: "session account (this project)",
        layout: StatusLayout::Listed,
        spending_policies: true,
        unbounded_without_policy: false,
        upgradable: false,
        bound_calls: true,
        gasless_checks_rules: true,
        direct_message: DirectMessage::TransactionHash,
        session_events: true,
        validation_margin_percent: DEFAULT_VALIDATION_MARGIN_PERCENT,
        session_signs_messages: false,
    },
    chipi(
        CHIPI_V29_CLASS_HASH,
        "CHIPI v29",
        StatusLayout::Either,
        true,
    ),
    v33(CHIPI_V33_CLASS_HASH, "CHIPI v33"),
    chipi(
        Felt::from_hex_unchecked(
            "0x035a2251aca25daba18a5d8950deffa8372a7d84774554e75283cb85552eebc9",
        ),
        "CHIPI v32",
        StatusLayout::Counted,
        true,
    ),
    chipi(
        Felt::from_hex_unchecked(
            "0x0254f6dd0427319ec614c29e4e3929500d1ba95d0da87ff81d67051ce572667",
        ),
        "CHIPI v31",
        StatusLayout::Counted,
        true,
    ),
    chipi(
        Felt::from_hex_unchecked(
            "0x072b77b033a874fa1b8f7ff52e18be8fb5ce01a00c59cd184ae15f5b29bc0e57",
        ),
        "CHIPI v30",
        StatusLayout::Either,
        true,
    ),
    chipi(
        Felt::from_hex_unchecked(
            "0x02de1565226d5215a38b68c4d9a4913989b54edff64c68c45e453c417b44cd83",
        ),
        "CHIPI v28",
        StatusLayout::Either,
        false,
    ),
    // This project's double checks only the owner's signature in `is_valid_signature`.
    ClassProfile {
        session_signs_messages: false,
        ..chipi(
            CHIPI_LAYOUT_TEST_CLASS_HASH,
            "CHIPI-layout test class",
            StatusLayout::Counted,
            false,
        )
    },
    v33(
        CHIPI_V33_LAYOUT_TEST_CLASS_HASH,
        "CHIPI v33-layout test class",
    ),
];

/// READY (Argent X v0.4.0).
pub const READY_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x036078334509b514626504edc9fb252328d1a240e4e948bef8d0c08dff45927f");

/// This project's session account (contracts/session_account; a test keeps it in step with
/// `contracts/artifacts/session_account.hashes.json`).
pub const SESSION_ACCOUNT_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x2e16f70c41e894e6e8279c3904514a1eac88b90d39183c97eb0ccb0bfa0bc76");

/// CHIPI v33, Chipi's current class (constructor `(public_key)`, as v29's): what a new wallet
/// gets on a public network where this project's class is not declared.
pub const CHIPI_V33_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x0484bbd2404b3c7264bea271f7267d6d4004821ac7787a9eed7f472e79ef40d1");

/// CHIPI v29, the class the SDK deploys and names in API requests (deprecated in Chipi's
/// registry).
pub const CHIPI_V29_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x053f4f8791ed5bed0fddaa553d180c664e32cfaf8316bb232ae77bb08f459f2a");

/// The CHIPI-layout test class (contracts/chipi_layout_account; a test keeps it in step with
/// its committed artifacts).
pub const CHIPI_LAYOUT_TEST_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x64d4d6ed7fe6aa1d4db37aefbf3bc46c60f965ec79d7279b9af9827fba3aaa");

/// The v33-like test class (the same Cairo project, `v33.cairo`): what the mainnet rehearsal
/// names as the network's class and the upgrade target.
pub const CHIPI_V33_LAYOUT_TEST_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x522b4782d4f0c68e1023c64f2f37d28682fea7b98e3fdbdcb8db4b578f8986d");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_classes_are_typed() {
        assert_eq!(
            WalletType::from_class_hash(READY_CLASS_HASH),
            Some(WalletType::Ready)
        );
        for profile in CLASS_PROFILES {
            assert_eq!(
                WalletType::from_class_hash(profile.class_hash),
                Some(WalletType::Chipi),
                "{}",
                profile.name
            );
        }
        assert_eq!(
            ClassProfile::of(CHIPI_V29_CLASS_HASH).unwrap().layout,
            StatusLayout::Either
        );
        assert_eq!(WalletType::from_class_hash(Felt::from(1u8)), None);
        assert!(!WalletType::Ready.supports_sessions());
        assert!(WalletType::Chipi.supports_sessions());
    }

    #[test]
    fn limits_are_refused_where_the_class_cannot_keep_them() {
        let ours = ClassProfile::of(SESSION_ACCOUNT_CLASS_HASH).unwrap();
        assert!(ours.check_limits(true, true).is_ok());
        let test_class = ClassProfile::of(CHIPI_LAYOUT_TEST_CLASS_HASH).unwrap();
        assert!(matches!(
            test_class.check_limits(true, false),
            Err(SessionError::InvalidSpendingPolicy(m)) if m.contains("spending limits")
        ));
        assert!(matches!(
            test_class.check_limits(false, true),
            Err(SessionError::InvalidSessionParams(m)) if m.contains("one contract")
        ));
        assert!(test_class.check_limits(false, false).is_ok());
        // v33 and its double keep limits, but leave a token without a policy unbounded.
        for v33 in [CHIPI_V33_CLASS_HASH, CHIPI_V33_LAYOUT_TEST_CLASS_HASH] {
            let v33 = ClassProfile::of(v33).unwrap();
            assert!(v33.check_limits(true, false).is_ok(), "{}", v33.name);
            assert!(v33.check_limits(false, true).is_err(), "{}", v33.name);
            assert!(v33.unbounded_without_policy && !v33.upgradable);
        }
        assert!(!ours.unbounded_without_policy && !ours.upgradable);
        assert!(
            test_class.upgradable && ClassProfile::of(CHIPI_V29_CLASS_HASH).unwrap().upgradable
        );
        assert!(!test_class.gasless_checks_rules);
        // Who may sign messages for the account: ours and the double, the owner only; CHIPI
        // v33 (from its source) a session key too.
        assert!(!ours.session_signs_messages && !test_class.session_signs_messages);
        assert!(
            ClassProfile::of(CHIPI_V33_CLASS_HASH)
                .unwrap()
                .session_signs_messages
        );
    }

    fn committed_class_hash(name: &str) -> Felt {
        let path = format!(
            "{}/../../contracts/artifacts/{name}.hashes.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let hashes: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        Felt::from_hex(hashes["class_hash"].as_str().unwrap()).unwrap()
    }

    #[test]
    fn our_class_hashes_match_the_committed_artifacts() {
        assert_eq!(
            committed_class_hash("session_account"),
            SESSION_ACCOUNT_CLASS_HASH,
            "update SESSION_ACCOUNT_CLASS_HASH after recompiling"
        );
        assert_eq!(
            committed_class_hash("chipi_layout_account"),
            CHIPI_LAYOUT_TEST_CLASS_HASH,
            "update CHIPI_LAYOUT_TEST_CLASS_HASH after recompiling"
        );
        assert_eq!(
            committed_class_hash("chipi_v33_layout_account"),
            CHIPI_V33_LAYOUT_TEST_CLASS_HASH,
            "update CHIPI_V33_LAYOUT_TEST_CLASS_HASH after recompiling"
        );
    }
}
