#!/bin/sh
# A self-signed certificate for trying the proxy out (use your real one in production):
#   deploy/make-cert.sh deploy/tls [host]
set -eu
dir=${1:-deploy/tls}
host=${2:-localhost}
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj "/CN=$host" \
  -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem"
chmod 644 "$dir/cert.pem"
chmod 640 "$dir/key.pem"
echo "wrote $dir/cert.pem and $dir/key.pem"
