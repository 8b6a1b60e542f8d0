#!/usr/bin/env python3
"""Thaw's server benchmark: which server should carry pages, and which WebSockets.

    .venv/bin/python bench/servers.py              # about 2 minutes, prints a table
    .venv/bin/python bench/servers.py --json       # the same figures as one JSON document
    .venv/bin/python bench/servers.py --repeat 3   # medians of three runs each (steadier; ~5 min)
    .venv/bin/python bench/servers.py --help

HTTP: requests per second for a trivial sync Django view (bench/urls.py, no database) served by
gunicorn with sync workers (platform_site.wsgi, 2 workers), by uvicorn (bench/asgi.py, 1 and 2
workers) and by daphne (one process). The load comes from `wrk` when it is installed
(`apt-get install wrk`), otherwise from a few Python processes using http.client.

WebSocket: round trips per second of a small JSON frame echoed by a Channels consumer
(bench/consumers.py) under uvicorn and daphne, with N concurrent clients (the `websockets`
library, in two client processes): once echoed straight back (no channel layer), once through
Channels' in-memory layer and once through channels-redis, the production path; and with two
uvicorn workers on channels-redis, the shape of docker-compose.yml's asgi service.

Each server is started as a subprocess on a free port of 127.0.0.1, warmed up, measured, and
always stopped (its whole process group) before the next one starts. All traffic stays on the
loopback interface; every load loop is bounded by time and stops by itself. Progress goes to
stderr, the table (or the JSON) to stdout.
"""
from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import socket
import sys
import tempfile
import time
import uuid
from array import array
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a file (bench/servers.py): make the `bench` package importable
    sys.path.insert(0, str(REPO))

from bench.harness import (  # noqa: E402
    LOOPBACK, RunningServer, cpu_busy_fraction, fmt_ms, log, run_wrk, version_of,
)

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
HTTP_PATH = "/plain/"
WS_PATH = "/ws/echo/"
CLIENT_START_ALLOWANCE = 2.0  # seconds for client processes to start and connect before warm-up

LAYER_LABELS = {None: "-", "none": "none (direct)", "memory": "in-memory", "redis": "redis", "redis-pubsub": "redis pub/sub"}


# ----------------------------------------------------------------------------- SERVERS
def server_command(kind: str, port: int, workers: int) -> list[str]:
    python = sys.executable
    if kind == "gunicorn":
        return [
            python, "-m", "gunicorn", "platform_site.wsgi:application",
            "--worker-class", "sync", "--workers", str(workers),
            "--bind", f"{LOOPBACK}:{port}", "--backlog", "2048", "--log-level", "warning",
        ]
    if kind == "uvicorn":
        return [
            python, "-m", "uvicorn", "bench.asgi:application",
            "--host", LOOPBACK, "--port", str(port), "--workers", str(workers),
            "--lifespan", "off", "--no-access-log", "--log-level", "warning",
        ]
    if kind == "daphne":
        return [python, "-m", "daphne", "-b", LOOPBACK, "-p", str(port), "-v", "0", "bench.asgi:application"]
    raise ValueError(kind)


def server_env(layer: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    pythonpath = env.get("PYTHONPATH")
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_CHANNEL_LAYER=layer,
        BENCH_REDIS_URL=redis_url,
        PYTHONPATH=str(REPO) + (os.pathsep + pythonpath if pythonpath else ""),
        PYTHONUNBUFFERED="1",
    )
    return env


