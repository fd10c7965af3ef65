"""The form engine: each field type's validation, conditions on fields and steps, hidden fields
neither required nor stored, and answers read under their labels."""

import re

import pytest
from django.http import QueryDict
from django.utils import translation

from requests_app.forms import engine

from .conftest import PDF, PNG, upload

pytestmark = pytest.mark.django_db


def spec(kind: str, key: str = "champ", **extra) -> dict:
    base = {
        "key": key,
        "kind": kind,
        "label": {"fr": "Champ", "en": "Field"},
        "help": {"fr": "", "en": ""},
        "required": False,
        "choices": [],
        "pattern": "",
        "pattern_message": {"fr": "", "en": ""},
        "min": None,
        "max": None,
        "file_types": [],
        "max_size_kb": None,
        "prefill": "",
        "condition": None,
    }
    base.update(extra)
    return base


def one_step(*fields, **step) -> dict:
    return {
        "intro": {"fr": ""},
        "steps": [
            {"title": {"fr": "Étape"}, "help": {}, "condition": None, "fields": list(fields)}
        ],
        **step,
    }


def step_form(snapshot, post=None, files=None, data_so_far=None, index=0):
    return engine.StepForm(
        post,
        files,
        snapshot=snapshot,
        step_index=index,
        data_so_far=data_so_far or {},
    )


def post(**values) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            q.setlist(f"f_{key}", value)
        else:
            q[f"f_{key}"] = value
    return q


CHOICES = [
    {"value": "a", "label": {"fr": "Un", "en": "One"}},
    {"value": "b", "label": {"fr": "Deux", "en": "Two"}},
    {"value": "c", "label": {"fr": "Trois", "en": "Three"}},
]


@pytest.mark.parametrize(
    ("field", "good", "bad", "stored"),
    [
        (spec("text", required=True, pattern="[A-Z]{3}[0-9]{4}"), "MED1001", "med1001", "MED1001"),
        (spec("text", min=3, max=5), "abcd", "abcdef", "abcd"),
        (spec("long_text", max=12), "deux\nlignes", "x" * 13, "deux\nlignes"),
        (spec("number", min=1, max=10), "7", "11", 7),
        (spec("number"), "2.5", "deux", 2.5),
        (spec("number"), "2,5", "2,5,1", 2.5),
        (spec("date"), "2026-09-08", "2026-13-45", "2026-09-08"),
        (spec("email"), "ana@example.org", "pas-un-courriel", "ana@example.org"),
        (spec("phone"), "+1 514 555-0101", "appelez-moi", "+1 514 555-0101"),
        (spec("single_choice", choices=CHOICES), "b", "z", "b"),
    ],
)
def test_each_field_type_validates_its_answer(field, good, bad, stored):
    snapshot = one_step(field)

    accepted = step_form(snapshot, post(champ=good))
    refused = step_form(snapshot, post(champ=bad))

    assert accepted.is_valid(), accepted.errors
    assert accepted.answers() == {"champ": stored}
    assert not refused.is_valid()
    assert "f_champ" in refused.errors


def test_a_pattern_message_in_the_persons_language_is_the_error():
    field = spec("text", pattern="[0-9]+", pattern_message={"fr": "Des chiffres.", "en": "Digits."})
    with translation.override("en"):
        form = step_form(one_step(field), post(champ="abc"))
        assert not form.is_valid()
    assert form.errors["f_champ"] == ["Digits."]


def test_a_multiple_choice_counts_its_ticks():
    field = spec("multiple_choice", choices=CHOICES, required=True, min=2, max=2)
    snapshot = one_step(field)

    assert step_form(snapshot, post(champ=["a", "c"])).is_valid()
    assert not step_form(snapshot, post(champ=["a"])).is_valid()
    assert not step_form(snapshot, post(champ=["a", "b", "c"])).is_valid()
    assert not step_form(snapshot, post(champ=["a", "zz"])).is_valid()
    form = step_form(snapshot, post(champ=["c", "a"]))
    form.is_valid()
    assert form.answers() == {"champ": ["c", "a"]}


def test_a_required_checkbox_or_consent_must_be_ticked():
    for kind in ("checkbox", "consent"):
        snapshot = one_step(spec(kind, required=True))
        assert not step_form(snapshot, post()).is_valid()
        ticked = step_form(snapshot, post(champ="on"))
        assert ticked.is_valid()
        assert ticked.answers() == {"champ": True}
    optional = step_form(one_step(spec("checkbox")), post())
    assert optional.is_valid()
    assert optional.answers() == {"champ": False}


