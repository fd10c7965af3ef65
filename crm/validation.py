"""One rule at the edge for what a person sends: no NUL byte, bounded text, safe ``next``.

Forms carry the rule themselves (``CharField`` refuses NUL bytes through Django's
``ProhibitNullCharactersValidator``; every free-text field sets ``max_length`` from here). The
few views that read ``request.POST``/``request.GET`` directly use ``posted_text`` and
``safe_next``. ``BadInputMiddleware`` answers 400 to any parameter holding a NUL byte before a
view or the admin can hand it to PostgreSQL, which refuses it with a 500.
"""

from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .errors import DomainError

# Lengths of free text, in characters.
SHORT_TEXT_MAX_LENGTH = 255  # a title, a status, a search
REASON_MAX_LENGTH = 2_000  # a reason or a note given with an action
TEXT_MAX_LENGTH = 10_000  # a description, a journal entry, a message
QUERY_MAX_LENGTH = 200  # one query parameter of a list

NUL = "\x00"


def has_nul(value: str) -> bool:
    return NUL in value


def posted_text(data, name: str, *, max_length: int = REASON_MAX_LENGTH) -> str:
    """The stripped text of one field read directly from a request; ``DomainError`` (400) when
    it holds a NUL byte or is longer than ``max_length``."""
    value = (data.get(name) or "").strip()
    if has_nul(value):
        raise DomainError(_("The text contains a character that is not allowed."))
    if len(value) > max_length:
        raise DomainError(
            _("The text is too long (%(max)d characters at most).") % {"max": max_length}
        )
    return value


def query_value(data, name: str, default: str = "", *, max_length: int = QUERY_MAX_LENGTH) -> str:
    """One query parameter of a list, cut to ``max_length`` and without NUL bytes."""
    value = data.get(name, default) or default
    return value.replace(NUL, "")[:max_length]


def safe_next(request, fallback: str) -> str:
    """The ``next`` target when it is a path on this site, otherwise ``fallback``.

    Only absolute paths are kept (``/…`` but not ``//…``): a scheme (``javascript:``), another
    host or words that are not a URL fall back, so ``redirect()`` never tries to reverse them.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not target.startswith("/\\")
        and not has_nul(target)
        and not any(char.isspace() for char in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


# The methods Guichet serves anywhere; each view narrows them further (require_safe, require_POST).
SERVED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


class BadInputMiddleware:
    """405 for a method Guichet serves nowhere (TRACE, PUT…), even on views that do not say
    which methods they take (the admin's); 400 for a NUL byte in the path or in any query or
    form parameter, names included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SERVED_METHODS:
            return HttpResponseNotAllowed(SERVED_METHODS)
        if self._has_nul(request):
            return HttpResponseBadRequest(
                _("The request contains a character that is not allowed."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if has_nul(request.path):
            return True
        sources = [request.GET]
        if request.method == "POST":
            sources.append(request.POST)
        for source in sources:
            for key, values in source.lists():
                if has_nul(key) or any(has_nul(value) for value in values):
                    return True
        return False
