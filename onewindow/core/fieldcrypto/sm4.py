"""SM4-CBC + HMAC-SM3, the cipher of the 密评 option (`ONEWINDOW_FIELD_CIPHER=sm4`).

gmssl is the pure-Python implementation the 密评 option names; OpenSSL (through `cryptography`)
computes the same SM4-CBC/PKCS#7 and HMAC-SM3 about a hundred times faster and is used when the
linked OpenSSL has them. Both read what the other wrote (tested).
"""

from __future__ import annotations

import hmac
import os
from functools import lru_cache


@lru_cache(maxsize=1)
def available_engine() -> str:
    """OpenSSL's SM4 and SM3 when the linked OpenSSL has them (or unless ONEWINDOW_SM4_ENGINE=gmssl)."""
    if os.environ.get("ONEWINDOW_SM4_ENGINE") == "gmssl":
        return "gmssl"
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as c_hmac
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        Cipher(algorithms.SM4(bytes(16)), modes.CBC(bytes(16))).encryptor()
        c_hmac.HMAC(bytes(16), hashes.SM3())
    except Exception:
        return "gmssl"
    return "openssl"


def _sm3(data: bytes) -> bytes:
    from gmssl import sm3

    return bytes.fromhex(sm3.sm3_hash(list(data)))


def _hmac_sm3(key: bytes, data: bytes, *, engine: str) -> bytes:
    if engine == "openssl":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as c_hmac

        h = c_hmac.HMAC(key, hashes.SM3())
        h.update(data)
        return h.finalize()
    block = 64
    if len(key) > block:
        key = _sm3(key)
    key = key.ljust(block, b"\0")
    inner = _sm3(bytes(b ^ 0x36 for b in key) + data)
    return _sm3(bytes(b ^ 0x5C for b in key) + inner)


def _sm4_cbc(key: bytes, iv: bytes, data: bytes, *, encrypting: bool, engine: str) -> bytes:
    if engine == "openssl":
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        cipher = Cipher(algorithms.SM4(key), modes.CBC(iv))
        if encrypting:
            padder = padding.PKCS7(128).padder()
            enc = cipher.encryptor()
            return enc.update(padder.update(data) + padder.finalize()) + enc.finalize()
        dec = cipher.decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(dec.update(data) + dec.finalize()) + unpadder.finalize()
    from gmssl import sm4

    crypt = sm4.CryptSM4()
    crypt.set_key(key, sm4.SM4_ENCRYPT if encrypting else sm4.SM4_DECRYPT)
    return bytes(crypt.crypt_cbc(iv, data))


def encrypt(key: bytes, plaintext: bytes, *, engine: str | None = None) -> bytes:
    """IV + ciphertext + the first 16 bytes of the HMAC-SM3 tag (encrypt-then-MAC)."""
    engine = engine or available_engine()
    iv = os.urandom(16)
    body = iv + _sm4_cbc(key[:16], iv, plaintext, encrypting=True, engine=engine)
    return body + _hmac_sm3(key[16:], body, engine=engine)[:16]


def decrypt(key: bytes, blob: bytes, *, engine: str | None = None) -> bytes:
    from . import DecryptionFailed

    engine = engine or available_engine()
    body, tag = blob[:-16], blob[-16:]
    if len(body) < 32 or not hmac.compare_digest(_hmac_sm3(key[16:], body, engine=engine)[:16], tag):
        raise DecryptionFailed("SM4 tag mismatch")
    return _sm4_cbc(key[:16], body[:16], body[16:], encrypting=False, engine=engine)
