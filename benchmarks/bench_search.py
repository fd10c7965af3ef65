"""Search at production size: the request list, the incident list and the client picker, each
over 1,000,000 rows (× scale), searched by a word of a title, a person's name typed without
its accents, an e-mail fragment and a number.

Budget (DESIGN.md): p95 ≤ 100 ms at 1M rows. The "before" figure is the same incident search
asked with ``icontains`` (what the lists did before the trigram indexes, and what SQLite still
does), measured a few times only.

The clients, requests and incidents are generated the first time one of these benchmarks is
prepared, not by ``data.generate``: runs of other pages do not pay for three million rows.
Titles and names are French, with accents, drawn with the skew real ones have (a few common
surnames, many rare ones).
"""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from time import perf_counter
from unittest import mock

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from contacts.models import Client
from requests_app.models import Incident, RequestType, ServiceRequest

from . import data, keep
from .registry import benchmark

BUDGET_MS = 100
PER_SCALE = {"clients": 1_000_000, "requests": 1_000_000, "incidents": 1_000_000}
CHUNK = 100_000
YEARS = 2

FIRST_NAMES = [
    "Léa", "Émile", "Chloé", "Félix", "Zoé", "Jérôme", "Hélène", "Gaël", "Maëlle", "Anaïs",
    "Noémie", "Loïc", "Inès", "Benoît", "Josée", "André", "Amélie", "Frédéric", "Mélanie",
    "René", "Camille", "Alex", "Samuel", "Olivier", "Rosalie", "Mathis", "Juliette", "Hugo",
    "Louis", "Sophie", "Martin", "Julie", "Nathalie", "Simon", "Marie", "Jacques", "Claire",
    "Vincent", "Isabelle", "Pierre", "François", "Geneviève", "Stéphane", "Valérie", "Rémi",
]  # fmt: skip
# The common surnames of Québec first (drawn more often), then rarer ones.
LAST_NAMES = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
    "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette",
    "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier",
    "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin", "Thibault", "St-Pierre", "Nadeau",
    "Martin", "Landry", "Martel", "Bédard", "Grenier", "Lessard", "Bernier", "Richard",
    "Michaud", "Hébert", "Desjardins", "Couture", "Turcotte", "Lachance", "Parent", "Blais",
    "Gosselin", "Savard", "Proulx", "Beaudoin", "Demers", "Perron", "Boudreau", "Ménard",
    "Lemieux", "Dufour", "Mercier", "Champagne", "Frenette", "Vézina", "Thériault", "Lévêque",
    "Désilets", "Brière", "Aubé", "Chênevert", "Légaré", "Pépin", "Drouin", "Séguin", "Rhéaume",
    "Thériot", "Bérubé", "Boivin", "Dionne", "Gélinas", "Huot", "Jodoin", "Laliberté",
    "Marchand", "Nolet", "Ouimet", "Paré", "Quessy", "Rivard", "Sénécal", "Trépanier",
    "Vallée", "Wauthier", "Yelle", "Zéphir", "Aubin", "Barbeau", "Chrétien", "Daigle",
    "Éthier", "Fréchette", "Goyette", "Héroux", "Isabelle", "Jutras", "Kirouac", "Lortie",
]  # fmt: skip
DOMAINS = [
    "videotron.ca", "gmail.com", "hotmail.com", "outlook.fr", "umontreal.ca", "sympatico.ca",
    "ville.quebec.qc.ca", "cegep.example", "yahoo.fr", "bell.net",
]  # fmt: skip
INCIDENT_TITLES = [
    "Projecteur muet en salle {place}", "Micro sans fil défectueux, {place}",
    "Accès refusé à l'environnement numérique", "Mot de passe expiré sur le poste {n}",
    "Enregistrement introuvable pour la séance du {day}", "Imprimante bloquée, {place}",
    "Wi-Fi instable au {place}", "Écran noir au démarrage du poste {n}",
    "Caméra de la salle {place} hors service", "Courriel institutionnel inaccessible",
    "Licence de logiciel échue", "Tableau interactif sans réponse, {place}",
    "Clavier et souris sans fil déconnectés", "Son absent dans la classe virtuelle",
    "Erreur à la connexion au portail étudiant", "Téléversement d'un travail impossible",
    "Haut-parleurs grésillants, {place}", "Poste de l'accueil très lent",
    "Badge refusé à l'entrée du {place}", "Chauffage en panne au {place}",
    "Fuite d'eau au plafond, {place}", "Éclairage défaillant dans le corridor du {place}",
    "Mise à jour du système bloquée, poste {n}", "Données perdues après la synchronisation",
    "Vidéo de cours saccadée", "Sous-titres absents de l'enregistrement du {day}",
    "Accès VPN refusé en télétravail", "Téléphone IP sans tonalité, poste {n}",
    "Salle {place} réservée en double", "Numériseur hors ligne au {place}",
]  # fmt: skip
REQUEST_TITLES = [
    "Inscription à l'école de musique", "Permis de stationnement résidentiel, rue {street}",
    "Réservation du gymnase de l'école {street}", "Demande de subvention pour un organisme",
    "Collecte des encombrants au {n}, rue {street}", "Abattage d'un frêne, rue {street}",
    "Permis de rénovation au {n}, rue {street}", "Médiatisation du cours {course}",
    "Accompagnement pédagogique, cours {course}", "Planification technologique, {course}",
    "Vignette de stationnement pour visiteurs", "Demande d'accès à l'information",
    "Remboursement des frais d'activité", "Nid-de-poule devant le {n}, rue {street}",
    "Bac de recyclage endommagé", "Inscription au camp de jour d'été",
    "Licence pour chien, quartier {street}", "Dérogation mineure au {n}, rue {street}",
    "Branchement à l'aqueduc, rue {street}", "Location de la salle communautaire",
    "Éclairage de rue défectueux, rue {street}", "Déneigement du trottoir, rue {street}",
    "Certificat d'occupation commerciale", "Arrosage : demande de dérogation",
    "Prêt de matériel pour une fête de quartier", "Plainte pour bruit, rue {street}",
]  # fmt: skip
STREETS = [
    "Saint-Denis", "Côte-des-Neiges", "Sherbrooke", "Jean-Talon", "Beaubien", "Masson",
    "Laurier", "Rachel", "Papineau", "de l'Église", "des Érables", "du Collège", "Hochelaga",
    "Ontario", "Mont-Royal", "Bélanger", "Saint-Hubert", "Fleury", "Henri-Bourassa", "Monselet",
]  # fmt: skip
PLACES = ["pavillon Roger-Gaudry", "local B-204", "amphithéâtre Z-110", "pavillon Lionel-Groulx",
          "salle Jean-Coutu", "local 3195", "pavillon Marie-Victorin", "atelier M-415"]  # fmt: skip
