"""Command line: generate data in a throw-away database, measure, print, exit 1 on a miss."""

import argparse
import importlib
import os
import pkgutil
import signal
import sys
from time import perf_counter

DEFAULT_SETTINGS = "tests.settings"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Measure Guichet's pages on generated data in a throw-away database "
            "(<name>_bench, dropped at the end). Exit status 1 when a budget is exceeded, "
            "a check fails or an operation errs."
        ),
    )
    parser.add_argument(
        "--scale", type=float, default=1, help="multiplies every row count (default: 1)"
    )
    parser.add_argument(
        "--repeat", type=int, default=50, help="measured requests per operation (default: 50)"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only operations and checks whose name contains NAME (repeatable)",
    )
    parser.add_argument(
        "--incidents",
        type=int,
        metavar="N",
        help="incidents generated for the incident pages (default: 1,000,000 × scale)",
    )
    parser.add_argument("--list", action="store_true", help="list operations and checks, then stop")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def load_benchmark_modules() -> None:
    package = os.path.dirname(__file__)
    for module in pkgutil.iter_modules([package]):
        if module.name.startswith("bench_"):
            importlib.import_module(f"{__package__}.{module.name}")


def selected(names, only: list[str] | None) -> list[str]:
    if not only:
        return list(names)
    wanted = [word.lower() for word in only]
    return [name for name in names if any(word in name.lower() for word in wanted)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = perf_counter()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)

    # Read by benchmarks/bench_incidents.py, whose budgets depend on the number of incidents.
    os.environ["GUICHET_BENCH_SCALE"] = str(args.scale)
    if args.incidents:
        os.environ["GUICHET_BENCH_INCIDENTS"] = str(args.incidents)

    import django

    django.setup()

    from django.db import connection

    from .registry import BENCHMARKS, CHECKS

    load_benchmark_modules()
    bench_names = selected(BENCHMARKS, args.only)
    check_names = selected(CHECKS, args.only)
    if args.list or not (bench_names or check_names):
        if not args.list:
            print(f"nothing matches {args.only}; known names:", file=sys.stderr)
        for name in [*BENCHMARKS, *CHECKS]:
            print(f"  {name}", file=sys.stdout if args.list else sys.stderr)
        return 0 if args.list else 2

    # Turn a plain kill into an exception, so the finally below still drops the database.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    real_name = connection.settings_dict["NAME"]
    # The name is always set here, never taken from settings: with autoclobber below, a test
    # name equal to the real one would drop the real database.
    # PostgreSQL: a fixed name apart from the test suite's test_<name>, so both can run at once.
    # SQLite: None, an in-memory database.
    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = None if connection.vendor == "sqlite" else f"{real_name}_bench"
    # autoclobber: a database left by an interrupted run is ours to drop, not a reason to ask.
    bench_db = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    try:
        return run(args, bench_names, check_names, bench_db, started)
    finally:
        connection.creation.destroy_test_db(real_name, verbosity=0, keepdb=False)
        print(f"total {perf_counter() - started:.1f} s (database {bench_db} dropped)")


def run(args, bench_names, check_names, bench_db, started) -> int:
    from django.conf import settings
    from django.db import connection

    from . import data
    from .registry import BENCHMARKS, CHECKS
    from .runner import WARMUP, Context, render_table, run_benchmark, run_check

    print(
        f"settings {os.environ['DJANGO_SETTINGS_MODULE']}, database {bench_db} "
        f"({connection.display_name}), DEBUG={settings.DEBUG}, "
        f"scale {args.scale:g}, {args.repeat} repeats after {WARMUP} warm-ups"
    )
    print(f"database created and migrated in {perf_counter() - started:.1f} s")
    dataset = data.generate(args.scale)
    counts = ", ".join(f"{value:,} {label}" for label, value in dataset.counts.items())
    print(f"data generated in {dataset.seconds:.1f} s: {counts}")
    print()

    ctx = Context(dataset)
    results = [run_benchmark(BENCHMARKS[name], ctx, args.repeat) for name in bench_names]
    checks = [run_check(CHECKS[name], ctx) for name in check_names]

    if results:
        print(render_table(results))
    for result in results:
        if result.error:
            print(f"\n{result.name}: {result.error}")
    if checks:
        print()
    for outcome in checks:
        print(f"{outcome.name}: {'yes' if outcome.holds else 'NO'} — {outcome.detail}")
    print()
    failed = [r.name for r in results if not r.ok] + [c.name for c in checks if not c.holds]
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