def test_an_address_is_three_answers_kept_together():
    snapshot = one_step(spec("address", required=True))
    q = QueryDict(mutable=True)
    q.update({"f_champ__street": "1 rue Principale", "f_champ__city": "Montréal"})
    form = step_form(snapshot, q)
    incomplete = step_form(snapshot, QueryDict("f_champ__street=1+rue"))

    assert form.is_valid(), form.errors
    assert form.answers() == {
        "champ": {"street": "1 rue Principale", "postal_code": "", "city": "Montréal"}
    }
    assert not incomplete.is_valid()
    assert "f_champ__city" in incomplete.errors


def test_a_file_is_checked_by_its_content_and_size():
    field = spec("file", required=True, file_types=["png"], max_size_kb=1)
    snapshot = one_step(field)

    good = step_form(snapshot, post(), {"f_champ": upload("photo.png", PNG)})
    disguised = step_form(snapshot, post(), {"f_champ": upload("photo.png", PDF)})
    too_big = step_form(snapshot, post(), {"f_champ": upload("grande.png", PNG + b"0" * 2048)})
    missing = step_form(snapshot, post(), {})

    assert good.is_valid(), good.errors
    assert set(good.uploads()) == {"champ"}
    assert not disguised.is_valid() and "f_champ" in disguised.errors
    assert not too_big.is_valid() and "f_champ" in too_big.errors
    assert not missing.is_valid()


def test_a_file_already_given_is_not_asked_again():
    snapshot = one_step(spec("file", required=True))
    form = engine.StepForm(
        post(),
        {},
        snapshot=snapshot,
        step_index=0,
        data_so_far={"champ": {"document": 3, "name": "a.pdf"}},
        documents={"champ": {"document": 3, "name": "a.pdf"}},
    )
    assert form.is_valid(), form.errors


def test_bad_input_is_an_error_not_a_crash():
    snapshot = one_step(spec("text"), spec("long_text", key="long"))
    with_nul = step_form(snapshot, post(champ="a\x00b"))
    huge = step_form(snapshot, post(long="x" * 1_000_000))

    assert not with_nul.is_valid() and "f_champ" in with_nul.errors
    assert not huge.is_valid() and "f_long" in huge.errors


# --- conditions -----------------------------------------------------------------------------


def conditional_snapshot():
    return one_step(
        spec("single_choice", key="essence", choices=CHOICES, required=True),
        spec(
            "text",
            key="precision",
            required=True,
            condition={"field": "essence", "value": "c"},
        ),
        spec("checkbox", key="malade"),
        spec("text", key="symptome", required=True, condition={"field": "malade", "value": "yes"}),
    )


def test_a_field_hidden_by_its_condition_is_neither_required_nor_stored():
    snapshot = conditional_snapshot()

    form = step_form(snapshot, post(essence="a", precision="tapé avant de changer d'avis"))

    assert form.is_valid(), form.errors
    assert form.answers() == {"essence": "a", "malade": False}


def test_a_field_shown_by_its_condition_is_required_and_stored():
    snapshot = conditional_snapshot()

    missing = step_form(snapshot, post(essence="c"))
    given = step_form(snapshot, post(essence="c", precision="Chêne", malade="on", symptome="x"))

    assert not missing.is_valid()
    assert set(missing.errors) == {"f_precision"}
    assert given.is_valid(), given.errors
    assert given.answers() == {
        "essence": "c",
        "precision": "Chêne",
        "malade": True,
        "symptome": "x",
    }


def test_a_step_condition_hides_the_step_and_what_depends_on_it():
    snapshot = {
        "steps": [
            {"title": {"fr": "1"}, "condition": None, "fields": [spec("checkbox", key="malade")]},
            {
                "title": {"fr": "2"},
                "condition": {"field": "malade", "value": "yes"},
                "fields": [spec("single_choice", key="gravite", choices=CHOICES, required=True)],
            },
            {
                "title": {"fr": "3"},
                "condition": None,
                "fields": [
                    spec("text", key="suite", condition={"field": "gravite", "value": "a"}),
                    spec("text", key="toujours", required=True),
                ],
            },
        ]
    }

    healthy = engine.visibility(snapshot, {"malade": False, "gravite": "a"})
    sick = engine.visibility(snapshot, {"malade": True, "gravite": "a"})

    assert healthy.steps == [True, False, True]
    # "gravite" was answered before the tree was said healthy: its stale answer shows nothing.
    assert healthy.fields["suite"] is False
    assert sick.steps == [True, True, True] and sick.fields["suite"] is True
    assert engine.visible_data(snapshot, {"malade": False, "gravite": "a", "toujours": "x"}) == {
        "malade": False,
        "toujours": "x",
    }
    assert engine.missing_required(snapshot, {"malade": True}) == [2, 3]
    assert engine.missing_required(snapshot, {"malade": False, "toujours": "x"}) == []


