"""The CRM's demo data: a lived-in caseload for ``manage.py seed_demo``.

Partners (a cégep, a school service centre, an employer, a community organisation) and their
contacts; clients of several kinds, each followed by a counsellor; calls planned and held, in
and out; meetings this week and next, one of them weekly; notes; programme enrolments, service
records with their activity numbers, SAE files; the programmes and services an administrator
configures. Everything goes through the record services (``by=None``: the system), and every
record is looked up by a natural key first, so that running the demo twice adds nothing.

Dates are relative to the day it runs: the calendar of a fresh demo always has this week's
meetings.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from crm.models import User

from . import services
from .models import (
    Call,
    Client,
    ClientType,
    Contact,
    Meeting,
    Note,
    Partner,
    Program,
    ProgramEnrolment,
    SAEFile,
    Service,
    ServiceRecord,
)

# name, name in English, description
PROGRAMS = [
    ("PAAS Action", "PAAS Action", "Programme d'aide et d'accompagnement social."),
    ("Objectif emploi", "Employment Objective", "Accompagnement des premiers demandeurs."),
    (
        "Intégration en emploi des personnes immigrantes",
        "Employment integration of immigrants",
        "Stage rémunéré et accompagnement en entreprise pour les nouveaux arrivants.",
    ),
    ("Francisation en milieu de travail", "French at work", "Cours de français chez l'employeur."),
]
SERVICES = [
    ("Aide à la recherche d'emploi", "Job search help", "Rencontres individuelles et offres."),
    ("Orientation professionnelle", "Career guidance", "Bilan des compétences et choix de métier."),
    ("Accompagnement à l'installation", "Settlement support", "Logement, écoles, démarches."),
    ("Atelier CV et entrevue", "CV and interview workshop", "Atelier de groupe de trois heures."),
    ("Reconnaissance des acquis", "Recognition of prior learning", "Diplômes obtenus ailleurs."),
]
# key, fields
PARTNERS = [
    (
        "cegep",
        {
            "name": "Cégep de Saint-Jérôme",
            "kind": Partner.Kind.SCHOOL,
            "email": "formation.continue@cstj.example",
            "phone": "450 436-1580",
            "website": "https://www.cstj.example/",
            "industry": "Enseignement collégial",
            "street": "455, rue Fournier",
            "city": "Saint-Jérôme",
            "region": "Québec",
            "postal_code": "J7Z 4V2",
            "country": "Canada",
            "description": "Attestations d'études collégiales pour adultes, reconnaissance des "
            "acquis.",
        },
    ),
    (
        "css",
        {
            "name": "Centre de services scolaire de la Rivière-du-Nord",
            "kind": Partner.Kind.SCHOOL,
            "email": "fga@cssrdn.example",
            "phone": "(450) 438-3131",
            "industry": "Éducation des adultes",
            "street": "995, rue Labelle",
            "city": "Saint-Jérôme",
            "region": "Québec",
            "postal_code": "J7Z 5N7",
            "country": "Canada",
            "description": "Francisation et formation générale des adultes.",
        },
    ),
    (
        "employer",
        {
            "name": "Boulangerie Gagnon et fils inc.",
            "kind": Partner.Kind.COMPANY,
            "email": "emplois@boulangeriegagnon.example",
            "phone": "450-555-0142",
            "website": "https://boulangeriegagnon.example/",
            "industry": "Agroalimentaire",
            "street": "1200, boulevard Industriel",
            "city": "Mirabel",
            "region": "Québec",
            "postal_code": "J7J 0E4",
            "country": "Canada",
            "description": "Recrute des boulangers, des aides-boulangers et des livreurs.",
        },
    ),
    (
        "community",
        {
            "name": "Carrefour d'accueil des nouveaux arrivants des Laurentides",
            "kind": Partner.Kind.ORGANISATION,
            "email": "accueil@canl.example",
            "phone": "450 555 0199",
            "industry": "Organisme communautaire",
            "street": "33, rue de Martigny Ouest",
            "city": "Saint-Jérôme",
            "region": "Québec",
            "postal_code": "J7Y 2E9",
            "country": "Canada",
            "description": "Premier accueil, logement et jumelage interculturel.",
        },
    ),
]
# key, partner key, fields
CONTACTS = [
    ("cegep_rac", "cegep", {"first_name": "Geneviève", "last_name": "Lévesque",
                            "job_title": "Conseillère en reconnaissance des acquis",
                            "email": "genevieve.levesque@cstj.example", "phone": "450 436-1580"}),
    ("cegep_stages", "cegep", {"first_name": "Benoît", "last_name": "Bélanger",
                               "job_title": "Coordonnateur des stages",
                               "email": "benoit.belanger@cstj.example",
                               "mobile": "514 555-0177"}),
    ("css_franc", "css", {"first_name": "Hélène", "last_name": "Côté",
                          "job_title": "Responsable de la francisation",
                          "email": "helene.cote@cssrdn.example", "phone": "(450) 438-3131"}),
    ("css_direction", "css", {"first_name": "Jérôme", "last_name": "Thériault",
                              "job_title": "Directeur de l'éducation des adultes",
                              "email": "jerome.theriault@cssrdn.example"}),
    ("employer_rh", "employer", {"first_name": "Josée", "last_name": "Gagnon",
                                 "job_title": "Directrice des ressources humaines",
                                 "email": "josee.gagnon@boulangeriegagnon.example",
                                 "phone": "450-555-0142", "mobile": "438 555-0110"}),
    ("employer_prod", "employer", {"first_name": "Rémi", "last_name": "Gagnon",
                                   "job_title": "Contremaître de production",
                                   "phone": "450-555-0143"}),
    ("community_accueil", "community", {"first_name": "Inès", "last_name": "Benali",
                                        "job_title": "Intervenante d'accueil",
                                        "email": "ines.benali@canl.example",
                                        "phone": "450 555 0199"}),
    ("community_direction", "community", {"first_name": "François", "last_name": "Ouellet",
                                          "job_title": "Directeur général",
                                          "email": "francois.ouellet@canl.example"}),
]  # fmt: skip
# key, counsellor index, fields (the e-mail is the natural key)
CLIENTS = [
    ("amina", 0, {"first_name": "Amina", "last_name": "Haddad",
                  "email": "amina.haddad@courriel.example", "phone": "514 555-0134",
                  "client_type": ClientType.NEWCOMER,
                  "country_of_origin": "Liban", "languages_spoken": "arabe, français, anglais",
                  "education_level": "Baccalauréat en comptabilité",
                  "employment_status": "Sans emploi", "target_occupation": "Technicienne comptable",
                  "city": "Saint-Jérôme", "region": "Québec", "country": "Canada",
                  "arrival_days_ago": 120, "born": date(1991, 3, 14)}),
    ("andres", 0, {"first_name": "Andrés", "last_name": "Muñoz",
                   "email": "andres.munoz@courriel.example", "phone": "(438) 555-0158",
                   "client_type": ClientType.PERMANENT_RESIDENT,
                   "country_of_origin": "Colombie", "languages_spoken": "espagnol, français",
                   "education_level": "Diplôme d'ingénieur (Colombie)",
                   "employment_status": "En emploi à temps partiel",
                   "target_occupation": "Technicien en génie civil", "city": "Mirabel",
                   "region": "Québec", "country": "Canada", "arrival_days_ago": 900,
                   "born": date(1986, 11, 2)}),
    ("oksana", 1, {"first_name": "Oksana", "last_name": "Kovalenko",
                   "email": "oksana.kovalenko@courriel.example", "phone": "5145550171",
                   "client_type": ClientType.NEWCOMER, "country_of_origin": "Ukraine",
                   "languages_spoken": "ukrainien, anglais", "education_level": "Maîtrise",
                   "employment_status": "Sans emploi",
                   "target_occupation": "Infirmière auxiliaire", "city": "Saint-Jérôme",
                   "region": "Québec", "country": "Canada", "arrival_days_ago": 45,
                   "born": date(1994, 6, 30)}),
    ("mamadou", 1, {"first_name": "Mamadou", "last_name": "Diallo",
                    "email": "mamadou.diallo@courriel.example", "phone": "+1 450 555 0122",
                    "client_type": ClientType.PERMANENT_RESIDENT, "country_of_origin": "Sénégal",
                    "languages_spoken": "wolof, français", "education_level": "DEC",
                    "employment_status": "En recherche active",
                    "target_occupation": "Électricien", "city": "Blainville",
                    "region": "Québec", "country": "Canada", "arrival_days_ago": 1500,
                    "born": date(1989, 1, 21)}),
    ("jerome", 0, {"first_name": "Jérôme", "last_name": "Tremblay",
                   "email": "jerome.tremblay@courriel.example", "phone": "450-555-0187",
                   "client_type": ClientType.JOB_SEEKER, "languages_spoken": "français",
                   "education_level": "Secondaire V", "employment_status": "Sans emploi",
                   "target_occupation": "Commis d'entrepôt", "city": "Saint-Jérôme",
                   "region": "Québec", "country": "Canada", "born": date(1979, 9, 5)}),
    ("chloe", 1, {"first_name": "Chloé", "last_name": "Bouchard",
                  "email": "chloe.bouchard@courriel.example", "phone": "450.555.0163",
                  "client_type": ClientType.JOB_SEEKER, "languages_spoken": "français, anglais",
                  "education_level": "DEP en cuisine", "employment_status": "Aux études",
                  "target_occupation": "Cuisinière", "city": "Sainte-Thérèse",
                  "region": "Québec", "country": "Canada", "born": date(2003, 2, 17)}),
    ("lea", 0, {"first_name": "Léa", "last_name": "Côté", "email": "lea.cote@courriel.example",
                "phone": "514 555-0109", "client_type": ClientType.STUDENT,
                "languages_spoken": "français", "education_level": "Secondaire V",
                "employment_status": "Aux études",
                "target_occupation": "Éducatrice à l'enfance", "city": "Saint-Jérôme",
                "region": "Québec", "country": "Canada", "born": date(2005, 8, 8)}),
]  # fmt: skip
PROGRAM_ENROLMENTS = [
    # client key, programme, start (days from today), end (days from today or None)
    ("amina", "Intégration en emploi des personnes immigrantes", -60, 120),
    ("oksana", "Francisation en milieu de travail", -30, 150),
    ("jerome", "Objectif emploi", -200, -20),
    ("chloe", "PAAS Action", -10, None),
]
SERVICE_RECORDS = [
    # activity number, client key (or partner key), service, start, end (days from today)
    ("ACT-2026-0101", "amina", None, "Accompagnement à l'installation", -110, -80),
    ("ACT-2026-0102", "amina", None, "Aide à la recherche d'emploi", -40, None),
    ("ACT-2026-0117", "andres", None, "Reconnaissance des acquis", -90, -5),
    ("ACT-2026-0123", "mamadou", None, "Orientation professionnelle", -25, None),
    ("ACT-2026-0130", "jerome", None, "Atelier CV et entrevue", -14, -14),
    ("ACT-2026-0131", "chloe", None, "Atelier CV et entrevue", -14, -14),
    ("ACT-2026-0140", None, "employer", "Aide à la recherche d'emploi", -7, None),
]
SAE_FILES = [
    # identifier, client key, status, counsellor index, opened (days from today), closed
    ("SAE-2026-00041", "jerome", SAEFile.Status.ACTIVE, 0, -200, None),
    ("SAE-2026-00057", "mamadou", SAEFile.Status.OPEN, 1, -25, None),
    ("SAE-2025-00312", "andres", SAEFile.Status.CLOSED, 0, -400, -260),
]


@dataclass
class DemoRecords:
    """The demo's records by key, for whatever the demo adds to them (the to-dos)."""

    counsellors: list[User]
    clients: dict[str, Client] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)

    def target(self, key: str) -> dict:
        """``{"client": …}``, ``{"contact": …}`` or ``{"partner": …}`` for a record's key."""
        for name in ("client", "contact", "partner"):
            records = getattr(self, f"{name}s")
            if key in records:
                return {name: records[key]}
        raise KeyError(key)


