"""The pages every user meets first: the login page and the agent's home."""

from django.contrib.auth.models import Group
from django.urls import reverse

from crm import roles
from crm.models import User

from .data import BUSY_UNREAD, DOMAIN
from .registry import benchmark, check

PAGE_BUDGET_MS = 150


@benchmark("login page (GET)", budget_ms=PAGE_BUDGET_MS, table="crm.User")
def login_page(ctx):
    client = ctx.client()
    url = reverse("login")
    return lambda: client.get(url)


@benchmark("agent home (empty)", budget_ms=PAGE_BUDGET_MS, table="crm.Notification")
def agent_home_empty(ctx):
    client = ctx.client(ctx.data.empty_agent)
    url = reverse("agent:home")
    return lambda: client.get(url)


@benchmark(
    f"agent home (with {BUSY_UNREAD} unread notifications)",
    budget_ms=PAGE_BUDGET_MS,
    table="crm.Notification",
)
def agent_home_busy(ctx):
    client = ctx.client(ctx.data.busy_agent)
    url = reverse("agent:home")
    return lambda: client.get(url)


@check("agent home: queries constant in rows", mutates=True)
def agent_home_queries_constant(ctx):
    """A brand-new agent and the busiest one must cost the same number of queries.

    A count that grows with groups or notifications is an N+1 that small test data hides.
    """
    fresh = User.objects.create_user(f"fresh-agent@{DOMAIN}", first_name="Nouvel")
    fresh.groups.add(Group.objects.get(name=roles.AGENT))
    url = reverse("agent:home")
    counts = {}
    for label, user in [("fresh agent", fresh), ("scale-data agent", ctx.data.busy_agent)]:
        client = ctx.client(user)
        counts[label] = ctx.count_queries(lambda client=client: client.get(url))
    busy = ctx.data.busy_agent
    groups = busy.assignment_groups.count()
    unread = busy.notifications.filter(read_at=None).count()
    detail = (
        f"fresh agent (no group, no notification) {counts['fresh agent']} queries; "
        f"scale-data agent ({groups} groups, {unread} unread) "
        f"{counts['scale-data agent']} queries"
    )
    return len(set(counts.values())) == 1, detail
