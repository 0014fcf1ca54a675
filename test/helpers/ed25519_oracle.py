"""
An independent signer and verifier of Standard Webhooks `v1a` signatures, written from the spec's text alone
(spec/standard-webhooks.md), with Python's `cryptography`: the signed content is `{id}.{timestamp}.{body}`,
the signature is ed25519 in base64 after `v1a,`, in a space-separated list; keys are base64 after `whsk_`
(the secret key: here its 32-byte seed) and `whpk_` (the public key: its 32 raw bytes).

Reads a JSON list of requests on stdin, writes a JSON list of answers. Bodies travel as base64 (exact bytes).
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat


def b64(data):
    return base64.b64encode(data).decode()


def content(req):
    return f"{req['id']}.{req['timestamp']}.".encode() + base64.b64decode(req['body'])


def answer(req):
    if req['op'] == 'keypair':
        key = Ed25519PrivateKey.generate()
        seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {'secretKey': 'whsk_' + b64(seed), 'publicKey': 'whpk_' + b64(public)}
    if req['op'] == 'sign':
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(req['secretKey'][len('whsk_'):]))
        return {'signature': 'v1a,' + b64(key.sign(content(req)))}
    if req['op'] == 'verify':
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(req['publicKey'][len('whpk_'):]))
        for entry in req['signature'].split(' '):
            version, _, signature = entry.partition(',')
            if version != 'v1a':
                continue
            try:
                key.verify(base64.b64decode(signature), content(req))
                return {'ok': True}
            except InvalidSignature:
                pass
        return {'ok': False}
    raise ValueError('unknown op ' + req['op'])


json.dump([answer(req) for req in json.load(sys.stdin)], sys.stdout)
