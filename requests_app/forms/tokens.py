"""The signed links of a filing without an account: one confirms the e-mail address (it expires),
the other lets the person follow their request (read only). Signed with the SECRET_KEY under a
salt of their own, so that neither can be forged, nor one used for the other."""

from django.core import signing

CONFIRM_SALT = "guichet.forms.confirm-email"
FOLLOW_SALT = "guichet.forms.follow-request"
CONFIRM_MAX_AGE = 7 * 24 * 3600
# A token is a few dozen characters; anything much longer is not one of ours.
TOKEN_MAX_LENGTH = 200


def confirm_token(submission_id: int) -> str:
    return signing.dumps(submission_id, salt=CONFIRM_SALT, compress=False)


def follow_token(request_id: int) -> str:
    return signing.dumps(request_id, salt=FOLLOW_SALT, compress=False)


def _read(token: str, salt: str, max_age: int | None) -> int | None:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def submission_of_confirm_token(token: str) -> int | None:
    return _read(token, CONFIRM_SALT, CONFIRM_MAX_AGE)


def request_of_follow_token(token: str) -> int | None:
    return _read(token, FOLLOW_SALT, None)
