use serde_json::{json, Value};

/// Why the sponsor refused a request; each maps to the code, message and data the public
/// paymaster (AVNU's server) answers with (protocol.md §5): JSON-RPC's own codes for requests it
/// cannot read, SNIP-29's 150–163 for the rest, every execution-layer refusal as 156 with its
/// `execution_error`, and HTTP 200 throughout but for this sponsor's own guards.
#[derive(Debug, thiserror::Error)]
pub enum SponsorError {
    /// The body is not JSON-RPC.
    #[error("Parse error")]
    Parse,
    /// Unknown method (`paymaster_trackingIdToLatestHash` among them: the public server has
    /// none).
    #[error("Method not found")]
    MethodNotFound,
    /// Params of the wrong shape: serde's reason, with where.
    #[error("Invalid params")]
    InvalidParams(String),
    /// The user address is not served (not allowed, not deployed).
    #[error("An error occurred (INVALID_ADDRESS)")]
    InvalidAddress,
    /// A fee mode other than sponsored, or another gas token.
    #[error("An error occurred (TOKEN_NOT_SUPPORTED)")]
    TokenNotSupported,
    /// The signature does not verify.
    #[error("An error occurred (INVALID_SIGNATURE)")]
    InvalidSignature,
    /// The account's class is not one this sponsor serves.
    #[error("An error occurred (CLASS_HASH_NOT_SUPPORTED)")]
    ClassHashNotSupported,
    /// The execution layer refused (simulation failed, fee too low, typed data unreadable): its
    /// reason goes in `execution_error`.
    #[error("An error occurred (TRANSACTION_EXECUTION_ERROR)")]
    Execution(String),
    /// Time bounds that are already over, not begun or inverted (156, as the public server).
    #[error("An error occurred (TRANSACTION_EXECUTION_ERROR)")]
    InvalidTimeBounds,
    /// Deployment data that does not give the stated address.
    #[error("An error occurred (INVALID_DEPLOYMENT_DATA)")]
    InvalidDeploymentData,
    /// A sponsored request without the configured API key: HTTP 200, 163, as the public
    /// server answers it.
    #[error("An error occurred (UNKNOWN_ERROR)")]
    ApiKey,
    /// Anything else (the node is down, ...). The detail is for the operator's log only: the
    /// answer carries none of it.
    #[error("An error occurred (UNKNOWN_ERROR)")]
    Unknown(String),
    /// A request a web page could have sent (it carries an `Origin` header): HTTP 403.
    #[error("invalid request: cross-origin requests are refused")]
    CrossOrigin,
    /// A body that is not declared `application/json`: HTTP 415.
    #[error("invalid request: the content type must be application/json")]
    ContentType,
    /// A body over the size limit: HTTP 413.
    #[error("invalid request: the body is over {0} bytes")]
    TooLarge(usize),
    /// The account used up its transactions for the hour: HTTP 429.
    #[error("An error occurred (UNKNOWN_ERROR)")]
    Quota(u32),
    /// The relayer's spending in the window would pass the sponsor's budget: HTTP 429.
    #[error("An error occurred (UNKNOWN_ERROR)")]
    Budget,
    /// The same deployment or outside execution was sent already.
    #[error("An error occurred (TRANSACTION_EXECUTION_ERROR)")]
    AlreadySent,
    /// The relayer would pay more than the sponsor's cap for one transaction.
    #[error("An error occurred (MAX_AMOUNT_TOO_LOW)")]
    FeeOverCap {
        /// What the transaction may cost, in fri.
        fee: u128,
        /// The cap, in fri.
        cap: u128,
    },
}

impl SponsorError {
    /// The HTTP status the answer carries: 200 (also for a missing or wrong API key, as the
    /// public server), but for this sponsor's own guards (pages, content type, size, quotas).
    pub fn http_status(&self) -> u16 {
        match self {
            SponsorError::CrossOrigin => 403,
            SponsorError::TooLarge(_) => 413,
            SponsorError::ContentType => 415,
            SponsorError::Quota(_) | SponsorError::Budget => 429,
            _ => 200,
        }
    }

    /// The JSON-RPC error code.
    pub fn code(&self) -> i64 {
        match self {
            SponsorError::Parse => -32700,
            SponsorError::MethodNotFound => -32601,
            SponsorError::InvalidParams(_) => -32602,
            SponsorError::InvalidAddress => 150,
            SponsorError::TokenNotSupported => 151,
            SponsorError::InvalidSignature => 153,
            SponsorError::ClassHashNotSupported => 155,
            SponsorError::Execution(_) => 156,
            SponsorError::InvalidTimeBounds => 156,
            SponsorError::InvalidDeploymentData => 158,
            SponsorError::ApiKey => 163,
            SponsorError::FeeOverCap { .. } => 154,
            SponsorError::Unknown(_) | SponsorError::Quota(_) | SponsorError::Budget => 163,
            SponsorError::AlreadySent => 156,
            SponsorError::CrossOrigin | SponsorError::ContentType | SponsorError::TooLarge(_) => {
                -32600
            }
        }
    }

    /// The JSON-RPC error object.
    pub fn to_json(&self) -> Value {
        let mut error = json!({"code": self.code(), "message": self.to_string()});
        match self {
            SponsorError::Execution(trace) => error["data"] = json!({"execution_error": trace}),
            SponsorError::InvalidParams(detail) => error["data"] = json!(detail),
            SponsorError::InvalidTimeBounds => {
                error["data"] = json!({"execution_error": "invalid time bounds"})
            }
            SponsorError::ApiKey => error["data"] = json!("x-paymaster-api-key is invalid"),
            SponsorError::Quota(per_hour) => {
                error["data"] = json!(format!(
                    "quota: this account's {per_hour} transactions an hour are used up"
                ))
            }
            SponsorError::Budget => {
                error["data"] = json!("quota: the sponsor's spending for this hour is used up")
            }
            SponsorError::AlreadySent => {
                error["data"] = json!({"execution_error": "this transaction was sent already"})
            }
            SponsorError::FeeOverCap { fee, cap } => {
                error["data"] = json!(format!(
                    "the transaction may cost {fee} fri, over the sponsor's cap of {cap}"
                ))
            }
            _ => {}
        }
        error
    }
}
