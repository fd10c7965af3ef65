"""The CRM at production size (issue 9, item 11): list searches, the record page with its
timeline, a busy agent's calendar week, the global search, the duplicate check on create, and
the streamed CSV export of 200,000 clients.

Budgets (issue 9): p95 < 100 ms with a number of queries that does not grow with the rows, for
every page; the export streamed with a peak RSS under 200 MB.

At scale 1: 200,000 clients, 50,000 partners, 150,000 contacts (each of one partner, a few
partners with hundreds), 1,000,000 activities (calls, meetings, notes, documents and to-dos, most
on clients, some on contacts and partners) over two years and the coming month, assigned to
300 counsellors; 100,000 service records with their unique activity numbers, 40,000 SAE files
and 60,000 programme enrolments. Names are French, with accents and the skew real ones have;
e-mails and phones come in the formats agents type. Some meetings recur weekly until a date.
Singled out: a client with a long timeline and an ordinary one, a partner with hundreds of
contacts and one with one, a busy counsellor with about forty activities in the measured week
and a quiet one with two.

Generated the first time one of these benchmarks is prepared, with COPY (``data.copy_rows``),
not by ``data.generate``: runs of other pages do not pay for it. ``--keep`` reuses it.

The lists, the calendar's events, the global search, the duplicate check and the export are
built by other parts of issue 9; their URL names are read from the constants below. An operation
whose URL name does not resolve is reported as skipped, with the constant to set.
"""

import bisect
import itertools
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from contacts.models import (
    Call,
    Client,
    Contact,
    Document,
    Meeting,
    Note,
    Partner,
    Program,
    ProgramEnrolment,
    SAEFile,
    Service,
    ServiceRecord,
)
from crm import roles
from crm.models import User
from tasks_app.models import Task

from . import bench_search, data, exports, keep
from .registry import benchmark, check
from .runner import BenchmarkFailure, Skipped

# --- URL names and parameters of the pages other parts build: set them after merging --------
CLIENT_LIST = "contacts:client_list"
PARTNER_LIST = "contacts:partner_list"
CONTACT_LIST = "contacts:contact_list"
CALL_LIST = "contacts:call_list"
# The lists' instant search and "my items" toggle.
LIST_SEARCH_PARAM = "q"
MY_ITEMS_QUERY = {"mine": "1"}
# FullCalendar's event source (tasks_app/calendar_views.py): ISO start and end of the range.
CALENDAR_EVENTS = "activities:calendar_events"
CALENDAR_START_PARAM, CALENDAR_END_PARAM = "start", "end"
# The shell's global search box (reporting).
GLOBAL_SEARCH = "agent:search"
GLOBAL_SEARCH_PARAM = "q"
# The similar records shown before a client is created: what the create form sends as typed.
DUPLICATES = "contacts:client_similar"
DUPLICATES_METHOD = "get"


def duplicates_query(first_name: str, last_name: str, email: str, phone: str) -> dict:
    return {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
    }


# The CSV export of the client list, unfiltered: every client, streamed.
CLIENT_EXPORT = "contacts:client_export"
CLIENT_EXPORT_QUERY: dict = {}
# ---------------------------------------------------------------------------------------------

BUDGET_MS = 100
EXPORT_RSS_BUDGET_MB = 200
PER_SCALE = {
    "clients": 200_000,
    "partners": 50_000,
    "contacts": 150_000,
    "activities": 1_000_000,
    "counsellors": 300,
    "service records": 100_000,
    "SAE files": 40_000,
    "enrolments": 60_000,
}
# Activities by kind, and by what they concern.
KINDS = (("call", 35), ("meeting", 15), ("note", 25), ("todo", 22), ("document", 3))
TARGETS = (("client", 75), ("contact", 15), ("partner", 10))
# A tenth of the clients are followed closely and get a third of the client activities.
ACTIVE_CLIENT_SHARE, ACTIVE_CLIENT_DRAW = 0.1, 0.3
# A few partners with hundreds of contacts, some with dozens, most with one to three.
LARGE_PARTNERS_PER_SCALE, LARGE_PARTNER_CONTACTS = 20, (150, 500)
MEDIUM_PARTNER_SHARE, MEDIUM_PARTNER_DRAW = 0.02, 0.25
BIG_PARTNER_CONTACTS = 400
LONG_TIMELINE = {"call": 90, "meeting": 40, "note": 60, "todo": 40, "document": 20}
BUSY_WEEK = {"call": 16, "meeting": 12, "todo": 10}
BUSY_SERIES = 2  # weekly meetings crossing the measured week
RECURRING_MEETING_SHARE = 0.02
PAST_DAYS, FUTURE_DAYS = 2 * 365, 30
RARE_SURNAME = "Quévillon-Aubertin"
RARE_PEOPLE = 3
COMMON_SURNAME = "Tremblay"

CLIENTS, PARTNERS, CONTACTS = "contacts.Client", "contacts.Partner", "contacts.Contact"
CALLS, MEETINGS = "contacts.Call", "contacts.Meeting"

