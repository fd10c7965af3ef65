"""The reply address's token: signed here, tied to a comment and a client, expiring, and short
and lower-case enough for the local part of an address."""

import time

import pytest

from requests_app.mail import tokens

NOW = 1_790_000_000.0


def test_a_token_names_its_comment_and_client():
    token = tokens.make_token(entry_id=1234, client_id=56, now=NOW)
    read = tokens.read_token(token, now=NOW + 60)
    assert (read.entry_id, read.client_id, read.issued_at) == (1234, 56, int(NOW))


def test_a_token_fits_an_address_and_survives_lower_casing():
    token = tokens.make_token(entry_id=99_999_999_999, client_id=99_999_999, now=NOW)
    assert token == token.lower()
    assert all(c.isalnum() or c in "-." for c in token)
    assert len(f"reponses+{token}") <= 64
    # A mail server that upper-cases the address does not break it either.
    assert tokens.read_token(token.upper(), now=NOW).entry_id == 99_999_999_999


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t.replace("1234-", "1235-", 1),  # another comment
        lambda t: t.replace("-56-", "-57-", 1),  # another client
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # a signature changed
        lambda t: t.rsplit(".", 1)[0],  # no signature
        lambda t: t.rsplit(".", 1)[0] + "." + "a" * 24,  # a made-up signature
        lambda t: "",
        lambda t: "../../etc/passwd",
    ],
)
def test_a_forged_token_is_refused(forge):
    token = tokens.make_token(entry_id=1234, client_id=56, now=NOW)
    with pytest.raises(tokens.TokenError) as refused:
        tokens.read_token(forge(token), now=NOW)
    assert refused.value.reason == "forged"


def test_a_token_signed_with_another_key_is_refused(settings):
    token = tokens.make_token(entry_id=1, client_id=2, now=NOW)
    settings.SECRET_KEY = "another-secret-key-of-at-least-fifty-characters-for-the-test"
    with pytest.raises(tokens.TokenError):
        tokens.read_token(token, now=NOW)


def test_a_token_survives_a_key_rotation(settings):
    old = settings.SECRET_KEY
    token = tokens.make_token(entry_id=1, client_id=2, now=NOW)
    settings.SECRET_KEY = "the-new-secret-key-of-at-least-fifty-characters-for-the-test"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert tokens.read_token(token, now=NOW).entry_id == 1


def test_a_token_expires(settings):
    settings.INBOUND_EMAIL_TOKEN_MAX_AGE_DAYS = 30
    token = tokens.make_token(entry_id=1, client_id=2, now=NOW)
    assert tokens.read_token(token, now=NOW + 29 * 86400).entry_id == 1
    with pytest.raises(tokens.TokenError) as refused:
        tokens.read_token(token, now=NOW + 31 * 86400)
    assert refused.value.reason == "expired"


def test_the_token_is_read_from_our_reply_addresses_only(settings):
    settings.INBOUND_EMAIL_ADDRESS = "Reponses@Guichet.example.org"
    token = tokens.make_token(entry_id=1, client_id=2, now=time.time())
    address = tokens.reply_address(token)
    assert address == f"reponses+{token}@guichet.example.org"
    assert tokens.token_from_address(address.upper()) == token
    assert tokens.token_from_address(f"<{address}>") == token
    assert tokens.token_from_address(f"reponses+{token}@elsewhere.example") is None
    assert tokens.token_from_address(f"other+{token}@guichet.example.org") is None
    assert tokens.token_from_address("reponses@guichet.example.org") is None


def test_without_a_reply_mailbox_there_is_no_reply_address(settings):
    settings.INBOUND_EMAIL_ADDRESS = ""
    assert tokens.reply_address("x") is None
    assert tokens.token_from_address("reponses+x@guichet.example.org") is None
