//! Minimal HTTP/1.x framing: when a request head is complete (server side), and when a
//! response is complete (client side: Content-Length, chunked, or until close).

use super::Failure;

/// The most header lines we parse in a head.
const MAX_HEADERS: usize = 64;

/// The request line, once the whole request head has arrived (parsed by `httparse`): up to
/// the empty line that ends it, with CRLF or bare LF line endings (RFC 9112 section 2.2
/// lets a recipient take a bare LF as a line terminator). A client may send its request in
/// parts; answering at the end of the first line would leave its header lines unread.
/// `Ok(None)`: more is needed; a malformed head is an error.
pub fn request_head(received: &[u8]) -> Result<Option<String>, Failure> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(received) {
        Ok(httparse::Status::Complete(_)) => Ok(Some(format!(
            "{} {} HTTP/1.{}",
            request.method.unwrap_or_default(),
            request.path.unwrap_or_default(),
            request.version.unwrap_or_default()
        ))),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(e) => Err(Failure::other(format!("malformed request head: {e}"))),
    }
}

/// Whether `received` is too long to still be waiting for the end of a request head.
pub fn request_head_too_long(received: &[u8]) -> bool {
    received.len() > MAX_HEAD
}

/// A parsed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `HTTP/1.1 200 OK`
    pub status_line: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the stream stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// More may come.
    Open,
    /// The peer sent close_notify: nothing was cut off.
    Clean,
    /// The stream ended without close_notify: the data may be truncated.
    Truncated,
}

/// The most header bytes we wait for.
pub const MAX_HEAD: usize = 64 * 1024;

/// The response in `received`, if it is complete. `Ok(None)`: more is needed (only while
/// the stream is `Open`). Malformed or truncated responses are errors.
pub fn parse_response(received: &[u8], end: End) -> Result<Option<Response>, Failure> {
    let incomplete = |what: &str| match end {
        End::Open => Ok(None),
        End::Clean => Err(Failure::other(format!("the server closed before {what}"))),
        End::Truncated => Err(Failure::other(format!(
            "the connection ended without close_notify before {what} (truncated)"
        ))),
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Response::new(&mut headers);
    let body_start = match head.parse(received) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if received.len() > MAX_HEAD => {
            return Err(Failure::other("response headers too long"));
        }
        Ok(httparse::Status::Partial) => {
            return incomplete("the end of the response headers");
        }
        Err(e) => {
            let first = received.split(|&b| b == b'\n').next().unwrap_or_default();
            return Err(Failure::other(format!(
                "not an HTTP response ({e}): {:?}",
                super::setup::printable(String::from_utf8_lossy(first).trim_end())
            )));
        }
    };
    let mut response = Response {
        status_line: format!(
            "HTTP/1.{} {} {}",
            head.version.unwrap_or_default(),
            head.code.unwrap_or_default(),
            head.reason.unwrap_or_default()
        ),
        headers: head
            .headers
            .iter()
            .map(|h| {
                let value = String::from_utf8_lossy(h.value);
                (h.name.to_string(), value.trim().to_string())
            })
            .collect(),
        body: Vec::new(),
    };
    let body = &received[body_start..];
    let chunked = response
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        return match dechunk(body)? {
            Some(b) => {
                response.body = b;
                Ok(Some(response))
            }
            None => incomplete("the last chunk"),
        };
    }
    if let Some(len) = response.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| Failure::other(format!("bad Content-Length {len:?}")))?;
        return match body.get(..len) {
            Some(b) => {
                response.body = b.to_vec();
                Ok(Some(response))
            }
            None => incomplete("the end of the body (Content-Length)"),
        };
    }
    // Delimited by the end of the connection: only a clean close says it is complete.
    match end {
        End::Clean => {
            response.body = body.to_vec();
            Ok(Some(response))
        }
        _ => incomplete("close_notify (the body runs until the connection closes)"),
    }
}

/// Decodes a chunked body; `None` if the last chunk has not arrived.
fn dechunk(mut body: &[u8]) -> Result<Option<Vec<u8>>, Failure> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = find(body, b"\r\n") else {
            return Ok(None);
        };
        let size_text = String::from_utf8_lossy(&body[..eol]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| Failure::other(format!("bad chunk size {size_text:?}")))?;
        body = &body[eol + 2..];
        if size == 0 {
            return Ok(Some(out));
        }
        let Some(chunk) = body.get(..size) else {
            return Ok(None);
        };
        out.extend_from_slice(chunk);
        body = match body.get(size..size + 2) {
            Some(b"\r\n") => &body[size + 2..],
            Some(_) => return Err(Failure::other("chunk not followed by CRLF")),
            None => return Ok(None),
        };
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
