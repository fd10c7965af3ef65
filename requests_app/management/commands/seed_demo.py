"""Load Guichet's demo data. Idempotent: running it twice changes nothing the second time."""

import json
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from contacts.services import client_for_user
from crm import roles
from crm.models import AssignmentGroup, User
from requests_app.catalogue.services import catalogue_load
from requests_app.forms.services import form_load
from requests_app.incidents import services as incident_services
from requests_app.models import Incident, IncidentCategory, RequestType, ServiceRequest
from requests_app.requests.services import request_create

CATALOGUE = Path(__file__).resolve().parents[3] / "requests_app" / "fixtures"
FORMS = Path(__file__).resolve().parents[3] / "requests_app" / "forms" / "demo_forms.json"

# Demo-only credentials, documented in the README. Never use them outside a demo.
DEMO_PASSWORD = "guichet-demo-2026"
DEMO_USERS = [
    # e-mail, first name, last name, role, staff
    ("citoyen@demo.guichet.test", "Camille", "Citoyenne", roles.CITIZEN, False),
    ("agent@demo.guichet.test", "Alex", "Agent", roles.AGENT, False),
    ("technologue@demo.guichet.test", "Théo", "Technologue", roles.AGENT, False),
    ("admin@demo.guichet.test", "Ada", "Administratrice", roles.ADMINISTRATOR, True),
    ("gestionnaire@demo.guichet.test", "Gaël", "Gestionnaire", roles.MANAGER, False),
]
DEMO_GROUPS = [
    (
        "Techno-pédagogues",
        "Conseillers techno-pédagogiques : entrevues avec les responsables de cours et "
        "accompagnement pédagogique.",
        "agent@demo.guichet.test",
        ["agent@demo.guichet.test"],
    ),
    (
        "Technologues",
        "Soutien technologique : planification, espaces virtuels, conformité de la médiatisation.",
        "technologue@demo.guichet.test",
        ["technologue@demo.guichet.test", "agent@demo.guichet.test"],
    ),
    (
        "Service des établissements",
        "Instruit les demandes des collèges et lycées : travaux, équipements, aides.",
        "agent@demo.guichet.test",
        ["agent@demo.guichet.test"],
    ),
]


class Command(BaseCommand):
    help = "Load the demo users (one per role) and assignment groups. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-samples",
            action="store_true",
            help="load users, groups and the catalogue only, without the sample request and "
            "help request",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for email, first, last, role, staff in DEMO_USERS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, first_name=first, last_name=last, is_staff=staff
                )
                self.stdout.write(f"user {email} ({role}) created")
            user.groups.add(Group.objects.get(name=role))
            users[email] = user
        for name, description, lead, members in DEMO_GROUPS:
            group, created = AssignmentGroup.objects.get_or_create(
                name=name, defaults={"description": description, "lead": users[lead]}
            )
            group.members.add(*(users[m] for m in members))
            if created:
                self.stdout.write(f"assignment group {name} created")
        # tasks_app's own demo data (support-task templates, rooms and cubicles), by command
        # name: requests_app reaches tasks_app through tasks_app.chain alone.
        call_command("seed_support", stdout=self.stdout)
        for path in sorted(CATALOGUE.glob("*.json")):
            types = catalogue_load(
                data=json.loads(path.read_text(encoding="utf-8")), files=CATALOGUE / "templates"
            )
            self.stdout.write(f"catalogue {path.name}: {', '.join(t.code for t in types)}")
        for form_data in json.loads(FORMS.read_text(encoding="utf-8")):
            form = form_load(data=form_data)
            self.stdout.write(f"form of {form.request_type.code}: version {form.versions.count()}")
        if not options["no_samples"]:
            self._demo_work(users)
        self.stdout.write(self.style.SUCCESS("demo data ready"))

    def _demo_work(self, users):
        """One request going through the faculty's chain and one help request, so that every
        queue of the demo shows something."""
        coordination, _created = AssignmentGroup.objects.get_or_create(
            name="Coordination FAD",
            defaults={
                "description": "Reçoit les demandes d'aide escaladées.",
                "lead": users["gestionnaire@demo.guichet.test"],
            },
        )
        coordination.members.add(users["gestionnaire@demo.guichet.test"])
        AssignmentGroup.objects.filter(
            name__in=["Technologues", "Techno-pédagogues"], escalation_group__isnull=True
        ).update(escalation_group=coordination)
        categories = {}
        for name, name_en in [
            ("Classe virtuelle (Zoom)", "Virtual class (Zoom)"),
            ("Enregistrement", "Recording"),
            ("Accès aux outils", "Access to tools"),
        ]:
            categories[name], _created = IncidentCategory.objects.get_or_create(
                name=name, defaults={"name_en": name_en}
            )
        # The demo citizen is a client with a portal account: what is filed for the client shows
        # on the portal's "My requests".
        citizen = client_for_user(user=users["citoyen@demo.guichet.test"])
        key = "MED1001|A2026|SYNC"
        if not ServiceRequest.objects.filter(external_key=key).exists():
            request_create(
                requester=citizen,
                request_type=RequestType.objects.get(code="SYNC"),
                title="MED1001 — Introduction à la médecine (A2026)",
                external_key=key,
                channel=ServiceRequest.Channel.IMPORT,
                form_data={"sigle": "MED1001", "trimestre": "A2026", "approche": "SYNC"},
                by=users["agent@demo.guichet.test"],
            )
            self.stdout.write("demo request created")
        title = "Le son ne passe pas pendant la classe virtuelle"
        if not Incident.objects.filter(requester=citizen, title=title).exists():
            incident_services.incident_create(
                requester=citizen,
                title=title,
                description="Les étudiants ne m'entendent pas depuis ce matin.",
                channel=Incident.Channel.PHONE,
                category=categories["Classe virtuelle (Zoom)"],
                assignment_group=AssignmentGroup.objects.get(name="Technologues"),
                by=users["technologue@demo.guichet.test"],
            )
            self.stdout.write("demo incident created")
        call_command("seed_crm_demo", stdout=self.stdout)
