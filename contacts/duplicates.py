"""Similar existing records, shown before a Client, Partner or Contact is created (issue 9, item
4): the same e-mail address, the same phone number, or a name that differs only by accents or
case or is close.

How each is compared:

- **E-mail**: without case (and, on PostgreSQL, without accents): ``guichet_fold(email) =
  guichet_fold(typed)``, answered by the trigram index of ``guichet_fold(email)`` (pg_trgm
  indexes equality since PostgreSQL 14).
- **Phone**: on its digits (``normalise_phone``): "+1 (514) 555-0199", "514 555 0199",
  "514.555.0199" and "5145550199" are one number. An extension typed after the number ("poste
  12", "x12", "ext. 12", "#12") is not part of it. A North American number of 11 digits that
  starts with the country code 1 is its last 10 digits. A stored number matches when its digits
  are the typed number's, with or without the leading 1, followed by nothing or (10-digit
  numbers only) by an extension's digits: ``guichet_digits(phone) LIKE '5145550199%'`` or
  ``LIKE '15145550199%'``, answered by the trigram index of ``guichet_digits(phone)``. Numbers
  of fewer than ``PHONE_MIN_DIGITS`` digits are not compared.
- **Name**: on PostgreSQL, pg_trgm's ``%`` operator (similarity above
  ``pg_trgm.similarity_threshold``, 0.3 by default) on the folded last name (a partner's name),
  answered by its trigram index; with a first name typed, the stored first name must be similar
  too (or empty). "Jodoin", "jodoin ", "JODOIN" and "Jodöin" are the same name; "Jodoin-Tremblay"
  is a similar one. The strength shown is the similarity of the whole folded names.
  Elsewhere (the SQLite of ``make run``) names are folded in Python and compared for equality or
  a common beginning, from candidates found with ``istartswith``.

Each check is one query (none when nothing is typed), with a LIMIT, whatever the number of rows:
similarity is computed only for the rows that the indexes found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Concat, Lower, Replace
from django.db.models.lookups import Exact, StartsWith
from django.utils.translation import gettext as _

from crm.search import PHONE_PUNCTUATION, Digits, Fold, indexed

from .models import Client, Contact, Partner

# Typed phone numbers with fewer digits are not compared (a partial number finds too many).
PHONE_MIN_DIGITS = 7
# Longer typed values are cut: nothing stored is longer (the fields hold 255 characters).
VALUE_MAX_LENGTH = 255
# Candidates read on a database without trigram similarity, before they are ranked in Python.
FALLBACK_CANDIDATES = 50
# On that database, a name counts as similar from this ratio (difflib's), or when one folded name
# begins with the other.
FALLBACK_NAME_RATIO = 0.8

_EXTENSION = re.compile(r"(?:[a-zA-Z#]|$)")


@dataclass(frozen=True)
class Similar:
    """An existing record like the one typed, and why (``reasons``, translated, strongest
    first); ``codes`` names the same reasons for programs: "email", "phone", "name",
    "partner"."""

    record: Client | Partner | Contact
    reasons: tuple[str, ...]
    codes: frozenset[str]
    name_similarity: float  # 0 to 1, of the whole folded names

    @property
    def strength(self) -> tuple:
        return (
            "email" in self.codes,
            "phone" in self.codes,
            "partner" in self.codes and "name" in self.codes,
            self.name_similarity if "name" in self.codes else 0.0,
        )


# --- normalising what was typed ---------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: Python's side of ``guichet_fold`` (used
    on SQLite, and to tell "same name" from "similar name")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return " ".join(bare.lower().split())


def normalise_phone(raw: str) -> str:
    """The digits of a phone number as compared: "+1 (514) 555-0199 poste 12" → "5145550199".

    Whatever comes before the first digit ("Tél. ") is dropped, and so is an extension, from the
    first letter or "#" after the number began. An 11-digit number that starts with 1 (the North
    American country code) loses the 1. Other numbers (international ones) keep all their
    digits. Fewer than ``PHONE_MIN_DIGITS`` digits: "" (not compared)."""
    raw = (raw or "")[:VALUE_MAX_LENGTH]
    first_digit = re.search(r"\d", raw)
    if first_digit is None:
        return ""
    number = raw[first_digit.start() :]
    number = number[: _EXTENSION.search(number).start()]
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) >= PHONE_MIN_DIGITS else ""


def normalise_email(raw: str) -> str:
    email = (raw or "").strip()[:VALUE_MAX_LENGTH]
    return email.lower() if "@" in email else ""


def _clean_name(raw: str) -> str:
    return " ".join((raw or "")[:VALUE_MAX_LENGTH].split())


# --- the query's conditions ---------------------------------------------------------------------


def _email_condition(email: str, *, nullable: bool) -> Q:
    """``lower(email) = email`` (typed in lower case): a b-tree index of ``lower(email)``
    answers it. A client's is the partial unique index of ``Client.Meta``, whose condition (not
    null, not empty) is repeated so that the planner may use it."""
    condition = Q(Exact(Lower("email"), Value(email)))
    if nullable:
        condition &= Q(email__isnull=False) & ~Q(email="")
    return condition


def _phone_variants(digits: str) -> list[str]:
    return [digits, f"1{digits}"] if len(digits) == 10 else [digits]


def _fallback_digits(field: str):
    expression = F(field)
    for character in PHONE_PUNCTUATION:
        expression = Replace(expression, Value(character), Value(""))
    return expression


def _phone_condition(digits: str, fields: tuple[str, ...]) -> Q:
    """Stored numbers whose digits are ``digits``, with or without the leading 1 of a 10-digit
    number, and for those an extension after them."""
    condition = Q()
    for field in fields:
        stored = Digits(field) if indexed() else _fallback_digits(field)
        for variant in _phone_variants(digits):
            if len(digits) == 10:
                condition |= Q(StartsWith(stored, Value(variant)))
            else:
                condition |= Q(Exact(stored, Value(variant)))
    return condition


def _similar_name(field: str, typed: str) -> Q:
    return Q(TrigramSimilar(Fold(field), Fold(Value(typed))))


def _person_name_condition(first: str, last: str) -> Q:
    """A person (client, contact): the last name similar, and the first name similar or empty
    when one was typed."""
    if not last:
        return Q(pk__in=[])
    if not indexed():
        folded = fold(last)
        condition = Q(last_name__istartswith=last[:3]) | Q(last_name__istartswith=folded[:3])
        return condition
    condition = _similar_name("last_name", last)
    if first:
        # Both names similar: the two trigram indexes together find few rows (a common last
        # name alone is thousands of rows, each compared again). A stored record without a
        # first name is then not found by its name.
        condition &= _similar_name("first_name", first)
    return condition


def _partner_name_condition(name: str) -> Q:
    if not name:
        return Q(pk__in=[])
    if not indexed():
        return Q(name__istartswith=name[:3]) | Q(name__istartswith=fold(name)[:3])
    return _similar_name("name", name)


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _never() -> Value:
    return Value(False, output_field=BooleanField())


# --- the search ---------------------------------------------------------------------------------


def _find(
    queryset: QuerySet,
    *,
    name_condition: Q,
    full_name_expression,
    typed_full_name: str,
    email: str,
    phone: str,
    phone_fields: tuple[str, ...],
    partner_pk: int | None = None,
    exclude_pk: int | None,
    limit: int,
    email_nullable: bool = False,
    name_of,
    name_matches,
) -> list[Similar]:
    """One query: the rows meeting the e-mail, phone or name condition, with a flag per reason
    and the name's similarity, strongest first, ``limit`` of them."""
    conditions = Q(pk__in=[])
    flags = {}
    if email:
        flags["dup_email"] = _email_condition(email, nullable=email_nullable)
    if phone:
        flags["dup_phone"] = _phone_condition(phone, phone_fields)
    has_name = bool(typed_full_name) and name_condition != Q(pk__in=[])
    if has_name:
        flags["dup_name"] = name_condition
    if not flags:
        return []
    for condition in flags.values():
        conditions |= condition
    queryset = queryset.filter(conditions)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    annotations = {
        key: _flag(flags[key]) if key in flags else _never()
        for key in ("dup_email", "dup_phone", "dup_name")
    }
    if partner_pk is not None:
        annotations["dup_partner"] = _flag(Q(partner_id=partner_pk))
    if indexed():
        if has_name:
            annotations["dup_similarity"] = TrigramSimilarity(
                Fold(full_name_expression), Fold(Value(typed_full_name))
            )
        else:
            annotations["dup_similarity"] = Value(0.0, output_field=FloatField())
        order = [
            F("dup_email").desc(),
            F("dup_phone").desc(),
            *([F("dup_partner").desc()] if partner_pk is not None else []),
            F("dup_similarity").desc(),
            "pk",
        ]
        rows = list(queryset.annotate(**annotations).order_by(*order)[:limit])
    else:
        rows = list(queryset.annotate(**annotations).order_by("pk")[:FALLBACK_CANDIDATES])
    found = []
    for row in rows:
        similarity = getattr(row, "dup_similarity", None)
        if similarity is None:
            similarity = SequenceMatcher(None, fold(name_of(row)), fold(typed_full_name)).ratio()
        name_match = bool(row.dup_name)
        if name_match and not indexed():
            name_match = name_matches(row)
        similar = _similar(
            row,
            email=bool(row.dup_email),
            phone=bool(row.dup_phone),
            name=name_match,
            same_name=name_match and fold(name_of(row)) == fold(typed_full_name),
            partner=bool(getattr(row, "dup_partner", False)),
            similarity=similarity,
        )
        if similar is not None:
            found.append(similar)
    found.sort(key=lambda s: s.strength, reverse=True)
    return found[:limit]


