#!/usr/bin/env python3
"""Thaw's forum benchmark: how fast the real forum pages are next to a trivial view, under load.

    .venv/bin/python bench/forum.py                      # about 2.5 minutes, prints the tables
    .venv/bin/python bench/forum.py --json               # the same figures as one JSON object
    .venv/bin/python bench/forum.py --database sqlite    # or postgres, or both (the default when
                                                         # PostgreSQL answers on 127.0.0.1:5432)
    .venv/bin/python bench/forum.py --seconds 10 --connections 32
    .venv/bin/python bench/forum.py --help

For each database it creates a throwaway one (a SQLite file in a temporary directory; on
PostgreSQL a database named `thaw_bench_forum`, user postgres, trust auth, created and dropped by
this script), migrates and seeds it (bench/forum_seed.py: a listed group with 2,000 topics, one
topic with 500 replies and reactions, a member with a verified e-mail, a profile and an active
membership, and a database session for that member). Then for each server (uvicorn serving
platform_site.asgi with 1 worker; gunicorn serving platform_site.wsgi with 2 sync workers, the
shape production serves pages with) it starts the real application on a free 127.0.0.1 port with
bench/forum_settings.py (the project's base settings, DEBUG off, DATABASE_URL at the bench
database), checks that every URL answers 200 with the member's cookie and shows what it should,
and measures each with `wrk` (bounded: --seconds per URL after a --warmup, --connections
connections):

- the trivial view: /healthz/, which runs one query (SELECT 1) through the full middleware stack,
  requested without a session cookie, so that it is exactly that one query;
- the group page, the long topic's first and last page (?page=N), and the group's search for a
  word that matches most topics, all with the member's `sessionid` (and `csrftoken`) cookie.

It prints, per database and server, requests per second, wrk's p50 and p99 latency, the ratio of
each page's req/s to the trivial view's, and the SQL queries one request of each URL runs; and
whether the target holds: the topic page (first and last page) serves at least 25% of the trivial
view's requests per second, on SQLite and on PostgreSQL.

Everything listens on 127.0.0.1 only. Servers run in process groups of their own and are always
stopped, the temporary directory is always removed and the PostgreSQL database always dropped,
also on Ctrl+C or SIGTERM. Progress goes to stderr; the tables (or the JSON) go to stdout.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a file (bench/forum.py): make the `bench` package importable
    sys.path.insert(0, str(REPO))

from bench.harness import (  # noqa: E402
    LOOPBACK, BenchFailure, RunningServer, cpu_busy_fraction, fmt_ms, log, run_wrk, version_of,
)

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
PG_DATABASE = "thaw_bench_forum"
SETTINGS_MODULE = "bench.forum_settings"
SEED_TIMEOUT = 300.0
TARGET_RATIO = 0.25
TARGET_PAGES = ("topic_first", "topic_last")
PAGES = ("trivial", "group", "topic_first", "topic_last", "search")
DB_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# CONN_MAX_AGE as docker-compose.yml sets it for each service (PostgreSQL only; SQLite ignores it):
# persistent connections for gunicorn's `web`, none for uvicorn's `asgi`. Under ASGI, Django runs
# each request's sync code in a thread of its own, so persistent connections pile up, one per
# thread, until PostgreSQL refuses more ("too many clients"); Django's docs say to disable them.
SERVERS = {
    "uvicorn": {"detail": "1 worker, platform_site.asgi", "workers": 1, "conn_max_age": "0"},
    "gunicorn": {"detail": "2 sync workers, platform_site.wsgi", "workers": 2, "conn_max_age": "60"},
}


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# ----------------------------------------------------------------------------- POSTGRESQL
def _pg_admin():
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=3)


def postgres_reachable() -> tuple[bool, str]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False, "psycopg is not installed"
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
        return True, ""
    except Exception as exc:  # any connection error: not reachable with trust auth
        return False, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def postgres_create(name: str = PG_DATABASE) -> str:
    with _pg_admin() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            log(f"  dropping {name}, left over from an earlier run")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def postgres_drop(name: str = PG_DATABASE) -> None:
    try:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:
        log(f"warning: could not drop PostgreSQL database {name}: {exc}")


# ----------------------------------------------------------------------------- ENVIRONMENT
def bench_env(database_url: str, conn_max_age: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # A developer's own services must not leak in: the bench settings use none of them.
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CONN_MAX_AGE", "ALLOWED_HOSTS", "SECRET_KEY"):
        env.pop(name, None)
    pythonpath = env.get("PYTHONPATH")
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        DATABASE_URL=database_url,
        DEBUG="false",
        PYTHONPATH=str(REPO) + (os.pathsep + pythonpath if pythonpath else ""),
        PYTHONUNBUFFERED="1",
    )
    if conn_max_age is not None:
        env["CONN_MAX_AGE"] = conn_max_age
    return env


def seed_database(database_url: str, search_word: str) -> dict:
    return run_seed("bench.forum_seed", ["--search", search_word], database_url)


def run_seed(module: str, arguments: list[str], database_url: str, timeout: float = SEED_TIMEOUT) -> dict:
    """Run a seeding module in a subprocess on the bench database; its JSON, each probed URL 200 or BenchFailure."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=REPO, env=bench_env(database_url), capture_output=True, text=True, timeout=timeout,
    )
    if completed.returncode != 0:
        raise BenchFailure(f"seeding failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
    try:
        info = json.loads(completed.stdout)
    except json.JSONDecodeError as exc:
        raise BenchFailure(f"seeding printed no JSON ({exc}):\n{completed.stdout[-1000:]}\n{completed.stderr[-2000:]}")
    for name, probe in info["probe"].items():
        if probe["status"] != 200:
            raise BenchFailure(f"{info['urls'][name]} answered {probe['status']} to Django's test client after seeding")
    return info


# ----------------------------------------------------------------------------- SERVERS
def server_command(kind: str, port: int) -> list[str]:
    python = sys.executable
    if kind == "uvicorn":
        return [
            python, "-m", "uvicorn", "platform_site.asgi:application", "--host", LOOPBACK, "--port", str(port),
            "--workers", "1", "--lifespan", "off", "--no-access-log", "--log-level", "warning",
        ]
    if kind == "gunicorn":
        return [
            python, "-m", "gunicorn", "platform_site.wsgi:application", "--worker-class", "sync",
            "--workers", str(SERVERS["gunicorn"]["workers"]), "--bind", f"{LOOPBACK}:{port}",
            "--backlog", "2048", "--log-level", "warning",
        ]
    raise ValueError(kind)


# ----------------------------------------------------------------------------- REQUESTS
def cookie_headers(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())} if cookies else {}


