"""Configuration that every filing reads, kept in each process between requests.

Filing a request reads what administrators set up in the admin and rarely change: the e-service
and its published form, the business calendar its due dates count on, the steps of its chain.
That was nine queries of every submission. A function decorated with ``@kept`` is called once
per process and arguments, and its result is kept, tagged with a generation held in the shared
cache:

- each app names its configuration models (``watch``); saving or deleting one of their rows,
  or changing one of their many-to-many links, starts a new generation at once and again when
  the transaction commits (a process reading between the two would otherwise keep what was
  there before), and empties this process's results;
- every process looks at the generation at most once per ``CHECK_EVERY`` seconds, so another
  process sees a change within that time;
- a result is also dropped after ``TTL`` seconds (a change rolled back in the process that
  made it, or a shared cache emptied).

What a kept function returns is shared by every request of the process: callers read it and
never change it.
"""

import functools
import time
import uuid

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "config:generation"
CHECK_EVERY = 1.0
TTL = 300.0

_results: dict[tuple, tuple[float, object]] = {}
_state = {"generation": None, "checked_at": float("-inf")}


def _current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _check(now: float) -> None:
    if now - _state["checked_at"] < CHECK_EVERY:
        return
    generation = _current_generation()
    if generation != _state["generation"]:
        _results.clear()
        _state["generation"] = generation
    _state["checked_at"] = now


def forget() -> None:
    """Drop this process's results: the next call of each kept function reads again."""
    _results.clear()
    _state["generation"] = None
    _state["checked_at"] = float("-inf")


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    forget()


def changed(**_kwargs) -> None:
    """A configuration row changed: every process reads its configuration again."""
    _new_generation()
    transaction.on_commit(_new_generation)


def kept(function):
    """Keep ``function``'s results per (hashable) arguments, as the module says."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        now = time.monotonic()
        _check(now)
        key = (function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items())))
        found = _results.get(key)
        if found is not None and now - found[0] < TTL:
            return found[1]
        result = function(*args, **kwargs)
        _results[key] = (now, result)
        return result

    return wrapper


def watch(*labels: str) -> None:
    """Start a new generation whenever a row of these models ("app_label.Model") or one of
    their many-to-many links changes."""
    for label in labels:
        model = apps.get_model(label)
        uid = f"config-{label}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}"
            )
