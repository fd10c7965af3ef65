"""The journal and history entries written by template tags (crm/templatetags/guichet.py):
every value escaped as the template language would, dates as the ``date`` filter, words
translated."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

from crm.selectors import FieldChange, HistoryEntry
from tests import factories

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 11, 2, 19, 5, tzinfo=UTC)  # 14:05 in Montréal


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load guichet %}" + source).render(context)


def entry(**fields):
    values = {
        "is_public": True,
        "task": None,
        "created_at": WHEN,
        "author": "Ana <b>Roy</b>",
        "body": "Bonjour\n<script>x</script>",
        "kind": "comment",
    }
    values.update(fields)
    return SimpleNamespace(get_kind_display=lambda: "commentaire & co", **values)


def test_a_journal_entry_is_escaped_with_its_line_breaks():
    with translation.override("fr"):
        html = render("{% journal_items entries %}", entries=[entry()])
    assert "Ana &lt;b&gt;Roy&lt;/b&gt;" in html
    assert "Bonjour<br>&lt;script&gt;x&lt;/script&gt;" in html
    assert "commentaire &amp; co" in html
    assert "02/11/2026 14:05" in html
    assert "border-primary" in html


def test_a_journal_entry_links_its_task_only_when_asked():
    task = SimpleNamespace(get_absolute_url=lambda: "/agent/tasks/7/", number="TASK0000007")
    entries = [entry(task=task, is_public=False)]
    assert "TASK0000007" not in render("{% journal_items entries %}", entries=entries)
    shown = render("{% journal_items entries True %}", entries=entries)
    assert '<a href="/agent/tasks/7/">TASK0000007</a>' in shown
    assert "border-secondary" in shown


def test_a_history_entry_shows_its_changes_escaped_and_localized():
    agent = factories.agent(first_name="Zoé", last_name="<Gagnon>")
    entries = [
        HistoryEntry(
            when=WHEN,
            who=agent,
            kind="changed",
            reason="",
            note="pour <voir>",
            changes=[FieldChange("title", "titre", "<a>", "b & c")],
        ),
        HistoryEntry(
            when=WHEN,
            who=None,
            kind="created",
            reason="",
            changes=[FieldChange("due_date", "échéance", date(2026, 9, 8), 2.5)],
        ),
    ]
    with translation.override("fr"):
        html = render("{% history_items history %}", history=entries)
    assert "Zoé &lt;Gagnon&gt;" in html
    assert "pour &lt;voir&gt;" in html
    assert "<td>Titre</td><td><del>&lt;a&gt;</del></td><td><ins>b &amp; c</ins></td>" in html
    assert "8 septembre 2026" in html and "2,5" in html  # localized as {{ value }} would
    assert "système" in html and "création" in html and "modification" in html
    assert 'datetime="2026-11-02T14:05:00-05:00"' in html


def test_a_history_entry_with_a_reason_shows_it_as_a_badge():
    entries = [HistoryEntry(when=WHEN, who=None, kind="changed", reason="soumission")]
    html = render("{% history_items history %}", history=entries)
    assert 'data-testid="history-reason">soumission</span>' in html
