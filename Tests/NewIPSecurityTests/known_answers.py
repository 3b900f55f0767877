#!/usr/bin/env python3
"""Independent known answers for NewIPSecurityTests (KnownAnswers.swift).

Builds the fixtures' bytes by hand from docs/wire.md and docs/keys.md and computes the
expected values with Python's `cryptography` (AES-CMAC, Ed25519) and `hashlib` (SHA-256),
sharing no code with swift-crypto or the Swift module. Run: python3 known_answers.py
"""
import hashlib
import struct
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization


def aes_cmac(key, data):
    c = cmac.CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()


secret = bytes(range(16))
seed = bytes(range(32))
public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw)
print("publicKey", public.hex())

# K_src = AES-CMAC(secret, 0x01 | address type | length | address)
k_src = aes_cmac(secret, bytes([0x01, 3, 1, 0x05]))
print("sourceKeyCompact05", k_src.hex())
ipv6 = bytes.fromhex("20010db8000000000000000000000001")
print("sourceKeyIPv6", aes_cmac(secret, bytes([0x01, 1, 16]) + ipv6).hex())

payload = b"hello, new ip"
auth_body = bytes([7, 0]) + struct.pack(">I", 0x01020304) + bytes(8)

# Compact: bitmap 57 c0 (TTL, NH, dst, src, more | header length, extensions), TTL 64,
# next header 0x11, dst 300 = de 2c, src 05, header length, extension items.
lbf = struct.pack(">HHHHHH", 2, 10, 50, 0, 0, 0)
spec = bytes([0, 2, 0, 0, 0, 5, 1, 0, 8])
items = bytes([1, len(lbf)]) + lbf + bytes([3, 14]) + auth_body + bytes([2, len(spec)]) + spec
fixed = bytes([0x57, 0xC0, 64, 0x11, 0xDE, 0x2C, 0x05])
header = bytearray(fixed + bytes([len(fixed) + 1 + len(items)]) + items)
print("compactPacketUnsealed", (bytes(header) + payload).hex())
covered = bytearray(header)
covered[2] = 0                       # TTL
lbf_at = 8 + 2                       # after the header-length byte and the item header
for field in (6, 8, 10):             # experienced_delay, fib_todelay, fib_tohops
    covered[lbf_at + field:lbf_at + field + 2] = b"\0\0"
# (the MAC field is zero already in the placeholder)
mac = aes_cmac(k_src, bytes([0x10]) + bytes(covered) + payload)[:8]
mac_at = lbf_at + len(lbf) + 2 + 6
header[mac_at:mac_at + 8] = mac
print("compactPacketSealed", (bytes(header) + payload).hex())

# Framework: offsets 3, contract, payload; types compact / IPv6; unicast; src 05; dst IPv6;
# ping (hops 0, timestamp 42), authenticator 0x0011, max-delay 100, payload spec 0x0010 last.
ping = struct.pack(">HHHQ", 3, 0, 0, 42)
auth = struct.pack(">H", 0x11) + auth_body
mdf = struct.pack(">HHH", 1, 100, 0)
pspec = struct.pack(">H", 0x10) + bytes([0, 1, 0, 0, 0, 13])
shipping = bytes([3, 1, 0, 0x05]) + ipv6
contract = ping + auth + mdf + pspec
contract_at = 3 + len(shipping)
fw = bytearray(bytes([3, contract_at, contract_at + len(contract)]) + shipping + contract)
print("frameworkPacketUnsealed", (bytes(fw) + payload).hex())
covered = bytearray(fw)
covered[contract_at + 4:contract_at + 6] = b"\0\0"            # ping hops
mdf_at = contract_at + len(ping) + len(auth)
covered[mdf_at + 4:mdf_at + 6] = b"\0\0"                      # delay_exp
mac = aes_cmac(k_src, bytes([0x11]) + bytes(covered) + payload)[:8]
mac_at = contract_at + len(ping) + 2 + 6
fw[mac_at:mac_at + 8] = mac
print("frameworkPacketSealed", (bytes(fw) + payload).hex())

# Self-certifying addresses: SHA-256(tag | type | L | p | prefix (suffix zero) | key | modifier).
tag = b"swift-newip self-certifying address v1\0"
def sca(type_, prefix_bytes, p, key, modifier):
    L = len(prefix_bytes)
    value = int.from_bytes(prefix_bytes, "big") & (((1 << p) - 1) << (8 * L - p))
    h = hashlib.sha256(tag + bytes([type_, L, p]) + value.to_bytes(L, "big") + key + bytes([modifier])).digest()
    suffix = int.from_bytes(h, "big") >> (256 - (8 * L - p))
    return (value | suffix).to_bytes(L, "big")
print("compactSelfCertified", sca(3, bytes([0xFE] + [0] * 7), 8, public, 0).hex())
a = sca(1, bytes.fromhex("20010db800000042ffff000000000000"), 64, public, 0)
import ipaddress
print("ipv6SelfCertified", ipaddress.IPv6Address(a))

# Certificate: version, type 3, prefix 16, length 2, address de00+0x1234-... (4660 = f1 1234? no:)
# 0x1234 = 4660 is in 221...5119: first = 0xDD + (4660 >> 8) = 0xEF, second = 0x34.
registrar = Ed25519PrivateKey.from_private_bytes(bytes([0x42] * 32)).public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw)
issuer = hashlib.sha256(registrar).digest()[:8]
domain = b"sensors.example"
signed = (bytes([1, 3, 16, 2, 0xEF, 0x34]) + public + bytes([len(domain)]) + domain +
          struct.pack(">QQQ", 1, 1_893_456_000, 1_924_992_000) + issuer)
print("certificateSignedBytes", signed.hex())
