"""Driver of the portal load run: throw-away database, production server, load, counting.

1. Creates ``<name>_load`` (``<name>`` from DATABASE_URL), migrates it and seeds it
   (``seed``: one published e-service with a one-step form, N citizen accounts).
2. Starts gunicorn on 127.0.0.1 with the production settings (crm/settings.py with DEBUG=0;
   only what plain HTTP on loopback needs is switched: no SSL redirect, cookies not "secure").
   Side effects leave as in production, through Celery on Redis after commit; by default no
   worker runs (in production workers run on other machines, here they would take the web's two
   cores), so the e-mails of the agents' notifications queue in Redis and are counted there;
   ``--worker`` starts one.
3. Runs the load generator (``locustfile``) headless: each citizen logs in once, then files the
   form in a loop through the real step views for ``--duration`` seconds.
4. Counts the requests of the run in the database and compares them with what the generator was
   told (``verify``); prints the table and exits 1 when the budget is missed or anything is lost or
   duplicated.
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from . import cpu, verify

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
BUDGET_PER_S = 150
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/guichet"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.portal_load",
        description=(
            "Form submission under load: citizens file an e-service's form through the portal "
            "served by gunicorn with the production settings; the requests filed are counted in "
            "a throw-away database (<name>_load). Exit status 1 when fewer than "
            f"{BUDGET_PER_S} submissions/s are sustained, or any is lost, duplicated or failed."
        ),
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (60)")
    parser.add_argument("--users", type=int, default=24, help="simulated citizens (24)")
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="target submissions/s for all citizens together (default 0: as fast as served)",
    )
    parser.add_argument("--accounts", type=int, default=0, help="citizen accounts (default: users)")
    parser.add_argument(
        "--workers", type=int, default=2 * cores + 1, help=f"gunicorn workers ({2 * cores + 1})"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1: sync)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (a free one)")
    parser.add_argument("--worker", action="store_true", help="also run a Celery worker")
    parser.add_argument(
        "--budget", type=float, default=BUDGET_PER_S, help=f"submissions/s ({BUDGET_PER_S})"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the <name>_load database at the end and reuse it next time (not migrated or "
        "seeded again); drop it with: dropdb <name>_load",
    )
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.users < 1:
        parser.error("--duration and --users must be positive")
    args.accounts = max(args.accounts, args.users)
    return args


def load_database_url(url: str) -> tuple[str, str]:
    """The throw-away database's URL and name beside the one of ``url``."""
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("The load run needs PostgreSQL: set DATABASE_URL=postgres://…")
    name = parts.path.lstrip("/") or "guichet"
    load_name = f"{name}_load"
    return urlunparse(parts._replace(path="/" + load_name)), load_name


def _admin_connection(url: str):
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


def database_exists(url: str, name: str) -> bool:
    with _admin_connection(url) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        return row is not None