DEPARTMENTS = ["MED", "PHA", "SCI", "ANT", "BCM", "MCB", "NUT", "KIN", "PHS", "SMC"]
CLIENT_COLUMNS = [*data.CLIENT_COLUMNS]

REQUESTS = "requests_app.ServiceRequest"
INCIDENTS = "requests_app.Incident"
CLIENTS = "contacts.Client"


@dataclass
class SearchData:
    request_number: int
    incident_number: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


_generated: dict[int, SearchData | Exception] = {}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _skewed(rng: random.Random, values: list[str]) -> str:
    # Zipf-like: the k-th value is drawn about 1/k as often as the first.
    return values[min(len(values) - 1, int(len(values) ** rng.random()) - 1)]


def generate(scale: float, *, seed: int = data.SEED) -> SearchData:
    started = perf_counter()
    rng = random.Random(seed + 8)
    n = {key: max(1, round(value * scale)) for key, value in PER_SCALE.items()}
    now = timezone.now()
    span = YEARS * 365 * 86400
    with transaction.atomic():
        request_type = RequestType.objects.create(code="BENCHSEARCH", name="Démarche générique")
        first_client = data._next_id(Client)
        first_request = data._next_id(ServiceRequest)
        first_incident = data._next_id(Incident)
        with data._without_secondary_indexes([Client, ServiceRequest, Incident]):
            data.copy_rows(
                Client,
                ["id", *CLIENT_COLUMNS],
                (_client(rng, first_client + i, now) for i in range(n["clients"])),
            )
            requesters = (first_client, first_client + n["clients"] - 1)
            data.copy_rows(
                ServiceRequest,
                ["id", *REQUEST_COLUMNS],
                (
                    _request(rng, first_request + i, i, n["requests"], request_type.pk,
                             requesters, now, span)
                    for i in range(n["requests"])
                ),
            )  # fmt: skip
            data.copy_rows(
                Incident,
                ["id", *INCIDENT_COLUMNS],
                (
                    _incident(rng, first_incident + i, i, n["incidents"], requesters, now, span)
                    for i in range(n["incidents"])
                ),
            )
        data._reset_sequences([Client, ServiceRequest, Incident])
    data._vacuum_analyze([Client, ServiceRequest, Incident])
    return SearchData(
        request_number=first_request + n["requests"] // 3,
        incident_number=first_incident + n["incidents"] // 3,
        seconds=perf_counter() - started,
        counts={
            "clients": Client.objects.count(),
            "requests": ServiceRequest.objects.count(),
            "incidents": Incident.objects.count(),
        },
    )


def _client(rng, pk, now):
    first, last = rng.choice(FIRST_NAMES), _skewed(rng, LAST_NAMES)
    email = f"{_ascii(first)}.{_ascii(last).replace(' ', '')}{pk}@{rng.choice(DOMAINS)}"
    area = rng.choice(["514", "438", "450", "418", "819"])
    phone = f"{area} {rng.randrange(200, 999)}-{pk % 10000:04d}"
    created = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
    return (pk, first, last, email, "fr", None, created, now, phone, *data.CLIENT_BLANKS[1:])


