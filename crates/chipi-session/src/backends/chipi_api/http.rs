//! The HTTP exchange with Chipi's API: the headers, the bearer token refreshed once on a 401,
//! and the answers read within their size bound.

use super::*;

impl ChipiApiClient {
    pub(super) fn bearer(&self) -> Option<zeroize::Zeroizing<String>> {
        self.bearer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A new bearer token from the source, kept for the next requests; `false` without one.
    pub(super) async fn refresh_bearer(&self) -> Result<bool, SessionError> {
        let Some(source) = self.bearer_source.clone() else {
            return Ok(false);
        };
        let token = tokio::task::spawn_blocking(move || source())
            .await
            .map_err(|e| SessionError::InvalidConfig(format!("bearer token source: {e}")))??;
        *self
            .bearer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(zeroize::Zeroizing::new(token));
        Ok(true)
    }

    /// Sends the request `build` makes; after a 401, once, with a fresh bearer token.
    pub(super) async fn send_refreshing(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        endpoint: &str,
    ) -> Result<Option<Value>, SessionError> {
        match self.send(build(), endpoint).await {
            Err(SessionError::ChipiApi { status: 401, .. }) if self.refresh_bearer().await? => {
                self.send(build(), endpoint).await
            }
            other => other,
        }
    }

    pub(super) fn request(
        &self,
        method: reqwest::Method,
        endpoint: &str,
    ) -> reqwest::RequestBuilder {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}{}", self.base_url, endpoint);
        let mut request = self
            .http
            .request(method, url)
            .query(&[("__chipi_api_version", CHIPI_API_VERSION)])
            .header("Content-Type", "application/json")
            .header("x-api-key", &self.api_key);
        if let Some(token) = self.bearer() {
            request = request.header("Authorization", format!("Bearer {}", token.as_str()));
        }
        request
    }

    pub(super) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        endpoint: &str,
    ) -> Result<Option<Value>, SessionError> {
        let started = std::time::Instant::now();
        let response = request.send().await.map_err(|e| SessionError::Network {
            context: format!("Chipi API {endpoint}"),
            source: e.without_url(),
        })?;
        let status = response.status();
        tracing::debug!(
            endpoint,
            status = status.as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "Chipi API answered"
        );
        let body = read_bounded(response, "Chipi API", MAX_SERVICE_RESPONSE_BYTES).await?;
        let text = String::from_utf8_lossy(&body);
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let value: Value = serde_json::from_str(&text).map_err(|_| {
            SessionError::InvalidResponse(format!("Chipi API {endpoint}: not JSON (HTTP {status})"))
        })?;
        if !status.is_success() {
            // A refusal in another shape keeps its status.
            let refusal: super::wire::Refusal =
                super::wire::read(&value, endpoint).unwrap_or_default();
            return Err(SessionError::ChipiApi {
                status: status.as_u16(),
                code: refusal
                    .code()
                    .unwrap_or_else(|| format!("HTTP_{}", status.as_u16())),
                message: refusal.message().unwrap_or_default().to_owned(),
            });
        }
        Ok(Some(value))
    }

    pub(super) async fn post<B: Serialize + Sync>(
        &self,
        endpoint: &str,
        body: &B,
    ) -> Result<Value, SessionError> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| SessionError::InvalidCall(e.to_string()))?;
        let build = || {
            self.request(reqwest::Method::POST, endpoint)
                .body(bytes.clone())
        };
        self.send_refreshing(build, endpoint)
            .await?
            .ok_or_else(|| SessionError::ChipiApi {
                status: 404,
                code: "HTTP_404".into(),
                message: "not found".into(),
            })
    }
}