def _similar(row, *, email, phone, name, same_name, partner, similarity) -> Similar | None:
    reasons, codes = [], set()
    if email:
        reasons.append(_("same e-mail"))
        codes.add("email")
    if phone:
        reasons.append(_("same phone"))
        codes.add("phone")
    if name:
        if same_name:
            reasons.append(_("same name"))
        else:
            reasons.append(
                _("similar name (%(percent)d %%)") % {"percent": round(similarity * 100)}
            )
        codes.add("name")
    if not codes:
        return None
    if partner:
        reasons.append(_("same partner"))
        codes.add("partner")
    return Similar(
        record=row,
        reasons=tuple(reasons),
        codes=frozenset(codes),
        name_similarity=similarity if name else 0.0,
    )


def _fallback_name_matches(typed_names: list[tuple[str, str]]):
    """On a database without trigrams: each (stored field, typed value) pair folded, equal, one
    beginning with the other, or close by difflib's ratio."""

    def matches(row) -> bool:
        for field, typed in typed_names:
            stored, wanted = fold(getattr(row, field)), fold(typed)
            if not wanted:
                continue
            if field == "first_name" and not stored:
                continue
            close = SequenceMatcher(None, stored, wanted).ratio() >= FALLBACK_NAME_RATIO
            if not (stored.startswith(wanted) or wanted.startswith(stored) or close):
                return False
        return True

    return matches