# ----------------------------------------------------------------------------- LOAD: HTTP
def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def _http_client_process(port: int, start_at: float, end_at: float, results: multiprocessing.Queue) -> None:
    """One keep-alive connection in a closed loop until end_at; counts what completes in the window."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    latencies = array("d")
    errors = 0
    while time.monotonic() < end_at:
        started = time.perf_counter()
        ok = False
        try:
            conn.request("GET", HTTP_PATH)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
            if response.will_close:
                conn.close()  # http.client reconnects on the next request
        except (OSError, http.client.HTTPException):
            conn.close()
        elapsed = time.perf_counter() - started
        finished = time.monotonic()
        if start_at <= finished < end_at:
            if ok:
                latencies.append(elapsed * 1e3)
            else:
                errors += 1
    conn.close()
    results.put((latencies.tobytes(), errors))


def _collect(processes: list, results: multiprocessing.Queue, deadline: float) -> list:
    collected = []
    for _ in processes:
        collected.append(results.get(timeout=max(1.0, deadline - time.monotonic())))
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()
    return collected


def _summarise(collected_latencies: list[array], errors: int, seconds: float) -> dict:
    latencies = sorted(value for chunk in collected_latencies for value in chunk)
    return {
        "rate": len(latencies) / seconds,
        "count": len(latencies),
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "errors": errors,
    }


def run_python_http(port: int, *, seconds: float, warmup: float, connections: int) -> dict:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.monotonic() + CLIENT_START_ALLOWANCE + warmup
    end_at = start_at + seconds
    processes = [
        context.Process(target=_http_client_process, args=(port, start_at, end_at, results), daemon=True)
        for _ in range(connections)
    ]
    for process in processes:
        process.start()
    collected = _collect(processes, results, end_at + 30)
    chunks = []
    for raw, _errors in collected:
        chunk = array("d")
        chunk.frombytes(raw)
        chunks.append(chunk)
    return _summarise(chunks, sum(e for _, e in collected), seconds)


# ----------------------------------------------------------------------------- LOAD: WEBSOCKET
async def _ws_clients(port: int, clients: int, start_at: float, end_at: float) -> tuple[bytes, int, str]:
    from websockets.asyncio.client import connect

    uri = f"ws://{LOOPBACK}:{port}{WS_PATH}"
    origin = f"http://{LOOPBACK}:{port}"  # AllowedHostsOriginValidator wants an allowed Origin
    latencies = array("d")
    errors = 0
    first_error = ""

    async def client() -> None:
        nonlocal errors, first_error
        client_id = str(uuid.uuid4())
        seq = 0
        try:
            async with connect(
                uri, origin=origin, compression=None, proxy=None, open_timeout=10, ping_interval=None
            ) as websocket:
                while time.monotonic() < end_at:
                    seq += 1
                    frame = json.dumps({"type": "message", "body": "hello", "client_id": client_id, "seq": seq})
                    started = time.perf_counter()
                    await websocket.send(frame)
                    reply = json.loads(await websocket.recv())
                    elapsed = time.perf_counter() - started
                    finished = time.monotonic()
                    if not start_at <= finished < end_at:
                        continue
                    if reply.get("seq") == seq and reply.get("client_id") == client_id:
                        latencies.append(elapsed * 1e3)
                    else:
                        errors += 1
                        first_error = first_error or f"unexpected frame {reply!r:.200}"
        except Exception as exc:  # a refused handshake or a dropped connection is a counted error
            errors += 1
            first_error = first_error or repr(exc)[:300]

    # The whole run is bounded: a server that stops answering cannot hold the client forever. A
    # client still waiting 5 s after the end (p99 is well under a second) lost its echo.
    tasks = [asyncio.ensure_future(client()) for _ in range(clients)]
    _done, pending = await asyncio.wait(tasks, timeout=max(0.0, end_at - time.monotonic()) + 5)
    if pending:
        errors += len(pending)
        first_error = first_error or f"{len(pending)} client(s) never got an echo back (a frame was lost)"
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=5)
    return latencies.tobytes(), errors, first_error


def _ws_client_process(port: int, clients: int, start_at: float, end_at: float, results: multiprocessing.Queue) -> None:
    results.put(asyncio.run(_ws_clients(port, clients, start_at, end_at)))


def run_ws(port: int, *, seconds: float, warmup: float, clients: int, processes: int) -> dict:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = max(1, min(processes, clients))
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    start_at = time.monotonic() + CLIENT_START_ALLOWANCE + warmup
    end_at = start_at + seconds
    workers = [
        context.Process(target=_ws_client_process, args=(port, share, start_at, end_at, results), daemon=True)
        for share in shares
    ]
    for worker in workers:
        worker.start()
    collected = _collect(workers, results, end_at + 45)
    chunks = []
    for raw, _errors, _first in collected:
        chunk = array("d")
        chunk.frombytes(raw)
        chunks.append(chunk)
    summary = _summarise(chunks, sum(e for _, e, _ in collected), seconds)
    summary["first_error"] = next((first for _, _, first in collected if first), "")
    return summary


# ----------------------------------------------------------------------------- PLAN
def redis_reachable(redis_url: str) -> bool:
    parts = urlsplit(redis_url)
    try:
        with socket.create_connection((parts.hostname or LOOPBACK, parts.port or 6379), timeout=2) as sock:
            if parts.password:
                sock.sendall(f"AUTH {parts.password}\r\n".encode())
                sock.recv(64)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def build_plan(args: argparse.Namespace) -> list[dict]:
    plan = []
    if args.only in ("all", "http"):
        plan += [
            {"name": "http-gunicorn-2", "server": "gunicorn", "detail": "sync, 2 workers", "workers": 2, "protocol": "HTTP", "layer": None},
            {"name": "http-uvicorn-1", "server": "uvicorn", "detail": "1 worker", "workers": 1, "protocol": "HTTP", "layer": None},
            {"name": "http-uvicorn-2", "server": "uvicorn", "detail": "2 workers", "workers": 2, "protocol": "HTTP", "layer": None},
            {"name": "http-daphne-1", "server": "daphne", "detail": "1 process", "workers": 1, "protocol": "HTTP", "layer": None},
        ]
    if args.only in ("all", "ws"):
        for layer in ("none", "memory", "redis"):
            plan += [
                {"name": f"ws-uvicorn-1-{layer}", "server": "uvicorn", "detail": "1 worker", "workers": 1, "protocol": "WebSocket", "layer": layer},
                {"name": f"ws-daphne-1-{layer}", "server": "daphne", "detail": "1 process", "workers": 1, "protocol": "WebSocket", "layer": layer},
            ]
        # The production shape (docker-compose.yml's asgi service): several uvicorn workers, which
        # only a shared layer makes one site. The in-memory layer cannot span processes.
        plan.append(
            {"name": "ws-uvicorn-2-redis", "server": "uvicorn", "detail": "2 workers", "workers": 2, "protocol": "WebSocket", "layer": "redis"}
        )
        if args.with_pubsub:
            plan += [
                {"name": "ws-uvicorn-1-redis-pubsub", "server": "uvicorn", "detail": "1 worker", "workers": 1, "protocol": "WebSocket", "layer": "redis-pubsub"},
                {"name": "ws-uvicorn-2-redis-pubsub", "server": "uvicorn", "detail": "2 workers", "workers": 2, "protocol": "WebSocket", "layer": "redis-pubsub"},
            ]
    return plan


def execute(entry: dict, args: argparse.Namespace, log_dir: Path, use_wrk: bool, redis_ok: bool) -> dict:
    row = {
        **entry,
        "version": version_of(entry["server"]),
        "unit": "req/s" if entry["protocol"] == "HTTP" else "msgs/s",
        "rate": None, "count": 0, "p50_ms": None, "p99_ms": None, "errors": 0, "note": "",
    }
    if (entry["layer"] or "").startswith("redis") and not redis_ok:
        row["note"] = f"skipped: no Redis answering at {args.redis_url}"
        return row
    # A layer must be set even for HTTP runs; "memory" is what a plain ASGI process would have.
    server = RunningServer(
        lambda port: server_command(entry["server"], port, entry["workers"]),
        env=server_env(entry["layer"] or "memory", args.redis_url),
        log_path=log_dir / f"{entry['name']}.log", ready_path=HTTP_PATH,
    )
    try:
        server.wait_ready()
        if entry["protocol"] == "HTTP":
            url = f"http://{LOOPBACK}:{server.port}{HTTP_PATH}"
            if use_wrk:
                if args.warmup > 0:
                    run_wrk(url, seconds=args.warmup, connections=args.connections, threads=args.wrk_threads)
                result = run_wrk(url, seconds=args.seconds, connections=args.connections, threads=args.wrk_threads)
                measured = {key: result[key] for key in ("rate", "p50_ms", "p99_ms", "errors")}
                measured["count"] = result["requests"]
            else:
                measured = run_python_http(
                    server.port, seconds=args.seconds, warmup=args.warmup, connections=min(args.connections, 16)
                )
        else:
            measured = run_ws(
                server.port, seconds=args.seconds, warmup=args.warmup,
                clients=args.ws_clients, processes=args.ws_processes,
            )
            if measured.get("first_error"):
                row["note"] = f"first error: {measured['first_error']}"
            measured.pop("first_error", None)
        row.update(measured)
    except Exception as exc:
        row["note"] = f"failed: {exc}".replace("\n", " | ")[:400]
    finally:
        server.stop()
    return row


# ----------------------------------------------------------------------------- REPORT
def median_row(attempts: list[dict]) -> dict:
    """With --repeat, the attempt with the median rate stands for the run; all rates are kept."""
    measured = sorted((a for a in attempts if a["rate"]), key=lambda a: a["rate"])
    row = dict(measured[(len(measured) - 1) // 2] if measured else attempts[0])
    row["name"] = row["name"].rsplit("-", 1)[0] if len(attempts) > 1 else row["name"]
    row["rates"] = [round(a["rate"], 1) if a["rate"] else None for a in attempts]
    row["errors"] = sum(a["errors"] for a in attempts)
    row["note"] = "; ".join(dict.fromkeys(a["note"] for a in attempts if a["note"]))
    return row


def conclusion(rows: list[dict]) -> str:
    """One line: the fastest server per protocol, and by how much, comparing equal process counts."""
    def measured(protocol: str, layer: str | None, workers: int | None = None) -> list[dict]:
        return [
            r for r in rows
            if r["protocol"] == protocol and r["layer"] == layer and r["rate"]
            and (workers is None or r["workers"] == workers)
        ]

    def versus(best: dict, others: list[dict]) -> str:
        return ", ".join(f"{best['rate'] / r['rate']:.1f}x {r['server']} {r['detail']}" for r in others)

    parts = []
    http_rows = measured("HTTP", None)
    if http_rows:
        best = max(http_rows, key=lambda r: r["rate"])
        others = [r for r in http_rows if r is not best]
        parts.append(
            f"pages: {best['server']} ({best['detail']}) is fastest at {best['rate']:,.0f} req/s"
            + (f" ({versus(best, others)})" if others else "")
        )
    ws_layer = next(
        (layer for layer in ("redis", "memory", "none", "redis-pubsub") if measured("WebSocket", layer, 1)), "none"
    )
    ws_rows = measured("WebSocket", ws_layer, 1)
    if ws_rows:
        best = max(ws_rows, key=lambda r: r["rate"])
        others = [r for r in ws_rows if r is not best]
        through = "with no channel layer" if ws_layer == "none" else f"through the {LAYER_LABELS[ws_layer]} layer"
        text = (
            f"sockets {through}, one process each: {best['server']} is fastest at "
            f"{best['rate']:,.0f} msgs/s" + (f" ({versus(best, others)})" if others else "")
        )
        scaled = [r for r in measured("WebSocket", ws_layer) if r["workers"] > 1]
        if scaled:
            text += ", " + ", ".join(f"{r['server']} {r['detail']} {r['rate']:,.0f} msgs/s" for r in scaled)
        parts.append(text)
    pubsub = measured("WebSocket", "redis-pubsub")
    if pubsub and ws_layer != "redis-pubsub":
        parts.append("Pub/Sub layer: " + ", ".join(f"{r['server']} {r['detail']} {r['rate']:,.0f} msgs/s" for r in pubsub))
    if not parts:
        return "No run produced a figure; see the notes above."
    return "Conclusion: " + "; ".join(parts) + "."


def print_table(rows: list[dict], meta: dict) -> None:
    print(f"Thaw server benchmark - {meta['cpus']} CPUs, Python {meta['python']}, Django {meta['versions']['Django']}, "
          f"{meta['seconds']:g} s measured per run after {meta['warmup']:g} s warm-up, 127.0.0.1 only")
    if meta["repeat"] > 1:
        print(f"Each row is the median of {meta['repeat']} runs (all rates in the last column).")
    print(f"HTTP load: {meta['http_load']}; WebSocket load: {meta['ws_load']}")
    print("The load generator shares this machine's CPUs with the server: compare rows, not machines.")
    if meta["cpu_busy_before"] is not None and meta["cpu_busy_before"] > 0.25:
        print(f"Warning: other processes used {meta['cpu_busy_before']:.0%} of the CPUs just before the first run: "
              "they took CPU from the servers.")
    print()
    headers = ["server", "protocol", "channel layer", "rate", "p50", "p99", "errors"]
    if meta["repeat"] > 1:
        headers.append("all runs")
    table = [headers]
    for r in rows:
        rate = f"{r['rate']:,.0f} {r['unit']}" if r["rate"] is not None else "-"
        line = [
            f"{r['server']} {r['version']} ({r['detail']})", r["protocol"], LAYER_LABELS[r["layer"]],
            rate, fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]), str(r["errors"]),
        ]
        if meta["repeat"] > 1:
            line.append(" / ".join("-" if v is None else f"{v:,.0f}" for v in r["rates"]))
        table.append(line)
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    right = {3, 4, 5, 6}
    for index, line in enumerate(table):
        print("  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
    notes = [r for r in rows if r["note"]]
    if notes:
        print()
        for r in notes:
            print(f"note: {r['name']}: {r['note']}")
    print()
    print(conclusion(rows))


# ----------------------------------------------------------------------------- MAIN
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark gunicorn, uvicorn and daphne serving Thaw on 127.0.0.1: HTTP req/s for a "
        "trivial Django view and WebSocket echo round trips/s through a Channels consumer "
        "(no layer, in-memory layer, Redis layer). Default run: about 2 minutes.",
    )
    parser.add_argument("--seconds", type=float, default=5, help="measured seconds per run (default 5)")
    parser.add_argument("--warmup", type=float, default=1, help="warm-up seconds before each measurement (default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="run each benchmark N times and report the median (default 1)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--only", choices=["all", "http", "ws"], default="all", help="which benchmarks to run (default all)")
    parser.add_argument(
        "--with-pubsub", action="store_true",
        help="also measure channels-redis's Pub/Sub layer (RedisPubSubChannelLayer, Beta upstream) under uvicorn",
    )
    parser.add_argument("--connections", type=int, default=32, help="concurrent HTTP connections (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--ws-clients", type=int, default=32, help="concurrent WebSocket clients (default 32)")
    parser.add_argument("--ws-processes", type=int, default=2, help="processes the WebSocket clients are spread over (default 2)")
    parser.add_argument(
        "--load-generator", choices=["auto", "wrk", "python"], default="auto",
        help="HTTP load generator: wrk if installed (auto), or Python http.client processes",
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/0",
        help="Redis for the channels-redis runs; loopback only (default redis://127.0.0.1:6379/0)",
    )
    parser.add_argument("--match", metavar="TEXT", help="run only the runs whose name contains TEXT (see --list)")
    parser.add_argument("--list", action="store_true", help="list the runs' names and exit")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and print where they are")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > 300:
        parser.error("--seconds must be between 0 and 300")
    if args.warmup < 0 or args.warmup > 60:
        parser.error("--warmup must be between 0 and 60")
    if not 1 <= args.repeat <= 10:
        parser.error("--repeat must be between 1 and 10")
    for name in ("connections", "wrk_threads", "ws_clients", "ws_processes"):
        if not 1 <= getattr(args, name) <= 1000:
            parser.error(f"--{name.replace('_', '-')} must be between 1 and 1000")
    if urlsplit(args.redis_url).hostname not in LOOPBACK_HOSTS:
        parser.error("--redis-url must point at this machine (127.0.0.1, localhost or ::1)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = [entry for entry in build_plan(args) if not args.match or args.match in entry["name"]]
    if args.list:
        print("\n".join(entry["name"] for entry in plan))
        return 0
    if not plan:
        log(f"no run matches {args.match!r} (see --list)")
        return 2
    wrk = shutil.which("wrk")
    if args.load_generator == "wrk" and not wrk:
        log("wrk is not installed (apt-get install wrk); use --load-generator python")
        return 2
    use_wrk = bool(wrk) and args.load_generator != "python"
    redis_ok = not any((entry["layer"] or "").startswith("redis") for entry in plan) or redis_reachable(args.redis_url)
    if not redis_ok:
        log(f"Redis is not answering at {args.redis_url}: the channels-redis runs are skipped.")

    busy_before = cpu_busy_fraction()
    if busy_before is not None and busy_before > 0.25:
        log(f"warning: other processes already use {busy_before:.0%} of the CPUs; "
            "they will take CPU from the servers and lower every figure")
    python_clients = sum(1 for e in plan if e["protocol"] == "WebSocket" or not use_wrk)
    estimate = args.repeat * (len(plan) * (args.seconds + args.warmup + 3) + python_clients * CLIENT_START_ALLOWANCE)
    log(f"{len(plan)} runs, about {estimate / 60:.1f} minutes")
    log_dir = Path(tempfile.mkdtemp(prefix="thaw-bench-"))
    rows = []
    try:
        for index, entry in enumerate(plan, 1):
            log(f"[{index}/{len(plan)}] {entry['server']} ({entry['detail']}) {entry['protocol']}"
                + (f", layer {entry['layer']}" if entry["layer"] else ""))
            attempts = [
                execute({**entry, "name": entry["name"] + (f"-{n}" if args.repeat > 1 else "")}, args, log_dir, use_wrk, redis_ok)
                for n in range(1, args.repeat + 1)
            ]
            rows.append(median_row(attempts))
    finally:
        if args.keep_logs:
            log(f"server logs kept in {log_dir}")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)

    versions = {name: version_of(name) for name in ("Django", "channels", "channels-redis", "gunicorn", "uvicorn", "daphne", "websockets")}
    meta = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_busy_before": None if busy_before is None else round(busy_before, 2),
        "repeat": args.repeat,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "versions": versions,
        "http_load": (
            f"wrk, {min(args.wrk_threads, args.connections)} threads, {args.connections} connections"
            if use_wrk else f"{min(args.connections, 16)} Python http.client processes, one connection each"
        ),
        "ws_load": f"{args.ws_clients} clients (websockets {versions['websockets']}) in {min(args.ws_processes, args.ws_clients)} processes, one frame in flight each",
        "http_view": f"GET {HTTP_PATH} (bench/urls.py: sync view, project middleware, no database)",
        "ws_consumer": f"{WS_PATH} (bench/consumers.py: ThawJsonConsumer echo, group_send when a layer is set)",
    }
    if args.json:
        print(json.dumps({"meta": meta, "results": rows, "conclusion": conclusion(rows)}, indent=2))
    else:
        print_table(rows, meta)
    return 0 if all(r["rate"] or r["note"].startswith("skipped") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
