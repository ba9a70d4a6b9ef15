/// A store's own error, kept as the source of [`SessionError::SecretStore`] and
/// [`SessionError::RecordStore`] (the stores are the host's: a keychain, a file).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Errors of the session crate.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// ECDSA signing failed (the key or the hash is out of range).
    #[error("signing failed: {0}")]
    Signing(String),
    /// A session key cannot declare classes; only the owner can.
    #[error("a session key cannot sign a DECLARE")]
    DeclareNotAllowed,
    /// The account answered something that does not have the expected shape.
    #[error("invalid response: {0}")]
    InvalidResponse(String),
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(#[source] getrandom::Error),
    /// A private key outside `[1, n - 1]` or not hex.
    #[error("not a valid Stark private key")]
    InvalidKey,
    /// The PIN does not open the secret (or the secret was tampered with).
    #[error("wrong PIN")]
    WrongPin,
    /// The encrypted secret is not in a format this crate reads.
    #[error("malformed encrypted secret")]
    MalformedCiphertext,
    /// A sealed secret of a format version this build does not know.
    #[error("unsupported sealed-secret version {0}")]
    UnsupportedFormat(u8),
    /// Encryption itself failed.
    #[error("encryption failed")]
    Encryption,
    /// Typed data this crate cannot hash (malformed, or a revision or type it does not support).
    #[error("invalid typed data: {0}")]
    InvalidTypedData(String),
    /// A network call failed (node, paymaster or API unreachable); the HTTP client's error is
    /// kept as the source (without the URL, which `context` names when it is safe to show).
    #[error("network: {context}: {source}")]
    Network {
        /// What was being reached.
        context: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// A service answered with an HTTP server error (down behind its proxy, overloaded).
    #[error("network: {service} is unavailable (HTTP {status}); try again later")]
    Unavailable {
        /// The service (`node`, `paymaster`, `Chipi API`).
        service: String,
        /// The HTTP status.
        status: u16,
    },
    /// A service answered HTTP 429: it is rate-limiting this client (public nodes allow a few
    /// requests a second and a monthly quota).
    #[error("{service} is busy (too many requests); try again in a moment, or set your own node")]
    Busy {
        /// The service (`node`).
        service: String,
    },
    /// The paymaster refused, with its SNIP-29 error code.
    #[error(
        "paymaster refused: {}{} ({code}){}",
        snip29_words(*code, message),
        reason(data.as_deref()),
        still_valid(*signed_valid_for)
    )]
    Paymaster {
        /// SNIP-29 / JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
        /// Extra data, as JSON text.
        data: Option<String>,
        /// When the refusal came at execute: seconds until the signed execution it was given
        /// expires (until then the paymaster, or anyone it gave it to, could still send it).
        signed_valid_for: Option<u64>,
    },
    /// The paymaster answered HTTP 401/403: the sponsored mode needs a (valid) API key.
    #[error(
        "the paymaster refused the API key{}: set a valid key, or pay the fee in a token (gasless mode)",
        if *key_sent { "" } else { " (none was sent)" }
    )]
    PaymasterApiKey {
        /// Whether a key was sent.
        key_sent: bool,
    },
    /// The paymaster (or the Chipi API) returned an outside execution that differs from what
    /// was asked for or breaks a bound the wallet sets; `field` names what differs. Nothing was
    /// signed.
    #[error("the paymaster altered the {field} of the transaction; nothing was signed")]
    PaymasterTampered {
        /// `calls`, `caller`, `execute_after`, `execute_before`, `chain_id`, `nonce`, `types`,
        /// `fee` or `domain`.
        field: &'static str,
    },
    /// A gasless execution signed earlier was not confirmed and may still run; nothing new is
    /// signed until it has run or expired.
    #[error(
        "an earlier transfer may still be executed until {execute_before}; try again after it"
    )]
    PreviousExecutionPending {
        /// Unix time after which the earlier signature is void.
        execute_before: u64,
    },
    /// The same calls were sent as a session's direct transaction without an answer, and the
    /// account's nonce has not moved past it: it may still run, so they are not signed for
    /// another way.
    #[error(
        "the same transfer was sent directly without an answer and may still run: send it \
         again with the direct path (it reuses its nonce, so only one can run), or wait until \
         another transaction of this account is executed"
    )]
    DirectSendPending,
    /// A session's direct transaction whose nonce another transaction took, no receipt of it
    /// found, signed over a message that leaves the fee fields unsigned (a node could have run it
    /// under another hash): whether it ran is unknown. Refused once, so the user looks first.
    #[error(
        "the earlier attempt may have run under another transaction hash (its nonce was used and \
         no receipt of it was found): check the recipient's balance and the activity; asking \
         again sends it"
    )]
    DirectOutcomeUnknown,
    /// A spending limit a registration set on a class whose `__execute__` swallows a failed
    /// inner call (CHIPI v33) is not on chain as it was set: the session signs nothing.
    #[error(
        "the session's spending limit for token {token:#x} is not on chain as it was set: \
         nothing is signed with this session; revoke it and set up a new one"
    )]
    PolicyNotSet {
        /// The token whose policy is missing or different.
        token: starknet_core::types::Felt,
    },
    /// A gasless execution reported as failed was executed after all (its nonce is used on
    /// chain); it is not sent again.
    #[error("the earlier attempt was executed after all; it was not sent again")]
    AlreadyExecuted,
    /// A `SessionKeyData` JSON document that does not parse.
    #[error("invalid session data: {0}")]
    InvalidSessionData(String),
    /// A call that is malformed for what it claims to be.
    #[error("invalid call: {0}")]
    InvalidCall(String),
    /// The session is past its expiry.
    #[error("the session expired at {valid_until}")]
    SessionExpired {
        /// Expiry, unix seconds.
        valid_until: u64,
    },
    /// The session has no calls left.
    #[error("the session has no calls left")]
    CallsExhausted,
    /// A call to an entrypoint outside the session's allowlist.
    #[error("entrypoint {selector:#x} is not allowed for this session")]
    EntrypointNotAllowed {
        /// The selector refused.
        selector: starknet_core::types::Felt,
    },
    /// A spend over the session's spending policy.
    #[error("amount {amount} of {token:#x} is over the session's limit of {limit} per {per}")]
    SpendingLimit {
        /// The token whose limit it breaks.
        token: starknet_core::types::Felt,
        /// The amount asked for.
        amount: u128,
        /// What is left under the limit.
        limit: u128,
        /// `"call"` or `"window"`.
        per: &'static str,
    },
    /// A call that can move value on a contract the session has no spending policy for.
    #[error("the session has no spending limit for {contract:#x}; it cannot move value there")]
    NoSpendingPolicy {
        /// The token (or NFT) contract.
        contract: starknet_core::types::Felt,
    },
    /// An NFT transfer or operator approval: no spending limit can bound it, so a session
    /// cannot make it.
    #[error("entrypoint {selector:#x} moves NFTs or grants an operator; a session cannot call it")]
    UnboundedValueCall {
        /// The selector refused.
        selector: starknet_core::types::Felt,
    },
    /// A session may not call the account itself or nest an execute.
    #[error("a session cannot call the account itself or nest an execute")]
    PrivilegedCall,
    /// The session was never registered on chain.
    #[error("the session is not registered")]
    SessionNotRegistered,
    /// The session was revoked.
    #[error("the session was revoked")]
    SessionRevoked,
    /// The node answered with a JSON-RPC error.
    #[error("node error {code}: {message}")]
    Node {
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
    },
    /// Nothing is deployed at the wallet's address yet.
    #[error("the account is not deployed")]
    AccountNotDeployed,
    /// The transaction was not accepted within the polling bound.
    #[error("no receipt for {transaction_hash:#x} yet; it may still be accepted")]
    ReceiptTimeout {
        /// The transaction waited for.
        transaction_hash: starknet_core::types::Felt,
    },
    /// The transaction reverted or was refused in simulation, with the account's reason.
    #[error("transaction refused: {reason}")]
    Reverted {
        /// The transaction, when one was sent.
        transaction_hash: Option<starknet_core::types::Felt>,
        /// The revert reason.
        reason: String,
    },
    /// The transaction succeeded but an expected event is not in its receipt.
    #[error("transaction {transaction_hash:#x} succeeded without its expected {event} event")]
    EffectMissing {
        /// The transaction.
        transaction_hash: starknet_core::types::Felt,
        /// The event that is missing.
        event: &'static str,
    },
    /// Chipi's API refused, with its `{message, code}`.
    #[error("Chipi API refused ({code}, HTTP {status}): {message}")]
    ChipiApi {
        /// HTTP status.
        status: u16,
        /// The API's code, or `HTTP_<status>`.
        code: String,
        /// Its message.
        message: String,
    },
    /// The backend cannot do this.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// A setting that cannot be used (URL, network name, ...).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// The store of the session's sealed key (a keychain) failed; its error is the source.
    #[error("the session key could not be stored: {0}")]
    SecretStore(#[source] BoxError),

    /// The store of the session's public record (a preferences file) failed; its error is the
    /// source.
    #[error("the session could not be saved: {0}")]
    RecordStore(#[source] BoxError),
    /// The wallet's account class has no session support (READY / Argent, or unknown).
    #[error("this wallet does not support sessions (class {class_hash:#x})")]
    WalletUnsupported {
        /// The account's class hash.
        class_hash: starknet_core::types::Felt,
    },
    /// The address holds a contract that is not an account (it does not answer SRC-6).
    #[error("the contract at this address is not an account (class {class_hash:#x})")]
    NotAnAccount {
        /// The contract's class hash.
        class_hash: starknet_core::types::Felt,
    },
    /// A PIN must have 4 to 64 characters.
    #[error("a PIN has 4 to 64 characters")]
    InvalidPin,
    /// There is no session on this device.
    #[error("there is no session; create one first")]
    NoSession,
    /// The session is still active on chain: forgetting it needs the PIN (or revoke it first).
    #[error("the session is still active on chain; revoke it first, or confirm with the PIN")]
    SessionStillActive,
    /// An export passphrase shorter than 12 characters or equal to the PIN.
    #[error("the export passphrase needs 12 characters or more and must differ from the PIN")]
    WeakExportPassphrase,
    /// A session exists already; clear it first.
    #[error("a session already exists; clear it first")]
    SessionExists,
    /// A duration, expiry or call budget that cannot be used.
    #[error("invalid session parameters: {0}")]
    InvalidSessionParams(String),
    /// A spending limit that cannot be registered (no window, zero, per call above per window,
    /// two for one token).
    #[error("invalid spending limit: {0}")]
    InvalidSpendingPolicy(String),
    /// Not an address (hex felt).
    #[error("not a valid address: {0}")]
    InvalidAddress(String),
    /// Not an amount in the token's decimals.
    #[error("invalid amount: {0}")]
    InvalidAmount(String),
}

impl SessionError {
    /// The transaction this error is about, where one was sent (reverted, not confirmed in time,
    /// or confirmed without its effect): a failed line of the activity links to it.
    pub fn transaction_hash(&self) -> Option<starknet_core::types::Felt> {
        match self {
            SessionError::ReceiptTimeout { transaction_hash }
            | SessionError::EffectMissing {
                transaction_hash, ..
            } => Some(*transaction_hash),
            SessionError::Reverted {
                transaction_hash, ..
            } => *transaction_hash,
            _ => None,
        }
    }

    /// The SDK's error code for this error, where the SDK has one.
    pub fn sdk_code(&self) -> Option<&'static str> {
        Some(match self {
            SessionError::SessionExpired { .. } => "SESSION_EXPIRED",
            SessionError::CallsExhausted => "SESSION_MAX_CALLS_EXCEEDED",
            SessionError::EntrypointNotAllowed { .. } | SessionError::PrivilegedCall => {
                "SESSION_ENTRYPOINT_NOT_ALLOWED"
            }
            SessionError::SessionNotRegistered => "SESSION_NOT_REGISTERED",
            SessionError::SessionRevoked => "SESSION_REVOKED",
            SessionError::WrongPin
            | SessionError::MalformedCiphertext
            | SessionError::UnsupportedFormat(_) => "SESSION_DECRYPTION_FAILED",
            SessionError::InvalidResponse(_) => "SESSION_INVALID_RESPONSE",
            SessionError::SpendingLimit { .. }
            | SessionError::InvalidSpendingPolicy(_)
            | SessionError::NoSpendingPolicy { .. } => "INVALID_SPENDING_POLICY",
            SessionError::UnboundedValueCall { .. } => "SESSION_ENTRYPOINT_NOT_ALLOWED",
            SessionError::Random(_)
            | SessionError::InvalidKey
            | SessionError::InvalidSessionParams(_) => "SESSION_CREATION_FAILED",
            SessionError::WalletUnsupported { .. } | SessionError::NotAnAccount { .. } => {
                "INVALID_WALLET_TYPE_FOR_SESSION"
            }
            SessionError::Reverted { reason, .. } => return revert_code(reason),
            SessionError::Paymaster {
                data: Some(data),
                message,
                ..
            } => return revert_code(data).or_else(|| revert_code(message)),
            _ => return None,
        })
    }
}

