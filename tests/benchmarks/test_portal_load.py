"""The counting of the portal load run (benchmarks/portal_load/verify.py) on small synthetic
runs: what the load generator was told against the requests in the database."""

import json

import pytest

from benchmarks.portal_load import verify
from benchmarks.portal_load.run import load_database_url, production_environment
from benchmarks.portal_load.verify import Record, Row


def record(token, status=302, request_id=None, started=0.0, ms=10.0, error=""):
    return Record(
        token=token,
        status=status,
        request_id=request_id,
        started=started,
        ended=started + ms / 1000,
        error=error,
    )


def tokens(n):
    return [f"{i:032x}" for i in range(1, n + 1)]


def clean_run(n=6):
    records = [record(t, request_id=i, started=i * 0.1) for i, t in enumerate(tokens(n), 1)]
    rows = [Row(request_id=i, token=t) for i, t in enumerate(tokens(n), 1)]
    return records, rows


def test_a_clean_run_over_the_budget_passes():
    records, rows = clean_run(6)
    verdict = verify.verify(records=records, rows=rows, duration=2, budget_per_s=3)
    assert verdict.ok
    assert (verdict.submissions, verdict.per_s, verdict.db_count) == (6, 3.0, 6)
    assert not verdict.lost and verdict.duplicated == 0 and verdict.failures == 0


def test_under_the_budget_is_a_miss():
    records, rows = clean_run(5)
    verdict = verify.verify(records=records, rows=rows, duration=2, budget_per_s=3)
    assert not verdict.ok
    assert verdict.per_s == 2.5
    assert "2.5 submissions/s, under 3" in verdict.problems()[0]


def test_a_submission_told_filed_without_its_request_is_lost():
    records, rows = clean_run(6)
    verdict = verify.verify(records=records, rows=rows[1:], duration=1, budget_per_s=1)
    assert verdict.lost == [tokens(6)[0]]
    assert not verdict.ok


def test_two_requests_for_one_token_and_a_request_of_no_token_are_duplicates():
    records, rows = clean_run(4)
    rows += [Row(request_id=10, token=tokens(4)[2]), Row(request_id=11, token=None)]
    verdict = verify.verify(records=records, rows=rows, duration=1, budget_per_s=1)
    assert verdict.duplicated == 2
    assert verdict.db_count == 6
    assert not verdict.ok


def test_a_redirect_to_another_request_is_caught():
    records, rows = clean_run(3)
    records[1] = record(tokens(3)[1], request_id=99)
    verdict = verify.verify(records=records, rows=rows, duration=1, budget_per_s=1)
    assert verdict.mismatched == [tokens(3)[1]]
    assert not verdict.ok


def test_failures_fail_the_run_and_a_failed_post_filed_anyway_is_told():
    records, rows = clean_run(4)
    records[3] = record(tokens(4)[3], status=0, error="timed out")
    records.append(record("f" * 32, status=500, error="answered 500"))
    verdict = verify.verify(records=records, rows=rows, duration=1, budget_per_s=1, get_failures=2)
    assert verdict.failures == 4
    assert verdict.submissions == 3
    # Its request exists: neither lost (nobody was told it was filed) nor duplicated.
    assert verdict.filed_after_failure == 1
    assert not verdict.lost and verdict.duplicated == 0
    assert not verdict.ok


def test_a_token_sent_twice_is_one_filing():
    """A retried POST (same token) finds the first one's request: one submission, no loss."""
    records, rows = clean_run(2)
    records.append(record(tokens(2)[0], request_id=1, started=5))
    verdict = verify.verify(records=records, rows=rows, duration=1, budget_per_s=1)
    assert verdict.submissions == 2 and verdict.duplicated == 0 and verdict.ok


def test_requests_of_tokens_never_sent_are_unknown():
    records, rows = clean_run(2)
    rows.append(Row(request_id=3, token="e" * 32))
    verdict = verify.verify(records=records, rows=rows, duration=1, budget_per_s=1)
    assert verdict.unknown == 1 and not verdict.ok


