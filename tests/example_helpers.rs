//! The helpers the `client` and `server` examples share (`examples/common`, compiled in
//! here): the certificate subject reader, HTTP framing and the command-line flags. No
//! network and no OpenSSL; tests/interop_openssl.rs runs the same code against OpenSSL.

#[path = "../examples/common/mod.rs"]
mod example;

use example::Failure;
use example::client::ClientOptions;
use example::server::ServerOptions;
use tls12::enums::{CipherSuite, NamedGroup};

fn cert_der(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/pki/{name}.crt.der",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).expect("test PKI present")
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn subjects_http_framing_and_command_lines() {
    use example::http::{End, parse_response, request_head};
    // Certificate subjects, by a DER walk; garbage gives None, never a panic.
    assert_eq!(
        example::der::subject(&cert_der("server-rsa")).as_deref(),
        Some("O=tls12 test, CN=testserver.tls12.test")
    );
    assert_eq!(
        example::der::subject(&cert_der("ca-ecdsa")).as_deref(),
        Some("O=tls12 test, CN=tls12 test ECDSA root CA")
    );
    let der = cert_der("client-p256");
    for cut in 0..der.len() {
        let _ = example::der::subject(&der[..cut]);
    }
    assert_eq!(
        example::der::subject(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
        None
    );

    // HTTP framing.
    let r = parse_response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef",
        End::Open,
    )
    .expect("well formed")
    .expect("complete");
    assert_eq!(
        (r.status_line.as_str(), &r.body[..]),
        ("HTTP/1.1 200 OK", &b"abc"[..])
    );
    assert!(
        parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab", End::Open)
            .expect("well formed")
            .is_none()
    );
    assert!(
        parse_response(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab",
            End::Clean
        )
        .is_err()
    );
    let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
    let r = parse_response(chunked, End::Open)
        .expect("ok")
        .expect("complete");
    assert_eq!(r.body, b"abcde");
    assert!(
        parse_response(&chunked[..60], End::Open)
            .expect("ok")
            .is_none()
    );
    // Delimited by close: only close_notify completes it.
    let until_close = b"HTTP/1.0 200 ok\nContent-type: text/html\n\n<html>";
    assert!(
        parse_response(until_close, End::Open)
            .expect("ok")
            .is_none()
    );
    assert!(parse_response(until_close, End::Truncated).is_err());
    let r = parse_response(until_close, End::Clean)
        .expect("ok")
        .expect("complete");
    assert_eq!(
        (r.header("content-type"), &r.body[..]),
        (Some("text/html"), &b"<html>"[..])
    );
    assert!(parse_response(b"SSH-2.0-OpenSSH\r\n\r\n", End::Open).is_err());
    // The request line once the head is complete, with CRLF or bare LF line ends.
    for head in [
        &b"GET / HTTP/1.0\n\n"[..],
        b"GET / HTTP/1.0\r\nHost: x\r\n\r\n",
    ] {
        assert_eq!(
            request_head(head).expect("well formed"),
            Some("GET / HTTP/1.0".into())
        );
    }
    for partial in [&b"GET / HTTP/1.0\r\nHost: x\r\n"[..], b"GET / HTTP/1.0"] {
        assert_eq!(request_head(partial).expect("well formed so far"), None);
    }
    assert!(request_head(b"GET / HTTP/1.0\r\nno colon here\r\n\r\n").is_err());

    // Flags.
    let parse = |a: &[&str]| ClientOptions::parse(strings(a));
    let o = parse(&[
        "--cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,tls_rsa_with_aes_256_gcm_sha384",
        "--groups",
        "X25519:P-384",
        "--alpn",
        "h2,http/1.1",
        "[::1]:8443",
    ])
    .expect("valid")
    .expect("not --help");
    assert_eq!(
        o.common.suites,
        Some(vec![
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384
        ])
    );
    assert_eq!(
        o.common.groups,
        Some(vec![NamedGroup::X25519, NamedGroup::SECP384R1])
    );
    assert_eq!(o.common.alpn, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    assert_eq!(o.host(), "::1");
    for bad in [
        &["--cipher", "TLS_RSA_WITH_AES_128_CBC_SHA", "h:1"][..],
        &["--groups", "x448", "h:1"],
        &["--insecure=yes", "h:1"],
        &["--false-start=yes", "h:1"],
        &["--require-ems=yes", "h:1"],
        &["--cert", "c.pem", "h:1"],
        &["--nope", "h:1"],
        &["h:1", "extra"],
        &[],
    ] {
        assert!(
            matches!(parse(bad), Err(Failure::Usage(_))),
            "{bad:?} accepted"
        );
    }
    let server = |a: &[&str]| ServerOptions::parse(strings(a));
    assert!(matches!(server(&[]), Err(Failure::Usage(_))));
    assert!(matches!(
        server(&["--cert", "a", "--key", "b", "--require-client-cert"]),
        Err(Failure::Usage(_))
    ));
    assert!(matches!(
        server(&["--cert", "a", "--key", "b", "--max-conns", "0"]),
        Err(Failure::Usage(_))
    ));
    assert!(matches!(
        server(&["--cert", "a", "--key", "b", "--rsa-kx=no"]),
        Err(Failure::Usage(_))
    ));
    let o = server(&["--cert", "a", "--key", "b", "--rsa-kx", "--require-ems"])
        .expect("valid")
        .expect("not --help");
    assert!(o.rsa_kx && o.common.require_ems);
    let o = parse(&["--false-start", "h:1"])
        .expect("valid")
        .expect("not --help");
    assert!(o.false_start && !o.common.require_ems);
}
