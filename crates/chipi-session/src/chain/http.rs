//! Reading an HTTP answer from a service the wallet does not control: at most a bounded number
//! of bytes (a hostile or broken node, paymaster or API cannot fill the memory); a JSON-RPC
//! service that answers with a server error is named as unavailable, not as a malformed answer.

use crate::error::SessionError;

/// An HTTP client for a node, a paymaster or the Chipi API: `timeout` per request, and no
/// redirect followed (a redirect would carry the API key and signature headers to another host).
pub fn client(timeout: std::time::Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// How an error names the service at `url`: its host (and port) only. A provider's key often sits
/// in the path or the query (`/v3/KEY`, `?apikey=`), and errors reach the log and the screen.
pub fn host_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => "an address without a host".to_owned(),
        },
        Err(_) => "an address that is not a URL".to_owned(),
    }
}

/// The most read from a node: a page of events or a block's transaction hashes fit many times.
pub const MAX_NODE_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The most read from a paymaster or the Chipi API: typed data for a few dozen calls fits many
/// times.
pub const MAX_SERVICE_RESPONSE_BYTES: usize = 1024 * 1024;

/// The body of a JSON-RPC answer from `service` (a node, a paymaster: both answer errors with
/// HTTP 200), refused when the status is a server error; else as [`read_bounded`].
pub async fn read_rpc_answer(
    response: reqwest::Response,
    service: &str,
    limit: usize,
) -> Result<Vec<u8>, SessionError> {
    let status = response.status();
    if status.is_server_error() {
        return Err(SessionError::Unavailable {
            service: service.to_owned(),
            status: status.as_u16(),
        });
    }
    read_bounded(response, service, limit).await
}

/// The body of `response` from `service`, refused past `limit` bytes (read chunk by chunk, so
/// no more than the limit and one chunk is ever held).
pub async fn read_bounded(
    mut response: reqwest::Response,
    service: &str,
    limit: usize,
) -> Result<Vec<u8>, SessionError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large(service, limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| SessionError::Network {
        context: service.to_owned(),
        source: e.without_url(),
    })? {
        if body.len() + chunk.len() > limit {
            return Err(too_large(service, limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large(service: &str, limit: usize) -> SessionError {
    SessionError::InvalidResponse(format!("{service}: the answer is over {limit} bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-shot HTTP server answering `head` then `body` written in pieces of 1 KiB.
    async fn serve(head: String, body: Vec<u8>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            socket.write_all(head.as_bytes()).await.unwrap();
            for piece in body.chunks(1024) {
                if socket.write_all(piece).await.is_err() {
                    return;
                }
            }
        });
        url
    }

    async fn get(url: &str) -> reqwest::Response {
        reqwest::Client::new().get(url).send().await.unwrap()
    }

    #[tokio::test]
    async fn answers_are_read_up_to_the_limit_only() {
        let small = serve(
            "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n".into(),
            b"hello".to_vec(),
        )
        .await;
        assert_eq!(
            read_bounded(get(&small).await, "node", 5).await.unwrap(),
            b"hello"
        );

        // Declared too long: refused before reading.
        let declared = serve(
            "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n".into(),
            vec![b'x'; 100_000],
        )
        .await;
        let refused = read_bounded(get(&declared).await, "node", 4096).await;
        assert!(
            matches!(&refused, Err(SessionError::InvalidResponse(m)) if m.contains("over 4096 bytes")),
            "{refused:?}"
        );

        // No length given (read until the connection closes): stopped once past the limit.
        let endless = serve(
            "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".into(),
            vec![b'x'; 1_000_000],
        )
        .await;
        let refused = read_bounded(get(&endless).await, "paymaster", 8192).await;
        assert!(
            matches!(&refused, Err(SessionError::InvalidResponse(m)) if m.starts_with("paymaster")),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn a_server_error_is_an_unavailable_service() {
        let down = serve(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n".into(),
            vec![],
        )
        .await;
        let answer = read_rpc_answer(get(&down).await, "paymaster", 1024).await;
        assert!(
            matches!(&answer, Err(SessionError::Unavailable { service, status: 503 }) if service == "paymaster"),
            "{answer:?}"
        );
        assert!(answer.unwrap_err().to_string().contains("try again later"));
    }

    #[test]
    fn a_service_is_named_by_its_host_only() {
        assert_eq!(
            host_of("https://rpc.example.org/v3/SECRETKEY?apikey=K2"),
            "rpc.example.org"
        );
        assert_eq!(host_of("http://127.0.0.1:5050/rpc"), "127.0.0.1:5050");
        assert_eq!(
            host_of("not a url SECRETKEY"),
            "an address that is not a URL"
        );
    }

    #[tokio::test]
    async fn a_node_failure_keeps_its_cause_and_not_its_url() {
        use std::error::Error as _;
        // A port nothing listens on: the connection is refused.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let node = crate::chain::node_client::NodeClient::new(format!(
            "http://127.0.0.1:{port}/rpc/v0_9/SECRETKEY"
        ));
        let error = node.chain_id().await.unwrap_err();
        assert!(matches!(error, SessionError::Network { .. }), "{error:?}");
        let mut words = vec![error.to_string()];
        let mut refused = false;
        let mut next = error.source();
        while let Some(cause) = next {
            words.push(cause.to_string());
            refused |= cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
            next = cause.source();
        }
        assert!(
            words.len() >= 3,
            "the HTTP client's causes are kept: {words:?}"
        );
        assert!(refused, "the OS's refusal is at the bottom: {words:?}");
        assert!(words[0].contains(&format!("127.0.0.1:{port}")), "{words:?}");
        assert!(!words.iter().any(|w| w.contains("SECRETKEY")), "{words:?}");
    }
}
