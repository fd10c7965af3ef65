"""The agent's daily pages at production size: task lists, the Kanban, the task and request pages.

Budget (DESIGN.md): at 200,000 clients, 1,000,000 requests and 4,000,000 tasks (scale 1), p95
server time under 150 ms and a number of queries that does not grow with the rows.

The requests and tasks are generated the first time one of these benchmarks is prepared, not by
``data.generate``: runs of other pages then do not pay for them. The runner counts a benchmark's
rows (n) before preparing it, so the first of these to run shows the count from before the
generation.
"""

from django.urls import reverse

from requests_app.models import JournalEntry, ServiceRequest
from tasks_app.models import Task

from . import data, keep
from .registry import benchmark, check

PAGE_BUDGET_MS = 150
TASKS = "tasks_app.Task"
REQUESTS = "requests_app.ServiceRequest"

# One generated set per base dataset: every benchmark of a run shares it. A failure is kept
# too, so that it is reported by each benchmark without generating again for each.
_generated: dict[int, data.AgentPagesDataset | Exception] = {}


def pages_data(ctx) -> data.AgentPagesDataset:
    key = id(ctx.data)
    if key not in _generated:
        try:
            generated, reused = keep.remembered(
                "agent pages", lambda: data.generate_agent_pages(ctx.data.scale)
            )
        except Exception as exc:
            _generated[key] = exc
            raise
        counts = ", ".join(f"{value:,} {label}" for label, value in generated.counts.items())
        done = "kept from an earlier run" if reused else f"generated in {generated.seconds:.1f} s"
        print(f"agent pages: data {done}: {counts}", flush=True)
        _generated[key] = generated
    generated = _generated[key]
    if isinstance(generated, Exception):
        raise RuntimeError("the agent pages' data could not be generated") from generated
    return generated


def _page(ctx, user, url: str):
    client = ctx.client(user)
    return lambda: client.get(url)


@benchmark(f"my tasks ({data.BUSY_OPEN_TASKS} open)", budget_ms=PAGE_BUDGET_MS, table=TASKS)
def my_tasks(ctx):
    return _page(ctx, pages_data(ctx).busy_agent, reverse("tasks:mine"))


@benchmark("my groups' queue (2 groups)", budget_ms=PAGE_BUDGET_MS, table=TASKS)
def my_queue(ctx):
    return _page(ctx, pages_data(ctx).busy_agent, reverse("tasks:queue"))


@benchmark("all tasks, status=open", budget_ms=PAGE_BUDGET_MS, table=TASKS)
def all_open_tasks(ctx):
    return _page(ctx, pages_data(ctx).busy_agent, reverse("tasks:all") + "?status=open")


@benchmark("task page (journal, support tasks, history)", budget_ms=PAGE_BUDGET_MS, table=TASKS)
def task_page(ctx):
    generated = pages_data(ctx)
    url = reverse("tasks:detail", args=[generated.rich_task_id])
    return _page(ctx, generated.busy_agent, url)


@benchmark("request page (chain, journal, history)", budget_ms=PAGE_BUDGET_MS, table=REQUESTS)
def request_page(ctx):
    generated = pages_data(ctx)
    url = reverse("requests:detail", args=[generated.rich_request_id])
    return _page(ctx, generated.busy_agent, url)


@benchmark("kanban (2 groups)", budget_ms=PAGE_BUDGET_MS, table=TASKS)
def kanban(ctx):
    return _page(ctx, pages_data(ctx).busy_agent, reverse("tasks:kanban"))


@benchmark("request list", budget_ms=PAGE_BUDGET_MS, table=REQUESTS)
def request_list(ctx):
    return _page(ctx, pages_data(ctx).busy_agent, reverse("requests:list"))


def _same_counts(ctx, pages: dict[str, list[tuple[str, object, str]]]) -> tuple[bool, str]:
    """For each page, the queries of each (label, user, url); holds when, page by page, every
    sample costs the same."""
    holds, parts = True, []
    for page, samples in pages.items():
        counts = []
        for label, user, url in samples:
            client = ctx.client(user)
            counts.append(
                (label, ctx.count_queries(lambda client=client, url=url: client.get(url)))
            )
        same = len({count for _label, count in counts}) == 1
        holds = holds and same
        seen = ", ".join(f"{label} {count}" for label, count in counts)
        parts.append(f"{page}: {seen}" + ("" if same else " (differs)"))
    return holds, "; ".join(parts)


@check("agent task lists: queries constant in rows")
def task_lists_queries_constant(ctx):
    """An agent with one task in one group, the benchmarked one and the most loaded one must
    cost the same number of queries: a count that follows the rows is an N+1."""
    generated = pages_data(ctx)
    agents = [
        ("quiet", generated.quiet_agent),
        ("busy", generated.busy_agent),
        ("heaviest", generated.heaviest_agent),
    ]
    loads = {
        label: Task.objects.filter(assignee=agent).not_done().count() for label, agent in agents
    }
    urls = {
        "my tasks": reverse("tasks:mine"),
        "queue": reverse("tasks:queue"),
        "all open": reverse("tasks:all") + "?status=open",
        "kanban": reverse("tasks:kanban"),
    }
    pages = {
        page: [(f"{label} ({loads[label]} open)", agent, url) for label, agent in agents]
        for page, url in urls.items()
    }
    return _same_counts(ctx, pages)


@check("task and request pages: queries constant in rows")
def detail_pages_queries_constant(ctx):
    """A request and a task with one journal entry, support task and change of assignee each,
    against ones with many of each: the same queries."""
    generated = pages_data(ctx)
    agent = generated.busy_agent

    def request_rows(pk):
        journal = JournalEntry.objects.filter(request_id=pk).count()
        tasks = Task.objects.filter(request_id=pk).count()
        history = ServiceRequest.history.filter(id=pk).count()
        return f"{journal} journal entries, {tasks} tasks, {history} history rows"

    def task_rows(pk):
        journal = JournalEntry.objects.filter(task_id=pk).count()
        support = Task.objects.filter(parent_id=pk).count()
        history = Task.history.filter(id=pk).count()
        return f"{journal} journal entries, {support} support tasks, {history} history rows"

    pages = {
        "request page": [
            (f"{label} ({request_rows(pk)})", agent, reverse("requests:detail", args=[pk]))
            for label, pk in [
                ("lean", generated.lean_request_id),
                ("rich", generated.rich_request_id),
            ]
        ],
        "task page": [
            (f"{label} ({task_rows(pk)})", agent, reverse("tasks:detail", args=[pk]))
            for label, pk in [("lean", generated.lean_task_id), ("rich", generated.rich_task_id)]
        ],
    }
    return _same_counts(ctx, pages)


@check("request list: queries constant in rows")
def request_list_queries_constant(ctx):
    """A filter matching a handful of requests and the unfiltered list of all of them."""
    agent = pages_data(ctx).busy_agent
    url = reverse("requests:list")
    submitted = ServiceRequest.objects.filter(status=ServiceRequest.Status.SUBMITTED).count()
    pages = {
        "request list": [
            (f"status=submitted ({submitted:,})", agent, f"{url}?status=submitted"),
            (f"all ({ServiceRequest.objects.count():,})", agent, url),
        ]
    }
    return _same_counts(ctx, pages)
