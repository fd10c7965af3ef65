"""Land one e-mail read on standard input (RFC 822 bytes), for a mail server's pipe, e.g. in
Postfix's aliases: ``guichet-reply: "|/srv/guichet/manage.py receive_email"``.

Exit status: 0 when the message landed, was already there, or was ignored (an auto-reply, a
loop), so that the mail server does not bounce it; 67 (EX_NOUSER) when it was refused (no valid
reply token), so that the sender learns their reply did not arrive."""

import sys

from django.core.management.base import BaseCommand

from requests_app.mail.inbound import inbound_email_receive

EX_NOUSER = 67


class Command(BaseCommand):
    help = "Land one e-mail read on standard input in the thread its reply address names."
    # call_command(..., stdin=a binary file) reads it instead of the process's standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--recipient",
            default="",
            help="The address the mail server delivered the message to (e.g. ${recipient}).",
        )

    def handle(self, *args, recipient: str = "", **options):
        stream = options.get("stdin") or sys.stdin
        raw = getattr(stream, "buffer", stream).read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        result = inbound_email_receive(raw=raw, recipient=recipient)
        self.stdout.write(f"{result.status}: {result.reason}")
        if result.status == "refused":
            sys.exit(EX_NOUSER)
