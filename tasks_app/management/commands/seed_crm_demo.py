"""The CRM's demo (``contacts.demo``) and its to-dos, for ``seed_demo``. Idempotent.

A command of its own because seed_demo lives in requests_app, which reaches tasks_app only
through ``tasks_app.chain``: it calls this command by name."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from contacts import demo
from crm.models import User
from tasks_app.models import Task
from tasks_app.services import todo_create

# The demo's agents (seed_demo's users) who follow the clients.
COUNSELLORS = ["agent@demo.guichet.test", "technologue@demo.guichet.test"]
# record key, title, status, priority, start and due (days from today), counsellor index
TODOS = [
    ("amina", "Envoyer la liste des offres en comptabilité", "not_started", "high", 0, 2, 0),
    ("amina", "Réserver la place au stage en entreprise", "in_progress", "medium", -5, 7, 0),
    ("oksana", "Vérifier l'inscription en francisation", "completed", "high", -10, -3, 1),
    ("mamadou", "Obtenir l'attestation d'équivalence", "waiting", "medium", -20, 10, 1),
    ("jerome", "Préparer le plan d'action", "completed", "low", -30, -20, 0),
    ("chloe", "Relire le CV après l'atelier", "not_started", "low", 1, 4, 1),
    ("employer_rh", "Transmettre trois candidatures", "in_progress", "high", -2, 3, 0),
    ("cegep", "Demander le calendrier des AEC de l'automne", "waiting", "low", -7, 14, 1),
    ("community", "Confirmer les dates de jumelage", "not_started", "medium", 3, 9, 0),
]


class Command(BaseCommand):
    help = "Load the CRM's demo records and to-dos (after seed_demo's users). Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        counsellors = list(User.objects.filter(email__in=COUNSELLORS).order_by("email"))
        if not counsellors:
            raise CommandError("The demo's agents are missing: run seed_demo.")
        records = demo.seed(counsellors=counsellors, log=self.stdout.write)
        today = timezone.localdate()
        for key, title, status, priority, start, due, index in TODOS:
            target = records.target(key)
            if Task.objects.filter(kind=Task.Kind.TODO, title=title, **target).exists():
                continue
            todo_create(
                by=None,
                status=status,
                title=title,
                assignee=counsellors[index % len(counsellors)],
                start_date=today + timedelta(days=start),
                due_date=today + timedelta(days=due),
                priority=priority,
                **target,
            )
            self.stdout.write(f"to-do {title} created")
        self.stdout.write("CRM demo ready")
