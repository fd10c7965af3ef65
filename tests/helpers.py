import contextlib
import html
import smtplib
from unittest import mock

from django.core.mail.backends.locmem import EmailBackend


def text(response) -> str:
    """The response body with HTML entities decoded, for asserting on visible text."""
    return html.unescape(response.content.decode())


def rows_of(*models) -> list[list[dict]]:
    """Every row of ``models``, to compare before and after a refused action (a login's
    ``last_login`` aside)."""
    return [
        [
            {k: v for k, v in row.items() if k != "last_login"}
            for row in model.objects.order_by("pk").values()
        ]
        for model in models
    ]


@contextlib.contextmanager
def smtp_failing_once():
    """The mail server drops the first connection, then delivers (to the test mailbox). Yields
    the list of attempts, one per call of the backend."""
    real_send = EmailBackend.send_messages
    calls = []

    def flaky(backend, messages):
        calls.append(messages)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(backend, messages)

    with mock.patch.object(EmailBackend, "send_messages", flaky):
        yield calls