def test_percentiles_are_nearest_rank():
    assert verify.percentile([], 95) is None
    assert verify.percentile([5.0], 50) == 5.0
    values = list(range(1, 101))
    assert verify.percentile(values, 50) == 50
    assert verify.percentile(values, 95) == 95
    assert verify.percentile(reversed(values), 100) == 100


def test_the_generator_output_is_read_and_the_table_printed(tmp_path):
    lines = [
        {"kind": "window", "start": 100.0, "end": 101.0, "users": 2, "login_failures": 0},
        {"kind": "get", "ms": 4.0, "status": 200},
        {"kind": "get", "ms": 6.0, "status": 200},
        {"kind": "get", "ms": 9.0, "status": 502},
        {"kind": "submit", "token": "a" * 32, "status": 302, "request_id": 7,
         "started": 100.1, "ended": 100.12, "error": ""},
        {"kind": "submit", "token": "b" * 32, "status": 302, "request_id": 8,
         "started": 100.2, "ended": 100.23, "error": ""},
    ]  # fmt: skip
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    records, get_ms, get_failures, window = verify.read_records(path)
    assert [r.token for r in records] == ["a" * 32, "b" * 32]
    assert records[0].ms == pytest.approx(20)
    assert (get_ms, get_failures) == ([4.0, 6.0], 1)
    assert window["end"] - window["start"] == 1.0
    verdict = verify.verify(
        records=records,
        rows=[Row(7, "a" * 32), Row(8, "b" * 32)],
        duration=1,
        budget_per_s=2,
        get_ms=get_ms,
        get_failures=get_failures,
    )
    printed = verify.table(verdict)
    assert "submissions/s sustained         2.0" in printed
    assert "failures                        1" in printed
    assert "MISS: 1 submissions failed" in printed


def test_the_throw_away_database_is_named_after_the_real_one():
    url, name = load_database_url("postgres://postgres@127.0.0.1:5432/guichet_x")
    assert name == "guichet_x_load"
    assert url == "postgres://postgres@127.0.0.1:5432/guichet_x_load"
    with pytest.raises(SystemExit):
        load_database_url("sqlite:///var/guichet.sqlite3")


def test_the_server_runs_with_production_settings_for_loopback(tmp_path):
    env = production_environment(
        database_url="postgres://x/y_load", redis_url="redis://r/7", var_dir=tmp_path
    )
    assert env["DJANGO_SETTINGS_MODULE"] == "crm.settings" and env["DEBUG"] == "0"
    assert env["ALLOWED_HOSTS"] == "127.0.0.1" and len(env["SECRET_KEY"]) >= 50
    assert env["SECURE_SSL_REDIRECT"] == "0"
    assert env["SESSION_COOKIE_SECURE"] == env["CSRF_COOKIE_SECURE"] == "0"
    assert "CELERY_TASK_ALWAYS_EAGER" not in env


def test_the_cpu_of_a_busy_child_process_is_counted_in_its_part():
    import subprocess
    import sys
    import time

    from benchmarks.portal_load import cpu

    sampler = cpu.Sampler(every=0.05).start()
    spin = "import time\nt = time.time()\nwhile time.time() - t < 0.6: pass"
    busy = subprocess.Popen([sys.executable, "-c", spin])
    sampler.roots["web"] = busy.pid
    start = time.time()
    busy.wait()
    time.sleep(0.1)
    sampler.stop()
    used = sampler.between(start, time.time())
    # it spun for 0.6 s (less what the sampler read before its first look at it)
    assert 0.2 < used["web"] < 0.9
    assert used["generator"] == 0

    lines = dict(cpu.summary(
        {"web": 3.0, "database": 1.0, "redis": 0.0, "generator": 0.0},
        submissions=100, seconds=2.0, budget=150,
    ))  # fmt: skip
    assert lines["CPU per submission"].startswith("40.0 ms: web 30.0, PostgreSQL 10.0")
    assert lines["cores 150 submissions/s need"] == "6.0 at this cost"