TOWNS = [
    "Saint-Jérôme", "Trois-Rivières", "Lévis", "Rimouski", "Sherbrooke", "Gatineau", "Longueuil",
    "Sainte-Thérèse", "Drummondville", "Saint-Hyacinthe", "Granby", "Québec", "Montréal",
    "Laval", "Chicoutimi", "Rouyn-Noranda", "Val-d'Or", "Sept-Îles", "Matane", "Joliette",
    "Victoriaville", "Saint-Georges", "Boucherville", "Terrebonne", "Mascouche", "Blainville",
]  # fmt: skip
SCHOOL_NAMES = [
    "Cégep de {town}", "Centre de services scolaire de {town}", "École secondaire de {town}",
    "Collège {last}", "Centre de formation professionnelle de {town}",
    "Centre d'éducation des adultes de {town}",
]  # fmt: skip
COMPANY_NAMES = [
    "Boulangerie {last}", "{last} et fils inc.", "Groupe {last}", "Construction {last} ltée",
    "Transport {town}", "Pharmacie {last}", "Restaurant Chez {first}", "Entrepôts {last}",
    "Quincaillerie {last}", "Imprimerie {town}", "Garage {last}", "Érablière {last}",
    "Services alimentaires {last}", "Usinage {town} inc.", "Clinique dentaire {last}",
]  # fmt: skip
ORGANISATION_NAMES = [
    "Carrefour jeunesse-emploi de {town}", "Centre d'action bénévole de {town}",
    "Maison de la famille de {town}", "Accueil des nouveaux arrivants de {town}",
    "Corporation de développement communautaire de {town}", "Banque alimentaire de {town}",
]  # fmt: skip
CONSULTANT_NAMES = ["Services-conseils {last}", "{first} {last}, conseil en emploi"]
PARTNER_KINDS = (
    ("company", 60, COMPANY_NAMES),
    ("organisation", 20, ORGANISATION_NAMES),
    ("school", 12, SCHOOL_NAMES),
    ("consultant", 8, CONSULTANT_NAMES),
)
PARTNER_KIND_WEIGHTS = tuple((kind, weight) for kind, weight, _names in PARTNER_KINDS)
INDUSTRIES = [
    "Commerce de détail", "Fabrication", "Santé et services sociaux", "Éducation",
    "Restauration", "Transport et entreposage", "Construction", "Services professionnels",
    "Agroalimentaire", "Organisme communautaire",
]  # fmt: skip
JOB_TITLES = [
    "Directrice des ressources humaines", "Conseiller en recrutement", "Propriétaire",
    "Coordonnatrice de stages", "Directeur général", "Agente de liaison", "Contremaître",
    "Conseillère d'orientation", "Responsable de la formation", "Adjointe administrative",
]  # fmt: skip
COUNTRIES = [
    "Maroc", "Algérie", "France", "Haïti", "Colombie", "Cameroun", "Côte d'Ivoire", "Syrie",
    "Ukraine", "Viêt Nam", "Sénégal", "Tunisie", "Mexique", "Liban", "Brésil", "Iran",
]  # fmt: skip
LANGUAGES = ["français", "français, anglais", "arabe, français", "espagnol, français",
             "anglais", "créole haïtien, français", "ukrainien, anglais"]  # fmt: skip
EDUCATION = ["Secondaire V", "DEP", "DEC", "Baccalauréat", "Maîtrise", "Diplôme étranger"]
EMPLOYMENT = ["Sans emploi", "En emploi à temps partiel", "Aux études", "En recherche active"]
OCCUPATIONS = [
    "Préposée aux bénéficiaires", "Soudeur", "Technicienne comptable", "Cuisinier",
    "Infirmière auxiliaire", "Électricien", "Éducatrice à l'enfance", "Commis d'entrepôt",
    "Développeur logiciel", "Caissière", "Camionneur", "Agente de service à la clientèle",
]  # fmt: skip
CALL_SUBJECTS = [
    "Suivi de la recherche d'emploi", "Relance après l'entrevue", "Confirmation du rendez-vous",
    "Appel de bienvenue", "Question sur le programme", "Suivi du stage", "Offre d'emploi reçue",
    "Rappel : documents à fournir", "Vérification de l'inscription", "Suivi après l'embauche",
]  # fmt: skip
MEETING_SUBJECTS = [
    "Rencontre d'évaluation des besoins", "Atelier CV et lettre de présentation",
    "Rencontre avec l'employeur", "Entrevue de simulation", "Bilan de fin de parcours",
    "Séance d'information sur les programmes", "Rencontre de suivi", "Visite du milieu de stage",
]  # fmt: skip
LOCATIONS = ["Bureau 204", "Salle Desjardins", "Visioconférence (Teams)", "Chez l'employeur",
             "Salle polyvalente", "Bureau de Longueuil", ""]  # fmt: skip
NOTE_SUBJECTS = [
    "Compte rendu de la rencontre", "Démarches d'immigration en cours", "Préférences d'emploi",
    "Reconnaissance des diplômes", "Disponibilités de la semaine", "Besoin de francisation",
    "Retour de l'employeur", "Note de dossier",
]  # fmt: skip
TODO_TITLES = [
    "Envoyer la liste des offres d'emploi", "Préparer le plan d'action", "Relancer l'employeur",
    "Vérifier l'admissibilité au programme", "Réserver la salle de l'atelier",
    "Transmettre l'attestation de participation", "Mettre à jour le CV", "Fermer le dossier",
]  # fmt: skip
DOCUMENTS = [
    ("cv", "CV", "cv.pdf"), ("cover_letter", "Lettre de présentation", "lettre.docx"),
    ("diploma", "Attestation d'études", "attestation.pdf"), ("form", "Formulaire signé",
    "formulaire.pdf"), ("identity", "Carte de résident permanent", "carte.jpg"),
]  # fmt: skip
PROGRAMS = ["PAAS Action", "Objectif emploi", "Francisation en milieu de travail",
            "Intégration en emploi des personnes immigrantes", "Jeunes en mouvement"]  # fmt: skip
SERVICES = [
    "Aide à la recherche d'emploi", "Orientation professionnelle",
    "Accompagnement à l'installation", "Atelier de groupe", "Stage en entreprise",
    "Reconnaissance des acquis", "Soutien aux employeurs", "Service de placement",
]  # fmt: skip
PHONE_FORMATS = [
    "{a} {b}-{c}", "({a}) {b}-{c}", "{a}-{b}-{c}", "{a}{b}{c}", "+1 {a} {b} {c}", "{a}.{b}.{c}",
    "1-{a}-{b}-{c}",
]  # fmt: skip


@dataclass
class CrmData:
    busy_agent: User
    quiet_agent: User
    long_client_id: int
    ordinary_client_id: int
    big_partner_id: int
    small_partner_id: int
    week_start: datetime
    # A client the duplicate check must find: name, e-mail and phone as stored.
    probe: tuple[str, str, str, str]
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


_generated: dict[int, CrmData | Exception] = {}


def crm_data(ctx) -> CrmData:
    key = id(ctx.data)
    if key not in _generated:
        try:
            generated, reused = keep.remembered("crm", lambda: generate(ctx.data.scale))
        except Exception as exc:
            _generated[key] = exc
            raise
        counts = ", ".join(f"{value:,} {label}" for label, value in generated.counts.items())
        done = "kept from an earlier run" if reused else f"generated in {generated.seconds:.1f} s"
        print(f"crm: data {done}: {counts}", flush=True)
        _generated[key] = generated
    generated = _generated[key]
    if isinstance(generated, Exception):
        raise RuntimeError("the CRM's data could not be generated") from generated
    return generated