def _person_full_name():
    return Concat("first_name", Value(" "), "last_name")


def similar_clients(
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Similar]:
    """Existing clients like the one typed, strongest first (at most ``limit``; one query)."""
    first, last = _clean_name(first_name), _clean_name(last_name)
    return _find(
        Client.objects.all(),
        name_condition=_person_name_condition(first, last),
        full_name_expression=_person_full_name(),
        typed_full_name=f"{first} {last}".strip() if last else "",
        email=normalise_email(email),
        phone=normalise_phone(phone),
        phone_fields=("phone",),
        exclude_pk=exclude_pk,
        limit=limit,
        email_nullable=True,
        name_of=lambda row: row.full_name,
        name_matches=_fallback_name_matches([("last_name", last), ("first_name", first)]),
    )


def similar_partners(
    *,
    name: str = "",
    email: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Similar]:
    """Existing partners like the one typed, strongest first (at most ``limit``; one query)."""
    name = _clean_name(name)
    return _find(
        Partner.objects.all(),
        name_condition=_partner_name_condition(name),
        full_name_expression=F("name"),
        typed_full_name=name,
        email=normalise_email(email),
        phone=normalise_phone(phone),
        phone_fields=("phone",),
        exclude_pk=exclude_pk,
        limit=limit,
        name_of=lambda row: row.name,
        name_matches=_fallback_name_matches([("name", name)]),
    )


def similar_contacts(
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    partner: Partner | int | None = None,
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Similar]:
    """Existing contacts like the one typed, strongest first (at most ``limit``; one query).
    A contact of ``partner`` (the partner the new contact is for) comes before a contact of
    another partner with the same reasons, and says so. The phone typed is compared with both
    the stored phone and mobile numbers."""
    first, last = _clean_name(first_name), _clean_name(last_name)
    partner_pk = partner.pk if isinstance(partner, Partner) else partner
    return _find(
        Contact.objects.select_related("partner"),
        name_condition=_person_name_condition(first, last),
        full_name_expression=_person_full_name(),
        typed_full_name=f"{first} {last}".strip() if last else "",
        email=normalise_email(email),
        phone=normalise_phone(phone),
        phone_fields=("phone", "mobile"),
        partner_pk=partner_pk,
        exclude_pk=exclude_pk,
        limit=limit,
        name_of=lambda row: row.full_name,
        name_matches=_fallback_name_matches([("last_name", last), ("first_name", first)]),
    )


# The search of each record type, by the short name the URLs use.
SIMILAR = {"client": similar_clients, "partner": similar_partners, "contact": similar_contacts}
