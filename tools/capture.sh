#!/usr/bin/env bash
# Regenerates every capture in tests/data/captures/ from real OpenSSL peers on loopback.
#
#   openssl s_client -tls1_2  ->  tools/record_proxy.py  ->  openssl s_server -tls1_2 -WWW
#
# Each session: the client sends "GET /hello.txt HTTP/1.0", the server answers with a
# 25-byte file and closes; the client leaves on the server's close. Every process runs
# under `timeout`, everything binds 127.0.0.1 only. Randoms and ephemeral keys differ on
# every run, so a rerun rewrites every file; the PKI in tests/data/pki/ is reused as is.
# Ends by refreshing the fuzz seeds (tools/split_handshake.py).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=tests/data/captures
PKI=$ROOT/tests/data/pki
TOOLS=$ROOT/tools
SNI=testserver.tls12.test
REQUEST='GET /hello.txt HTTP/1.0\r\n\r\n'
OPENSSL_VERSION=$(openssl version)
CLIENT_PROTO=(-tls1_2)
SERVER_PROTO=(-tls1_2)

[[ -f "$PKI/ca-rsa.crt.pem" ]] || "$TOOLS/make-pki.sh"
mkdir -p "$OUT"
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir "$WORK/www"
echo "hello from an openssl peer" >"$WORK/www/hello.txt"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE PATTERN: up to 10 s for PATTERN to show up in FILE.
wait_for() {
    for _ in $(seq 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "capture: timed out waiting for '$2' in $1" >&2
    cat "$1" >&2 || true
    return 1
}

# show_cmd ARGS...: a shell-quoted command line with this run's ports and temp dir hidden.
show_cmd() {
    printf '%q ' "$@" | sed -e "s#$WORK#\$TMP#g" -e "s#$ROOT/##g" -e 's/127\.0\.0\.1:[0-9]*/127.0.0.1:$PORT/g' -e 's/ $//'
}

# start_server NACCEPT ARGS...: an s_server answering NACCEPT connections.
start_server() {
    local naccept=$1
    shift
    SERVER_PORT=$(free_port)
    SERVER_CMD=(openssl s_server "${SERVER_PROTO[@]}" -accept "127.0.0.1:$SERVER_PORT" -naccept "$naccept" -WWW "$@")
    (cd "$WORK/www" && exec timeout 60 "${SERVER_CMD[@]}") >"$WORK/server.log" 2>&1 </dev/null &
    SERVER_PID=$!
    wait_for "$WORK/server.log" '^ACCEPT'
}

stop_server() {
    # s_server exits by itself after -naccept connections; wait, then make sure.
    for _ in $(seq 50); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# run_client NAME DESCRIPTION ARGS...: one recorded s_client session to the current server.
run_client() {
    local name=$1 desc=$2
    shift 2
    rm -f "$OUT/$name".*
    python3 "$TOOLS/record_proxy.py" --listen 0 --target "$SERVER_PORT" --out "$OUT/$name" \
        --timeout 20 >"$WORK/proxy.log" 2>&1 &
    local proxy_pid=$!
    wait_for "$WORK/proxy.log" '^READY'
    local port
    port=$(awk '/^READY/ {print $2}' "$WORK/proxy.log")
    local cmd=(openssl s_client "${CLIENT_PROTO[@]}" -connect "127.0.0.1:$port" -servername "$SNI"
        -ign_eof -keylogfile "$OUT/$name.keylog" "$@")
    printf "$REQUEST" | timeout 20 "${cmd[@]}" >"$WORK/client.log" 2>&1 || {
        echo "capture: s_client failed for $name" >&2
        cat "$WORK/client.log" "$WORK/server.log" >&2
        return 1
    }
    wait "$proxy_pid" || { echo "capture: proxy failed for $name" >&2; cat "$WORK/proxy.log" >&2; return 1; }
    python3 "$TOOLS/describe_capture.py" --out "$OUT/$name" --description "$desc" \
        --server-cmd "$(show_cmd "${SERVER_CMD[@]}")" --client-cmd "$(show_cmd "${cmd[@]}")" \
        --client-log "$WORK/client.log" --openssl-version "$OPENSSL_VERSION"
    echo "capture: $name"
}

# capture NAME DESCRIPTION "SERVER ARGS" "CLIENT ARGS": a one-connection capture.
capture() {
    local name=$1 desc=$2
    local -a sargs cargs
    read -r -a sargs <<<"$3"
    read -r -a cargs <<<"$4"
    start_server 1 "${sargs[@]}"
    run_client "$name" "$desc" "${cargs[@]}"
    stop_server
}

RSA_SERVER="-cert $PKI/server-rsa.crt.pem -key $PKI/server-rsa.key.pem"
P256_SERVER="-cert $PKI/server-p256.crt.pem -key $PKI/server-p256.key.pem"
P384_SERVER="-cert $PKI/server-p384.crt.pem -key $PKI/server-p384.key.pem"
TRUST_RSA="-CAfile $PKI/ca-rsa.crt.pem -verify_return_error -verify_hostname $SNI"
TRUST_EC="-CAfile $PKI/ca-ecdsa.crt.pem -verify_return_error -verify_hostname $SNI"

capture ecdhe-rsa-aes128gcm-x25519-sha512 \
    "ECDHE-RSA-AES128-GCM-SHA256 over x25519; the client offers only rsa_pkcs1_sha512, so the ServerKeyExchange is signed with 0x0601 (as in the Illustrated TLS 1.2 lecture)" \
    "$RSA_SERVER" \
    "$TRUST_RSA -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups X25519 -sigalgs RSA+SHA512"

capture ecdhe-rsa-aes256gcm \
    "ECDHE-RSA-AES256-GCM-SHA384 with OpenSSL's default groups and signature algorithms" \
    "$RSA_SERVER" \
    "$TRUST_RSA -cipher ECDHE-RSA-AES256-GCM-SHA384"

capture ecdhe-ecdsa-aes128gcm-p256 \
    "ECDHE-ECDSA-AES128-GCM-SHA256 over secp256r1 with the P-256 server certificate" \
    "$P256_SERVER" \
    "$TRUST_EC -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups P-256"

capture ecdhe-ecdsa-aes256gcm-p384 \
    "ECDHE-ECDSA-AES256-GCM-SHA384 over secp384r1 with the P-384 server certificate" \
    "$P384_SERVER" \
    "$TRUST_EC -cipher ECDHE-ECDSA-AES256-GCM-SHA384 -groups P-384"

capture ecdhe-rsa-chacha20 \
    "ECDHE-RSA-CHACHA20-POLY1305 with OpenSSL's default groups and signature algorithms" \
    "$RSA_SERVER" \
    "$TRUST_RSA -cipher ECDHE-RSA-CHACHA20-POLY1305"

capture rsa-aes128gcm \
    "AES128-GCM-SHA256: RSA key transport, no ServerKeyExchange" \
    "$RSA_SERVER" \
    "$TRUST_RSA -cipher AES128-GCM-SHA256"

capture mutual-auth-rsa \
    "ECDHE-RSA-AES128-GCM-SHA256 with a client certificate: s_server -Verify 1 trusts the RSA CA, the client sends client-rsa and a CertificateVerify" \
    "$RSA_SERVER -Verify 1 -CAfile $PKI/ca-rsa.crt.pem" \
    "$TRUST_RSA -cipher ECDHE-RSA-AES128-GCM-SHA256 -cert $PKI/client-rsa.crt.pem -key $PKI/client-rsa.key.pem"

capture mutual-auth-ecdsa \
    "ECDHE-ECDSA-AES128-GCM-SHA256 over secp256r1 with a client certificate: s_server -Verify 1 trusts the ECDSA CA, the client sends client-p256 and a CertificateVerify" \
    "$P256_SERVER -Verify 1 -CAfile $PKI/ca-ecdsa.crt.pem" \
    "$TRUST_EC -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups P-256 -cert $PKI/client-p256.crt.pem -key $PKI/client-p256.key.pem"

capture default-tls12 \
    "OpenSSL's default TLS 1.2 client (s_client -tls1_2, no suite or group options) against a default s_server -tls1_2" \
    "$RSA_SERVER" \
    "$TRUST_RSA"

CLIENT_PROTO=()
capture default-client-tls13-offered \
    "s_client without -tls1_2 (offers TLS 1.3 and 1.2: supported_versions, key_share, psk_key_exchange_modes, TLS 1.3 suites) against s_server -tls1_2: TLS 1.2 is chosen; no downgrade sentinel since the server cannot do TLS 1.3" \
    "$RSA_SERVER" \
    "$TRUST_RSA"
CLIENT_PROTO=(-tls1_2)

SERVER_PROTO=()
capture server-tls13-capable \
    "s_client -tls1_2 against s_server without -tls1_2 (it could do TLS 1.3): TLS 1.2 is chosen and the last 8 bytes of the ServerHello random are the RFC 8446 downgrade sentinel DOWNGRD\\x01" \
    "$RSA_SERVER" \
    "$TRUST_RSA"
SERVER_PROTO=(-tls1_2)

# Resumption: one s_server process serves the full and the abbreviated handshake.
start_server 2 $RSA_SERVER
run_client resume-ticket-full \
    "Full handshake ECDHE-RSA-AES128-GCM-SHA256 that gets a session ticket (NewSessionTicket); saved with -sess_out for resume-ticket-abbrev" \
    $TRUST_RSA -cipher ECDHE-RSA-AES128-GCM-SHA256 -sess_out "$WORK/ticket.sess"
run_client resume-ticket-abbrev \
    "Abbreviated handshake resuming resume-ticket-full's session with its ticket (-sess_in): the same master secret, see the keylog" \
    $TRUST_RSA -cipher ECDHE-RSA-AES128-GCM-SHA256 -sess_in "$WORK/ticket.sess"
stop_server

start_server 2 $RSA_SERVER -no_ticket
run_client resume-id-full \
    "Full handshake ECDHE-RSA-AES128-GCM-SHA256 without tickets (s_server -no_ticket): the server's session ID is cached; saved with -sess_out" \
    $TRUST_RSA -cipher ECDHE-RSA-AES128-GCM-SHA256 -sess_out "$WORK/id.sess"
run_client resume-id-abbrev \
    "Abbreviated handshake resuming resume-id-full's session by session ID (-sess_in)" \
    $TRUST_RSA -cipher ECDHE-RSA-AES128-GCM-SHA256 -sess_in "$WORK/id.sess"
stop_server

# OpenSSL's default TLS 1.2 ClientHello as one record, header included.
python3 - "$OUT" <<'EOF'
import os, sys
sys.path.insert(0, "tools")
import tlswire
out = sys.argv[1]
with open(os.path.join(out, "default-tls12.c2s.bin"), "rb") as f:
    ctype, _, _, start, end = next(tlswire.records(f.read()))
    assert ctype == tlswire.CT_HANDSHAKE
with open(os.path.join(out, "default-tls12.c2s.bin"), "rb") as f:
    data = f.read()[start:end]
with open(os.path.join(out, "openssl-default-clienthello.bin"), "wb") as f:
    f.write(data)
EOF
python3 "$TOOLS/split_handshake.py"
echo "capture: done, files in $OUT; fuzz seeds in fuzz/corpus"
