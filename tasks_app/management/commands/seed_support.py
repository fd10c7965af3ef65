"""The demo's support-task templates and bookable resources (seed 001, "calendrier des tâches
de soutien"). Idempotent: found by name, never changed once there (an administrator may have
edited them). Run by ``seed_demo``, after the assignment groups exist."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from crm.models import AssignmentGroup
from tasks_app.models import BookableResource, SupportTaskTemplate

Kind = BookableResource.Kind

# name (fr), name (en), group, minutes, resource kind, instructions (fr), instructions (en)
TEMPLATES = [
    (
        "Soutien technique — classe virtuelle en salle",
        "Technical support — virtual class in the room",
        "Technologues",
        90,
        Kind.ROOM,
        "Prendre rendez-vous (événement de formation Zoom).\n"
        "Être présent en salle au début de la rencontre.\n"
        "Assister le présentateur et le modérateur dans l'ouverture de l'événement Zoom : "
        "gestion des accès et problèmes techniques des participants.",
        "Book the session (Zoom training event).\n"
        "Be in the room when the session starts.\n"
        "Help the presenter and the moderator open the Zoom event: access and the "
        "participants' technical problems.",
    ),
    (
        "Soutien à l'enregistrement — cubicule",
        "Recording support — cubicle",
        "Technologues",
        60,
        Kind.CUBICLE,
        "Réserver un cubicule d'enregistrement.\n"
        "Accueillir le présentateur et l'installer dans le cubicule.\n"
        "L'assister au besoin pendant l'enregistrement de sa prestation.",
        "Book a recording cubicle.\n"
        "Welcome the presenter and settle them in the cubicle.\n"
        "Help them, if needed, while they record.",
    ),
    (
        "Formation du super-utilisateur",
        "Super-user training",
        "Techno-pédagogues",
        60,
        Kind.VIRTUAL,
        "Former le super-utilisateur du cours à l'outil de classe virtuelle : ouverture de "
        "l'événement, gestion des participants, enregistrement.",
        "Train the course's super-user on the virtual-class tool: opening the event, "
        "managing participants, recording.",
    ),
]
# name, kind, location, link
RESOURCES = [
    ("Salle multimédia A-1502", Kind.ROOM, "Pavillon principal, local A-1502", ""),
    ("Salle de formation B-2210", Kind.ROOM, "Pavillon principal, local B-2210", ""),
    ("Cubicule d'enregistrement 1", Kind.CUBICLE, "Bibliothèque, 2e étage, cubicule 1", ""),
    ("Cubicule d'enregistrement 2", Kind.CUBICLE, "Bibliothèque, 2e étage, cubicule 2", ""),
    ("Salle virtuelle Zoom — Cellule FMed", Kind.VIRTUAL, "", "https://zoom.example.org/j/1000"),
]


class Command(BaseCommand):
    help = "Load the demo's support-task templates and bookable resources. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        groups = {g.name: g for g in AssignmentGroup.objects.all()}
        for name, name_en, group, minutes, kind, instructions, instructions_en in TEMPLATES:
            if group not in groups:
                raise CommandError(f"The assignment group {group} is missing: run seed_demo.")
            _template, created = SupportTaskTemplate.objects.get_or_create(
                name_fr=name,
                defaults={
                    "name_en": name_en,
                    "instructions_fr": instructions,
                    "instructions_en": instructions_en,
                    "assignment_group": groups[group],
                    "default_duration_minutes": minutes,
                    "resource_kind": kind,
                },
            )
            if created:
                self.stdout.write(f"support-task template {name} created")
        for name, kind, location, url in RESOURCES:
            _resource, created = BookableResource.objects.get_or_create(
                name=name, defaults={"kind": kind, "location": location, "url": url}
            )
            if created:
                self.stdout.write(f"bookable resource {name} created")