# --- Generation -------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return bench_search._ascii(text).replace(" ", "").replace("'", "")


class _Random(random.Random):
    """Integers drawn by scaling one float: a third of the generation time went to the
    rejection sampling of ``randrange``, exactness the data does not need."""

    def _randbelow(self, n: int) -> int:
        return int(self.random() * n)


# Cumulative weights of each table of weights (the tables are constants: keyed by identity).
_CUMULATIVE: dict[int, tuple[list, list, float]] = {}


def _weighted(rng: random.Random, pairs) -> str:
    table = _CUMULATIVE.get(id(pairs))
    if table is None:
        values = [value for value, _weight in pairs]
        bounds = list(itertools.accumulate(weight for _value, weight in pairs))
        table = _CUMULATIVE[id(pairs)] = (pairs, values, bounds)
    _pairs, values, bounds = table
    return values[bisect.bisect(bounds, rng.random() * bounds[-1])]


def _phone(rng: random.Random) -> str:
    area = rng.choice(["514", "438", "450", "579", "418", "581", "819", "873"])
    number = {"a": area, "b": rng.randrange(200, 1000), "c": f"{rng.randrange(10000):04d}"}
    return rng.choice(PHONE_FORMATS).format(**number)


def _copy(model: type[models.Model], columns: list[str], rows, **constants) -> None:
    """COPY ``rows`` (tuples of ``columns``); every other column takes ``constants`` or the
    model's default, prepared once for all rows."""
    rest, tail = [], []
    for f in model._meta.concrete_fields:
        if f.attname in columns or f.generated:
            continue
        value = constants[f.attname] if f.attname in constants else f.get_default()
        if value is None and not f.null:
            raise ValueError(f"{model.__name__}.{f.attname} needs a value")
        rest.append(f.attname)
        tail.append(value)
    tail = tuple(tail)
    data.copy_rows(model, [*columns, *rest], (row + tail for row in rows))


