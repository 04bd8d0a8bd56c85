#!/usr/bin/env bash
# Writes a throwaway test CA and a server certificate for 127.0.0.1 / localhost signed by it
# into DIR: ca.pem, server.pem, server.key (P-256 keys, valid DAYS days, default 1). rustls
# refuses a bare self-signed server certificate, so the TLS tests (email, probes, web config)
# trust ca.pem instead.
#   usage: tests/smtp/make_test_ca.sh DIR [DAYS]
set -euo pipefail
dir=$1
days=${2:-1}
cd "$dir"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout ca.key -out ca.pem -days "$days" -subj /CN=watchpost-test-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
  'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" \
  -extfile server.ext -out server.pem 2>/dev/null
