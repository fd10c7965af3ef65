"""A browser test that cannot run is skipped on a developer's machine but fails on CI."""

import pytest

from tests.e2e.conftest import require_chromium


def test_a_missing_browser_skips_the_browser_tests_outside_ci(monkeypatch, tmp_path):
    # given no CI and no Chromium where the tests look for it
    monkeypatch.delenv("CI", raising=False)
    # when the browser tests ask for it
    # then they are skipped
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        require_chromium(tmp_path / "chromium")


def test_a_missing_browser_fails_the_browser_tests_on_ci(monkeypatch, tmp_path):
    # given CI set and no Chromium where the tests look for it
    monkeypatch.setenv("CI", "true")
    # when the browser tests ask for it
    # then they fail instead of being skipped
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_chromium(tmp_path / "chromium")


def test_an_installed_browser_lets_the_browser_tests_run(monkeypatch, tmp_path):
    # given CI set and a Chromium in place
    monkeypatch.setenv("CI", "true")
    chromium = tmp_path / "chromium"
    chromium.touch()
    # when the browser tests ask for it, then nothing stops them
    assert require_chromium(chromium) is None
