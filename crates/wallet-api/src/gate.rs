//! The door's checks on a request's headers, before its body is read: the `Host` (this loopback
//! address, so a page cannot reach the API through a domain name rebound to 127.0.0.1), the
//! `Origin` (browsers set it and pages cannot forge it: the one the app was paired from) and the
//! pairing token (`Authorization: Bearer`, or for a browser's WebSocket, which cannot set
//! headers, a `Sec-WebSocket-Protocol` entry).

use axum::http::{header, HeaderMap};

use crate::backend::App;
use crate::error::ApiError;

/// The WebSocket subprotocol the server speaks (and answers with).
pub const SUBPROTOCOL: &str = "chipi-wallet-api";
/// A `Sec-WebSocket-Protocol` entry that carries the pairing token: this prefix, then the token.
pub const TOKEN_SUBPROTOCOL_PREFIX: &str = "chipi-token.";

/// `Host` must name this server by its loopback address or `localhost`, with its port.
pub fn check_host(headers: &HeaderMap, port: u16) -> Result<(), ApiError> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let ok = [format!("127.0.0.1:{port}"), format!("localhost:{port}")]
        .iter()
        .any(|allowed| host.eq_ignore_ascii_case(allowed));
    if ok {
        Ok(())
    } else {
        Err(ApiError::ForeignHost(host.chars().take(100).collect()))
    }
}

/// The request's `Origin`, if a browser sent one. `null` (a sandboxed frame, a file) names no
/// one the user could approve, so it is refused.
pub fn origin(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::ORIGIN) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::ForeignOrigin("not text".into()))?;
    let well_formed = (text.starts_with("https://") || text.starts_with("http://"))
        && text.len() <= 200
        && !text.contains(char::is_whitespace);
    if well_formed {
        Ok(Some(text.to_owned()))
    } else {
        Err(ApiError::ForeignOrigin(text.chars().take(100).collect()))
    }
}

/// A paired app's requests come from where it was paired: the same `Origin`, or none when it
/// paired from outside a browser (a page cannot use a script's token, nor a script a page's).
pub fn check_origin(app: &App, origin: Option<&str>) -> Result<(), ApiError> {
    if app.origin.as_deref() == origin {
        Ok(())
    } else {
        Err(ApiError::ForeignOrigin(
            origin.unwrap_or("(none)").chars().take(100).collect(),
        ))
    }
}

/// The pairing token a request presents, if any. An `Authorization` header that carries none
/// (another scheme, an empty token) is refused rather than read as no token.
pub fn token(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let text = value.to_str().map_err(|_| ApiError::NotPaired)?;
        let (scheme, token) = text.split_once(' ').ok_or(ApiError::NotPaired)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(ApiError::NotPaired);
        }
        return Ok(Some(token.to_owned()));
    }
    Ok(headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|p| p.trim().strip_prefix(TOKEN_SUBPROTOCOL_PREFIX))
        })
        .map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_this_loopback_host() {
        let ok = |h: &str| check_host(&headers(&[(header::HOST, h)]), 4100).is_ok();
        assert!(ok("127.0.0.1:4100"));
        assert!(ok("LOCALHOST:4100"));
        assert!(!ok("127.0.0.1:4101"), "another port is another service");
        assert!(!ok("evil.example:4100"), "a rebound name");
        assert!(!ok("127.0.0.1"), "no port");
        assert!(
            check_host(&HeaderMap::new(), 4100).is_err(),
            "no Host at all"
        );
    }

    #[test]
    fn origins_must_match_the_pairing() {
        let page = App {
            id: "a".into(),
            name: "Game".into(),
            origin: Some("https://game.example".into()),
        };
        let script = App {
            origin: None,
            ..page.clone()
        };
        assert!(check_origin(&page, Some("https://game.example")).is_ok());
        assert!(check_origin(&page, Some("https://evil.example")).is_err());
        assert!(check_origin(&page, None).is_err());
        assert!(check_origin(&script, None).is_ok());
        assert!(check_origin(&script, Some("https://game.example")).is_err());
        assert!(origin(&headers(&[(header::ORIGIN, "null")])).is_err());
        assert_eq!(origin(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn the_token_from_a_header_or_a_subprotocol() {
        let bearer = headers(&[(header::AUTHORIZATION, "Bearer cwp_ab")]);
        assert_eq!(token(&bearer).unwrap().as_deref(), Some("cwp_ab"));
        let lower = headers(&[(header::AUTHORIZATION, "bearer cwp_ab")]);
        assert_eq!(token(&lower).unwrap().as_deref(), Some("cwp_ab"));
        let ws = headers(&[(
            header::SEC_WEBSOCKET_PROTOCOL,
            "chipi-wallet-api, chipi-token.cwp_cd",
        )]);
        assert_eq!(token(&ws).unwrap().as_deref(), Some("cwp_cd"));
        assert_eq!(token(&HeaderMap::new()).unwrap(), None);
        let basic = headers(&[(header::AUTHORIZATION, "Basic eDp5")]);
        assert_eq!(
            token(&basic).unwrap_err(),
            ApiError::NotPaired,
            "another scheme is not no token"
        );
        let empty = headers(&[(header::AUTHORIZATION, "Bearer ")]);
        assert!(token(&empty).is_err());
    }
}
