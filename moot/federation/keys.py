"""RSA key pairs for local actors (HTTP signatures sign with them)."""

from __future__ import annotations

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from moot.db.engine import Connection, Row


def generate_keypair() -> tuple[str, str]:
    """A new RSA-2048 key pair as (private PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


async def actor_keys(conn: Connection, table: sa.Table, row: Row) -> tuple[str, str]:
    """A local actor's (private, public) PEM pair, made and stored the first time it is needed.

    Keys are made lazily so that importing a site of thousands of members costs nothing.
    """
    if row.get("private_key") and row.get("public_key"):
        return str(row["private_key"]), str(row["public_key"])
    private, public = generate_keypair()
    await conn.execute(
        sa.update(table)
        .where(table.c.id == row["id"], table.c.private_key.is_(None))
        .values(private_key=private, public_key=public)
    )
    stored = await conn.fetch_one(
        sa.select(table.c.private_key, table.c.public_key).where(table.c.id == row["id"])
    )
    assert stored is not None
    return str(stored["private_key"]), str(stored["public_key"])
