import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _french():
    """Each test starts in French, whatever language an earlier test's request left active in
    the thread: a factory's ``name=`` is then the French text."""
    with translation.override("fr"):
        yield
