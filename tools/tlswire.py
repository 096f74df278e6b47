"""Just enough TLS 1.2 wire parsing (stdlib only) to describe and split our captures.

Not a validator: it reads well-formed OpenSSL traffic and raises ValueError on anything
it cannot follow. Everything after a ChangeCipherSpec record in a direction is
encrypted and is left alone.
"""

import struct

CT_CCS, CT_ALERT, CT_HANDSHAKE, CT_APPDATA = 20, 21, 22, 23

HS_NAMES = {
    0: "hello_request", 1: "client_hello", 2: "server_hello", 4: "new_session_ticket",
    11: "certificate", 12: "server_key_exchange", 13: "certificate_request",
    14: "server_hello_done", 15: "certificate_verify", 16: "client_key_exchange",
    20: "finished",
}

SUITES = {
    0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
    0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
    0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
}

GROUPS = {0x0017: "secp256r1", 0x0018: "secp384r1", 0x0019: "secp521r1",
          0x001D: "x25519", 0x001E: "x448"}

SIGSCHEMES = {
    0x0401: "rsa_pkcs1_sha256", 0x0501: "rsa_pkcs1_sha384", 0x0601: "rsa_pkcs1_sha512",
    0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384",
    0x0603: "ecdsa_secp521r1_sha512", 0x0804: "rsa_pss_rsae_sha256",
    0x0805: "rsa_pss_rsae_sha384", 0x0806: "rsa_pss_rsae_sha512", 0x0807: "ed25519",
    0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256", 0x080A: "rsa_pss_pss_sha384",
    0x080B: "rsa_pss_pss_sha512", 0x0201: "rsa_pkcs1_sha1", 0x0202: "dsa_sha1",
    0x0203: "ecdsa_sha1", 0x0301: "rsa_sha224", 0x0302: "dsa_sha224", 0x0303: "ecdsa_sha224",
    0x0402: "dsa_sha256", 0x0502: "dsa_sha384", 0x0602: "dsa_sha512",
}

EXTENSIONS = {
    0: "server_name", 5: "status_request", 10: "supported_groups", 11: "ec_point_formats",
    13: "signature_algorithms", 16: "application_layer_protocol_negotiation",
    22: "encrypt_then_mac", 23: "extended_master_secret", 35: "session_ticket",
    43: "supported_versions", 45: "psk_key_exchange_modes", 49: "post_handshake_auth",
    51: "key_share", 0xFF01: "renegotiation_info", 21: "padding",
}


def hx(n: int, width: int = 4) -> str:
    return f"0x{n:0{width}x}"


def named(table: dict, n: int) -> dict:
    return {"code": hx(n), "name": table.get(n, "unknown")}


class Cursor:
    def __init__(self, buf: bytes):
        self.buf, self.pos = buf, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.buf):
            raise ValueError("truncated")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack(">H", self.take(2))[0]

    def u24(self) -> int:
        return int.from_bytes(self.take(3), "big")

    def vec(self, prefix: int) -> bytes:
        return self.take({1: self.u8, 2: self.u16, 3: self.u24}[prefix]())

    def left(self) -> int:
        return len(self.buf) - self.pos


def records(stream: bytes):
    """Yields (content_type, version, payload, start, end) for each whole record."""
    pos = 0
    while pos + 5 <= len(stream):
        ctype, ver, length = struct.unpack(">BHH", stream[pos:pos + 5])
        if pos + 5 + length > len(stream):
            break
        yield ctype, ver, stream[pos + 5:pos + 5 + length], pos, pos + 5 + length
        pos += 5 + length


def plaintext_prefix(stream: bytes) -> bytes:
    """The stream up to and including its first ChangeCipherSpec record (all of it if none)."""
    for ctype, _, _, _, end in records(stream):
        if ctype == CT_CCS:
            return stream[:end]
    return stream


def handshake_messages(stream: bytes):
    """Yields (msg_type, body, raw) for each plaintext handshake message (before any CCS).

    raw is the whole message with its 4-byte header, joined across records.
    """
    joined = bytearray()
    for ctype, _, payload, _, _ in records(stream):
        if ctype == CT_CCS:
            break
        if ctype == CT_HANDSHAKE:
            joined += payload
    c = Cursor(bytes(joined))
    while c.left() >= 4:
        start = c.pos
        mtype = c.u8()
        body = c.take(c.u24())
        yield mtype, body, bytes(joined[start:c.pos])


def parse_extensions(c: Cursor) -> dict:
    exts = {}
    if c.left() == 0:
        return exts
    ec = Cursor(c.vec(2))
    while ec.left():
        etype = ec.u16()
        exts[etype] = ec.vec(2)
    return exts


