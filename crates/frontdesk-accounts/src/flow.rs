//! The authorization answer coming back from the browser: parsing it, matching it to the flow
//! that asked, and the loopback listener (RFC 8252 §7.3) that receives it.
//!
//! The listener binds 127.0.0.1 only, on a port the system picks. A request that is not the
//! answer it waits for (another path, another `state`, no code) gets an error page and the
//! listener keeps waiting until the flow expires: another program on the machine must not be
//! able to cancel someone's sign-in by knocking on the port.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// How long a connect flow waits for the browser.
pub const FLOW_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// The path the loopback redirect uses.
pub const CALLBACK_PATH: &str = "/callback";
/// The most of a request the listener reads.
const MAX_REQUEST_BYTES: usize = 8 * 1024;

/// The parameters of an authorization answer that the app reads; everything else (`iss`,
/// `session_state`...) is ignored.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct CallbackParams {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

impl std::fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackParams")
            .field("state", &self.state.as_ref().map(|_| "[redacted]"))
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("error", &self.error)
            .finish()
    }
}

impl CallbackParams {
    /// Reads the parameters from a query string (without the `?`).
    pub fn from_query(query: &str) -> CallbackParams {
        let mut params = CallbackParams::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "state" => &mut params.state,
                "code" => &mut params.code,
                "error" => &mut params.error,
                _ => continue,
            };
            // A repeated parameter is ambiguous: keep the first, as the flow would.
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        params
    }

    /// The provider's error code, made safe to show (a short printable word).
    pub fn error_code(&self) -> Option<String> {
        self.error.as_ref().map(|e| {
            e.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect::<String>()
        })
    }
}

/// A loopback listener for one flow.
pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    /// Binds 127.0.0.1 on a port the system picks.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback { listener, port })
    }

    /// The redirect URI to register the flow with.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits for the answer carrying `state`, answering every other request with an error page.
    /// Returns the answer's parameters and the open connection, so the caller can tell the
    /// browser how it went. `None` when nothing came before `deadline`.
    pub async fn wait(
        &self,
        state: &str,
        deadline: tokio::time::Instant,
    ) -> Option<(CallbackParams, TcpStream)> {
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept()).await.ok()?;
            let Ok((mut stream, _peer)) = accepted else { continue };
            let target = match tokio::time::timeout(Duration::from_secs(5), read_target(&mut stream)).await {
                Ok(Some(target)) => target,
                _ => {
                    respond(&mut stream, 400, "Frontdesk could not read that request.").await;
                    continue;
                }
            };
            match match_answer(&target, state) {
                Ok(params) => return Some((params, stream)),
                Err(reason) => respond(&mut stream, 400, reason).await,
            }
        }
    }
}

/// Checks a request target (`/callback?code=...&state=...`) against the flow's `state`.
fn match_answer(target: &str, state: &str) -> Result<CallbackParams, &'static str> {
    let url = Url::parse(&format!("http://127.0.0.1{target}"))
        .map_err(|_| "Frontdesk could not read that request.")?;
    if url.path() != CALLBACK_PATH {
        return Err("This is not an address Frontdesk answers.");
    }
    let params = CallbackParams::from_query(url.query().unwrap_or(""));
    if params.state.as_deref() != Some(state) {
        return Err("This is not the sign-in answer Frontdesk is waiting for. Go back to Frontdesk and start again if needed.");
    }
    if params.code.is_none() && params.error.is_none() {
        return Err("This sign-in answer has no authorization code. Go back to Frontdesk and start again.");
    }
    Ok(params)
}

/// Reads the request line and returns its target; `None` when it is not a plain GET.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 || buffer.len() + read > MAX_REQUEST_BYTES {
            break;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let head = std::str::from_utf8(&buffer).ok()?;
    let mut parts = head.lines().next()?.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_owned()),
        _ => None,
    }
}

/// Writes a small page and closes the connection.
pub async fn respond(stream: &mut TcpStream, status: u16, message: &str) {
    let reason = if status == 200 { "OK" } else { "Bad Request" };
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Frontdesk</title>\
         <body style=\"font:18px system-ui;margin:3rem\"><h1>Frontdesk</h1><p>{}</p></body></html>",
        escape(message)
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_flows_answer_matches() {
        let ok = match_answer("/callback?code=c1&state=s1&iss=http%3A%2F%2Fx", "s1").unwrap();
        assert_eq!(ok.code.as_deref(), Some("c1"));
        let denied = match_answer("/callback?error=access_denied&state=s1", "s1").unwrap();
        assert_eq!(denied.error_code().as_deref(), Some("access_denied"));
        assert!(match_answer("/callback?code=c1&state=other", "s1").is_err());
        assert!(match_answer("/callback?code=c1", "s1").is_err());
        assert!(match_answer("/callback?state=s1", "s1").is_err());
        assert!(match_answer("/favicon.ico", "s1").is_err());
    }

    #[test]
    fn debug_hides_code_and_state() {
        let p = CallbackParams::from_query("code=secret-code&state=secret-state");
        let shown = format!("{p:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[tokio::test]
    async fn a_wrong_request_does_not_end_the_wait() {
        let loopback = Loopback::bind().await.unwrap();
        let port = loopback.port;
        let knock = tokio::spawn(async move {
            let get = |target: &'static str| async move {
                let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).await.unwrap();
                out
            };
            let wrong = get("/callback?code=x&state=forged").await;
            assert!(wrong.starts_with("HTTP/1.1 400"), "{wrong}");
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            s.write_all(b"GET /callback?code=real&state=s1 HTTP/1.1\r\n\r\n").await.unwrap();
            s
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let (params, _stream) = loopback.wait("s1", deadline).await.unwrap();
        assert_eq!(params.code.as_deref(), Some("real"));
        knock.await.unwrap();
    }
}
