"""Rompslomp tokens (and PKCE verifiers) at rest: Fernet with TOKEN_ENCRYPTION_KEY (D5).

Fernet is AES-128-CBC with an HMAC-SHA256 over the ciphertext: a column cannot be read
without the key, nor changed unnoticed. Nothing here logs a token or puts one in a message.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from .errors import TokenKeyError


def cipher_for(key: SecretStr | None) -> Fernet:
    if key is None or not key.get_secret_value().strip():
        raise TokenKeyError(
            "TOKEN_ENCRYPTION_KEY is not set: the sync worker cannot store Rompslomp tokens. "
            "Generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'` and restart.",
            code="token_key_missing",
        )
    try:
        return Fernet(key.get_secret_value().strip().encode())
    except (ValueError, TypeError) as exc:
        raise TokenKeyError(
            "TOKEN_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes).",
            code="token_key_invalid",
        ) from exc


def encrypt(cipher: Fernet, secret: str) -> str:
    return cipher.encrypt(secret.encode()).decode("ascii")


def decrypt(cipher: Fernet, stored: str) -> str:
    try:
        return cipher.decrypt(stored.encode("ascii")).decode()
    except InvalidToken as exc:
        raise TokenKeyError(
            "Stored Rompslomp tokens cannot be decrypted with TOKEN_ENCRYPTION_KEY "
            "(was the key changed?). Connect to Rompslomp again.",
            code="token_key_mismatch",
        ) from exc
