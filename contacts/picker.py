"""What the record pickers find (``record_forms.RecordPicker``): clients, partners or contacts by
name, e-mail or phone, accents and case ignored (``crm.search``), a few at a time."""

from django.db.models import Q, QuerySet

from crm.search import contains_all, digits_contain, first_found

from .models import Client, Contact, Partner
from .search import client_condition, phone_digits

PICKER_LIMIT = 10


def partner_condition(q: str) -> Q:
    condition = contains_all(("name", "email", "city"), q)
    digits = phone_digits(q)
    if digits:
        condition |= digits_contain("phone", digits)
    return condition


def contact_condition(q: str) -> Q:
    condition = contains_all(("first_name", "last_name", "email", "partner__name"), q)
    digits = phone_digits(q)
    if digits:
        condition |= digits_contain("phone", digits) | digits_contain("mobile", digits)
    return condition


def picker_search(*, kind: str, q: str, limit: int = PICKER_LIMIT) -> QuerySet:
    q = " ".join(q.split())
    if kind == "client":
        model, condition, order = Client, client_condition, ("last_name", "first_name", "pk")
    elif kind == "partner":
        model, condition, order = Partner, partner_condition, ("name", "pk")
    elif kind == "contact":
        model, condition, order = Contact, contact_condition, ("last_name", "first_name", "pk")
    else:
        raise ValueError(kind)
    if not q:
        return model.objects.none()
    queryset = model.objects.filter(condition(q)).order_by(*order)
    if kind == "contact":
        queryset = queryset.select_related("partner")
    return first_found(queryset, limit)