class _Generator:
    """The rows, drawn from one seeded random generator; ids are given, then the sequences
    moved past them."""

    def __init__(self, scale: float, seed: int):
        self.rng = _Random(seed + 9)
        self.n = {key: max(1, round(value * scale)) for key, value in PER_SCALE.items()}
        self.n["counsellors"] = max(4, self.n["counsellors"])
        self.n["partners"] = max(4, self.n["partners"])
        self.n["clients"] = max(RARE_PEOPLE + 4, self.n["clients"])
        self.scale = scale
        self.now = timezone.now().replace(microsecond=0)
        zone = ZoneInfo(settings.TIME_ZONE)
        today = timezone.localdate()
        monday = today - timedelta(days=today.weekday())
        self.zone = zone
        self.week_start = datetime.combine(monday, time(0), zone)
        self.week_end = self.week_start + timedelta(days=7)
        self.first = {
            model: data._next_id(model)
            for model in (
                User, Client, Partner, Contact, Call, Meeting, Note, Document, Task,
                ServiceRecord, SAEFile, ProgramEnrolment,
            )
        }  # fmt: skip

    # The singled-out rows are the last ids of their tables, kept out of the random draws.
    @property
    def long_client(self) -> int:
        return self.first[Client] + self.n["clients"] - 1

    @property
    def ordinary_client(self) -> int:
        return self.first[Client] + self.n["clients"] - 2

    @property
    def big_partner(self) -> int:
        return self.first[Partner] + self.n["partners"] - 1

    @property
    def small_partner(self) -> int:
        return self.first[Partner] + self.n["partners"] - 2

    def counsellors(self) -> list[int]:
        password = make_password(data.PASSWORD)
        emails = [f"conseiller{i:04d}@{data.DOMAIN}" for i in range(self.n["counsellors"])]
        data.insert_rows(
            User,
            (
                {
                    "email": email,
                    "password": password,
                    "first_name": self.rng.choice(bench_search.FIRST_NAMES),
                    "last_name": bench_search._skewed(self.rng, bench_search.LAST_NAMES),
                    "is_active": True,
                    "date_joined": self.now - timedelta(days=self.rng.randrange(3 * 365)),
                }
                for email in emails
            ),
        )
        by_email = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
        ids = [by_email[email] for email in emails]
        agent_role = Group.objects.get(name=roles.AGENT).pk
        data.insert_rows(
            User.groups.through, ({"user_id": pk, "group_id": agent_role} for pk in ids)
        )
        return ids

    def moment(self) -> datetime:
        """A working-hours moment between two years ago and a month ahead, on the quarter."""
        day = self.now.date() + timedelta(days=self.rng.randint(-PAST_DAYS, FUTURE_DAYS))
        minutes = self.rng.randrange(8 * 4, 17 * 4) * 15
        return datetime.combine(day, time(minutes // 60, minutes % 60), self.zone)

    def clients(self):
        rng, now = self.rng, self.now
        rare = set(range(self.first[Client], self.first[Client] + RARE_PEOPLE))
        for i in range(self.n["clients"]):
            pk = self.first[Client] + i
            first = rng.choice(bench_search.FIRST_NAMES)
            last = RARE_SURNAME if pk in rare else bench_search._skewed(rng, LAST_NAMES)
            email = (
                f"{_ascii(first)}.{_ascii(last)}{pk}@{rng.choice(bench_search.DOMAINS)}"
                if rng.random() < 0.85
                else None
            )
            kind = rng.choices(
                ["newcomer", "permanent_resident", "job_seeker", "student", "citizen", ""],
                weights=[25, 20, 35, 8, 7, 5],
            )[0]
            immigrant = kind in ("newcomer", "permanent_resident")
            created = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
            town = rng.choice(TOWNS)
            yield (
                pk, first, last, email, _phone(rng) if rng.random() < 0.9 else "", "fr",
                f"{rng.randrange(1, 9999)}, rue {rng.choice(bench_search.STREETS)}", "", town,
                "Québec", f"H{rng.randrange(1, 10)}X {rng.randrange(1, 10)}A{rng.randrange(10)}",
                "Canada", kind,
                date(1960, 1, 1) + timedelta(days=rng.randrange(45 * 365)),
                (now.date() - timedelta(days=rng.randrange(5 * 365))) if immigrant else None,
                rng.choice(COUNTRIES) if immigrant else "", rng.choice(LANGUAGES),
                rng.choice(EDUCATION), rng.choice(EMPLOYMENT), rng.choice(OCCUPATIONS),
                rng.choice(self.counsellor_ids) if rng.random() < 0.8 else None, created, created,
            )  # fmt: skip

    CLIENT_COLUMNS = [
        "id", "first_name", "last_name", "email", "phone", "language", "street", "street_2",
        "city", "region", "postal_code", "country", "client_type", "date_of_birth",
        "arrival_date", "country_of_origin", "languages_spoken", "education_level",
        "employment_status", "target_occupation", "owner_id", "created_at", "updated_at",
    ]  # fmt: skip

    def partners(self):
        rng, now = self.rng, self.now
        for i in range(self.n["partners"]):
            pk = self.first[Partner] + i
            kind = _weighted(rng, PARTNER_KIND_WEIGHTS)
            names = next(names for k, _w, names in PARTNER_KINDS if k == kind)
            town = rng.choice(TOWNS)
            name = rng.choice(names).format(
                town=town,
                first=rng.choice(bench_search.FIRST_NAMES),
                last=bench_search._skewed(rng, LAST_NAMES),
            )
            domain = f"{''.join(c for c in _ascii(name) if c.isalnum())[:20]}{pk}.example"
            created = now - timedelta(seconds=rng.randrange(4 * 365 * 86400))
            yield (
                pk, name, kind, f"info@{domain}" if rng.random() < 0.8 else "", _phone(rng),
                f"https://www.{domain}/" if rng.random() < 0.6 else "", rng.choice(INDUSTRIES),
                f"{rng.randrange(1, 9999)}, boulevard {rng.choice(bench_search.STREETS)}", town,
                "Québec", rng.choice(self.counsellor_ids) if rng.random() < 0.7 else None,
                created, created,
            )  # fmt: skip

    PARTNER_COLUMNS = [
        "id", "name", "kind", "email", "phone", "website", "industry", "street", "city",
        "region", "owner_id", "created_at", "updated_at",
    ]  # fmt: skip

    def contact_partners(self) -> list[int]:
        """The partner of each contact: a few partners with hundreds, some with dozens."""
        rng, first, n = self.rng, self.first[Partner], self.n["partners"]
        ordinary = n - 2
        partners = [self.big_partner] * BIG_PARTNER_CONTACTS + [self.small_partner]
        for i in range(min(ordinary, max(1, round(LARGE_PARTNERS_PER_SCALE * self.scale)))):
            partners += [first + i] * rng.randint(*LARGE_PARTNER_CONTACTS)
        medium = max(1, round(ordinary * MEDIUM_PARTNER_SHARE))
        while len(partners) < self.n["contacts"]:
            if rng.random() < MEDIUM_PARTNER_DRAW:
                partners.append(first + rng.randrange(medium))
            else:
                partners.append(first + rng.randrange(ordinary))
        partners = partners[: max(self.n["contacts"], BIG_PARTNER_CONTACTS + 1)]
        rng.shuffle(partners)
        return partners

    def contacts(self, partners: list[int]):
        rng, now = self.rng, self.now
        rare = self.first[Contact] + len(partners) // 2
        for i, partner in enumerate(partners):
            pk = self.first[Contact] + i
            first = rng.choice(bench_search.FIRST_NAMES)
            last = RARE_SURNAME if pk == rare else bench_search._skewed(rng, LAST_NAMES)
            created = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
            yield (
                pk, partner, first, last, rng.choice(JOB_TITLES),
                f"{_ascii(first)}.{_ascii(last)}{pk}@partenaire{partner}.example", _phone(rng),
                _phone(rng) if rng.random() < 0.5 else "", "fr" if rng.random() < 0.9 else "en",
                rng.choice(self.counsellor_ids) if rng.random() < 0.5 else None, created, created,
            )  # fmt: skip

    CONTACT_COLUMNS = [
        "id", "partner_id", "first_name", "last_name", "job_title", "email", "phone", "mobile",
        "language", "owner_id", "created_at", "updated_at",
    ]  # fmt: skip

    def target(self) -> tuple[int | None, int | None, int | None]:
        rng = self.rng
        kind = _weighted(rng, TARGETS)
        if kind == "client":
            # The two singled-out clients are the last ids: never drawn.
            ordinary = self.n["clients"] - 2
            if rng.random() < ACTIVE_CLIENT_DRAW:
                index = rng.randrange(max(1, round(ordinary * ACTIVE_CLIENT_SHARE)))
            else:
                index = rng.randrange(ordinary)
            return self.first[Client] + index, None, None
        if kind == "contact":
            return None, rng.choice(self.contact_ids), None
        return None, None, self.first[Partner] + rng.randrange(self.n["partners"] - 2)

    def assignee(self, when: datetime) -> int:
        agent = self.rng.choice(self.counsellor_ids)
        if agent in self.planted_agents and self.week_start <= when < self.week_end:
            # The busy and the quiet agents' weeks hold the planted activities only.
            agent = self.rng.choice(self.counsellor_ids[2:])
        return agent

    def activities(self, kind: str, count: int):
        """``count`` random activities of ``kind``, each on a drawn record."""
        for _ in range(count):
            when = self.moment()
            yield self.activity(kind, when, self.target(), self.assignee(when))

    def activity(self, kind: str, when: datetime, target, agent: int, **extra):
        rng, now = self.rng, self.now
        client, contact, partner = target
        past = when < now
        created = min(now, when - timedelta(days=rng.randrange(0, 21)))
        base = (client, contact, partner, agent, "", agent, created, created)
        model = MODELS[kind]
        pk = self.next_id[model]
        self.next_id[model] += 1
        if kind == "call":
            status = (
                _weighted(rng, (("held", 85), ("postponed", 10), ("planned", 5)))
                if past
                else _weighted(rng, (("planned", 95), ("postponed", 5)))
            )
            return (
                pk, *base, extra.get("rrule", ""), rng.choice(CALL_SUBJECTS), when,
                "outbound" if rng.random() < 0.55 else "inbound", status,
                rng.choice([5, 10, 15, 15, 20, 30, 45]),
            )  # fmt: skip
        if kind == "meeting":
            status = (
                _weighted(rng, (("held", 85), ("postponed", 5), ("cancelled", 7), ("planned", 3)))
                if past
                else _weighted(rng, (("planned", 92), ("postponed", 4), ("cancelled", 4)))
            )
            rrule = extra.get("rrule", "")
            # The singled-out agents' series are planted: none of theirs recur by chance.
            if (
                not rrule
                and agent not in self.planted_agents
                and rng.random() < RECURRING_MEETING_SHARE
            ):
                until = when + timedelta(weeks=rng.randint(4, 26))
                rrule = f"FREQ=WEEKLY;UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}"
            minutes = rng.choice([30, 45, 60, 60, 90, 120])
            return (
                pk, *base, rrule, rng.choice(MEETING_SUBJECTS), when,
                when + timedelta(minutes=minutes), rng.choice(LOCATIONS), status,
            )  # fmt: skip
        if kind == "note":
            return (pk, *base[:6], when if past else created, when if past else created,
                    rng.choice(NOTE_SUBJECTS))  # fmt: skip
        if kind == "document":
            doc_type, title, name = rng.choice(DOCUMENTS if client else DOCUMENTS[1:])
            stamp = when if past else created
            return (
                pk, *base[:6], stamp, stamp, title, doc_type,
                f"documents/{stamp:%Y/%m}/{rng.getrandbits(128):032x}", name,
                "application/pdf" if name.endswith(".pdf") else "application/octet-stream",
                rng.randrange(20_000, 2_000_000),
            )  # fmt: skip
        # A to-do: due on the activity's day, started some days before.
        due = when.date()
        if past:
            status = _weighted(
                rng, (("closed", 75), ("in_progress", 10), ("on_hold", 5), ("open", 10))
            )
        else:
            status = _weighted(rng, (("open", 50), ("in_progress", 35), ("on_hold", 15)))
        priority = _weighted(rng, (("high", 20), ("medium", 55), ("low", 25)))
        closed = min(now, when) if status == "closed" else None
        return (
            pk, "todo", rng.choice(TODO_TITLES), agent, due, client, contact, partner,
            due - timedelta(days=rng.randrange(0, 10)), priority, status, False, created,
            closed or created, created, closed,
        )  # fmt: skip


MODELS = {"call": Call, "meeting": Meeting, "note": Note, "document": Document, "todo": Task}
ACTIVITY_BASE = [
    "id", "client_id", "contact_id", "partner_id", "assigned_to_id", "description",
    "created_by_id", "created_at", "updated_at",
]  # fmt: skip
COLUMNS = {
    "call": [*ACTIVITY_BASE, "rrule", "subject", "starts_at", "direction", "status",
             "duration_minutes"],
    "meeting": [*ACTIVITY_BASE, "rrule", "subject", "starts_at", "ends_at", "location", "status"],
    "note": [*ACTIVITY_BASE, "subject"],
    "document": [*ACTIVITY_BASE, "title", "doc_type", "file", "original_name", "content_type",
                 "size"],
    "todo": ["id", "kind", "title", "assignee_id", "due_date", "client_id", "contact_id",
             "partner_id", "start_date", "priority", "status", "visible_to_requester",
             "created_at", "updated_at", "opened_at", "closed_at"],
}  # fmt: skip
LAST_NAMES = bench_search.LAST_NAMES


def generate(scale: float, *, seed: int = data.SEED) -> CrmData:
    started = perf_counter()
    gen = _Generator(scale, seed)
    big_tables = [Client, Partner, Contact, Call, Meeting, Note, Document, Task, ServiceRecord,
                  SAEFile, ProgramEnrolment]  # fmt: skip
    with transaction.atomic():
        gen.counsellor_ids = gen.counsellors()
        busy, quiet = gen.counsellor_ids[0], gen.counsellor_ids[1]
        gen.planted_agents = {busy, quiet}
        programs = [Program.objects.get_or_create(name=name)[0].pk for name in PROGRAMS]
        services = [Service.objects.get_or_create(name=name)[0].pk for name in SERVICES]
        with data._without_secondary_indexes(big_tables):
            _copy(Client, gen.CLIENT_COLUMNS, gen.clients())
            _copy(Partner, gen.PARTNER_COLUMNS, gen.partners())
            partners = gen.contact_partners()
            _copy(Contact, gen.CONTACT_COLUMNS, gen.contacts(partners))
            gen.contact_ids = [
                gen.first[Contact] + i
                for i, partner in enumerate(partners)
                if partner not in (gen.big_partner, gen.small_partner)
            ]
            small_contact = gen.first[Contact] + partners.index(gen.small_partner)
            del partners
            gen.next_id = {model: gen.first[model] for model in MODELS.values()}
            # Each kind streamed into its table: a million rows are never held at once. The
            # planted rows come first, so that their ids are known before the random ones.
            planted = {kind: [] for kind in MODELS}
            for kind, row in _planted(gen, busy, quiet, small_contact):
                planted[kind].append(row)
            total = sum(weight for _kind, weight in KINDS)
            for kind, weight in KINDS:
                count = round(gen.n["activities"] * weight / total)
                _copy(
                    MODELS[kind],
                    COLUMNS[kind],
                    itertools.chain(planted[kind], gen.activities(kind, count)),
                )
            del planted
            _copy(
                ServiceRecord,
                ["id", "service_id", "client_id", "partner_id", "activity_number",
                 "start_date", "end_date", "created_by_id", "created_at"],
                _service_records(gen, services),
            )  # fmt: skip
            _copy(
                SAEFile,
                ["id", "file_identifier", "client_id", "status", "counsellor_id", "opened_on",
                 "closed_on", "created_at", "updated_at"],
                _sae_files(gen),
            )  # fmt: skip
            _copy(
                ProgramEnrolment,
                ["id", "program_id", "client_id", "partner_id", "start_date", "end_date",
                 "created_by_id", "created_at"],
                _enrolments(gen, programs),
            )  # fmt: skip
        _attendees(gen, busy)
        data._reset_sequences([*big_tables, Meeting.attendees.through])
    data._vacuum_analyze([*big_tables, User, Meeting.attendees.through])
    probe = Client.objects.filter(
        last_name=COMMON_SURNAME, email__isnull=False, pk__lt=gen.ordinary_client
    ).exclude(phone="")
    probe = probe.order_by("pk").values_list("first_name", "last_name", "email", "phone").first()
    counts = {
        label: model._default_manager.count()
        for label, model in [
            ("clients", Client), ("partners", Partner), ("contacts", Contact), ("calls", Call),
            ("meetings", Meeting), ("notes", Note), ("documents", Document),
            ("service records", ServiceRecord), ("SAE files", SAEFile),
            ("enrolments", ProgramEnrolment),
        ]
    }  # fmt: skip
    counts["to-dos"] = Task.objects.filter(kind=Task.Kind.TODO).count()
    return CrmData(
        busy_agent=User.objects.get(pk=busy),
        quiet_agent=User.objects.get(pk=quiet),
        long_client_id=gen.long_client,
        ordinary_client_id=gen.ordinary_client,
        big_partner_id=gen.big_partner,
        small_partner_id=gen.small_partner,
        week_start=gen.week_start,
        probe=probe,
        seconds=perf_counter() - started,
        counts=counts,
    )


def _planted(gen: _Generator, busy: int, quiet: int, small_contact: int):
    """The singled-out records' activities: the long timeline, one of each kind on the ordinary
    client and the small partner's contact, the busy and the quiet agents' weeks."""
    rng = gen.rng
    long_client = (gen.long_client, None, None)
    for kind, count in LONG_TIMELINE.items():
        for _ in range(count):
            when = gen.moment()
            yield kind, gen.activity(kind, when, long_client, gen.assignee(when))
    for kind in MODELS:
        for target in ((gen.ordinary_client, None, None), (None, small_contact, None),
                       (None, None, gen.small_partner)):  # fmt: skip
            when = gen.moment()
            yield kind, gen.activity(kind, when, target, gen.assignee(when))

    def in_week(day: int | None = None) -> datetime:
        day = rng.randrange(5) if day is None else day
        minutes = rng.randrange(8 * 4, 16 * 4) * 15
        return gen.week_start + timedelta(days=day, hours=minutes // 60, minutes=minutes % 60)

    for kind, count in BUSY_WEEK.items():
        for _ in range(count):
            yield kind, gen.activity(kind, in_week(), gen.target(), busy)
    # Weekly meetings begun months ago that run past the week.
    for i in range(BUSY_SERIES):
        first = in_week(i) - timedelta(weeks=rng.randint(8, 20))
        until = gen.week_end + timedelta(weeks=rng.randint(4, 12))
        rrule = f"FREQ=WEEKLY;UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        yield "meeting", gen.activity("meeting", first, gen.target(), busy, rrule=rrule)
    yield "call", gen.activity("call", in_week(), gen.target(), quiet)
    yield "meeting", gen.activity("meeting", in_week(), gen.target(), quiet)


def _service_records(gen: _Generator, services: list[int]):
    rng, first = gen.rng, gen.first[ServiceRecord]
    holders = [(gen.ordinary_client, None), (gen.long_client, None), (None, gen.small_partner)]
    for i in range(gen.n["service records"]):
        if i < len(holders):
            client, partner = holders[i]
        elif rng.random() < 0.85:
            client, partner = gen.first[Client] + rng.randrange(gen.n["clients"] - 2), None
        else:
            client, partner = None, gen.first[Partner] + rng.randrange(gen.n["partners"] - 2)
        start = gen.moment().date()
        end = start + timedelta(days=rng.randrange(1, 180)) if rng.random() < 0.7 else None
        yield (
            first + i, rng.choice(services), client, partner,
            f"ACT-{start:%Y}-{first + i:07d}", start, end, rng.choice(gen.counsellor_ids),
            gen.now,
        )  # fmt: skip


def _sae_files(gen: _Generator):
    rng, first = gen.rng, gen.first[SAEFile]
    for i in range(gen.n["SAE files"]):
        client = (
            (gen.ordinary_client, gen.long_client)[i]
            if i < 2
            else gen.first[Client] + rng.randrange(gen.n["clients"] - 2)
        )
        opened = gen.moment().date()
        status = _weighted(rng, (("open", 15), ("active", 45), ("suspended", 5), ("closed", 35)))
        closed = opened + timedelta(days=rng.randrange(30, 400)) if status == "closed" else None
        yield (
            first + i, f"SAE-{opened:%Y}-{first + i:07d}", client, status,
            rng.choice(gen.counsellor_ids), opened, closed, gen.now, gen.now,
        )  # fmt: skip


def _enrolments(gen: _Generator, programs: list[int]):
    rng, first = gen.rng, gen.first[ProgramEnrolment]
    holders = [(gen.ordinary_client, None), (gen.long_client, None), (None, gen.small_partner)]
    for i in range(gen.n["enrolments"]):
        if i < len(holders):
            client, partner = holders[i]
        elif rng.random() < 0.9:
            client, partner = gen.first[Client] + rng.randrange(gen.n["clients"] - 2), None
        else:
            client, partner = None, gen.first[Partner] + rng.randrange(gen.n["partners"] - 2)
        start = gen.moment().date()
        end = start + timedelta(weeks=rng.randint(4, 30)) if rng.random() < 0.8 else None
        yield (first + i, rng.choice(programs), client, partner, start, end,
               rng.choice(gen.counsellor_ids), gen.now)  # fmt: skip


def _attendees(gen: _Generator, busy: int) -> None:
    """The counsellor attends one meeting in five, and every meeting of the busy agent."""
    table = connection.ops.quote_name(Meeting._meta.db_table)
    through = connection.ops.quote_name(Meeting.attendees.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {through} (meeting_id, user_id) "
            f"SELECT id, assigned_to_id FROM {table} WHERE id >= %s "
            "AND assigned_to_id IS NOT NULL AND (id %% 5 = 0 OR assigned_to_id = %s)",
            [gen.first[Meeting], busy],
        )


# --- Operations -------------------------------------------------------------------------------


def _url(name: str, constant: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        raise Skipped(
            f"not available: no URL named {name!r} (set {constant} at the top of "
            "benchmarks/bench_crm.py)"
        ) from None


def _get(ctx, user, url: str, query: dict | None = None) -> Callable:
    client = ctx.client(user)
    return lambda: client.get(url, query or {})


def _list_search(ctx, name: str, constant: str, q: str):
    url = _url(name, constant)
    return _get(ctx, crm_data(ctx).busy_agent, url, {LIST_SEARCH_PARAM: q})


LIST_CASES = [
    # (operation, URL name, its constant, table, query)
    ("client list, a common surname", CLIENT_LIST, "CLIENT_LIST", CLIENTS, "tremblay"),
    ("client list, a rare surname", CLIENT_LIST, "CLIENT_LIST", CLIENTS, "quevillon"),
    ("partner list, a word of a name", PARTNER_LIST, "PARTNER_LIST", PARTNERS, "cegep"),
    ("contact list, a common surname", CONTACT_LIST, "CONTACT_LIST", CONTACTS, "gagnon"),
]


def _register_list(label: str, name: str, constant: str, table: str, q: str) -> None:
    @benchmark(f"crm: {label} ({q})", budget_ms=BUDGET_MS, table=table)
    def prepare(ctx):
        return _list_search(ctx, name, constant, q)


for _case in LIST_CASES:
    _register_list(*_case)


@benchmark("crm: call list, my items, page 1", budget_ms=BUDGET_MS, table=CALLS)
def call_list_mine(ctx):
    url = _url(CALL_LIST, "CALL_LIST")
    return _get(ctx, crm_data(ctx).busy_agent, url, MY_ITEMS_QUERY)


def _timeline_size(client_id: int) -> int:
    return sum(
        model._default_manager.filter(client_id=client_id).count() for model in MODELS.values()
    )


@benchmark(
    f"crm: client page, long timeline (≥ {sum(LONG_TIMELINE.values())} activities)",
    budget_ms=BUDGET_MS,
    table=CLIENTS,
)
def client_page_long(ctx):
    generated = crm_data(ctx)
    url = _url("contacts:client_detail", "the record pages", generated.long_client_id)
    return _get(ctx, generated.busy_agent, url)


@benchmark("crm: client page, ordinary client", budget_ms=BUDGET_MS, table=CLIENTS)
def client_page_ordinary(ctx):
    generated = crm_data(ctx)
    url = _url("contacts:client_detail", "the record pages", generated.ordinary_client_id)
    return _get(ctx, generated.busy_agent, url)


@benchmark(
    f"crm: partner page ({BIG_PARTNER_CONTACTS} contacts)", budget_ms=BUDGET_MS, table=PARTNERS
)
def partner_page_big(ctx):
    generated = crm_data(ctx)
    url = _url("contacts:partner_detail", "the record pages", generated.big_partner_id)
    return _get(ctx, generated.busy_agent, url)


def _week_query(generated: CrmData) -> dict:
    return {
        CALENDAR_START_PARAM: generated.week_start.isoformat(),
        CALENDAR_END_PARAM: (generated.week_start + timedelta(days=7)).isoformat(),
    }


@benchmark("crm: calendar week of the busy agent (events)", budget_ms=BUDGET_MS, table=MEETINGS)
def calendar_week(ctx):
    url = _url(CALENDAR_EVENTS, "CALENDAR_EVENTS")
    generated = crm_data(ctx)
    return _get(ctx, generated.busy_agent, url, _week_query(generated))


GLOBAL_SEARCH_CASES = [
    ("a common surname", lambda d: COMMON_SURNAME.lower()),
    ("a rare surname", lambda d: "quevillon"),
    ("an e-mail", lambda d: d.probe[2]),
    ("a phone typed otherwise", lambda d: _digits(d.probe[3])),
]


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())[-10:]


def _register_global(label: str, q) -> None:
    @benchmark(f"crm: global search, {label}", budget_ms=BUDGET_MS, table=CLIENTS)
    def prepare(ctx):
        url = _url(GLOBAL_SEARCH, "GLOBAL_SEARCH")
        generated = crm_data(ctx)
        return _get(ctx, generated.busy_agent, url, {GLOBAL_SEARCH_PARAM: q(generated)})


for _label, _q in GLOBAL_SEARCH_CASES:
    _register_global(_label, _q)


def _duplicate_probe(generated: CrmData, *, matching: bool) -> dict:
    """What an agent types for a client who exists (accents dropped, upper case, the phone in
    another format), or for one who does not."""
    first, last, email, phone = generated.probe
    if not matching:
        return duplicates_query("Zébulon", "Xanthopoulou", "personne@nulle-part.example", "")
    return duplicates_query(
        unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().upper(),
        last.upper(),
        email.upper(),
        _digits(phone),
    )


def _duplicates(ctx, *, matching: bool) -> Callable:
    url = _url(DUPLICATES, "DUPLICATES")
    generated = crm_data(ctx)
    client = ctx.client(generated.busy_agent)
    send = getattr(client, DUPLICATES_METHOD)
    query = _duplicate_probe(generated, matching=matching)
    return lambda: send(url, query)


@benchmark("crm: duplicate check on create, a common name", budget_ms=BUDGET_MS, table=CLIENTS)
def duplicate_check(ctx):
    return _duplicates(ctx, matching=True)


# --- Checks -----------------------------------------------------------------------------------


def _same(ctx, samples: list[tuple[str, Callable]]) -> tuple[bool, str]:
    counts = [(label, ctx.count_queries(operation)) for label, operation in samples]
    same = len({count for _label, count in counts}) == 1
    seen = ", ".join(f"{label} {count}" for label, count in counts)
    return same, seen + ("" if same else " (differs)")


def _all_same(ctx, pages: dict[str, Callable[[], list]]) -> tuple[bool, str]:
    """Page by page, the queries of each sample; a page whose URL does not resolve is named
    skipped; all skipped is a skip."""
    holds, parts, skipped = True, [], []
    for page, samples in pages.items():
        try:
            same, seen = _same(ctx, samples())
        except Skipped as exc:
            skipped.append(f"{page} {exc}")
            continue
        holds = holds and same
        parts.append(f"{page}: {seen}")
    if not parts:
        raise Skipped("; ".join(skipped))
    return holds, "; ".join(parts + [f"skipped {s}" for s in skipped])


def _counted(model, **filters) -> str:
    return f"{model._default_manager.filter(**filters).count():,}"


@check("crm: lists: queries constant in rows")
def lists_queries_constant(ctx):
    """A search matching a handful of rows and one matching thousands; the quiet agent's calls
    and the busy agent's."""
    generated = crm_data(ctx)
    agent = generated.busy_agent

    def searches(name, constant, model, common):
        def samples():
            url = _url(name, constant)
            return [
                (f"{q!r} ({_counted(model, last_name=surname)} {surname})",
                 _get(ctx, agent, url, {LIST_SEARCH_PARAM: q}))
                for q, surname in (("quevillon", RARE_SURNAME), (common.lower(), common))
            ]  # fmt: skip

        return samples

    def calls():
        url = _url(CALL_LIST, "CALL_LIST")
        return [
            (f"{label} ({_counted(Call, assigned_to=user)} calls)",
             _get(ctx, user, url, MY_ITEMS_QUERY))
            for label, user in (("quiet", generated.quiet_agent), ("busy", agent))
        ]  # fmt: skip

    def partners():
        url = _url(PARTNER_LIST, "PARTNER_LIST")
        return [
            (f"{q!r} ({_counted(Partner, name__icontains=q)})",
             _get(ctx, agent, url, {LIST_SEARCH_PARAM: q}))
            for q in ("Usinage", "Cégep")
        ]  # fmt: skip

    return _all_same(
        ctx,
        {
            "client list": searches(CLIENT_LIST, "CLIENT_LIST", Client, COMMON_SURNAME),
            "contact list": searches(CONTACT_LIST, "CONTACT_LIST", Contact, "Gagnon"),
            "partner list": partners,
            "call list, my items": calls,
        },
    )


@check("crm: record pages: queries constant in rows")
def record_pages_queries_constant(ctx):
    """A client with one activity of each kind and one with a long timeline; a partner with one
    contact and one with hundreds."""
    generated = crm_data(ctx)
    agent = generated.busy_agent

    def clients():
        return [
            (f"{label} ({_timeline_size(pk)} activities)",
             _get(ctx, agent, _url("contacts:client_detail", "the record pages", pk)))
            for label, pk in (("ordinary", generated.ordinary_client_id),
                              ("long", generated.long_client_id))
        ]  # fmt: skip

    def partners():
        return [
            (f"{label} ({_counted(Contact, partner_id=pk)} contacts)",
             _get(ctx, agent, _url("contacts:partner_detail", "the record pages", pk)))
            for label, pk in (("small", generated.small_partner_id),
                              ("big", generated.big_partner_id))
        ]  # fmt: skip

    return _all_same(ctx, {"client page": clients, "partner page": partners})


def _week_load(generated: CrmData, user) -> str:
    start, end = generated.week_start, generated.week_start + timedelta(days=7)
    calls = Call.objects.filter(assigned_to=user, starts_at__gte=start, starts_at__lt=end)
    meetings = Meeting.objects.filter(assigned_to=user, starts_at__gte=start, starts_at__lt=end)
    todos = Task.objects.filter(assignee=user, due_date__gte=start.date(), due_date__lt=end.date())
    rules = Meeting.objects.filter(assigned_to=user, starts_at__lt=start).exclude(rrule="")
    until = f"UNTIL={start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    # UNTIL=… in UTC sorts as text: the series still running when the week starts.
    series = [r for r in rules.values_list("rrule", flat=True) if r.split(";")[-1] >= until]
    return (
        f"{calls.count()} calls, {meetings.count()} meetings, {todos.count()} to-dos, "
        f"{len(series)} weekly series running"
    )


@check("crm: calendar week: queries constant in rows")
def calendar_queries_constant(ctx):
    generated = crm_data(ctx)
    week = _week_query(generated)

    def samples():
        url = _url(CALENDAR_EVENTS, "CALENDAR_EVENTS")
        return [
            (f"{label} ({_week_load(generated, user)})", _get(ctx, user, url, week))
            for label, user in (("quiet", generated.quiet_agent), ("busy", generated.busy_agent))
        ]

    return _all_same(ctx, {"calendar events": samples})


@check("crm: global search: queries constant in rows")
def global_search_queries_constant(ctx):
    generated = crm_data(ctx)

    def samples():
        url = _url(GLOBAL_SEARCH, "GLOBAL_SEARCH")
        return [
            (repr(q), _get(ctx, generated.busy_agent, url, {GLOBAL_SEARCH_PARAM: q}))
            for q in ("quevillon", COMMON_SURNAME.lower())
        ]

    return _all_same(ctx, {"global search": samples})


@check("crm: duplicate check: queries constant in rows")
def duplicates_queries_constant(ctx):
    def samples():
        return [
            ("no similar client", _duplicates(ctx, matching=False)),
            ("a common name", _duplicates(ctx, matching=True)),
        ]

    return _all_same(ctx, {"duplicate check": samples})


# --- The CSV export: rows per second and the process's peak memory ---------------------------


@check(f"crm: client CSV export streamed, peak RSS < {EXPORT_RSS_BUDGET_MB} MB")
def client_export(ctx):
    """The export read as a server worker serves it (exports.py): in a fresh process, chunk
    by chunk, never joined."""
    url = _url(CLIENT_EXPORT, "CLIENT_EXPORT")
    generated = crm_data(ctx)
    expected = Client.objects.count()
    measured = exports.stream_in_fresh_process(
        user_id=generated.busy_agent.pk, url=url, query=CLIENT_EXPORT_QUERY
    )
    if measured.status != 200:
        raise BenchmarkFailure(f"answered {measured.status}, expected 200")
    if not measured.streaming:
        raise BenchmarkFailure("the export is not streamed (a whole response was built)")
    detail = measured.describe(f"{expected:,} clients")
    holds = measured.peak_mb < EXPORT_RSS_BUDGET_MB and measured.rows >= expected
    if measured.rows < expected:
        detail += "; fewer rows than clients"
    return holds, detail
