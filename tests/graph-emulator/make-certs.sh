#!/bin/sh
# Makes a throwaway CA and a server certificate for 127.0.0.1 and localhost (SAN), for the Graph
# emulator's tests, plus a client certificate for private_key_jwt tests.
# usage: make-certs.sh DIR    -> DIR/ca.pem DIR/ca.key DIR/server.pem DIR/server.key
#                                DIR/client.pem DIR/client.key
set -eu
dir=${1:?usage: make-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -sha256 \
    -keyout ca.key -out ca.pem -subj "/CN=idpc graph-emulator test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" \
    2>/dev/null
cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
    -extfile server.ext -out server.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -sha256 -keyout client.key -out client.pem \
    -subj "/CN=idpc test client" 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 644 ca.pem server.pem client.pem