/// The paymaster's own reason: its `data` when a plain string (a quota, a key, a fee cap), or the
/// `execution_error` of a refused execution when that is a string (a fee too low, a balance
/// that is zero); shown after the spec's words, as text, at most 160 characters of it.
fn reason(data: Option<&str>) -> String {
    let text = match data.map(serde_json::from_str::<serde_json::Value>) {
        Some(Ok(serde_json::Value::String(text))) => text,
        Some(Ok(serde_json::Value::Object(object))) => match object.get("execution_error") {
            Some(serde_json::Value::String(text)) => text.clone(),
            _ => return String::new(),
        },
        _ => return String::new(),
    };
    let text: String = text.chars().filter(|c| !c.is_control()).take(160).collect();
    if text.trim().is_empty() {
        String::new()
    } else {
        format!(" — {}", text.trim())
    }
}

/// How long a signature the paymaster refused stays usable, in words.
fn still_valid(seconds: Option<u64>) -> String {
    match seconds {
        None => String::new(),
        Some(0) => "; the signed transaction has expired".to_owned(),
        Some(s) if s < 120 => format!("; the signed transaction stays valid for {s} s more"),
        Some(s) => format!(
            "; the signed transaction stays valid for {} min {} s more",
            s / 60,
            s % 60
        ),
    }
}