def seed(*, counsellors: list[User], log=print) -> DemoRecords:
    """Create what is missing of the CRM's demo; returns its records. ``counsellors``: two
    staff members (at least one) who follow the clients."""
    today = timezone.localdate()
    records = DemoRecords(counsellors=counsellors)
    _configuration(log)
    for key, fields in PARTNERS:
        records.partners[key] = _partner(fields, log)
    for key, partner_key, fields in CONTACTS:
        records.contacts[key] = _contact(records.partners[partner_key], fields, log)
    for key, index, fields in CLIENTS:
        records.clients[key] = _client(fields, _counsellor(counsellors, index), today, log)
    _activities(records, today, log)
    _files(records, today, log)
    return records


def _counsellor(counsellors: list[User], index: int) -> User:
    return counsellors[index % len(counsellors)]


def _configuration(log) -> None:
    # Configured by an administrator in the admin: no service, a plain save.
    for model, rows in ((Program, PROGRAMS), (Service, SERVICES)):
        for name, name_en, description in rows:
            _obj, created = model.objects.get_or_create(
                name_fr=name,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "description": description,
                    "description_fr": description,
                },
            )
            if created:
                log(f"{model._meta.model_name} {name} created")


def _partner(fields: dict, log) -> Partner:
    partner = Partner.objects.filter(name=fields["name"]).first()
    if partner is None:
        partner = services.partner_create(by=None, **fields)
        log(f"partner {partner} created")
    return partner


