//! The JSON-RPC exchange with a paymaster: requests by name, and its errors in words.

use super::*;

pub(super) fn wire_calls(calls: &[Call]) -> Vec<WireCall> {
    calls.iter().map(WireCall::from).collect()
}

pub(super) fn invoke_params(
    account: Felt,
    calls: &[Call],
    fee: FeeMode,
    time_bounds: Option<TimeBounds>,
) -> TransactionParams<UserTransaction> {
    TransactionParams {
        transaction: UserTransaction::Invoke {
            invoke: UserInvoke {
                user_address: account,
                calls: wire_calls(calls),
            },
        },
        parameters: ExecutionParameters::new(fee.to_wire(), time_bounds),
    }
}

/// Whether a JSON-RPC error from a paymaster is about its API key: HTTP 200 with code 163 and
/// a reason naming the key (the public server's answer to a missing or wrong key).
fn names_the_api_key(code: i64, data: Option<&Value>) -> bool {
    code == 163
        && data
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .is_some_and(|reason| reason.contains("api-key") || reason.contains("api key"))
}

impl PaymasterClient {
    pub(super) async fn call<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: Option<P>,
    ) -> Result<R, SessionError> {
        self.call_with(method, params, None).await
    }

    /// One JSON-RPC request (params by name, or none), with one more header.
    pub(super) async fn call_with<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: Option<P>,
        header: Option<(&str, &str)>,
    ) -> Result<R, SessionError> {
        let body = Request {
            jsonrpc: "2.0",
            id: 1,
            method,
            params,
        };
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.post(&self.url).json(&body);
        if let Some(key) = &self.api_key {
            request = request.header(API_KEY_HEADER, key.0.as_str());
        }
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let started = std::time::Instant::now();
        let response = request.send().await.map_err(|e| SessionError::Network {
            context: format!("paymaster {method}"),
            source: e.without_url(),
        })?;
        tracing::debug!(
            method,
            status = response.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "paymaster answered"
        );
        if matches!(response.status().as_u16(), 401 | 403) {
            return Err(SessionError::PaymasterApiKey {
                key_sent: self.api_key.is_some(),
            });
        }
        let body = read_rpc_answer(response, "paymaster", MAX_SERVICE_RESPONSE_BYTES).await?;
        let answer: Response<R> = serde_json::from_slice(&body)
            .map_err(|e| SessionError::InvalidResponse(format!("paymaster {method}: {e}")))?;
        if let Some(error) = answer.error {
            if names_the_api_key(error.code, error.data.as_ref()) {
                return Err(SessionError::PaymasterApiKey {
                    key_sent: self.api_key.is_some(),
                });
            }
            return Err(SessionError::Paymaster {
                code: error.code,
                message: error.message,
                data: error.data.as_ref().map(Value::to_string),
                signed_valid_for: None,
            });
        }
        answer
            .result
            .ok_or_else(|| SessionError::InvalidResponse(format!("paymaster {method}: no result")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_163_naming_the_api_key_is_a_key_problem() {
        assert!(names_the_api_key(
            163,
            Some(&json!("x-paymaster-api-key is invalid"))
        ));
        assert!(names_the_api_key(163, Some(&json!("Invalid API key"))));
        assert!(!names_the_api_key(
            163,
            Some(&json!("service not available"))
        ));
        assert!(!names_the_api_key(
            156,
            Some(&json!("x-paymaster-api-key is invalid"))
        ));
        assert!(!names_the_api_key(163, None));
    }
}