def http_get(port: int, path: str, cookies: dict[str, str]) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        conn.request("GET", path, headers=cookie_headers(cookies))
        response = conn.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def check_pages(server: RunningServer, info: dict, pages: tuple[str, ...] = PAGES) -> None:
    """Every URL must answer 200 to the member and show what it should; anything else stops the run."""
    for name in pages:
        path = info["urls"][name]
        cookies = {} if name == "trivial" else info["cookies"]
        status, headers, body = http_get(server.port, path, cookies)
        if status != 200:
            where = f" (Location: {headers['location']})" if "location" in headers else ""
            raise BenchFailure(
                f"GET {path} answered {status}{where} with the member's cookie on {server.label}, not 200; "
                f"nothing measured.\n{body[:400]}\n{server.log_tail()}"
            )
        if name != "trivial" and "Sign out" not in body:
            raise BenchFailure(f"GET {path} answered 200 but not as a signed-in member (the session cookie was not accepted)")
        if info["markers"][name] not in body:
            raise BenchFailure(f"GET {path} answered 200 but without {info['markers'][name]!r}: not the page to measure")


def drain(server: RunningServer, path: str, cookies: dict[str, str]) -> None:
    """Wait until the requests the warm-up left queued are served, so they don't eat the measured time.

    wrk stops by closing its connections, but the requests already sent are still served (uvicorn
    runs sync views on one thread in turn; gunicorn's workers take queued connections in order).
    One more request, queued behind them, comes back when they are done.
    """
    conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=60)
    try:
        conn.request("GET", path, headers=cookie_headers(cookies))
        conn.getresponse().read()
    except (OSError, http.client.HTTPException) as exc:
        raise BenchFailure(f"{server.label} did not answer GET {path} after the warm-up: {exc}\n{server.log_tail()}")
    finally:
        conn.close()


