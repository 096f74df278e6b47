#!/usr/bin/env python3
"""Writes NAME.json for one capture: what record_proxy.py saw, the openssl command lines,
and what the plaintext handshake shows was negotiated (stdlib only).

Also checks that NAME.keylog holds the CLIENT_RANDOM line for this connection's
ClientHello random, so the capture can be decrypted later.
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tlswire  # noqa: E402

# Lines of the s_client log worth keeping, as openssl's own summary of the session.
SUMMARY = re.compile(
    r"^(New, |Reused, |Server Temp Key|Peer signing digest|Peer signature type|"
    r"Extended master secret|Secure Renegotiation|Verification|Verify return code|"
    r"Client Certificate Types|Requested Signature Algorithms|Shared Requested|"
    r"\s*Protocol\s*:|\s*Cipher\s*:|---\s*$)"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="capture path prefix (dir/NAME)")
    ap.add_argument("--description", required=True)
    ap.add_argument("--server-cmd", required=True)
    ap.add_argument("--client-cmd", required=True)
    ap.add_argument("--client-log", required=True)
    ap.add_argument("--openssl-version", required=True)
    args = ap.parse_args()

    name = os.path.basename(args.out)
    with open(f"{args.out}.json") as f:
        chunks = json.load(f)["chunks"]
    with open(f"{args.out}.c2s.bin", "rb") as f:
        c2s = f.read()
    with open(f"{args.out}.s2c.bin", "rb") as f:
        s2c = f.read()
    with open(f"{args.out}.keylog") as f:
        keylog = [ln.strip() for ln in f if ln.strip()]
    with open(args.client_log, errors="replace") as f:
        summary = [ln.rstrip() for ln in f if SUMMARY.match(ln) and not ln.startswith("---")]

    negotiated = tlswire.describe(c2s, s2c)
    ch = next(body for t, body, _ in tlswire.handshake_messages(c2s) if t == 1)
    client_random = ch[2:34].hex()
    if not any(ln.split()[:2] == ["CLIENT_RANDOM", client_random] for ln in keylog):
        print(f"describe_capture: {name}.keylog has no line for {client_random}", file=sys.stderr)
        return 1

    doc = {
        "name": name,
        "description": args.description,
        "openssl_version": args.openssl_version,
        "server_command": args.server_cmd,
        "client_command": args.client_cmd,
        "files": {
            "c2s": f"{name}.c2s.bin",
            "s2c": f"{name}.s2c.bin",
            "keylog": f"{name}.keylog",
        },
        "c2s_len": len(c2s),
        "s2c_len": len(s2c),
        "c2s_plaintext_prefix_len": len(tlswire.plaintext_prefix(c2s)),
        "s2c_plaintext_prefix_len": len(tlswire.plaintext_prefix(s2c)),
        "client_random": client_random,
        "negotiated": negotiated,
        "openssl_client_summary": summary,
        "chunks": "@CHUNKS@",
    }
    # One chunk a line keeps the file short and diffable.
    text = json.dumps(doc, indent=1)
    text = text.replace('"chunks": "@CHUNKS@"', '"chunks": [\n' + ",\n".join(
        "  " + json.dumps(c) for c in chunks) + "\n ]")
    with open(f"{args.out}.json", "w") as f:
        f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
