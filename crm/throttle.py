"""Login and password-reset throttling that resists spraying (README, "Login and
password-reset throttling").

django-axes keeps its rule: five failures for one account from one address lock that pair out.
This module adds what axes cannot express (one failure limit per rule, no device it trusts):

- an address with more than ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures over all accounts in one
  window is refused the next window, whatever account it tries;
- an account with ``LOGIN_ACCOUNT_FAILURE_LIMIT`` failures over all addresses in one window is
  refused to unknown devices for a window, and each failure after that doubles the refusal, up
  to ``LOGIN_ACCOUNT_LOCK_MAX_HOURS``. A browser that has logged in to the account before holds a
  signed cookie naming it and is never refused, so an attacker cannot lock the owner out;
- password resets are counted per address and per account per hour.

The counters live on the cache named by ``THROTTLE_CACHE`` (Redis in production), keyed by
digests: no e-mail address is stored. An unknown account is counted and refused exactly like an
existing one, so no answer says whether it exists. Counters are fixed windows built from
``add`` then ``incr``, both atomic on Redis, so concurrent requests never pass a limit together.
"""

import ipaddress
import math
import time

from axes.helpers import get_client_ip_address, get_cool_off
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

_ACCOUNT_SALT = "guichet.throttle.account"
_COOKIE_SALT = "guichet.throttle.known-device"
_DEVICE_ACCOUNTS_KEPT = 5
_RESET_WINDOW = 3600


def _cache():
    return caches[settings.THROTTLE_CACHE]


def _window() -> int:
    return settings.LOGIN_THROTTLE_MINUTES * 60


def account_key(username: str) -> str:
    """The digest an account is counted under: the same for any case of the address."""
    return salted_hmac(_ACCOUNT_SALT, username.strip().lower()).hexdigest()[:24]


def address_key(ip: str | None) -> str:
    """An IPv4 address, or the /64 of an IPv6 one (one machine commonly holds a whole /64)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def client_address(request: HttpRequest | None) -> str:
    """The client's address as django-axes reads it (``PROXY_COUNT`` behind a proxy)."""
    return address_key(get_client_ip_address(request) if request is not None else None)


def _count(key: str, window: int) -> int:
    """Count one event in the current fixed window of ``key``; return the window's count."""
    cache = _cache()
    bucket = f"{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window * 2)
    try:
        return cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window * 2)
        return 1


def _lock(key: str, seconds: int) -> None:
    # The value is the end of the lock: the refusal reads it, the cache's expiry only cleans up.
    _cache().set(key, time.time() + seconds, timeout=seconds + 60)


def _locked_for(key: str) -> int:
    until = _cache().get(key)
    return max(0, math.ceil(until - time.time())) if until else 0


# Login -------------------------------------------------------------------------------------


def known_accounts(request: HttpRequest) -> list[str]:
    """Digests of the accounts this browser has logged in to (from its signed cookie)."""
    value = request.get_signed_cookie(
        settings.KNOWN_DEVICE_COOKIE_NAME,
        default="",
        salt=_COOKIE_SALT,
        max_age=settings.KNOWN_DEVICE_DAYS * 86400,
    )
    return [digest for digest in value.split(",") if digest]


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful login: this browser becomes a known device of the account."""
    digest = account_key(username)
    accounts = [digest] + [d for d in known_accounts(request) if d != digest]
    response.set_signed_cookie(
        settings.KNOWN_DEVICE_COOKIE_NAME,
        ",".join(accounts[:_DEVICE_ACCOUNTS_KEPT]),
        salt=_COOKIE_SALT,
        max_age=settings.KNOWN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def login_refused_for(*, request: HttpRequest, username: str) -> int:
    """Seconds before this login may be tried, or 0. Asked before any password is checked.

    A known device of the account is never refused: the locks are there to stop strangers.
    """
    digest = account_key(username)
    if digest in known_accounts(request):
        return 0
    return max(
        _locked_for(f"login:address-lock:{client_address(request)}"),
        _locked_for(f"login:account-lock:{digest}"),
    )


def login_failed(*, request: HttpRequest, username: str) -> None:
    """Count a failed login against its address and its account; lock what went over."""
    window = _window()
    address = client_address(request)
    if _count(f"login:address:{address}", window) > settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        _lock(f"login:address-lock:{address}", window)

    digest = account_key(username)
    level_key = f"login:account-level:{digest}"
    longest = settings.LOGIN_ACCOUNT_LOCK_MAX_HOURS * 3600
    cache = _cache()
    # Once an account has been locked, every further failure locks it again, twice as long.
    if cache.get(level_key) or (
        _count(f"login:account:{digest}", window) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    ):
        cache.add(level_key, 0, timeout=longest * 2)
        level = cache.incr(level_key)
        cache.touch(level_key, timeout=longest * 2)
        _lock(f"login:account-lock:{digest}", min(window * 2 ** (level - 1), longest))


def mark_locked_out(request: HttpRequest, seconds: int) -> None:
    """Have the lock-out page answer this request (axes' middleware renders it)."""
    request.axes_locked_out = True
    request.throttle_retry_after = seconds


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The 429 page, for axes' lock-out and this module's refusals (``AXES_LOCKOUT_CALLABLE``)."""
    seconds = getattr(request, "throttle_retry_after", None)
    if seconds is None:
        cool_off = get_cool_off(request)
        seconds = int(cool_off.total_seconds()) if cool_off else _window()
    minutes = max(1, math.ceil(seconds / 60))
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


# Password reset ----------------------------------------------------------------------------


def password_reset_allowed(*, request: HttpRequest, email: str) -> bool:
    """Count one reset request; True while its address and its account are within the limits."""
    by_address = _count(f"reset:address:{client_address(request)}", _RESET_WINDOW)
    by_account = _count(f"reset:account:{account_key(email)}", _RESET_WINDOW)
    return (
        by_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        and by_account <= settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    )


# Portal actions ----------------------------------------------------------------------------
#
# Messages, uploads, submissions and invitations of the portal are counted per account (per
# address for a visitor without one) in fixed windows of an hour; past the limit the action is
# refused with the 429 page until the window ends. Limits: settings.PORTAL_<ACTION>_LIMIT_PER_HOUR.

_ACTION_WINDOW = 3600


def portal_limit(name: str) -> int:
    """``settings.PORTAL_<NAME>_LIMIT_PER_HOUR`` (MESSAGE, UPLOAD, SUBMISSION, INVITATION)."""
    return getattr(settings, f"PORTAL_{name.upper()}_LIMIT_PER_HOUR")


def _actor(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_address(request)}"


def action_allowed(
    *, request: HttpRequest, action: str, limit: int, window: int = _ACTION_WINDOW
) -> bool:
    """Count one ``action`` of whoever sends ``request``; True while within ``limit`` per
    ``window`` seconds."""
    return _count(f"portal:{action}:{_actor(request)}", window) <= limit


def submission_allowed(request: HttpRequest) -> bool:
    """For the portal's form submission (and the anonymous filing): one more submission of this
    account or address is within ``PORTAL_SUBMISSION_LIMIT_PER_HOUR``. A refusal is answered with
    ``too_many_response``."""
    return action_allowed(request=request, action="submission", limit=portal_limit("SUBMISSION"))


def too_many_response(request: HttpRequest, seconds: int = _ACTION_WINDOW) -> HttpResponse:
    """The 429 page of a portal action over its limit (the window's remaining time at most)."""
    remaining = seconds - int(time.time()) % seconds
    minutes = max(1, math.ceil(remaining / 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(remaining)
    return response