# ----------------------------------------------------------------------------- ONE DATABASE, ONE SERVER
def page_label(name: str, info: dict) -> str:
    counts = info["counts"]
    return {
        "trivial": "trivial view (/healthz/, SELECT 1, no session)",
        "group": f"group page ({counts['topics']:,} topics, page 1)",
        "topic_first": f"topic, first page (of {counts['long_topic_pages']})",
        "topic_last": f"topic, last page ({counts['long_topic_pages']})",
        "search": f"search \"{info['search_word']}\" ({counts['search_matches']:,} topics match)",
    }[name]


def measure(kind: str, database: str, info: dict, args: argparse.Namespace, log_dir: Path, running: list) -> dict:
    server = RunningServer(
        lambda port: server_command(kind, port),
        env=bench_env(info["database_url"], SERVERS[kind]["conn_max_age"]),
        log_path=log_dir / f"{database}-{kind}.log", ready_path="/healthz/", label=kind, probe_timeout=10, tail_lines=20,
    )
    running.append(server)
    try:
        server.wait_ready()
        check_pages(server, info)
        rows = []
        for name in PAGES:
            path = info["urls"][name]
            cookies = {} if name == "trivial" else info["cookies"]
            log(f"    {path}")
            url = f"http://{LOOPBACK}:{server.port}{path}"
            if args.warmup > 0:
                run_wrk(url, seconds=args.warmup, connections=args.connections, threads=args.threads, headers=cookie_headers(cookies))
                drain(server, path, cookies)
            measured = run_wrk(url, seconds=args.seconds, connections=args.connections, threads=args.threads, headers=cookie_headers(cookies))
            rows.append({
                "page": name, "label": page_label(name, info), "url": path, **measured,
                "queries": info["probe"][name]["queries"], "bytes": info["probe"][name]["bytes"],
            })
    finally:
        server.stop()
        running.remove(server)
    trivial = rows[0]["rate"]
    for row in rows:
        row["ratio"] = row["rate"] / trivial if trivial else None
    ratios = {name: next(r["ratio"] for r in rows if r["page"] == name) for name in TARGET_PAGES}
    return {
        "database": database,
        "database_version": info["database_version"],
        "server": kind,
        "server_version": version_of(kind),
        "server_detail": SERVERS[kind]["detail"],
        "rows": rows,
        "target": {
            "ratios": {name: round(value, 3) for name, value in ratios.items()},
            "holds": all(value is not None and value >= TARGET_RATIO for value in ratios.values()),
        },
    }


# ----------------------------------------------------------------------------- REPORT
def fmt_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def verdicts(runs: list[dict]) -> dict:
    result = {}
    for database in DB_LABELS:
        mine = [run for run in runs if run["database"] == database]
        if mine:
            result[database] = {
                "holds": all(run["target"]["holds"] for run in mine),
                "by_server": {run["server"]: run["target"]["holds"] for run in mine},
            }
    return result


def verdict_line(verdict: dict) -> str:
    parts = []
    for database, v in verdict.items():
        servers = ", ".join(f"{server} {'yes' if ok else 'NO'}" for server, ok in v["by_server"].items())
        parts.append(f"{DB_LABELS[database]}: {'holds' if v['holds'] else 'DOES NOT HOLD'} ({servers})")
    return (f"Target (topic page, first and last, >= {TARGET_RATIO:.0%} of the trivial view's req/s): "
            + "; ".join(parts) + ".")


