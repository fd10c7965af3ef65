"""The banner that ``make run`` ends with: where Guichet answers, who to log in as, how to stop."""

from django.core.management.base import BaseCommand

from crm import roles

from .seed_demo import DEMO_PASSWORD, DEMO_USERS

ROLE_NAMES = {
    roles.CITIZEN: "citoyen·ne / citizen",
    roles.AGENT: "agent",
    roles.MANAGER: "gestionnaire / manager",
    roles.ADMINISTRATOR: "administrateur·rice / administrator",
}


class Command(BaseCommand):
    help = "Print where the demo answers, its logins and how to stop it."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options):
        url = url.rstrip("/") + "/"
        width = 72
        lines = [
            "=" * width,
            f"  Guichet est prêt / is ready:  {url}",
            f"  Back office: {url}agent/    Administration: {url}admin/",
            "",
            f"  Comptes de démonstration / demo logins (mot de passe / password: {DEMO_PASSWORD})",
        ]
        for email, _first, _last, role, _staff in DEMO_USERS:
            lines.append(f"    {email:<34} {ROLE_NAMES.get(role, role)}")
        lines += [
            "",
            "  Arrêter / stop: Ctrl-C (serveur web, worker et beat Celery / web, worker, beat)",
            "=" * width,
        ]
        self.stdout.write("\n".join(lines))
