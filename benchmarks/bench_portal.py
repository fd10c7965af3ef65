"""The citizen portal's public pages: the catalogue at "/" and a procedure page, for a visitor
who is not logged in, beside 1,000,000 requests (× scale).

Budget (issue 10): p95 under 100 ms, and a number of queries that grows neither with the
e-services shown nor with the lines of a procedure. The pages read the catalogue's tables only;
the requests are generated (the search benchmarks' million requests, clients and incidents,
shared with them) so that the measure says so at production size.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from contacts.models import Client
from crm import roles
from crm.models import User
from requests_app.models import (
    LaunchButton,
    ProcedureContact,
    ProcedureDocument,
    ProcedureLink,
    ProcedureStep,
    RequestType,
    ServiceRequest,
    Theme,
)

from .bench_search import search_data
from .registry import benchmark, check

BUDGET_MS = 100
REQUESTS = "requests_app.ServiceRequest"
THEMES = 8
TYPES_PER_THEME = 8
# Lines of each kind on a rich procedure page, and on the lean one of the query check.
LINES = {"steps": 6, "documents": 5, "buttons": 3, "contacts": 3, "links": 4}
CODE_PREFIX = "BENCHPORTAL"

THEME_NAMES = [
    "Travaux et équipements", "Aides et subventions", "École et périscolaire", "Mobilité",
    "Environnement", "Culture et loisirs", "Solidarité", "Urbanisme",
]  # fmt: skip
WORDS = [
    "Demande", "Aide", "Inscription", "Déclaration", "Réservation", "Signalement", "Attestation",
    "Subvention",
]  # fmt: skip
OBJECTS = [
    "de travaux", "à l'achat d'un vélo", "à la cantine", "de stationnement", "d'une salle",
    "d'un dépôt sauvage", "de résidence", "aux associations",
]  # fmt: skip


def _catalogue() -> dict:
    """The generated catalogue (made once per database): its rich type and a lean one."""
    if not RequestType.objects.filter(code__startswith=CODE_PREFIX).exists():
        with transaction.atomic():
            _generate()
    types = RequestType.objects.filter(code__startswith=CODE_PREFIX).order_by("code")
    return {"rich": types.first(), "lean": types.last(), "theme": types.first().theme}


def _generate() -> None:
    for t, theme_name in enumerate(THEME_NAMES[:THEMES]):
        theme = Theme.objects.create(
            name_fr=theme_name, name_en=f"Theme {t}", position=t, description_fr=theme_name
        )
        for i in range(TYPES_PER_THEME):
            n = t * TYPES_PER_THEME + i
            name = f"{WORDS[i % len(WORDS)]} {OBJECTS[(i + t) % len(OBJECTS)]} ({n})"
            RequestType.objects.create(
                code=f"{CODE_PREFIX}{n:03d}",
                name_fr=name,
                name_en=f"E-service {n}",
                theme=theme,
                published=True,
                summary_fr=f"{name} : ce que la collectivité propose, pour qui et comment.",
                summary_en=f"E-service {n}: what the body offers, to whom and how.",
                eligibility_fr="Habiter la commune\nAvoir un compte usager",
                processing_time_fr="réponse sous 10 jours ouvrables",
            )
    rich = RequestType.objects.filter(code__startswith=CODE_PREFIX).order_by("code").first()
    lean = RequestType.objects.filter(code__startswith=CODE_PREFIX).order_by("code").last()
    _lines(rich, LINES)
    _lines(lean, dict.fromkeys(LINES, 1))


def _lines(request_type: RequestType, counts: dict[str, int]) -> None:
    kinds = {
        "steps": (ProcedureStep, lambda i: {"title_fr": f"Étape {i}", "text_fr": "Ensuite."}),
        "documents": (ProcedureDocument, lambda i: {"name_fr": f"Pièce {i}", "required": i > 0}),
        "buttons": (LaunchButton, lambda i: {"label_fr": f"Faire la demande ({i})"}),
        "contacts": (
            ProcedureContact,
            lambda i: {"name_fr": f"Service {i}", "email": f"service{i}@example.org"},
        ),
        "links": (
            ProcedureLink,
            lambda i: {"label_fr": f"FAQ {i}", "url": f"https://example.org/faq/{i}"},
        ),
    }
    for kind, (model, fields) in kinds.items():
        model.objects.bulk_create(
            model(request_type=request_type, position=i, **fields(i)) for i in range(counts[kind])
        )


def _prepared(ctx) -> dict:
    search_data(ctx)  # the requests beside which the portal is measured
    return _catalogue()


def _anonymous_get(ctx, url: str):
    client = ctx.client()
    return lambda: client.get(url)


@benchmark(
    f"portal catalogue ({THEMES * TYPES_PER_THEME} e-services, anonymous)",
    budget_ms=BUDGET_MS,
    table=REQUESTS,
)
def portal_catalogue(ctx):
    _prepared(ctx)
    return _anonymous_get(ctx, reverse("portal:home"))


@benchmark("portal catalogue, theme and search words", budget_ms=BUDGET_MS, table=REQUESTS)
def portal_catalogue_search(ctx):
    catalogue = _prepared(ctx)
    url = f"{reverse('portal:home')}?theme={catalogue['theme'].pk}&q=demande+travaux"
    return _anonymous_get(ctx, url)


@benchmark("portal procedure page (rich, anonymous)", budget_ms=BUDGET_MS, table=REQUESTS)
def portal_procedure(ctx):
    catalogue = _prepared(ctx)
    return _anonymous_get(ctx, reverse("portal:procedure", args=[catalogue["rich"].slug]))


@check("portal pages: queries constant in e-services and lines")
def portal_queries_constant(ctx):
    """The whole catalogue against one theme's search, and a procedure page with one line of
    each kind against the rich one: the same queries each."""
    catalogue = _prepared(ctx)
    client = ctx.client()
    home = reverse("portal:home")
    samples = {
        "catalogue": [
            (f"all {THEMES * TYPES_PER_THEME}", home),
            ("one theme, searched", f"{home}?theme={catalogue['theme'].pk}&q=demande"),
        ],
        "procedure page": [
            ("lean", reverse("portal:procedure", args=[catalogue["lean"].slug])),
            ("rich", reverse("portal:procedure", args=[catalogue["rich"].slug])),
        ],
    }
    holds, parts = True, []
    for page, urls in samples.items():
        counts = [
            (label, ctx.count_queries(lambda url=url: client.get(url))) for label, url in urls
        ]
        same = len({count for _label, count in counts}) == 1
        holds = holds and same
        seen = ", ".join(f"{label} {count}" for label, count in counts)
        parts.append(f"{page}: {seen}" + ("" if same else " (differs)"))
    return holds, "; ".join(parts)


# --- "My requests", for a citizen whose requests are among the million ------------------------

CITIZEN_EMAIL = "bench.portal.citizen@example.org"


def _citizen(ctx):
    """The portal account of the requester with the most requests of the generated million
    (linked once per database), and one of its requests."""
    search_data(ctx)
    user = User.objects.filter(email=CITIZEN_EMAIL).first()
    if user is None:
        busiest = (
            ServiceRequest.objects.values("requester_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()["requester_id"]
        )
        with transaction.atomic():
            user = User.objects.create_user(email=CITIZEN_EMAIL, password="bench-portal")
            user.groups.add(Group.objects.get(name=roles.CITIZEN))
            Client.objects.filter(pk=busiest).update(user=user)
    client = Client.objects.get(user=user)
    request = ServiceRequest.objects.filter(requester=client).order_by("-pk").first()
    return user, client, request


@benchmark("portal my requests (the busiest requester)", budget_ms=BUDGET_MS, table=REQUESTS)
def portal_my_requests(ctx):
    user, _client, _request = _citizen(ctx)
    client = ctx.client(user)
    return lambda: client.get(reverse("portal:my_requests"))


@benchmark("portal one of my requests (timeline, thread)", budget_ms=BUDGET_MS, table=REQUESTS)
def portal_my_request(ctx):
    user, _client, request = _citizen(ctx)
    client = ctx.client(user)
    return lambda: client.get(reverse("portal:my_request_detail", args=[request.pk]))
