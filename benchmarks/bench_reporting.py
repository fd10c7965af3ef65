"""The managers' dashboards at production size (issue 11, item 10).

Budgets (DESIGN.md, issue 11): at 1,000,000 requests, 4,000,000 tasks, 1,000,000 incidents and
1,000,000 activities (scale 1), every dashboard p95 < 300 ms; the PDF of a year of data < 3 s;
a CSV export of 1,000,000 rows at ≥ 50,000 rows/s, streamed, with a peak RSS < 200 MB.

The data are the other benchmarks' (bench_agent_pages' requests and tasks, bench_incidents'
incidents and SLA clocks, bench_crm's activities), generated the first time one of these is
prepared; then the summary tables are rebuilt once (``summaries_refresh(full=True)``, timed and
printed) as the nightly job would. The pages are read by a manager, over the default period
(the last 30 days) and over a year; the CSV is every request received in the two years (at
scale 1, the million).
"""

from datetime import timedelta
from time import perf_counter

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from crm import roles
from crm.models import User
from reporting import selectors, summaries
from reporting.dashboards import DASHBOARDS, document_key
from reporting.forms import Filters, default_period
from requests_app.models import ServiceRequest

from . import bench_agent_pages, bench_crm, bench_incidents, data, exports
from .bench_crm import EXPORT_RSS_BUDGET_MB
from .registry import benchmark, check
from .runner import BenchmarkFailure

DASHBOARD_BUDGET_MS = 300
PDF_BUDGET_MS = 3000
CSV_RATE = 50_000
REQUESTS = "requests_app.ServiceRequest"

_prepared: dict[int, User | Exception] = {}


def reporting_data(ctx) -> User:
    """Every generator's rows, the summaries rebuilt once, and a manager to read them."""
    key = id(ctx.data)
    if key not in _prepared:
        try:
            bench_agent_pages.pages_data(ctx)
            bench_incidents.incidents_data(ctx)
            bench_crm.crm_data(ctx)
            started = perf_counter()
            result = summaries.summaries_refresh(full=True)
            print(
                f"reporting: summaries rebuilt in {perf_counter() - started:.1f} s "
                f"({result.rows:,} rows)",
                flush=True,
            )
            _prepared[key] = _manager()
        except Exception as exc:
            _prepared[key] = exc
            raise
    prepared = _prepared[key]
    if isinstance(prepared, Exception):
        raise RuntimeError("the reporting data could not be prepared") from prepared
    return prepared


def _manager() -> User:
    email = f"gestion@{data.DOMAIN}"
    manager = User.objects.filter(email=email).first()
    if manager is None:
        manager = User.objects.create_user(email=email, password=data.PASSWORD)
        manager.groups.add(Group.objects.get(name=roles.MANAGER))
    return manager


def _year_dates():
    today = timezone.localdate()
    return today - timedelta(days=364), today


def _year() -> dict:
    date_from, date_to = _year_dates()
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}


def _two_years() -> dict:
    today = timezone.localdate()
    return {"date_from": (today - timedelta(days=800)).isoformat(), "date_to": today.isoformat()}


def _register_page(slug: str, label: str, period: str) -> None:
    @benchmark(f"reports: {label} ({period})", budget_ms=DASHBOARD_BUDGET_MS, table=REQUESTS)
    def prepare(ctx):
        client = ctx.client(reporting_data(ctx))
        url = reverse("reports:dashboard", args=[slug])
        query = _year() if period == "a year" else {}
        return lambda: client.get(url, query)


def _register_first_view(slug: str, period: str) -> None:
    """The page as the first manager to open it after a summaries refresh reads it: its
    document is not in the cache yet, so every figure is read and every chart drawn."""

    @benchmark(
        f"reports: {slug} ({period}, first view after a refresh)",
        budget_ms=DASHBOARD_BUDGET_MS,
        table=REQUESTS,
    )
    def prepare(ctx):
        client = ctx.client(reporting_data(ctx))
        url = reverse("reports:dashboard", args=[slug])
        query = _year() if period == "a year" else {}
        f = Filters(*(_year_dates() if period == "a year" else default_period()))

        def first_view():
            fresh = selectors.freshness()
            cache.delete(document_key(slug, f, fresh, settings.LANGUAGE_CODE))
            return client.get(url, query)

        return first_view


for _slug, _board in DASHBOARDS.items():
    _register_page(_slug, _slug, "30 days")
    _register_page(_slug, _slug, "a year")
    _register_first_view(_slug, "30 days")
    _register_first_view(_slug, "a year")


@benchmark("reports: PDF of the volume, a year", budget_ms=PDF_BUDGET_MS, table=REQUESTS)
def volume_pdf(ctx):
    client = ctx.client(reporting_data(ctx))
    url = reverse("reports:pdf", args=["volume"])
    query = _year()
    return lambda: client.get(url, query)


@benchmark("reports: PDF of the service levels, a year", budget_ms=PDF_BUDGET_MS, table=REQUESTS)
def service_levels_pdf(ctx):
    client = ctx.client(reporting_data(ctx))
    url = reverse("reports:pdf", args=["service-levels"])
    query = _year()
    return lambda: client.get(url, query)


@check(f"reports: CSV of the requests received, ≥ {CSV_RATE:,} rows/s, RSS < 200 MB")
def requests_csv(ctx):
    """Every request of two years, read as a server worker serves it (exports.py): in a
    fresh process, chunk by chunk."""
    manager = reporting_data(ctx)
    start = timezone.now() - timedelta(days=801)
    expected = ServiceRequest.objects.filter(created_at__gte=start).exclude(status="draft").count()
    measured = exports.stream_in_fresh_process(
        user_id=manager.pk, url=reverse("reports:requests_csv"), query=_two_years()
    )
    if measured.status != 200:
        raise BenchmarkFailure(f"answered {measured.status}, expected 200")
    if not measured.streaming:
        raise BenchmarkFailure("the export is not streamed (a whole response was built)")
    holds = (
        measured.rate >= CSV_RATE
        and measured.peak_mb < EXPORT_RSS_BUDGET_MB
        and measured.rows >= expected
    )
    return holds, measured.describe(f"{expected:,}")


@check("reports: an incremental refresh after a day's changes", mutates=True)
def incremental_refresh(ctx):
    """A refresh after a few hundred rows changed rewrites their days, not the two years."""
    reporting_data(ctx)
    summaries.summaries_refresh()
    changed = list(ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True)[:300])
    ServiceRequest.objects.filter(pk__in=changed).update(updated_at=timezone.now())
    started = perf_counter()
    result = summaries.summaries_refresh()
    elapsed = perf_counter() - started
    detail = f"{elapsed:.2f} s, days recomputed {result.days}, {result.rows:,} rows written"
    return result.ran and not result.full and elapsed < 60, detail
