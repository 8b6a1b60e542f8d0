#!/usr/bin/env python3
"""Thaw's moderation benchmark: the queue's pages and the overview page under load, with 20,000 flags.

    .venv/bin/python bench/moderation.py                  # about 1 minute once seeded, prints the table
    .venv/bin/python bench/moderation.py --json           # the same figures as one JSON object
    .venv/bin/python bench/moderation.py --clients 16 --seconds 20
    .venv/bin/python bench/moderation.py --fresh          # drop and reseed the bench database first
    .venv/bin/python bench/moderation.py --help

It needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth). It creates the database
`thaw_bench_moderation` when it is missing and seeds it once (bench/moderation_seed.py: 20,000
flags, 2,000 crisis cases, their content, reports, assessments, follow-ups and sanctions, written
with bulk_create); later runs keep the data and only write fresh moderator sessions (`--fresh`
starts over, `--drop` removes the database at the end).

Then it starts the real ASGI application (uvicorn serving platform_site.asgi, 1 worker, as the
`asgi` service of docker-compose.yml) on a free 127.0.0.1 port with bench/forum_settings.py (the
project's base settings, DEBUG off, DATABASE_URL at the bench database), checks that both pages
answer 200 to every moderator with the content they should show (not a sign-in or two-factor
page), and puts each page (the open queue's first page, the queue of every state, its page 10,000
items in, the overview) under a bounded load: `--clients` concurrent clients, each a different
signed-in moderator on a keep-alive connection of its own, requesting the page in a closed loop
for `--warmup` then `--seconds` seconds. It prints requests per second, p50 and p99 latency and the
SQL queries one request runs (counted through Django's test client after seeding).

The clients are Python threads (http.client) on the same machine: they take some CPU from the
server. Everything listens on 127.0.0.1 only; the server runs in a process group of its own and is
always stopped, also on Ctrl+C.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a file (bench/moderation.py): make the `bench` package importable
    sys.path.insert(0, str(REPO))

from bench.forum import (  # noqa: E402
    PG_HOST, PG_PORT, PG_USER, _pg_admin, _raise_interrupt, bench_env, check_pages, cookie_headers, fmt_rate,
    http_get, postgres_drop, postgres_reachable, run_seed, server_command,
)
from bench.harness import LOOPBACK, BenchFailure, RunningServer, cpu_busy_fraction, fmt_ms, log, version_of  # noqa: E402
from bench.servers import percentile  # noqa: E402

PG_DATABASE = "thaw_bench_moderation"
SEED_TIMEOUT = 900.0
PAGES = ("queue", "queue_fragment", "queue_all", "queue_deep", "overview")
LABELS = {
    "queue": "queue page (open flags, page 1)",
    "queue_fragment": "the list alone (the live feed's reload)",
    "queue_all": "queue, every state (20,000 items), page 1",
    "queue_deep": "queue, every state, 10,000 items in",
    "overview": "overview (7 and 30 days)",
}


# ----------------------------------------------------------------------------- DATABASE AND SEED
def postgres_ensure(*, fresh: bool) -> str:
    with _pg_admin() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]).fetchone()
        if exists and fresh:
            log(f"  dropping {PG_DATABASE} (--fresh)")
            conn.execute(f'DROP DATABASE "{PG_DATABASE}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"  creating {PG_DATABASE}")
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DATABASE}"


def seed_database(database_url: str, moderators: int) -> dict:
    return run_seed("bench.moderation_seed", ["--moderators", str(moderators)], database_url, timeout=SEED_TIMEOUT)


# ----------------------------------------------------------------------------- LOAD
def run_clients(port: int, path: str, cookies: list[dict[str, str]], *, warmup: float, seconds: float) -> dict:
    """One thread per client, each a moderator with a keep-alive connection of its own, in a closed
    loop until the end; only requests that finish inside the measured window count."""
    start_at = time.monotonic() + warmup
    end_at = start_at + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(cookie: dict[str, str]) -> None:
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        headers = cookie_headers(cookie)
        mine, failed = [], []
        while time.monotonic() < end_at:
            started = time.perf_counter()
            status = None
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status = type(exc).__name__
            elapsed_ms = (time.perf_counter() - started) * 1e3
            if start_at <= time.monotonic() < end_at:
                if status == 200:
                    mine.append(elapsed_ms)
                else:
                    failed.append(str(status))
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(cookie,), daemon=True) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + seconds + 60)
    latencies.sort()
    return {
        "rate": len(latencies) / seconds,
        "requests": len(latencies),
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "errors": len(errors),
        "error_detail": ", ".join(sorted(set(errors))[:5]),
    }


def measure(info: dict, args: argparse.Namespace, log_dir: Path, running: list) -> list[dict]:
    server = RunningServer(
        lambda port: server_command("uvicorn", port),
        env=bench_env(info["database_url"], "0"),
        log_path=log_dir / "uvicorn.log", ready_path="/healthz/", label="uvicorn", probe_timeout=10, tail_lines=20,
    )
    running.append(server)
    cookies = info["cookies"][: args.clients]
    try:
        server.wait_ready()
        for cookie in cookies:  # every moderator's session is accepted, two-factor included
            check_pages(server, {**info, "cookies": cookie}, pages=tuple(name for name in PAGES if name != "queue_fragment"))
            # The list alone has no page header ("Sign out"): its own marker says it is the list.
            status, _headers, body = http_get(server.port, info["urls"]["queue_fragment"], cookie)
            if status != 200 or info["markers"]["queue_fragment"] not in body:
                raise BenchFailure(f"GET {info['urls']['queue_fragment']} answered {status} without the queue's list")
        rows = []
        for name in PAGES:
            path = info["urls"][name]
            log(f"    {path}: {len(cookies)} clients, {args.warmup:g} s warm-up, {args.seconds:g} s measured")
            measured = run_clients(server.port, path, cookies, warmup=args.warmup, seconds=args.seconds)
            rows.append({"page": name, "label": LABELS[name], "url": path, **measured, **info["probe"][name]})
    finally:
        server.stop()
        running.remove(server)
    return rows


# ----------------------------------------------------------------------------- REPORT
def print_table(rows: list[dict], meta: dict) -> None:
    counts = meta["seed"]["counts"]
    print(f"Thaw moderation benchmark - {meta['cpus']} CPUs, Python {meta['python']}, Django {meta['versions']['Django']}, "
          f"PostgreSQL {meta['seed']['database_version']}, uvicorn {meta['versions']['uvicorn']} (1 worker), "
          f"{meta['clients']} moderator clients, {meta['seconds']:g} s per page after {meta['warmup']:g} s warm-up, 127.0.0.1 only")
    print(f"Data: {counts['flags']:,} flags ({counts['open_flags']:,} open), {counts['cases']:,} crisis cases "
          f"({counts['open_cases']} open); " + ("kept from an earlier run" if meta["seed"]["reused"]
                                               else f"seeded in {meta['seed']['seconds']['seed']} s"))
    print("The clients share this machine's CPUs with the server: compare rows, not machines.")
    if meta["cpu_busy_before"] is not None and meta["cpu_busy_before"] > 0.25:
        print(f"Warning: other processes used {meta['cpu_busy_before']:.0%} of the CPUs just before the run.")
    print()
    headers = ["page", "URL", "req/s", "p50", "p99", "queries", "errors"]
    right = {2, 3, 4, 5, 6}
    table = [headers] + [
        [r["label"], r["url"], fmt_rate(r["rate"]), fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]), str(r["queries"]), str(r["errors"])]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    for index, line in enumerate(table):
        print("  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
    for r in rows:
        if r["errors"]:
            print(f"warning: {r['url']}: {r['errors']} failed requests ({r['error_detail']}): not a figure to trust")


# ----------------------------------------------------------------------------- MAIN
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the moderation queue and overview pages with 20,000 flags and 2,000 crisis cases on "
        "PostgreSQL, under uvicorn, with concurrent signed-in moderators on 127.0.0.1.",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent moderator clients (default 8)")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per page (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per page (default 2)")
    parser.add_argument("--fresh", action="store_true", help=f"drop and reseed {PG_DATABASE} before measuring")
    parser.add_argument("--drop", action="store_true", help=f"drop {PG_DATABASE} at the end")
    parser.add_argument("--json", action="store_true", help="print one JSON object with the figures instead of a table")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server's log and print where it is")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64:
        parser.error("--clients must be between 1 and 64")
    if not 1 <= args.seconds <= 300:
        parser.error("--seconds must be between 1 and 300")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pg_ok, pg_reason = postgres_reachable()
    if not pg_ok:
        log(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} as {PG_USER}: {pg_reason}")
        return 2
    busy_before = cpu_busy_fraction()
    if busy_before is not None and busy_before > 0.25:
        log(f"warning: other processes already use {busy_before:.0%} of the CPUs; every figure will be lower")

    # SIGINT too: a shell starts background jobs with SIGINT ignored; the cleanup must always run.
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    log_dir = Path(tempfile.mkdtemp(prefix="thaw-bench-moderation-"))
    running: list[RunningServer] = []
    try:
        log("PostgreSQL: the bench database (seeding takes a minute or two the first time)")
        database_url = postgres_ensure(fresh=args.fresh)
        info = seed_database(database_url, max(args.clients, 8))
        info["database_url"] = database_url
        log("  uvicorn (1 worker, platform_site.asgi)")
        rows = measure(info, args, log_dir, running)
    except BenchFailure as failure:
        log(f"\nFAILED: {failure}")
        return 1
    except KeyboardInterrupt:
        log("\ninterrupted: stopping the server and cleaning up")
        return 130
    finally:
        for server in list(running):
            server.stop()
        if args.drop:
            postgres_drop(PG_DATABASE)
        if args.keep_logs:
            log(f"server log kept in {log_dir}")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    meta = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_busy_before": None if busy_before is None else round(busy_before, 2),
        "clients": min(args.clients, len(info["cookies"])),
        "seconds": args.seconds,
        "warmup": args.warmup,
        "versions": {name: version_of(name) for name in ("Django", "uvicorn", "psycopg")},
        "seed": {k: info[k] for k in ("database_version", "reused", "seconds", "counts")},
    }
    if args.json:
        print(json.dumps({"meta": meta, "rows": rows}, indent=2))
    else:
        print_table(rows, meta)
    return 0 if all(not r["errors"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