def u16_list(buf: bytes) -> list:
    return [struct.unpack(">H", buf[i:i + 2])[0] for i in range(0, len(buf), 2)]


def describe_client_hello(body: bytes) -> dict:
    c = Cursor(body)
    ver = c.u16()
    c.take(32)
    sid = c.vec(1)
    suites = u16_list(c.vec(2))
    comp = list(c.vec(1))
    exts = parse_extensions(c)
    out = {
        "legacy_version": hx(ver),
        "session_id_len": len(sid),
        "cipher_suites": [hx(s) for s in suites],
        "compression_methods": comp,
        "extensions": [named(EXTENSIONS, e) for e in exts],
    }
    if 0 in exts:
        sc = Cursor(exts[0])
        lc = Cursor(sc.vec(2))
        lc.u8()
        out["server_name"] = lc.vec(2).decode()
    if 10 in exts:
        out["supported_groups"] = [named(GROUPS, g) for g in u16_list(Cursor(exts[10]).vec(2))]
    if 13 in exts:
        out["signature_algorithms"] = [named(SIGSCHEMES, s) for s in u16_list(Cursor(exts[13]).vec(2))]
    if 35 in exts:
        out["session_ticket_len"] = len(exts[35])
    return out


def describe_server_hello(body: bytes) -> dict:
    c = Cursor(body)
    ver = c.u16()
    random = c.take(32)
    sid = c.vec(1)
    suite = c.u16()
    comp = c.u8()
    exts = parse_extensions(c)
    return {
        "version": hx(ver),
        "random_downgrade_sentinel": random[-8:].hex() if random[-8:-1] == b"DOWNGRD" else None,
        "session_id_len": len(sid),
        "cipher_suite": named(SUITES, suite),
        "compression_method": comp,
        "extensions": [named(EXTENSIONS, e) for e in exts],
        "extended_master_secret": 23 in exts,
    }


def describe_certificate(body: bytes) -> dict:
    c = Cursor(body)
    lc = Cursor(c.vec(3))
    lens = []
    while lc.left():
        lens.append(len(lc.vec(3)))
    return {"count": len(lens), "der_lengths": lens}


def describe_ske(body: bytes, suite: int) -> dict:
    if suite in (0x009C, 0x009D):
        return {"note": "unexpected ServerKeyExchange for RSA key exchange"}
    c = Cursor(body)
    curve_type = c.u8()
    if curve_type != 3:
        raise ValueError("only named_curve ServerKeyExchange is described")
    group = c.u16()
    point = c.vec(1)
    scheme = c.u16()
    sig = c.vec(2)
    return {"group": named(GROUPS, group), "public_len": len(point),
            "signature_scheme": named(SIGSCHEMES, scheme), "signature_len": len(sig)}


def describe_cert_request(body: bytes) -> dict:
    c = Cursor(body)
    types = list(c.vec(1))
    schemes = u16_list(c.vec(2))
    cas = Cursor(c.vec(2))
    n = 0
    while cas.left():
        cas.vec(2)
        n += 1
    return {"certificate_types": types,
            "signature_algorithms": [named(SIGSCHEMES, s) for s in schemes],
            "certificate_authorities": n}


def describe(c2s: bytes, s2c: bytes) -> dict:
    """What the plaintext handshake shows was negotiated."""
    out = {}
    cmsgs = list(handshake_messages(c2s))
    smsgs = list(handshake_messages(s2c))
    out["client_flight_plaintext"] = [HS_NAMES.get(t, str(t)) for t, _, _ in cmsgs]
    out["server_flight_plaintext"] = [HS_NAMES.get(t, str(t)) for t, _, _ in smsgs]
    suite = None
    for t, body, _ in cmsgs:
        if t == 1:
            out["client_hello"] = describe_client_hello(body)
        elif t == 11:
            out["client_certificate"] = describe_certificate(body)
        elif t == 16:
            out["client_key_exchange_len"] = len(body)
        elif t == 15:
            scheme = struct.unpack(">H", body[:2])[0]
            out["certificate_verify_scheme"] = named(SIGSCHEMES, scheme)
    for t, body, _ in smsgs:
        if t == 2:
            sh = describe_server_hello(body)
            suite = int(sh["cipher_suite"]["code"], 16)
            out["server_hello"] = sh
        elif t == 11:
            out["server_certificate"] = describe_certificate(body)
        elif t == 12:
            out["server_key_exchange"] = describe_ske(body, suite)
        elif t == 13:
            out["certificate_request"] = describe_cert_request(body)
        elif t == 4:
            out["new_session_ticket_len"] = len(body)
    out["resumed"] = "server_hello" in out and "certificate" not in out["server_flight_plaintext"]
    return out