def print_tables(runs: list[dict], meta: dict) -> None:
    print(f"Thaw forum benchmark - {meta['cpus']} CPUs, Python {meta['python']}, Django {meta['versions']['Django']}, "
          f"wrk {meta['wrk']['threads']} threads x {meta['wrk']['connections']} connections, "
          f"{meta['seconds']} s per URL after {meta['warmup']} s warm-up, 127.0.0.1 only")
    print("wrk shares this machine's CPUs with the server: compare rows of one table, not machines.")
    if meta["cpu_busy_before"] is not None and meta["cpu_busy_before"] > 0.25:
        print(f"Warning: other processes used {meta['cpu_busy_before']:.0%} of the CPUs just before the first run.")
    for database, seed in meta["seed"].items():
        c = seed["counts"]
        print(f"{DB_LABELS[database]} data: {c['topics']:,} topics, {c['posts']:,} posts, {c['reactions']:,} reactions, "
              f"{c['members']} members; the long topic has {c['long_topic_posts']} posts on {c['long_topic_pages']} pages "
              f"(migrated in {seed['seconds']['migrate']} s, seeded in {seed['seconds']['seed']} s)")
    headers = ["page", "URL", "req/s", "p50", "p99", "vs trivial", "queries", "errors"]
    right = {2, 3, 4, 5, 6, 7}
    for run in runs:
        print()
        print(f"{DB_LABELS[run['database']]} {run['database_version']} - {run['server']} {run['server_version']} "
              f"({run['server_detail']})")
        table = [headers]
        for r in run["rows"]:
            done = r["requests"] > 0
            table.append([
                r["label"], r["url"], fmt_rate(r["rate"]), fmt_ms(r["p50_ms"] if done else None), fmt_ms(r["p99_ms"] if done else None),
                f"{r['ratio']:.0%}" if r["ratio"] is not None else "-", str(r["queries"]), str(r["errors"]),
            ])
        widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
        for index, line in enumerate(table):
            print("  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
            if index == 0:
                print("  ".join("-" * w for w in widths))
        ratios = run["target"]["ratios"]
        print(f"target: topic first page {ratios['topic_first']:.0%}, last page {ratios['topic_last']:.0%} of the trivial "
              f"view (>= {TARGET_RATIO:.0%}): {'holds' if run['target']['holds'] else 'DOES NOT HOLD'}")
        for r in run["rows"]:
            if not r["requests"]:
                print(f"warning: {r['url']}: no request completed within {meta['seconds']} s at {meta['wrk']['connections']} "
                      "connections (each took longer than the run, or than wrk's 5 s timeout)")
            if r["errors"]:
                print(f"warning: {r['url']}: {r['errors']} failed requests under load ({r['error_detail']}): "
                      "not a figure to trust")
    print()
    print(verdict_line(verdicts(runs)))


# ----------------------------------------------------------------------------- MAIN
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark Thaw's forum pages (group page, topic first/last page, search) against a trivial "
        "view (/healthz/) on a seeded throwaway database, under uvicorn and gunicorn, with wrk on 127.0.0.1. "
        "Default run: about 2.5 minutes with both databases.",
    )
    parser.add_argument("--seconds", type=int, default=5, help="measured seconds per URL (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up seconds per URL before measuring (default 1)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--database", choices=["sqlite", "postgres", "both"], default=None,
        help=f"which database(s) (default: both when PostgreSQL answers at {PG_HOST}:{PG_PORT} as user {PG_USER} "
        "with trust auth, else sqlite)",
    )
    parser.add_argument(
        "--servers", default="uvicorn,gunicorn",
        help="comma-separated servers to run: uvicorn (1 worker, ASGI) and/or gunicorn (2 sync workers, WSGI) "
        "(default uvicorn,gunicorn)",
    )
    parser.add_argument("--search", default="numb", metavar="WORD", help="the search word (default numb: most topics match)")
    parser.add_argument("--json", action="store_true", help="print one JSON object with the figures instead of tables")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and print where they are")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 300:
        parser.error("--seconds must be between 1 and 300")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60")
    if not 1 <= args.connections <= 1000:
        parser.error("--connections must be between 1 and 1000")
    if not 1 <= args.threads <= 64:
        parser.error("--threads must be between 1 and 64")
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    if not args.servers or any(s not in SERVERS for s in args.servers):
        parser.error(f"--servers takes a comma-separated list of {', '.join(SERVERS)}")
    if not re.fullmatch(r"[A-Za-z]{2,30}", args.search):
        parser.error("--search takes one word of letters")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install -y wrk)")
        return 2
    pg_ok, pg_reason = postgres_reachable()
    if args.database is None:
        databases = ["sqlite", "postgres"] if pg_ok else ["sqlite"]
        if not pg_ok:
            log(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({pg_reason}): SQLite only")
    else:
        databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        if "postgres" in databases and not pg_ok:
            log(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} as {PG_USER}: {pg_reason}")
            return 2

    load_before = [round(v, 2) for v in os.getloadavg()]
    busy_before = cpu_busy_fraction()
    if busy_before is not None and busy_before > 0.25:
        log(f"warning: other processes already use {busy_before:.0%} of the CPUs; every figure will be lower")
    per_server = len(PAGES) * (args.seconds + args.warmup + 0.3) + 3
    estimate = len(databases) * (8 + len(args.servers) * per_server)
    log(f"{len(databases)} database(s) x {len(args.servers)} server(s) x {len(PAGES)} URLs, about {estimate / 60:.1f} minutes")

    # SIGINT too: a shell starts background jobs with SIGINT ignored, and Python then never raises
    # KeyboardInterrupt; the cleanup below must run however the script is stopped.
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    temp_dir = Path(tempfile.mkdtemp(prefix="thaw-bench-forum-"))
    running: list[RunningServer] = []
    postgres_created = False
    runs, seeds = [], {}
    try:
        for database in databases:
            log(f"{DB_LABELS[database]}: creating, migrating and seeding the bench database")
            if database == "sqlite":
                database_url = f"sqlite:///{temp_dir / 'forum.sqlite3'}"
            else:
                database_url = postgres_create()
                postgres_created = True
            info = seed_database(database_url, args.search)
            info["database_url"] = database_url
            seeds[database] = {k: info[k] for k in ("database_version", "seconds", "counts", "search_word", "urls")}
            for kind in args.servers:
                log(f"  {kind} ({SERVERS[kind]['detail']})")
                runs.append(measure(kind, database, info, args, temp_dir, running))
            if database == "postgres":
                postgres_drop()
                postgres_created = False
    except BenchFailure as failure:
        log(f"\nFAILED: {failure}")
        return 1
    except KeyboardInterrupt:
        log("\ninterrupted: stopping servers and cleaning up")
        return 130
    finally:
        for server in list(running):
            server.stop()
        if postgres_created:
            postgres_drop()
        if args.keep_logs:
            log(f"server logs kept in {temp_dir}")
            for path in temp_dir.glob("forum.sqlite3*"):
                path.unlink(missing_ok=True)
        else:
            shutil.rmtree(temp_dir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    meta = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_before": load_before,
        "cpu_busy_before": None if busy_before is None else round(busy_before, 2),
        "seconds": args.seconds,
        "warmup": args.warmup,
        "wrk": {"threads": min(args.threads, args.connections), "connections": args.connections},
        "versions": {name: version_of(name) for name in ("Django", "uvicorn", "gunicorn", "psycopg")},
        "settings": SETTINGS_MODULE,
        "target": f"topic page (first and last page) >= {TARGET_RATIO:.0%} of the trivial view's req/s",
        "seed": seeds,
    }
    verdict = verdicts(runs)
    if args.json:
        print(json.dumps({"meta": meta, "runs": runs, "target": {"ratio": TARGET_RATIO, "pages": list(TARGET_PAGES),
                                                                  "by_database": verdict}}, indent=2))
    else:
        print_tables(runs, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
