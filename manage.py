#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    # Management commands on a developer's machine run in DEBUG unless told otherwise; the
    # servers (gunicorn through crm.wsgi, Celery through crm.celery) never get this default, so
    # production still refuses to start without SECRET_KEY and ALLOWED_HOSTS.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