def test_conditions_on_a_multiple_choice_match_one_of_the_ticks():
    assert engine.matches(["a", "c"], "c")
    assert not engine.matches(["a"], "c")
    assert engine.matches(True, "oui") and engine.matches(False, "no")
    assert engine.matches("Autre", "autre")


def test_the_step_marks_each_field_for_assistive_technologies():
    field = spec("text", required=True, help={"fr": "Aide", "en": "Help"})
    form = step_form(one_step(field), post(champ=""))
    form.is_valid()

    view = form.field_views()[0]
    html = str(view.bound)

    assert 'aria-describedby="f_champ-help f_champ-error"' in html
    assert 'aria-invalid="true"' in html
    assert form.error_summary()[0][0] == "id_f_champ"


def test_a_publishable_form_has_steps_fields_and_conditions_pointing_back():
    later = one_step(
        spec("text", key="premier", condition={"field": "second", "value": "x"}),
        spec("text", key="second"),
    )
    assert engine.snapshot_problems({"steps": []})
    assert engine.snapshot_problems(later)
    assert engine.snapshot_problems(conditional_snapshot()) == []


# --- reading answers ------------------------------------------------------------------------


def test_answers_are_read_under_their_labels_in_the_persons_language():
    snapshot = one_step(
        spec("single_choice", key="essence", choices=CHOICES),
        spec("multiple_choice", key="outils", choices=CHOICES),
        spec("checkbox", key="malade"),
        spec("address", key="adresse"),
        spec("file", key="photo"),
    )
    data = {
        "essence": "b",
        "outils": ["a", "c"],
        "malade": True,
        "adresse": {"street": "1 rue A", "postal_code": "H2X", "city": "Montréal"},
        "photo": {"document": 7, "name": "arbre.png"},
        "inconnu": "gardé",
    }

    with translation.override("en"):
        rows = engine.answers_of(snapshot, data)

    assert [(r.label, r.value) for r in rows] == [
        ("Field", "Two"),
        ("Field", "One, Three"),
        ("Field", "yes"),
        ("Field", "1 rue A, H2X, Montréal"),
        ("Field", "arbre.png"),
        ("inconnu", "gardé"),
    ]
    assert rows[4].document_id == 7


def test_choices_are_typed_as_value_and_label_lines_in_each_language():
    choices = engine.parse_choices({"fr": "a|Un\nDeux", "en": "a|One\nb|Two"})
    assert choices == [
        {"value": "a", "label": {"fr": "Un", "en": "One"}},
        {"value": "deux", "label": {"fr": "Deux"}},
    ]
    by_order = engine.parse_choices({"fr": "x|Oui\ny|Non", "en": "Yes\nNo"})
    assert [c["label"]["en"] for c in by_order] == ["Yes", "No"]


ALL_KINDS = [
    spec("text", key="texte", required=True, help={"fr": "Aide", "en": "Help"}),
    spec("long_text", key="long", max=12),
    spec("number", key="nombre", min=1, max=10),
    spec("date", key="jour"),
    spec("email", key="courriel", required=True),
    spec("phone", key="tel"),
    spec("single_choice", key="un", choices=CHOICES, required=True),
    spec("multiple_choice", key="plusieurs", choices=CHOICES),
    spec("checkbox", key="case"),
    spec("consent", key="accord", required=True),
    spec("file", key="piece", file_types=["pdf"]),
    spec("address", key="adresse"),
]


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"texte": "", "nombre": "11", "courriel": "pas-un-courriel", "un": "b", "case": "on"},
        {"texte": "<b>é</b>", "long": 'a"b', "plusieurs": ["a", "c"], "jour": "2026-09-08"},
    ],
)
def test_the_widgets_render_the_same_html_as_with_django_templates(values):
    """The step's widgets are rendered with Django's Jinja2 templates of them (faster): every
    kind of field, empty, in error and filled, gives the HTML of the Django-template ones."""
    from django.forms.renderers import DjangoTemplates

    snapshot = one_step(*ALL_KINDS)
    form = step_form(snapshot, post(**values) if values else None)
    if values:
        form.is_valid()

    def rendered():
        # What the step's template writes: each widget, and each option of a choice alone;
        # the spaces between tags aside (a group's options are laid out differently), and
        # quotes escaped as &#34; / &#39; by Jinja2 where Django writes &quot; / &#x27;.
        def same(html):
            html = str(html).replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
            return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))

        whole = [same(bound) for bound in form]
        options = [same(option.tag()) for bound in form for option in bound.subwidgets]
        return whole, options

    fast = rendered()
    form.renderer = DjangoTemplates()
    assert fast == rendered()
    assert any("<textarea" in html for html in fast[0])
    assert sum('type="checkbox"' in html for html in fast[1]) >= 4
