#!/bin/sh
# Regenerates the test keys and self-signed certificates in this directory with the
# OpenSSL command line (tested with OpenSSL 3.0). The outputs are committed; running this
# again makes new keys, which the tests accept (they do not pin key bytes).
#
# For each key: the private key as PKCS#8 (DER and PEM), as PKCS#1 (RSA) or SEC1 (EC)
# (DER and PEM), and a self-signed certificate (DER and PEM) carrying its public key.
# p256.sec1-nopub.der is a SEC1 key without the optional public key, which ring cannot load.
set -eu
cd "$(dirname "$0")"

cert() { # name
    openssl req -x509 -new -key "$1.pkcs8.pem" -subj "/CN=tls12 test $1" \
        -days 36500 -sha256 -out "$1.crt.pem"
    openssl x509 -in "$1.crt.pem" -outform DER -out "$1.crt.der"
}

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.pkcs8.pem
openssl pkcs8 -topk8 -nocrypt -in rsa2048.pkcs8.pem -outform DER -out rsa2048.pkcs8.der
openssl rsa -in rsa2048.pkcs8.pem -traditional -out rsa2048.pkcs1.pem
openssl rsa -in rsa2048.pkcs8.pem -traditional -outform DER -out rsa2048.pkcs1.der
cert rsa2048

for curve in p256:P-256 p384:P-384; do
    name=${curve%%:*}
    nist=${curve#*:}
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$nist" \
        -pkeyopt ec_param_enc:named_curve -out "$name.pkcs8.pem"
    openssl pkcs8 -topk8 -nocrypt -in "$name.pkcs8.pem" -outform DER -out "$name.pkcs8.der"
    openssl ec -in "$name.pkcs8.pem" -out "$name.sec1.pem"
    openssl ec -in "$name.pkcs8.pem" -outform DER -out "$name.sec1.der"
    cert "$name"
done

openssl ec -in p256.pkcs8.pem -no_public -outform DER -out p256.sec1-nopub.der
