//! starknet-rs's JSON-RPC transport over the wallet's own HTTP client, for the paths that use
//! starknet-rs (the direct INVOKE): a timeout per request, no redirect followed, the answer read
//! up to [`MAX_NODE_RESPONSE_BYTES`] and a server error named as such, as every other request to
//! a node.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use starknet_providers::jsonrpc::{JsonRpcMethod, JsonRpcResponse, JsonRpcTransport};
use starknet_providers::ProviderRequestData;

use crate::chain::http::{client, read_rpc_answer, MAX_NODE_RESPONSE_BYTES};
use crate::error::SessionError;

/// A node's endpoint, reached through the hardened client.
#[derive(Debug, Clone)]
pub struct BoundedTransport {
    http: reqwest::Client,
    url: String,
}

/// Why a request through [`BoundedTransport`] failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The node could not be reached, answered a server error or too much.
    #[error(transparent)]
    Node(#[from] SessionError),
    /// The answer is not JSON-RPC.
    #[error("node: the answer does not parse: {0}")]
    Json(#[from] serde_json::Error),
    /// Batches are not sent this way (the direct path sends single requests).
    #[error("node: batched requests are not sent through this transport")]
    Batch,
}

#[derive(Serialize)]
struct Request<P> {
    id: u64,
    jsonrpc: &'static str,
    method: JsonRpcMethod,
    params: P,
}

impl BoundedTransport {
    /// The node at `url`, each request given up after `timeout`.
    pub fn new(url: impl Into<String>, timeout: std::time::Duration) -> Self {
        Self {
            http: client(timeout),
            url: url.into(),
        }
    }
}

#[async_trait]
impl JsonRpcTransport for BoundedTransport {
    type Error = TransportError;

    async fn send_request<P, R>(
        &self,
        method: JsonRpcMethod,
        params: P,
    ) -> Result<JsonRpcResponse<R>, Self::Error>
    where
        P: Serialize + Send,
        R: DeserializeOwned + Send,
    {
        let body = serde_json::to_vec(&Request {
            id: 1,
            jsonrpc: "2.0",
            method,
            params,
        })?;
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| SessionError::Network {
                context: format!("node at {}", super::http::host_of(&self.url)),
                source: e.without_url(),
            })?;
        let body = read_rpc_answer(response, "node", MAX_NODE_RESPONSE_BYTES).await?;
        Ok(serde_json::from_slice(&body)?)
    }

    async fn send_requests<R>(
        &self,
        _requests: R,
    ) -> Result<Vec<JsonRpcResponse<serde_json::Value>>, Self::Error>
    where
        R: AsRef<[ProviderRequestData]> + Send + Sync,
    {
        Err(TransportError::Batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server answering every connection with `head` and `body`; counts connections.
    async fn serve(head: String, body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/rpc", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let mut request = [0u8; 8192];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(head.as_bytes()).await;
                for piece in body.chunks(64 * 1024) {
                    if socket.write_all(piece).await.is_err() {
                        break;
                    }
                }
            }
        });
        (url, hits)
    }

    async fn chain_id(
        transport: &BoundedTransport,
    ) -> Result<JsonRpcResponse<String>, TransportError> {
        transport
            .send_request(JsonRpcMethod::ChainId, serde_json::json!([]))
            .await
    }

    #[tokio::test]
    async fn the_direct_paths_transport_is_hardened() {
        let answer = br#"{"jsonrpc":"2.0","id":1,"result":"0x534e5f5345504f4c4941"}"#;
        let (good, good_hits) = serve(
            format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                answer.len()
            ),
            answer.to_vec(),
        )
        .await;
        let second = std::time::Duration::from_secs(1);
        let read = chain_id(&BoundedTransport::new(good.clone(), second)).await;
        assert!(
            matches!(read, Ok(JsonRpcResponse::Success { ref result, .. }) if result == "0x534e5f5345504f4c4941"),
            "{read:?}"
        );

        // A redirect is not followed (it would take the request elsewhere).
        let (redirect, _) = serve(
            format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {good}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
            vec![],
        )
        .await;
        assert!(chain_id(&BoundedTransport::new(redirect, second))
            .await
            .is_err());
        assert_eq!(
            good_hits.load(Ordering::SeqCst),
            1,
            "only the direct request reached it"
        );

        // An answer past the bound is refused, read no further.
        let (flood, _) = serve(
            "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".into(),
            vec![b' '; MAX_NODE_RESPONSE_BYTES + 1024],
        )
        .await;
        let refused = chain_id(&BoundedTransport::new(
            flood,
            std::time::Duration::from_secs(10),
        ))
        .await;
        assert!(
            matches!(&refused, Err(TransportError::Node(SessionError::InvalidResponse(m))) if m.contains("over")),
            "{refused:?}"
        );

        // A node that never answers is given up after the timeout.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent = format!("http://{}/rpc", listener.local_addr().unwrap());
        let refused = chain_id(&BoundedTransport::new(
            silent,
            std::time::Duration::from_millis(300),
        ))
        .await;
        assert!(
            matches!(
                refused,
                Err(TransportError::Node(SessionError::Network { .. }))
            ),
            "{refused:?}"
        );
        drop(listener);
    }
}
