"""Reads of the catalogue."""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm import search
from crm.business_time import WORKWEEK, Schedule, ScheduleError
from crm.config_cache import kept
from crm.errors import DomainError

from ..sla.models import BusinessCalendar
from .models import ProcedureDocument, RequestType, Theme


def schedules_of(request_types: Iterable[RequestType]) -> dict[int, Schedule]:
    """The schedule on which the due dates of each type's tasks count working days, by type id:
    the type's calendar, else the body's default calendar, else Monday to Friday with no public
    holidays. Each calendar is read once per process (``crm.config_cache``)."""
    return {t.pk: calendar_schedule(t.calendar_id) for t in request_types}


def schedule_of(request_type: RequestType) -> Schedule:
    return calendar_schedule(request_type.calendar_id)


@kept
def calendar_schedule(calendar_id: int | None) -> Schedule:
    """The schedule of a calendar (None, or a calendar that no longer exists: the default
    calendar's, else Monday to Friday with no public holidays): three queries, once per
    process."""
    calendars = list(
        BusinessCalendar.objects.filter(Q(pk=calendar_id) | Q(is_default=True)).prefetch_related(
            "slots", "closures"
        )
    )
    chosen = next((c for c in calendars if c.pk == calendar_id), None)
    chosen = chosen or next((c for c in calendars if c.is_default), None)
    return _schedule(chosen) if chosen is not None else WORKWEEK


def _schedule(calendar: BusinessCalendar) -> Schedule:
    try:
        return calendar.schedule()
    except ScheduleError as exc:
        raise DomainError(
            _("The business calendar %(name)s has no opening slot: an administrator must add one.")
            % {"name": calendar.name}
        ) from exc


# --- The portal's catalogue --------------------------------------------------------------------

# What a tile shows; nothing else of a type (nor of the requests filed) is read.
TILE_FIELDS = ("pk", "slug", "icon", "theme", "theme__position")
TRANSLATED_TILE_FIELDS = ("name", "summary", "description")
# Searched, in the page's language and in French (what an untranslated text shows).
SEARCHED_FIELDS = ("name", "summary", "description", "theme__name")


def _languages() -> list[str]:
    """The page's language first, then the fallback that shows where a text is untranslated."""
    codes = [code for code, _label in settings.LANGUAGES]
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    current = current if current in codes else settings.LANGUAGE_CODE
    return list(dict.fromkeys([current, settings.MODELTRANSLATION_DEFAULT_LANGUAGE]))


def published_types():
    """Request types citizens may see: active and published on the portal."""
    return RequestType.objects.filter(active=True, published=True)


def catalogue_themes() -> list[Theme]:
    """The themes that hold at least one published e-service, each with ``services`` (their
    number), in the themes' order: one query."""
    shown = Q(request_types__active=True, request_types__published=True)
    return list(
        Theme.objects.annotate(services=Count("request_types", filter=shown))
        .filter(services__gt=0)
        .order_by("position", "name", "pk")
    )


def catalogue_tiles(*, theme: Theme | None = None, q: str = "") -> list[RequestType]:
    """The published e-services, optionally of one ``theme`` and matching every word of ``q``
    (accents and case ignored) in their name, summary, description or theme, in the themes'
    order then by name: one query, whatever their number."""
    languages = _languages()
    fields = [*TILE_FIELDS]
    for name in (*TRANSLATED_TILE_FIELDS, "theme__name"):
        fields += [f"{name}_{code}" for code in languages]
    queryset = published_types().select_related("theme").only(*fields)
    if theme is not None:
        queryset = queryset.filter(theme=theme)
    if q.strip():
        searched = tuple(f"{field}_{code}" for field in SEARCHED_FIELDS for code in languages)
        queryset = queryset.filter(search.contains_all(searched, q))
    names = [F(f"name_{code}") for code in languages]
    label = Coalesce(*names) if len(names) > 1 else names[0]
    return list(queryset.order_by("theme__position", "theme_id", label, "pk"))


def procedure_page(*, slug: str) -> RequestType:
    """A published type with everything its procedure page shows: its theme, steps, documents,
    launch buttons, contacts and links, in their order. Six queries. ``RequestType.DoesNotExist``
    when no active, published type has that address."""
    return (
        published_types()
        .select_related("theme")
        .prefetch_related(
            "procedure_steps",
            "procedure_documents",
            "launch_buttons",
            "procedure_contacts",
            "procedure_links",
        )
        .get(slug=slug)
    )


def procedure_template(*, slug: str, pk: int) -> ProcedureDocument:
    """The template of one document of a published type's procedure, for its download.
    ``ProcedureDocument.DoesNotExist`` for another type's document, a document without a
    template, or a type that is not published or not active."""
    return (
        ProcedureDocument.objects.filter(
            request_type__slug=slug,
            request_type__active=True,
            request_type__published=True,
        )
        .exclude(template="")
        .only("pk", "template", "template_name", "template_content_type")
        .get(pk=pk)
    )