def database_create(url: str, name: str) -> None:
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str, name: str) -> None:
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_environment(*, database_url: str, redis_url: str, var_dir: Path) -> dict:
    """crm/settings.py's production switches, as a deployment sets them, but for plain HTTP on
    loopback."""
    return {
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "GUICHET_VAR_DIR": str(var_dir),
        # Mails are built and sent by the worker; nothing leaves the machine.
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        # The per-account hourly limit of submissions (crm/throttle.py) is for people, not for a
        # load generator that files thousands of requests an hour from a few accounts.
        "PORTAL_SUBMISSION_LIMIT_PER_HOUR": "1000000000",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start-up (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:g} s")


def stop(process: subprocess.Popen | None, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


def celery_queue_length(redis_url: str) -> int:
    import redis

    return int(redis.Redis.from_url(redis_url).llen("celery"))


def rows_of_run(*, request_type_id: int, after_id: int) -> list[verify.Row]:
    """The requests of the e-service filed after request ``after_id``, with their submission's
    token (None: no submission made it)."""
    from requests_app.models import ServiceRequest

    return [
        verify.Row(request_id=pk, token=token)
        for pk, token in ServiceRequest.objects.filter(
            request_type_id=request_type_id, pk__gt=after_id
        )
        .values_list("pk", "form_submission__token")
        .order_by("pk")
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    python = sys.executable
    database_url, db_name = load_database_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    var_dir = BASE_DIR / "var" / "portal_load"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **production_environment(
        database_url=database_url, redis_url=redis_url, var_dir=var_dir
    )}  # fmt: skip
    os.environ.update(env)
    # Turn a plain kill into an exception, so that the finally below stops the servers.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    reuse = args.keep and database_exists(database_url, db_name)
    if not reuse:
        database_create(database_url, db_name)
    server = worker = None
    work = Path(tempfile.mkdtemp(prefix="portal_load_"))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from requests_app.models import ServiceRequest

        from . import seed

        started = time.monotonic()
        if not reuse:
            call_command("migrate", verbosity=0)
        if not (Path(var_dir) / "staticfiles" / "staticfiles.json").exists():
            call_command("collectstatic", interactive=False, verbosity=0)
        password = "charge-" + secrets.token_urlsafe(12)
        seeded = seed.seed(accounts=args.accounts, password=password)
        if reuse:
            seed.set_password(seeded.emails, password)
        after_id = ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        queued_before = celery_queue_length(redis_url)
        connections.close_all()
        print(
            f"database {db_name} ready in {time.monotonic() - started:.0f} s "
            f"({'reused' if reuse else 'new'}); {len(seeded.emails)} accounts",
            flush=True,
        )

        port = args.port or free_port()
        host = f"http://127.0.0.1:{port}"
        server_log = work / "gunicorn.log"
        command = [
            python, "-m", "gunicorn", "crm.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers),
            "--worker-class", "gthread" if args.threads > 1 else "sync",
            "--threads", str(args.threads),
            "--log-level", "warning",
            "--error-logfile", str(server_log),
            "--timeout", "60",
        ]  # fmt: skip
        server = subprocess.Popen(command, cwd=BASE_DIR, env=env)
        wait_ready(host + "/healthz", server)
        sampler = cpu.Sampler().start()
        sampler.roots["web"] = server.pid
        if args.worker:
            worker = subprocess.Popen(
                [python, "-m", "celery", "-A", "crm", "worker", "--concurrency", "1",
                 "--loglevel", "WARNING"],
                cwd=BASE_DIR, env=env,
            )  # fmt: skip

        accounts_file = work / "accounts.txt"
        accounts_file.write_text("\n".join(seeded.emails[: args.accounts]) + "\n")
        results = work / "results.jsonl"
        load_env = {
            **env,
            "LOAD_SLUG": seeded.slug,
            "LOAD_PASSWORD": password,
            "LOAD_DURATION": str(args.duration),
            "LOAD_USERS": str(args.users),
            "LOAD_RATE": str(args.rate),
            "LOAD_RESULTS": str(results),
            "LOAD_ACCOUNTS": str(accounts_file),
        }
        login_timeout = 120
        load_env["LOAD_LOGIN_TIMEOUT"] = str(login_timeout)
        print(
            f"gunicorn: {args.workers} worker(s) × {args.threads} thread(s) on {host}; "
            f"{args.users} citizens for {args.duration:g} s; load average {load_average()}",
            flush=True,
        )
        locust = subprocess.Popen(
            [python, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
             "--users", str(args.users), "--spawn-rate", str(args.users),
             "--run-time", f"{int(args.duration + login_timeout + 60)}s",
             "--host", host, "--only-summary", "--loglevel", "WARNING",
             "--stop-timeout", "30"],
            cwd=BASE_DIR, env=load_env,
        )  # fmt: skip
        sampler.roots["generator"] = locust.pid
        locust.wait()
        sampler.stop()
        load_after = load_average()
        stop(server)
        server = None
        records, get_ms, get_failures, window = verify.read_records(results)
        if not window.get("start"):
            print(f"no window: {window.get('login_failures', '?')} logins failed", file=sys.stderr)
            return 1
        rows = rows_of_run(request_type_id=seeded.request_type_id, after_id=after_id)
        queued = celery_queue_length(redis_url) - queued_before
        verdict = verify.verify(
            records=records,
            rows=rows,
            duration=window["end"] - window["start"],
            budget_per_s=args.budget,
            get_ms=get_ms,
            get_failures=get_failures,
        )
        celery = "1 worker" if args.worker else f"no worker: {queued} e-mail tasks queued in Redis"
        extra = [
            ("citizens logged in", f"{window['users']} (failed: {window['login_failures']})"),
            ("gunicorn", f"{args.workers} workers × {args.threads} thread(s)"),
            ("celery", celery),
            ("load average after", load_after),
            ("generator exit", str(locust.returncode)),
        ]  # fmt: skip
        extra += cpu.summary(
            sampler.between(window["start"], window["end"]),
            submissions=verdict.submissions,
            seconds=window["end"] - window["start"],
            budget=args.budget,
        )
        print()
        print(verify.table(verdict, extra=extra))
        if server_log.exists() and server_log.stat().st_size:
            tail = server_log.read_text(errors="replace").strip().splitlines()[-5:]
            print("gunicorn's last log lines:", *tail, sep="\n  ")
        return 0 if verdict.ok else 1
    finally:
        stop(server)
        stop(worker)
        from django.db import connections as _connections

        _connections.close_all()
        if args.keep:
            print(f"kept {db_name} (dropdb {db_name})")
        else:
            database_drop(database_url, db_name)
