"""A local stand-in for Cognito: an RSA key, its JWKS and editor tokens signed with it.

Used by ``kysy dev`` (which prints a working editor token) and by the tests. The app verifies
these tokens exactly like Cognito's: signature, expiry, issuer, client id and group.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LOCAL_AUDIENCE = "kysy-local-editor-view"
KID = "kysy-local"


class LocalSigner:
    def __init__(self, key: rsa.RSAPrivateKey, issuer: str, audience: str = LOCAL_AUDIENCE, kid: str = KID) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.kid = kid

    @classmethod
    def load_or_create(cls, path: Path, issuer: str) -> LocalSigner:
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
            path.chmod(0o600)
        return cls(key, issuer)

    @classmethod
    def ephemeral(cls, issuer: str) -> LocalSigner:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), issuer)

    def jwks(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk |= {"kid": self.kid, "use": "sig", "alg": "RS256"}
        return {"keys": [jwk]}

    def token(
        self,
        *,
        email: str = "editor@example.com",
        groups: tuple[str, ...] = ("editors",),
        ttl_seconds: int = 8 * 3600,
        audience: str | None = None,
        issuer: str | None = None,
        **claims: Any,
    ) -> str:
        """An access token shaped like Cognito's (``token_use=access``, ``client_id``, groups)."""
        now = int(time.time())
        payload = {
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, email)),
            "iss": issuer or self.issuer,
            "client_id": audience or self.audience,
            "token_use": "access",
            "scope": "openid email",
            "username": email,
            "email": email,
            "cognito:groups": list(groups),
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})
