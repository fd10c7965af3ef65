"""Capped pagination: pages past a capped count exist, odd page numbers are never a 500."""

import pytest

from crm.models import Notification
from crm.pagination import MAX_PAGE, CappedPaginator
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def capped(db):
    user = factories.UserFactory()
    factories.NotificationFactory.create_batch(6, recipient=user)
    # 6 rows, counted up to 2, one per page: the count is capped
    paginator = CappedPaginator(Notification.objects.order_by("pk"), 1, count_cap=2)
    assert paginator.is_capped
    return paginator


@pytest.mark.parametrize("number", ["0", "-1", str(MAX_PAGE + 1), "99999999999999999999"])
def test_an_odd_page_number_of_a_capped_list_shows_the_last_counted_page(capped, number):
    page = capped.get_page(number)
    assert page.number == capped.num_pages and len(page.object_list) == 1


def test_a_page_past_the_cap_holds_its_rows(capped):
    assert [n.pk for n in capped.get_page("5").object_list] == [
        list(Notification.objects.order_by("pk").values_list("pk", flat=True))[4]
    ]


def test_a_searched_list_answers_odd_pages_without_error(login, db):
    agent = factories.agent(email="pages@example.org")
    client = login(agent)
    for page in ("0", "-1", "99999999999999999999"):
        assert client.get("/agent/requests/", {"q": "a", "page": page}).status_code == 200


def test_ids_first_counts_by_ids_and_pages_among_them(db, django_assert_num_queries):
    # given 5 rows, 3 of which are counted
    user = factories.UserFactory()
    notes = factories.NotificationFactory.create_batch(5, recipient=user)
    rows = Notification.objects.filter(pk__in=[n.pk for n in notes[:3]]).order_by("-pk")
    paginator = CappedPaginator(rows, 2, ordered_count=False, count_cap=10, ids_first=True)
    # when / then: one query for the ids (the count), one for the page
    with django_assert_num_queries(2):
        page = paginator.get_page("2")
        assert paginator.count == 3 and paginator.num_pages == 2
        assert [n.pk for n in page.object_list] == [notes[0].pk]


def test_ids_first_past_the_cap_pages_the_list_itself(db):
    user = factories.UserFactory()
    notes = factories.NotificationFactory.create_batch(5, recipient=user)
    rows = Notification.objects.filter(recipient=user).order_by("pk")
    paginator = CappedPaginator(rows, 2, count_cap=2, ids_first=True)
    assert paginator.is_capped
    assert [n.pk for n in paginator.get_page("3").object_list] == [notes[4].pk]
