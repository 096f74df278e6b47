//! Minimal HTTP/1.x framing: when a request head is complete (server side), and when a
//! response is complete (client side: Content-Length, chunked, or until close).

use super::Failure;

/// The request line, once the whole request head has arrived: up to the empty line that
/// ends it, with CRLF or bare LF line endings (RFC 9112 section 2.2 lets a recipient take a
/// bare LF as a line terminator). A client may send its request in parts; answering at the
/// end of the first line would leave its header lines unread.
pub fn request_head(received: &[u8]) -> Option<String> {
    let (head_len, _) = head_end(received)?;
    let head = &received[..head_len];
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = head[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&head[..line_end]);
    Some(String::from_utf8_lossy(line).into_owned())
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

/// Where the head ends (the blank line, `\n\n` or `\n\r\n`): `(head length, body start)`.
fn head_end(b: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == b'\n').map(|i| i + from) {
        match &b[i + 1..] {
            [b'\n', ..] => return Some((i, i + 2)),
            [b'\r', b'\n', ..] => return Some((i, i + 3)),
            _ => from = i + 1,
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

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
    let Some((head_len, body_start)) = head_end(received) else {
        if received.len() > MAX_HEAD {
            return Err(Failure::other("response headers too long"));
        }
        return incomplete("the end of the response headers");
    };
    let head = String::from_utf8_lossy(&received[..head_len]);
    let mut lines = head.lines().map(|l| l.trim_end_matches('\r'));
    let status_line = lines.next().unwrap_or_default().to_string();
    if !status_line.starts_with("HTTP/") {
        return Err(Failure::other(format!(
            "not an HTTP response: {:?}",
            super::setup::printable(&status_line)
        )));
    }
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut response = Response {
        status_line,
        headers,
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