REQUEST_COLUMNS = [
    "requester_id", "channel", "request_type_id", "title", "description", "form_data", "status",
    "created_at", "updated_at",
]  # fmt: skip
INCIDENT_COLUMNS = [
    "requester_id", "channel", "priority", "title", "description", "status", "created_at",
    "updated_at",
]  # fmt: skip


def _fill(rng, template: str, created) -> str:
    return template.format(
        place=rng.choice(PLACES),
        n=rng.randrange(1, 9999),
        street=rng.choice(STREETS),
        course=f"{rng.choice(DEPARTMENTS)}{rng.randrange(1000, 7000)}",
        day=f"{created:%d/%m/%Y}",
    )


def _created(now, i: int, count: int, span: int):
    # Ids follow time, as in production.
    return now - timedelta(seconds=span * (count - i) / count)


def _request(rng, pk, i, count, type_id, requesters, now, span):
    created = _created(now, i, count, span)
    status = "closed" if rng.random() < 0.85 else rng.choice(["submitted", "in_progress"])
    return (
        pk, rng.randint(*requesters), "portal", type_id,
        _fill(rng, rng.choice(REQUEST_TITLES), created), "", {}, status, created, created,
    )  # fmt: skip


def _incident(rng, pk, i, count, requesters, now, span):
    created = _created(now, i, count, span)
    status = "closed" if rng.random() < 0.9 else rng.choice(["new", "in_progress"])
    return (
        pk, rng.randint(*requesters), "portal", rng.choice([2, 3, 3, 3, 4]),
        _fill(rng, rng.choice(INCIDENT_TITLES), created), "", status, created, created,
    )  # fmt: skip


def search_data(ctx) -> SearchData:
    key = id(ctx.data)
    if key not in _generated:
        try:
            generated, reused = keep.remembered("search", lambda: generate(ctx.data.scale))
        except Exception as exc:
            _generated[key] = exc
            raise
        counts = ", ".join(f"{value:,} {label}" for label, value in generated.counts.items())
        done = "kept from an earlier run" if reused else f"generated in {generated.seconds:.1f} s"
        print(f"search: data {done}: {counts}", flush=True)
        _generated[key] = generated
    generated = _generated[key]
    if isinstance(generated, Exception):
        raise RuntimeError("the search's data could not be generated") from generated
    return generated


def _search(ctx, url: str, q):
    generated = search_data(ctx)
    client = ctx.client(ctx.data.empty_agent)
    query = {"q": q(generated) if callable(q) else q}
    return lambda: client.get(url, query)


REQUEST_LIST, INCIDENT_LIST, CLIENT_PICKER = (
    "requests:list",
    "incidents:all",
    "contacts:search",
)
# (what is searched, the query): a word of a title, a surname typed without its accent, an
# e-mail fragment, a number as shown on the pages.
CASES = {
    REQUEST_LIST: [
        ("a word of a title", "frene"),
        ("a name without accents", "lea belanger"),
        ("an e-mail fragment", "helene.cote12"),
        ("a number", lambda d: f"REQ{d.request_number:07d}"),
    ],
    INCIDENT_LIST: [
        ("a word of a title", "numeriseur"),
        ("a name without accents", "frederic theriault"),
        ("an e-mail fragment", "amelie.levesque3"),
        ("a number", lambda d: f"INC{d.incident_number:07d}"),
    ],
    CLIENT_PICKER: [
        ("a name without accents", "jerome legare"),
        ("a surname without accents", "chenevert"),
        ("an e-mail fragment", "noemie.pepin4"),
        ("a phone number", "418 555-0101"),
    ],
}
TABLES = {REQUEST_LIST: REQUESTS, INCIDENT_LIST: INCIDENTS, CLIENT_PICKER: CLIENTS}
LABELS = {
    REQUEST_LIST: "request list",
    INCIDENT_LIST: "incident list",
    CLIENT_PICKER: "client picker",
}


def _register(url_name: str, what: str, q) -> None:
    shown = q if isinstance(q, str) else "…"

    @benchmark(
        f"search, {LABELS[url_name]}: {what} ({shown})",
        budget_ms=BUDGET_MS,
        table=TABLES[url_name],
    )
    def prepare(ctx):
        return _search(ctx, reverse(url_name), q)


for _url_name, _cases in CASES.items():
    for _what, _q in _cases:
        _register(_url_name, _what, _q)


@benchmark("search before, icontains: incident list, a word of a title", table=INCIDENTS)
def incidents_icontains(ctx):
    """The same search without the trigram indexes: the fallback of ``crm/search.py``."""
    # Typed with its accent: icontains finds the rows the trigram search finds for "numeriseur".
    search = _search(ctx, reverse(INCIDENT_LIST), "numériseur")

    def run():
        with mock.patch.object(connection, "vendor", "sqlite"):
            return search()

    return run
