//! Which kind of account an address runs, from its class hash.

use starknet_core::types::Felt;

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
        } else if CHIPI_CLASS_HASHES.contains(&class_hash) {
            Some(WalletType::Chipi)
        } else {
            None
        }
    }
}

/// READY (Argent X v0.4.0).
pub const READY_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x036078334509b514626504edc9fb252328d1a240e4e948bef8d0c08dff45927f");

/// This project's session account (contracts/session_account; a test keeps it in step with
/// `contracts/artifacts/session_account.hashes.json`).
pub const SESSION_ACCOUNT_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x2e16f70c41e894e6e8279c3904514a1eac88b90d39183c97eb0ccb0bfa0bc76");

/// CHIPI v29, the class the SDK deploys and names in API requests.
pub const CHIPI_V29_CLASS_HASH: Felt =
    Felt::from_hex_unchecked("0x053f4f8791ed5bed0fddaa553d180c664e32cfaf8316bb232ae77bb08f459f2a");

/// Every class hash with the CHIPI session interface: CHIPI v29 (production), the older CHIPI
/// versions the SDK also maps to CHIPI (v33, v32, v31, v30, v28), and ours.
pub const CHIPI_CLASS_HASHES: [Felt; 7] = [
    CHIPI_V29_CLASS_HASH,
    Felt::from_hex_unchecked("0x0484bbd2404b3c7264bea271f7267d6d4004821ac7787a9eed7f472e79ef40d1"),
    Felt::from_hex_unchecked("0x035a2251aca25daba18a5d8950deffa8372a7d84774554e75283cb85552eebc9"),
    Felt::from_hex_unchecked("0x0254f6dd0427319ec614c29e4e3929500d1ba95d0da87ff81d67051ce572667"),
    Felt::from_hex_unchecked("0x072b77b033a874fa1b8f7ff52e18be8fb5ce01a00c59cd184ae15f5b29bc0e57"),
    Felt::from_hex_unchecked("0x02de1565226d5215a38b68c4d9a4913989b54edff64c68c45e453c417b44cd83"),
    SESSION_ACCOUNT_CLASS_HASH,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_classes_are_typed() {
        assert_eq!(
            WalletType::from_class_hash(READY_CLASS_HASH),
            Some(WalletType::Ready)
        );
        for hash in CHIPI_CLASS_HASHES {
            assert_eq!(
                WalletType::from_class_hash(hash),
                Some(WalletType::Chipi),
                "{hash:#x}"
            );
        }
        assert_eq!(WalletType::from_class_hash(Felt::from(1u8)), None);
        assert!(!WalletType::Ready.supports_sessions());
        assert!(WalletType::Chipi.supports_sessions());
    }

    #[test]
    fn our_class_hash_matches_the_committed_artifacts() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../contracts/artifacts/session_account.hashes.json"
        );
        let hashes: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let committed = Felt::from_hex(hashes["class_hash"].as_str().unwrap()).unwrap();
        assert_eq!(
            committed, SESSION_ACCOUNT_CLASS_HASH,
            "update SESSION_ACCOUNT_CLASS_HASH after recompiling"
        );
    }
}
