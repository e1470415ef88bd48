# SPDX-License-Identifier: BSD-2-Clause
"""A device emulator for push approval, written from docs/PUSH.md: what the
privacyIDEA Authenticator app does in poll-only mode. It parses the
otpauth://pipush URI, registers an RSA key, polls for requests, checks the
server's signature on each one and answers with its own signature.

The app reaches the push endpoint at the https URL of the configuration,
through a TLS proxy; here `transport` maps that URL to chorus-web's
loopback port, and the sign strings keep the configured URL."""
import base64
import datetime
import http.client
import json
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b32(sig):
    return base64.b32encode(sig).decode()


class Transport:
    """Sends the app's requests to chorus-web on loopback."""

    def __init__(self, port):
        self.port = port

    def send(self, method, fields):
        body = urllib.parse.urlencode(fields)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        if method == "GET":
            conn.request("GET", "/push?" + body)
        else:
            conn.request("POST", "/push", body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        conn.close()
        try:
            return r.status, json.loads(data)
        except ValueError:
            return r.status, {"raw": data}


def parse_uri(uri):
    u = urllib.parse.urlsplit(uri)
    assert u.scheme in ("otpauth", "pia") and u.netloc.lower() == "pipush", uri
    q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
    q["label"] = urllib.parse.unquote(u.path.lstrip("/"))
    return q


def iso_now(shift=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=shift)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Device:
    def __init__(self, transport, bits=2048):
        self.t = transport
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        self.server_key = None
        self.serial = None
        self.url = None
        self.seen = set()

    def sign(self, text, key=None):
        return b32((key or self.key).sign(text.encode(), padding.PKCS1v15(), hashes.SHA256()))

    def pubkey_b64(self):
        der = self.key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(der).decode()

    def register(self, uri, credential=None):
        """Scans the QR code's URI and registers; returns (status, reply)."""
        q = parse_uri(uri)
        assert q.get("v") == "1" and q.get("poll_only") == "True" and q.get("sslverify") == "1", q
        self.serial, self.url = q["serial"], q["url"]
        status, j = self.t.send("POST", {
            "enrollment_credential": credential or q["enrollment_credential"],
            "serial": self.serial, "fbtoken": "no_firebase_token", "pubkey": self.pubkey_b64()})
        if status == 200 and j["result"]["status"] and j["result"]["value"] is True:
            der = base64.b64decode(j["detail"]["public_key"].replace("\n", ""))
            self.server_key = serialization.load_der_public_key(der_pkcs1_to_spki(der))
        return status, j

    def poll(self, key=None, ts=None, serial=None):
        """The verified requests (signature checked with the server key);
        raises on a request whose signature fails, as that must not happen."""
        ts = ts or iso_now()
        serial = serial or self.serial
        status, j = self.t.send("GET", {"serial": serial, "timestamp": ts,
                                        "signature": self.sign(serial + "|" + ts, key)})
        if status != 200:
            return status, j, []
        out = []
        for c in j["result"]["value"]:
            for k in ("nonce", "question", "serial", "title", "sslverify", "url", "signature", "require_presence"):
                assert isinstance(c.get(k), str), (k, c)
            text = "|".join([c["nonce"], c["url"], c["serial"], c["question"], c["title"],
                             "1" if c["sslverify"] == "1" else "0", c["require_presence"]])
            try:
                self.server_key.verify(base64.b32decode(c["signature"]), text.encode(),
                                       padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                raise AssertionError("a request with a bad server signature: %r" % c)
            out.append(c)
        return status, j, out

    def accept(self, challenge, choice, key=None):
        text = "%s|%s|%s" % (challenge["nonce"], challenge["serial"], choice)
        return self.t.send("POST", {"nonce": challenge["nonce"], "serial": challenge["serial"],
                                    "signature": self.sign(text, key), "presence_answer": choice})

    def decline(self, challenge):
        text = "%s|%s|decline" % (challenge["nonce"], challenge["serial"])
        return self.t.send("POST", {"nonce": challenge["nonce"], "serial": challenge["serial"],
                                    "signature": self.sign(text), "decline": "1"})

    def update_token(self, ts=None):
        ts = ts or iso_now()
        text = "no_firebase_token|%s|%s" % (self.serial, ts)
        return self.t.send("POST", {"new_fb_token": "no_firebase_token", "serial": self.serial,
                                    "timestamp": ts, "signature": self.sign(text)})


def der_pkcs1_to_spki(pkcs1):
    """Wraps a PKCS#1 RSAPublicKey in a SubjectPublicKeyInfo, as the app
    does before it uses the server's key."""
    def der_len(n):
        if n < 0x80:
            return bytes([n])
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return bytes([0x80 | len(b)]) + b
    alg = bytes.fromhex("300d06092a864886f70d0101010500")
    bitstring = b"\x03" + der_len(len(pkcs1) + 1) + b"\x00" + pkcs1
    body = alg + bitstring
    return b"\x30" + der_len(len(body)) + body
