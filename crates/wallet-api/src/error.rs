//! The one error of the wallet API, with the code each variant answers with: the Starknet wallet
//! API's codes (`wallet_*` methods' errors) and JSON-RPC 2.0's own (a body that is not a call).

use serde_json::{json, Value};

/// Why a request got no result. The text after the colon of each message goes to the client as
/// the error's `data`: it never holds a secret (a token, a key, a PIN).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON.
    #[error("parse error")]
    Parse,
    /// JSON, but not a JSON-RPC 2.0 call (no method, a wrong `jsonrpc`).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No such method.
    #[error("method not found: {0}")]
    MethodNotFound(String),
    /// The method's parameters are missing or malformed (`INVALID_REQUEST_PAYLOAD`).
    #[error("invalid request payload: {0}")]
    InvalidPayload(String),
    /// The request carries no pairing token, or one no paired app holds (`USER_REFUSED_OP`: the
    /// user never approved this caller). HTTP 401.
    #[error("not paired: connect and have the user approve this app first")]
    NotPaired,
    /// A browser's `Origin` other than the one the app was paired from (or one where the app was
    /// paired without). HTTP 403.
    #[error("origin not allowed: {0}")]
    ForeignOrigin(String),
    /// The `Host` header is not this loopback address (a page reaching 127.0.0.1 through a
    /// rebound domain name). HTTP 403.
    #[error("host not allowed: {0}")]
    ForeignHost(String),
    /// The caller's request rate is over its limit. HTTP 429.
    #[error("too many requests: retry in {retry_after_secs} s")]
    TooManyRequests {
        /// Seconds until one more request is accepted.
        retry_after_secs: u64,
    },
    /// The user said no, or the app's session does not allow it and the user was not asked
    /// (`USER_REFUSED_OP`). The reason names what was refused (an entrypoint, a limit).
    #[error("refused: {0}")]
    Refused(String),
    /// `api_version` names a version this wallet does not speak (`API_VERSION_NOT_SUPPORTED`).
    #[error("api version not supported: {0}")]
    ApiVersion(String),
    /// The chain asked for is not the wallet's (`CHAIN_ID_NOT_SUPPORTED`).
    #[error("chain not supported: {0}")]
    ChainNotSupported(String),
    /// The account is deployed already (`ACCOUNT_ALREADY_DEPLOYED`).
    #[error("account already deployed")]
    AlreadyDeployed,
    /// The wallet cannot give its deployment data (`DEPLOYMENT_DATA_NOT_AVAILABLE`).
    #[error("deployment data not available: {0}")]
    DeploymentDataNotAvailable(String),
    /// Anything else (`UNKNOWN_ERROR`): a node down, a paymaster refusing, the wallet locked.
    #[error("failed: {0}")]
    Unknown(String),
}

impl ApiError {
    /// The error's `code` on the wire.
    pub fn code(&self) -> i64 {
        match self {
            Self::Parse => -32700,
            Self::InvalidRequest(_) => -32600,
            Self::MethodNotFound(_) => -32601,
            Self::InvalidPayload(_) => 114,
            Self::NotPaired | Self::ForeignOrigin(_) | Self::ForeignHost(_) | Self::Refused(_) => {
                113
            }
            Self::ApiVersion(_) => 162,
            Self::ChainNotSupported(_) => 117,
            Self::AlreadyDeployed => 115,
            Self::DeploymentDataNotAvailable(_) => 116,
            Self::TooManyRequests { .. } | Self::Unknown(_) => 163,
        }
    }

    /// The spec's name of the code, which its `message` carries.
    fn name(&self) -> &'static str {
        match self.code() {
            -32700 => "Parse error",
            -32600 => "Invalid Request",
            -32601 => "Method not found",
            114 => "An error occurred (INVALID_REQUEST_PAYLOAD)",
            113 => "An error occurred (USER_REFUSED_OP)",
            162 => "An error occurred (API_VERSION_NOT_SUPPORTED)",
            117 => "An error occurred (CHAIN_ID_NOT_SUPPORTED)",
            115 => "An error occurred (ACCOUNT_ALREADY_DEPLOYED)",
            116 => "An error occurred (DEPLOYMENT_DATA_NOT_AVAILABLE)",
            _ => "An error occurred (UNKNOWN_ERROR)",
        }
    }

    /// The HTTP status a refusal at the door answers with (200 for a method's own errors, as
    /// JSON-RPC over HTTP has it).
    pub fn http_status(&self) -> u16 {
        match self {
            Self::NotPaired => 401,
            Self::ForeignOrigin(_) | Self::ForeignHost(_) => 403,
            Self::TooManyRequests { .. } => 429,
            Self::Parse | Self::InvalidRequest(_) => 400,
            _ => 200,
        }
    }

    /// The JSON-RPC error object: `code`, the spec's `message`, and what went wrong as `data`.
    pub fn to_json(&self) -> Value {
        json!({"code": self.code(), "message": self.name(), "data": self.to_string()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_specs() {
        // starknet_wallet_api.json's components/errors.
        assert_eq!(ApiError::InvalidPayload(String::new()).code(), 114);
        assert_eq!(ApiError::NotPaired.code(), 113);
        assert_eq!(ApiError::Refused(String::new()).code(), 113);
        assert_eq!(ApiError::ApiVersion(String::new()).code(), 162);
        assert_eq!(ApiError::ChainNotSupported(String::new()).code(), 117);
        assert_eq!(ApiError::AlreadyDeployed.code(), 115);
        assert_eq!(
            ApiError::DeploymentDataNotAvailable(String::new()).code(),
            116
        );
        assert_eq!(ApiError::Unknown(String::new()).code(), 163);
        let refused = ApiError::Refused("transfer over the limit".into()).to_json();
        assert_eq!(refused["message"], "An error occurred (USER_REFUSED_OP)");
        assert_eq!(refused["data"], "refused: transfer over the limit");
    }
}
