#!/usr/bin/env bash
# Makes the test PKI in tests/data/pki/: two root CAs (RSA-2048, ECDSA P-256), server leaves
# (RSA-2048, ECDSA P-256, ECDSA P-384) and client leaves (RSA-2048, ECDSA P-256).
#
# Keys are random, so a rerun makes different files: the committed ones are the reference.
# Without --force the script leaves an existing PKI alone (idempotent); with --force it
# replaces every file. Captures in tests/data/captures/ embed these certificates, so after
# --force run tools/capture.sh too.
#
# Validity is fixed (openssl ca -startdate/-enddate): 2025-01-01 00:00:00 UTC to
# 2045-12-31 23:59:59 UTC. Serial numbers are fixed too.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=tests/data/pki
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

if [[ -f "$OUT/ca-rsa.crt.pem" && $FORCE -eq 0 ]]; then
    echo "make-pki: $OUT already populated; pass --force to regenerate" >&2
    exit 0
fi

START=250101000000Z
END=451231235959Z
SAN_SERVER="DNS:localhost,DNS:testserver.tls12.test,IP:127.0.0.1"

mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat >"$WORK/openssl.cnf" <<EOF
[ ca ]
default_ca = test_ca

[ test_ca ]
dir              = $WORK
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
serial           = \$dir/serial
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
default_md       = sha256

[ policy_any ]
countryName            = optional
organizationName       = optional
commonName             = supplied

[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ server_rsa ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = $SAN_SERVER
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ server_ec ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = $SAN_SERVER
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ client_rsa ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectAltName         = DNS:client.tls12.test
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ client_ec ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectAltName         = DNS:client.tls12.test
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF

export OPENSSL_CONF="$WORK/openssl.cnf"

# key NAME ALG: writes $OUT/NAME.key.pem (PKCS#8 PEM) and $OUT/NAME.key.der (PKCS#8 DER).
key() {
    local name=$1 alg=$2
    case "$alg" in
        rsa2048) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/$name.key.pem" ;;
        p256) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$OUT/$name.key.pem" ;;
        p384) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out "$OUT/$name.key.pem" ;;
    esac
    openssl pkcs8 -topk8 -nocrypt -in "$OUT/$name.key.pem" -outform DER -out "$OUT/$name.key.der"
}

# sign NAME CA SUBJECT EXT SERIAL: CA-signed cert NAME.crt.pem/.der from NAME's key.
# CA "self" makes a self-signed root.
sign() {
    local name=$1 ca=$2 subj=$3 ext=$4 serial=$5
    rm -rf "$WORK/newcerts" && mkdir "$WORK/newcerts"
    : >"$WORK/index.txt"
    echo "$serial" >"$WORK/serial"
    openssl req -new -key "$OUT/$name.key.pem" -subj "$subj" -out "$WORK/$name.csr"
    if [[ "$ca" == self ]]; then
        openssl ca -batch -notext -selfsign -keyfile "$OUT/$name.key.pem" \
            -in "$WORK/$name.csr" -startdate "$START" -enddate "$END" -extensions "$ext" \
            -out "$OUT/$name.crt.pem" 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
    else
        openssl ca -batch -notext -cert "$OUT/$ca.crt.pem" -keyfile "$OUT/$ca.key.pem" \
            -in "$WORK/$name.csr" -startdate "$START" -enddate "$END" -extensions "$ext" \
            -out "$OUT/$name.crt.pem" 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
        cat "$OUT/$name.crt.pem" "$OUT/$ca.crt.pem" >"$OUT/$name.chain.pem"
    fi
    openssl x509 -in "$OUT/$name.crt.pem" -outform DER -out "$OUT/$name.crt.der"
}

key ca-rsa rsa2048
sign ca-rsa self "/O=tls12 test/CN=tls12 test RSA root CA" v3_ca 01
key ca-ecdsa p256
sign ca-ecdsa self "/O=tls12 test/CN=tls12 test ECDSA root CA" v3_ca 02
# Both roots in one file, for a peer that may get either chain (`openssl s_client -CAfile`).
cat "$OUT/ca-rsa.crt.pem" "$OUT/ca-ecdsa.crt.pem" >"$OUT/ca-all.crt.pem"

key server-rsa rsa2048
sign server-rsa ca-rsa "/O=tls12 test/CN=testserver.tls12.test" server_rsa 1001
key server-p256 p256
sign server-p256 ca-ecdsa "/O=tls12 test/CN=testserver.tls12.test" server_ec 2001
key server-p384 p384
sign server-p384 ca-ecdsa "/O=tls12 test/CN=testserver.tls12.test" server_ec 2002

key client-rsa rsa2048
sign client-rsa ca-rsa "/O=tls12 test/CN=client.tls12.test" client_rsa 1101
key client-p256 p256
sign client-p256 ca-ecdsa "/O=tls12 test/CN=client.tls12.test" client_ec 2101

# Other key encodings for loader tests.
openssl rsa -in "$OUT/server-rsa.key.pem" -traditional -out "$OUT/server-rsa.key.pkcs1.pem" 2>/dev/null
openssl ec -in "$OUT/server-p256.key.pem" -out "$OUT/server-p256.key.sec1.pem" 2>/dev/null

# Self-check: every leaf verifies against its root for its purpose at a fixed time.
AT=$(date -u -d 2030-06-01 +%s)
for leaf in server-rsa:ca-rsa:sslserver server-p256:ca-ecdsa:sslserver server-p384:ca-ecdsa:sslserver \
    client-rsa:ca-rsa:sslclient client-p256:ca-ecdsa:sslclient; do
    IFS=: read -r name ca purpose <<<"$leaf"
    openssl verify -attime "$AT" -purpose "$purpose" -CAfile "$OUT/$ca.crt.pem" "$OUT/$name.crt.pem" >/dev/null
done
echo "make-pki: wrote $OUT"
