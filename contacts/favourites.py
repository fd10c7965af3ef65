"""Which records an agent may star (``Favourite``) and who may see them: the CRM's record types
(here) and the records of the apps above contacts, which register theirs in their
``AppConfig.ready()`` (requests and incidents, requests_app) since contacts may not import them.

A record is named across apps by ``"<app_label>.<model_name>:<pk>"`` (``key_of``), the value the
star's form posts."""

from collections.abc import Callable

from django.apps import apps
from django.db import models

from crm.models import User

from .permissions import can_view_crm
from .records import RECORD_TYPES

# Model label ("contacts.client") -> who may see (and so star) its records.
_models: dict[str, Callable[[User], bool]] = {}


def register_model(model: type[models.Model], can_view: Callable[[User], bool]) -> None:
    _models[model._meta.label_lower] = can_view


def _crm_viewer(model_name: str) -> Callable[[User], bool]:
    return lambda user: can_view_crm(user, model_name)


for _name, _record_type in RECORD_TYPES.items():
    register_model(_record_type.model, _crm_viewer(_name))


def key_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def is_registered(obj) -> bool:
    return obj._meta.label_lower in _models


def resolve(key: str):
    """``(model, pk, can_view)`` of a key, or None when it names no registered model."""
    label, _sep, pk = (key or "").partition(":")
    if label not in _models or not pk.isdigit() or len(pk) > 18:
        return None
    return apps.get_model(label), int(pk), _models[label]