def _contact(partner: Partner, fields: dict, log) -> Contact:
    contact = Contact.objects.filter(
        partner=partner, first_name=fields["first_name"], last_name=fields["last_name"]
    ).first()
    if contact is None:
        contact = services.contact_create(by=None, partner=partner, **fields)
        log(f"contact {contact} created")
    return contact


def _client(fields: dict, counsellor: User, today: date, log) -> Client:
    fields = dict(fields)
    arrival = fields.pop("arrival_days_ago", None)
    born = fields.pop("born", None)
    client = Client.objects.filter(email__iexact=fields["email"]).first()
    if client is None:
        client = services.client_create(
            by=None,
            owner=counsellor,
            date_of_birth=born,
            arrival_date=today - timedelta(days=arrival) if arrival else None,
            **fields,
        )
        log(f"client {client} created")
    return client


def _at(today: date, days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(
        today + timedelta(days=days), time(hour, minute), timezone.get_current_timezone()
    )


def _this_week(today: date, weekday: int, hour: int, minute: int = 0, weeks: int = 0):
    monday = today - timedelta(days=today.weekday())
    return _at(monday, weekday + 7 * weeks, hour, minute)


# target key, subject, direction, held, when (days from today, hour, minute), minutes, desc.
CALLS = [
    ("amina", "Appel de bienvenue", "outbound", True, (-100, 10, 0), 20,
     "Présentation du service et prise du premier rendez-vous."),
    ("amina", "Suivi de la recherche d'emploi", "outbound", False, (2, 9, 30), 15, ""),
    ("oksana", "Question sur l'équivalence du diplôme", "inbound", True, (-3, 14, 15), 10,
     "Veut savoir si son diplôme d'infirmière sera reconnu : orientée vers l'OIIQ."),
    ("mamadou", "Confirmation de l'atelier CV", "outbound", True, (-15, 11, 0), 5, ""),
    ("jerome", "Relance après l'entrevue chez Boulangerie Gagnon", "outbound", False, (1, 15, 0),
     15, ""),
    ("employer_rh", "Besoins de main-d'œuvre pour l'automne", "inbound", True, (-8, 13, 30), 25,
     "Trois postes d'aide-boulanger, un poste de livreur (permis de classe 5)."),
    ("cegep_rac", "Places en reconnaissance des acquis", "outbound", False, (4, 10, 0), 15, ""),
    ("community", "Référence de deux familles arrivées ce mois-ci", "inbound", True,
     (-1, 9, 0), 10, ""),
]  # fmt: skip
# target key, subject, week offset, weekday, hour, minutes, location, weekly (number of weeks)
MEETINGS = [
    ("amina", "Rencontre d'évaluation des besoins", 0, 1, 10, 60, "Bureau 204", None),
    ("oksana", "Plan d'action en francisation", 0, 3, 14, 45, "Visioconférence (Teams)", None),
    ("employer", "Visite de la boulangerie avec deux candidats", 1, 0, 9, 90,
     "1200, boulevard Industriel, Mirabel", None),
    ("css", "Comité de francisation", 1, 2, 13, 60, "Centre de services scolaire", None),
    ("chloe", "Atelier CV et entrevue (groupe)", 0, 2, 9, 180, "Salle Desjardins", 8),
]  # fmt: skip
# target key, subject, text
NOTES = [
    ("amina", "Compte rendu de la première rencontre",
     "Arrivée en janvier avec son conjoint et deux enfants. Cherche un emploi en comptabilité ; "
     "prête à commencer comme commis."),
    ("oksana", "Besoin de francisation", "Niveau 4 à l'échelle québécoise ; inscrite au CSS."),
    ("jerome", "Retour de l'employeur", "Bonne entrevue ; le contremaître le rappellera."),
    ("employer", "Conditions offertes", "Salaire de départ 19,50 $/h, quart de nuit possible."),
    ("community_accueil", "Jumelage interculturel", "Deux bénévoles disponibles en mai."),
]  # fmt: skip


def _activities(records: DemoRecords, today: date, log) -> None:
    first = records.counsellors[0]
    now = timezone.now()
    for key, subject, direction, held, (days, hour, minute), minutes, text in CALLS:
        target = records.target(key)
        if Call.objects.filter(subject=subject, **target).exists():
            continue
        starts = _at(today, days, hour, minute)
        services.call_create(
            by=None,
            subject=subject,
            starts_at=starts,
            direction=direction,
            status=Call.Status.HELD if held else Call.Status.PLANNED,
            duration_minutes=minutes,
            description=text,
            assigned_to=_owner(records, key, first),
            **target,
        )
        log(f"call {subject} created")
    for key, subject, weeks, weekday, hour, minutes, location, weekly in MEETINGS:
        target = records.target(key)
        if Meeting.objects.filter(subject=subject, **target).exists():
            continue
        starts = _this_week(today, weekday, hour, weeks=weeks)
        rrule = ""
        if weekly:
            until = starts + timedelta(weeks=weekly)
            rrule = f"FREQ=WEEKLY;UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        owner = _owner(records, key, first)
        services.meeting_create(
            by=None,
            subject=subject,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            location=location,
            status=Meeting.Status.HELD if starts + timedelta(minutes=minutes) < now else "planned",
            rrule=rrule,
            assigned_to=owner,
            # The weekly workshop is led by the two counsellors together.
            attendees=records.counsellors if weekly else [owner],
            contacts_attending=[records.contacts["employer_rh"]] if key == "employer" else [],
            **target,
        )
        log(f"meeting {subject} created")
    for key, subject, text in NOTES:
        target = records.target(key)
        if Note.objects.filter(subject=subject, **target).exists():
            continue
        services.note_create(
            by=None,
            subject=subject,
            description=text,
            assigned_to=_owner(records, key, first),
            **target,
        )
        log(f"note {subject} created")


def _owner(records: DemoRecords, key: str, default: User) -> User:
    client = records.clients.get(key)
    return client.owner if client is not None and client.owner else default


def _files(records: DemoRecords, today: date, log) -> None:
    def day(offset):
        return None if offset is None else today + timedelta(days=offset)

    programs = {p.name_fr: p for p in Program.objects.all()}
    service_rows = {s.name_fr: s for s in Service.objects.all()}
    for key, program, start, end in PROGRAM_ENROLMENTS:
        client = records.clients[key]
        if ProgramEnrolment.objects.filter(client=client, program=programs[program]).exists():
            continue
        services.enrolment_create(
            by=None, program=programs[program], client=client, start_date=day(start),
            end_date=day(end),
        )  # fmt: skip
        log(f"enrolment of {client} in {program} created")
    for number, client_key, partner_key, service, start, end in SERVICE_RECORDS:
        if ServiceRecord.objects.filter(activity_number=number).exists():
            continue
        holder = (
            {"client": records.clients[client_key]}
            if client_key
            else {"partner": records.partners[partner_key]}
        )
        services.service_record_create(
            by=None, service=service_rows[service], activity_number=number,
            start_date=day(start), end_date=day(end), **holder,
        )  # fmt: skip
        log(f"service record {number} created")
    for identifier, key, status, index, opened, closed in SAE_FILES:
        if SAEFile.objects.filter(file_identifier=identifier).exists():
            continue
        services.sae_file_create(
            by=None, file_identifier=identifier, client=records.clients[key], status=status,
            counsellor=_counsellor(records.counsellors, index), opened_on=day(opened),
            closed_on=day(closed),
        )  # fmt: skip
        log(f"SAE file {identifier} created")
