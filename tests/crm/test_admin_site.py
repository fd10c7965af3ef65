"""The admin is Guichet's: its header, its title and its index say so, in the reader's language."""

import pytest
from django.urls import reverse

from tests.helpers import text

pytestmark = pytest.mark.django_db


def test_the_admin_index_is_titled_guichet_in_french(login, administrator):
    # when
    response = login(administrator).get(reverse("admin:index"))

    # then
    page = text(response)
    assert "<title>Paramètres de Guichet | Administration de Guichet</title>" in page
    assert "Administration de Guichet</a>" in page  # the header links to the index
    assert "Administration de Django" not in page
    assert "Site d’administration" not in page


def test_the_admin_speaks_english_to_an_english_reader(login, administrator):
    # given
    administrator.language = "en"
    administrator.save(update_fields=["language"])

    # when
    page = text(login(administrator).get(reverse("admin:index")))

    # then
    assert "<title>Guichet settings | Guichet administration</title>" in page
    assert "Django administration" not in page
