"""Django's ``makemessages``, also reading the project's two other names for gettext: ``_t``
(``gettext`` under another name where ``_`` is taken) and ``gettext_now`` (the SLA admin,
the dashboards)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=_t",
        "--keyword=gettext_now",
    ]
