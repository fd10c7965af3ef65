from django.core.paginator import EmptyPage, Paginator
from django.utils.functional import cached_property

from .search import filtered_then_sorted, in_values

COUNT_CAP = 10_000
# A search's results are counted up to here (ten pages): the pages show no total past the
# cap, and counting 40,000 rows that match a common word costs more than finding the page.
SEARCH_COUNT_CAP = 500
# Counts shown as figures (the agent home, the bell) stop here and read "999+", "99+".
HOME_COUNT_CAP = 999
UNREAD_COUNT_CAP = 99


def capped_count(queryset, cap: int) -> int:
    """How many rows, up to ``cap + 1``: reads at most that many ids, never a full COUNT over
    millions of rows. ``capped`` (template filter) shows a result over ``cap`` as "cap+"."""
    return len(queryset.order_by().values("pk")[: cap + 1])


# The highest page number a capped list accepts: past it, an OFFSET no list of Guichet needs.
MAX_PAGE = 100_000


class CappedPaginator(Paginator):
    """Counts at most ``count_cap`` rows (``COUNT_CAP``; ``SEARCH_COUNT_CAP`` for a search), so
    that a list over millions of rows does not pay for an exact COUNT(*). Pages past the cap are
    still reachable with ``?page=``."""

    def __init__(
        self,
        *args,
        ordered_count: bool = True,
        count_cap: int = COUNT_CAP,
        counted=None,
        ids_first: bool = False,
        found_then_sorted: bool = False,
        **kwargs,
    ):
        """``counted``: the rows to count when they are cheaper to count than the page's
        (the same rows without the columns, and so the joins, a page shows).

        ``ids_first`` (a search): the count reads the ids of the rows it counts; when they are
        all the rows (no more than the cap), the page is read among them by id; past the cap,
        the page's ids are sorted first (in a subquery), then their rows read. A search's page
        is otherwise found by reading the list in its order and keeping the rows that match,
        which PostgreSQL chooses on its estimate of how many match: right for a common word,
        seconds for words that match a few hundred rows when it over-estimates them.

        ``found_then_sorted`` (with ``ids_first``): past the cap, the matches are found first,
        then sorted (``crm.search.filtered_then_sorted``), for a list whose order the matches
        may all come late in (the incidents by due time: 1.9 s to walk a million rows before
        the first of 33,000 matches); a list by date of filing finds its newest matches
        faster in its order."""
        super().__init__(*args, **kwargs)
        self.found_then_sorted = found_then_sorted
        self.ordered_count = ordered_count
        self.count_cap = count_cap
        self.counted = counted
        self.ids_first = ids_first

    @cached_property
    def count(self) -> int:
        # By default the ORDER BY stays: with it PostgreSQL walks the task list's index and
        # stops at the cap; without it, it picked plans that read every matching row (1.5 s at
        # 4M tasks). ``ordered_count=False`` drops it, for lists whose sort is dearer than the
        # rows it counts (or whose filter has its own index).
        rows = self.object_list if self.counted is None else self.counted
        if not self.ordered_count:
            rows = rows.order_by()
        if not self.ids_first:
            return rows[: self.count_cap + 1].count()
        ids = list(rows.values_list("pk", flat=True)[: self.count_cap + 1])
        if len(ids) <= self.count_cap:
            self.object_list = self.object_list.filter(in_values("pk", ids))
        return len(ids)

    @property
    def is_capped(self) -> bool:
        return self.count > self.count_cap

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past a capped count a page may exist; 0, a negative number or one past any real
            # list is still an empty page (``get_page`` then shows the last one).
            value = int(number)
            if self.is_capped and 1 <= value <= MAX_PAGE:
                return value
            raise

    def page(self, number):
        # Past the cap the count is not the end of the list: a page holds its full
        # ``per_page`` rows (Paginator would stop it at the capped count).
        if not self.is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        if self.ids_first:
            # A common word: the page's ids are sorted first (a subquery), from the few columns
            # the sort reads (once the matches are found, with ``found_then_sorted``); only their
            # rows are read with every column they show.
            found = (
                filtered_then_sorted(self.object_list)
                if self.found_then_sorted
                else self.object_list
            )
            ids = found[bottom : bottom + self.per_page]
            rows = self.object_list.filter(pk__in=ids.values("pk"))
        return self._get_page(rows, number, self)