/// A SNIP-29 error code in words (the spec's messages only repeat the code's name).
fn snip29_words(code: i64, message: &str) -> String {
    let words = match code {
        150 => "it does not serve this account",
        151 => "it does not take fees in this token",
        153 => "the signature is not valid",
        154 => "the fee is not covered (gas token balance or accepted maximum too low)",
        155 => "it does not support this account class",
        156 => "the transaction would fail",
        157 => "the time bounds are over",
        158 => "the deployment data is wrong",
        159 => "the class hash is not valid",
        160 => "it does not know this tracking id",
        163 => "it failed for a reason of its own",
        -32602 => "it could not read the request (invalid params)",
        -32601 => "it does not have this method",
        _ => return message.to_owned(),
    };
    words.to_owned()
}

/// The SDK code of an account's revert reason, where it names a session rule.
fn revert_code(reason: &str) -> Option<&'static str> {
    let codes = [
        ("Session: expired", "SESSION_EXPIRED"),
        ("Session: calls exhausted", "SESSION_MAX_CALLS_EXCEEDED"),
        (
            "Session: entrypoint not allowed",
            "SESSION_ENTRYPOINT_NOT_ALLOWED",
        ),
        (
            "Session: self call forbidden",
            "SESSION_ENTRYPOINT_NOT_ALLOWED",
        ),
        ("Session: nested execute", "SESSION_ENTRYPOINT_NOT_ALLOWED"),
        ("Session: not registered", "SESSION_NOT_REGISTERED"),
        ("Policy: over per-call limit", "INVALID_SPENDING_POLICY"),
        ("Policy: over window limit", "INVALID_SPENDING_POLICY"),
        ("Policy: no spending policy", "INVALID_SPENDING_POLICY"),
        (
            "Policy: NFT call not allowed",
            "SESSION_ENTRYPOINT_NOT_ALLOWED",
        ),
    ];
    codes
        .iter()
        .find(|(text, _)| reason.contains(text))
        .map(|(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transaction_an_error_is_about() {
        let hash = starknet_core::types::Felt::from(0xabc_u32);
        for (error, expected) in [
            (
                SessionError::ReceiptTimeout {
                    transaction_hash: hash,
                },
                Some(hash),
            ),
            (
                SessionError::EffectMissing {
                    transaction_hash: hash,
                    event: "active session status",
                },
                Some(hash),
            ),
            (
                SessionError::Reverted {
                    transaction_hash: Some(hash),
                    reason: "Policy: over".into(),
                },
                Some(hash),
            ),
            (
                SessionError::Reverted {
                    transaction_hash: None,
                    reason: "refused in simulation".into(),
                },
                None,
            ),
            (SessionError::WrongPin, None),
        ] {
            assert_eq!(error.transaction_hash(), expected, "{error}");
        }
    }

    #[test]
    fn a_paymasters_plain_reason_follows_the_spec_words() {
        let refused = |data: Option<&str>| {
            SessionError::Paymaster {
                code: 154,
                message: "An error occurred (MAX_AMOUNT_TOO_LOW)".into(),
                data: data.map(str::to_owned),
                signed_valid_for: None,
            }
            .to_string()
        };
        assert_eq!(
            refused(Some(
                "\"the transaction may cost 9 fri, over the sponsor's cap of 5\""
            )),
            "paymaster refused: the fee is not covered (gas token balance or accepted maximum too \
             low) — the transaction may cost 9 fri, over the sponsor's cap of 5 (154)"
        );
        assert!(refused(None).ends_with("too low) (154)"));
        // Structured data, control characters and floods are not shown as they are; a refused
        // execution's plain-text reason is.
        assert!(refused(Some("{\"execution_error\": {\"x\": 1}}")).ends_with("too low) (154)"));
        assert!(refused(Some("[1, 2]")).ends_with("too low) (154)"));
        assert!(refused(Some(
            "{\"execution_error\": \"max amount of gas token too low. Expected at least 0x2a\"}"
        ))
        .ends_with("too low) — max amount of gas token too low. Expected at least 0x2a (154)"));
        let long = format!("\"{}\\u0007\"", "a".repeat(500));
        let shown = refused(Some(&long));
        assert_eq!(
            shown.matches('a').count() - refused(None).matches('a').count(),
            160
        );
        assert!(!shown.contains('\u{7}'));
    }

    #[test]
    fn a_refusal_at_execute_says_how_long_the_signature_lasts() {
        let refused = |seconds| {
            SessionError::Paymaster {
                code: 156,
                message: "An error occurred (TRANSACTION_EXECUTION_ERROR)".into(),
                data: None,
                signed_valid_for: Some(seconds),
            }
            .to_string()
        };
        assert!(
            refused(295).ends_with("(156); the signed transaction stays valid for 4 min 55 s more")
        );
        assert!(refused(42).ends_with("valid for 42 s more"));
        assert!(refused(0).ends_with("has expired"));
    }
}
