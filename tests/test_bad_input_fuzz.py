"""Every URL of Guichet, fed bad input by each kind of person, answers without a 5xx.

The URLconf is walked; path integers get the pk of an object of the right kind, action slugs
the actions that read free text. Each URL is sent, with GET and POST: NUL bytes in every query
parameter and form field (the names found in the page's own form, plus the parameters views
read directly), a 1 MB string in each form field in turn, and ``next`` values that are not a
path of this site. The admin is walked at its change lists and add forms, as an administrator.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from crm.models import Notification
from requests_app.models import CourseGridImport
from tests import factories

NUL = "a\x00b"
BIG = "x" * 1_000_000
BAD_NEXTS = ["javascript:alert(1)", "//evil.example", "not a url"]
# Parameters that views read from the query string or the form directly.
KNOWN_PARAMS = [
    "q",
    "client_q",
    "status",
    "order",
    "page",
    "group",
    "unread",
    "note",
    "reason",
    "body",
    "kind",
    "priority",
    "theme",
    "density",
    "language",
    "skip_invalid",
    "assignee",
    # the CRM's lists and saved filters
    "sort",
    "mine",
    "view",
    "name",
    "query",
]
# Path slugs: the actions whose form carries text.
ACTIONS = {
    "agent/tasks/": ["close", "hold", "cancel"],
    "agent/requests/": ["cancel", "reopen"],
    "agent/incidents/": ["status"],
}
ADMIN_MODELS = ["requests_app/servicerequest", "requests_app/incident", "tasks_app/task"]
FIELD_NAME = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')
SKIP_FIELDS = {"csrfmiddlewaretoken", "file"}


def _routes(resolver=None, prefix=""):
    """(route, pattern) of every URL pattern, routes joined from their includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _urls(objects) -> list[str]:
    urls = set()
    for route in _routes():
        if route.startswith("admin/") or route.startswith("^") or "(?P" in route:
            continue
        pk = next((pk for start, pk in objects.items() if route.startswith(start)), None)
        path = route.replace("<int:pk>", str(pk or objects["agent/requests/"]))
        if "<slug:action>" in path:
            start = next(s for s in ACTIONS if route.startswith(s))
            urls.update(path.replace("<slug:action>", a) for a in ACTIONS[start])
        elif "<" not in path:
            urls.add(path)
    return sorted("/" + url.lstrip("/") for url in urls)


def _admin_urls() -> list[str]:
    return [f"/admin/{model}/{suffix}" for model in ADMIN_MODELS for suffix in ("", "add/")]


@pytest.fixture
def objects(agent):
    group = factories.AssignmentGroupFactory()
    group.members.add(agent)
    service_request = factories.ServiceRequestFactory()
    task = factories.TaskFactory(assignment_group=group, assignee=agent)
    incident = factories.IncidentFactory()
    notification = Notification.objects.create(recipient=agent, title="Bonjour")
    job = CourseGridImport.objects.create(
        uploaded_by=agent, original_name="grille.csv", file="imports/grille.csv"
    )
    return {
        "agent/tasks/": task.pk,
        "agent/requests/": service_request.pk,
        "agent/incidents/": incident.pk,
        "agent/groups/": group.pk,
        "notifications/": notification.pk,
        "agent/import/": job.pk,
        "my/requests/": service_request.pk,
    }


def _fields(client, url) -> list[str]:
    page = client.get(url)
    names = set(KNOWN_PARAMS)
    if page.status_code == 200 and "html" in page.get("Content-Type", ""):
        names.update(FIELD_NAME.findall(page.content.decode(errors="replace")))
    return sorted(names - SKIP_FIELDS)


def _assert_no_5xx(response, method, url, what):
    assert response.status_code < 500, f"{method} {url} with {what}: {response.status_code}"


def _refused(response) -> bool:
    """The view refused the person before reading any field."""
    location = response.get("Location", "")
    return response.status_code in (403, 404, 405) or "/login/" in location


def _fuzz(client, url, *, big=True):
    fields = _fields(client, url)
    for index, bad_next in enumerate(BAD_NEXTS):
        params = {name: NUL for name in fields} if index == 0 else {"q": "x"}
        params["next"] = bad_next
        _assert_no_5xx(client.get(url, params), "GET", url, f"NUL, next={bad_next}")
        _assert_no_5xx(client.post(url, params), "POST", url, f"NUL, next={bad_next}")
    if big:
        _assert_no_5xx(client.get(url, {"q": BIG, "status": BIG}), "GET", url, "1 MB")
        if not _refused(client.post(url, {name: "x" for name in fields})):
            for name in fields:
                data = {other: "x" for other in fields}
                data[name] = BIG
                _assert_no_5xx(client.post(url, data), "POST", url, f"1 MB in {name}")
    # TRACE is not served anywhere
    assert client.generic("TRACE", url).status_code != 200, f"TRACE {url}"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["agent", "manager", "citizen"])
def test_no_url_answers_5xx_to_bad_input(client, request, persona, objects):
    user = request.getfixturevalue(persona)
    urls = _urls(objects)
    assert len(urls) > 30  # the walk found the project's pages
    for url in urls:
        client.force_login(user)  # a logout on the way must not leave the rest anonymous
        _fuzz(client, url)
    client.logout()
    for url in urls:
        _fuzz(client, url, big=False)


@pytest.mark.django_db
def test_no_admin_list_or_form_answers_5xx_to_bad_input(client, administrator):
    for url in _admin_urls():
        client.force_login(administrator)
        _fuzz(client, url)
        # the admin's own list parameters: filters, search, ordering
        for params in ({"q": NUL}, {"status__exact": NUL}, {"o": NUL}, {"p": NUL}):
            _assert_no_5xx(client.get(url, params), "GET", url, params)
