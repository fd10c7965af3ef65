"""The signed token of a reply address: ``reply+<token>@<domain>``.

The token names the comment the requester is answering and the client it was mailed to, and
when; it is signed with ``django.core.signing`` (the site's ``SECRET_KEY``, and the keys of
``SECRET_KEY_FALLBACKS`` while they are rotated out). It must survive in the local part of an
address, which is at most 64 characters and which some mail servers lower-case: so it is made of
lower-case letters, digits, hyphens and one dot, e.g. ``1234-56-tc0ffe.<24 characters>``:

- ``1234``: the journal entry (the comment) replied to; the reply lands in its request (and
  task) or its incident;
- ``56``: the client it was mailed to, who must still be the requester;
- ``tc0ffe``: the time it was made, in base 36, so that a token expires
  (``INBOUND_EMAIL_TOKEN_MAX_AGE_DAYS``);
- the signature: 120 bits of the HMAC-SHA256 that ``Signer`` makes, in base 32.
"""

import base64
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.http import base36_to_int, int_to_base36

SALT = "guichet.requests_app.mail.reply"
SIGNATURE_BYTES = 15
TOKEN_PATTERN = re.compile(r"^(\d{1,12})-(\d{1,12})-t([0-9a-z]{1,10})\.([a-z2-7]{24})$")


class TokenError(Exception):
    """Why a token is refused: ``reason`` is one of ``forged``, ``expired``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReplyToken:
    entry_id: int
    client_id: int
    issued_at: int


class _ReplySigner(signing.Signer):
    """``Signer`` whose signature fits a mail address: base 32, lower case, truncated."""

    def signature(self, value, key=None):
        digest = signing.b64_decode(super().signature(value, key).encode())
        return base64.b32encode(digest[:SIGNATURE_BYTES]).decode().lower()


def _signer() -> _ReplySigner:
    # A dot: allowed in an address, and a separator that Signer accepts (a hyphen is not).
    return _ReplySigner(sep=".", salt=SALT)


def make_token(*, entry_id: int, client_id: int, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return _signer().sign(f"{entry_id}-{client_id}-t{int_to_base36(issued)}")


def read_token(token: str, *, now: float | None = None) -> ReplyToken:
    """The token's content, or ``TokenError`` when it was not signed here (``forged``) or is
    older than ``INBOUND_EMAIL_TOKEN_MAX_AGE_DAYS`` (``expired``)."""
    token = (token or "").strip().lower()
    match = TOKEN_PATTERN.match(token)
    if match is None:
        raise TokenError("forged")
    try:
        _signer().unsign(token)
    except signing.BadSignature as exc:
        raise TokenError("forged") from exc
    entry_id, client_id, issued = int(match[1]), int(match[2]), base36_to_int(match[3])
    age = (now if now is not None else time.time()) - issued
    if age > settings.INBOUND_EMAIL_TOKEN_MAX_AGE_DAYS * 86400 or age < -300:
        raise TokenError("expired")
    return ReplyToken(entry_id=entry_id, client_id=client_id, issued_at=issued)


def inbound_parts() -> tuple[str, str] | None:
    """``(local part, domain)`` of ``INBOUND_EMAIL_ADDRESS`` (lower case), or None when no
    mailbox receives replies."""
    address = (settings.INBOUND_EMAIL_ADDRESS or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return None
    return local, domain


def reply_address(token: str) -> str | None:
    """``local+token@domain`` of the inbound mailbox, or None when there is none."""
    parts = inbound_parts()
    if parts is None:
        return None
    local, domain = parts
    return f"{local}+{token}@{domain}"


def token_from_address(address: str) -> str | None:
    """The token of a reply address of ours (``local+token@domain``), else None."""
    parts = inbound_parts()
    if parts is None:
        return None
    local, domain = parts
    mailbox, at, host = (address or "").strip().strip("<>").lower().rpartition("@")
    if not at or host != domain:
        return None
    prefix = f"{local}+"
    if not mailbox.startswith(prefix):
        return None
    return mailbox[len(prefix) :] or None
