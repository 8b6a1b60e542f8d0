#!/usr/bin/env python3
"""Live-room fan-out: the real room against a minimal Channels consumer, on each Redis channel layer.

    .venv/bin/python bench/room_fanout.py                    # both layers, the three scenarios (~3-4 min)
    .venv/bin/python bench/room_fanout.py --layer pubsub     # one layer (core or pubsub)
    .venv/bin/python bench/room_fanout.py --scenario rate --clients 100 --senders 4 --rate 8 --seconds 20
    .venv/bin/python bench/room_fanout.py --json             # one JSON object on stdout

It creates a throwaway PostgreSQL database (`thaw_bench_room`, dropped at the end) and uses a Redis
database of its own (13 unless BENCH_REDIS_URL says otherwise; flushed before and after). It seeds a
group with --clients members (each with a database session of their own, so each client is signed
in as its own member) and a facilitator. For each channel layer it starts one uvicorn process
serving bench/room_asgi.py (platform_site/asgi.py's routes and middleware plus /ws/bench/fanout/,
the minimal consumer of bench/consumers.py) with bench/room_settings.py, and runs every scenario
twice: against the live room (/ws/sessions/<id>/, a fresh session whose room is open, the
facilitator connected first so that members may send) and against the minimal consumer (joins one
group, group_send of each frame, forwards each event), with the same clients, senders and load.

Scenarios (--scenario, comma-separated; all three by default):
- rate:  --clients members + the facilitator in one room; --senders of them (the facilitator first)
         send --rate messages per second in total for --seconds (default 200 members, 5 senders,
         5 msg/s, 10 s: the target point "200 clients x 5 messages per second").
- small: 20 members + the facilitator, 2 senders, 2 msg/s for --seconds (the target "under 50 ms in
         a 20-member room at 2 messages per second").
- burst: --clients members + the facilitator; --burst-messages (300) sent as fast as possible by
         --burst-senders (30, each sending its share back to back: the room allows a burst of 20
         frames per socket). This is where throughput and the layers' loss show.

Every client is a real WebSocket (the `websockets` library, one asyncio process, its own Cookie and
an Origin header). A message's body is `bench <n> <send time>` with a fresh `client_id`; every
client counts the `message` frames it receives, once per seq (room) or per n (minimal consumer),
and a frame seen twice is a duplicate. Latency is send -> receive at each client, the sender
included. Deliveries per second are the unique deliveries over the time from the first send to the
last delivery. The server's memory is the summed VmRSS of its process group, sampled every 0.2 s.

Targets (from the live-room issue): no loss and no duplicate, ever; fan-out throughput at least
0.8x the minimal consumer's; p99 at most 2x the minimal consumer's at 200 clients x 5 msg/s, and
under 50 ms in a 20-member room at 2 msg/s.

Everything listens on 127.0.0.1. The server runs in a process group of its own and is always
stopped; the database is always dropped and the Redis database flushed, also on Ctrl+C or SIGTERM.
Progress goes to stderr; the table (or the JSON) to stdout.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.forum import postgres_create, postgres_drop, postgres_reachable  # noqa: E402
from bench.harness import LOOPBACK, BenchFailure, RunningServer, cpu_busy_fraction, fmt_ms, log, version_of  # noqa: E402

PG_DATABASE = "thaw_bench_room"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SETTINGS_MODULE = "bench.room_settings"
LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
KINDS = ("room", "minimal")
TARGET_THROUGHPUT_RATIO = 0.8
TARGET_P99_RATIO = 2.0
TARGET_SMALL_P99_MS = 50.0
ROOM_FRAMES_PER_SECOND = 10  # groups/consumers.py FRAMES_PER_SECOND: a sender above it gets too_fast
ROOM_FRAME_BURST = 20  # groups/consumers.py FRAME_BURST
CONNECT_CONCURRENCY = 16
JOIN_TIMEOUT = 90.0  # seconds for every room client to see everyone in its presence
DRAIN_QUIET = 5.0  # seconds without a new frame after the last send: what is missing by then is lost
DRAIN_MAX = 90.0
MEMORY_SAMPLE_SECONDS = 0.2


_STARTED = time.monotonic()


def say(message: str) -> None:
    """Progress on stderr, with the seconds since the start (so a slow step shows)."""
    log(f"[{time.monotonic() - _STARTED:5.0f} s] {message}")


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# ----------------------------------------------------------------------------- SCENARIOS
@dataclass
class Scenario:
    name: str
    clients: int  # members; the facilitator is one more socket
    senders: int  # the facilitator and the first members
    rate: float | None  # messages per second in total; None: a burst, as fast as possible
    seconds: float | None
    messages: int

    @property
    def sockets(self) -> int:
        return self.clients + 1

    @property
    def label(self) -> str:
        load = f"{self.rate:g} msg/s for {self.seconds:g} s" if self.rate else f"burst of {self.messages}"
        return f"{self.name}: {self.clients} members + facilitator, {self.senders} senders, {load}"


def build_scenarios(args: argparse.Namespace) -> list[Scenario]:
    known = {
        "rate": Scenario("rate", args.clients, args.senders, args.rate, args.seconds, round(args.rate * args.seconds)),
        "small": Scenario("small", 20, 2, 2.0, args.seconds, round(2.0 * args.seconds)),
        "burst": Scenario("burst", args.clients, args.burst_senders, None, None, args.burst_messages),
    }
    return [known[name] for name in args.scenario]


# ----------------------------------------------------------------------------- SERVER PROCESS GROUP
def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            pids.append(int(entry.name))
    return pids


def group_rss_kib(pgid: int) -> int:
    """VmRSS summed over the server's process group (the server and any children it started)."""
    total = 0
    for pid in _group_pids(pgid):
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def group_cpu_seconds(pgid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _group_pids(pgid):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / ticks


def wait_server_idle(pgid: int, *, timeout: float = 30.0) -> None:
    """Until the server has used under 10% of a CPU for 0.5 s (a previous run's leaves, say)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = group_cpu_seconds(pgid)
        time.sleep(0.5)
        if group_cpu_seconds(pgid) - before < 0.05:
            return


class MemorySampler(threading.Thread):
    """Samples the server's RSS every 0.2 s; keeps the peak overall and per phase (room, minimal)."""

    def __init__(self, pgid: int):
        super().__init__(daemon=True)
        self.pgid = pgid
        self.phase = "startup"
        self.peaks: dict[str, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            rss = group_rss_kib(self.pgid)
            if rss:
                self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), rss)
                self.peaks["overall"] = max(self.peaks.get("overall", 0), rss)
            self._halt.wait(MEMORY_SAMPLE_SECONDS)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


# ----------------------------------------------------------------------------- DJANGO SIDE
def bench_env(database_url: str, layer: str, conn_max_age: int) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("CELERY_BROKER_URL", "ALLOWED_HOSTS", "SECRET_KEY", "BENCH_REDIS_URL"):
        env.pop(name, None)
    pythonpath = env.get("PYTHONPATH")
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE, DATABASE_URL=database_url, REDIS_URL=REDIS_URL,
        BENCH_CHANNEL_LAYER=layer,
        # 0 by default, as docker-compose.yml's `asgi` service: no persistent connections under ASGI.
        CONN_MAX_AGE=str(conn_max_age),
        PYTHONPATH=str(REPO) + (os.pathsep + pythonpath if pythonpath else ""), PYTHONUNBUFFERED="1",
    )
    return env


def redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def django_setup(database_url: str) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE=SETTINGS_MODULE, DATABASE_URL=database_url, REDIS_URL=REDIS_URL)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(members: int) -> dict:
    """A group with `members` members and a facilitator, each with a database session of their own."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from accounts.models import User
    from accounts.services import profile_create
    from groups.models import Membership, SupportGroup

    def person(email: str, name: str, role: str) -> dict:
        user = User.objects.create_user(email=email, password=None)  # unusable: signed in by cookie only
        profile_create(user=user, display_name=name, time_zone="UTC", guidelines_accepted=True)
        Membership.objects.create(group=group, user=user, role=role, status=Membership.Status.ACTIVE)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return {"user_id": user.pk, "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}

    with transaction.atomic():
        group = SupportGroup.objects.create(name="Bench room group", slug="bench-room", description="For the benchmark.")
        facilitator = person("facilitator@bench.localhost", "Bench Facilitator", Membership.Role.FACILITATOR)
        people = [person(f"member{n}@bench.localhost", f"Bench Member {n:03d}", Membership.Role.MEMBER) for n in range(members)]
    return {"group_id": group.pk, "facilitator": facilitator, "members": people}


def room_session_create(group_id: int, title: str) -> int:
    """A session of the bench group whose room is open now (and for two hours)."""
    from datetime import timedelta

    from django.utils import timezone

    from groups.models import GroupSession

    session = GroupSession.objects.create(
        group_id=group_id, title=title[:140], starts_at=timezone.now() - timedelta(minutes=1), duration_minutes=120
    )
    return session.pk


def room_stored(session_id: int, client_ids: list[str]) -> int:
    """How many of these messages the room stored."""
    from groups.models import RoomMessage

    return RoomMessage.objects.filter(session_id=session_id, client_id__in=client_ids).count()


def wait_room_empty(session_id: int, timeout: float = 30.0) -> None:
    """Until every socket of the room is gone (each leave computes and fans out presence)."""
    from groups.models import RoomConnection

    deadline = time.monotonic() + timeout
    while RoomConnection.objects.filter(session_id=session_id).exists() and time.monotonic() < deadline:
        time.sleep(0.2)


# ----------------------------------------------------------------------------- CLIENTS
@dataclass
class Tally:
    """What the clients saw during one scenario's load."""

    kind: str
    receivers: int
    sent: dict[str, tuple[int, float]] = field(default_factory=dict)  # client_id -> (n, send time)
    per_message: list[int] = field(default_factory=list)  # unique deliveries of message n
    latencies: list[float] = field(default_factory=list)  # seconds, one per unique delivery
    delivered: int = 0
    duplicates: int = 0
    foreign: int = 0  # message frames of no message this load sent (none expected)
    acked: set = field(default_factory=set)
    ack_duplicates: int = 0
    refused: set = field(default_factory=set)
    errors: Counter = field(default_factory=Counter)
    first_send: float | None = None
    last_delivery: float | None = None
    last_progress: float = field(default_factory=time.monotonic)


class Shared:
    """What every client's reader writes to: the current load's tally (None between loads)."""

    def __init__(self) -> None:
        self.tally: Tally | None = None
        self.frames = 0
        self.last_frame = time.monotonic()
        self.closed: Counter = Counter()  # close codes of sockets the server closed


class BenchClient:
    def __init__(self, index: int, cookie: str, shared: Shared):
        self.index = index
        self.cookie = cookie
        self.shared = shared
        self.socket = None
        self.seen: set[int] = set()
        self.presence_size = 0
        self.reader: asyncio.Task | None = None
        self.closing = False

    async def open(self, url: str, origin: str, deflate: bool) -> None:
        from websockets.asyncio.client import connect

        self.socket = await connect(
            url, additional_headers={"Cookie": self.cookie, "Origin": origin}, proxy=None, open_timeout=120,
            max_size=2**22, max_queue=64, compression="deflate" if deflate else None, ping_interval=None,
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        loads, shared = json.loads, self.shared
        try:
            async for raw in self.socket:
                arrived = time.time()
                shared.frames += 1
                shared.last_frame = time.monotonic()
                frame = loads(raw)
                kind = frame.get("type")
                tally = shared.tally
                if kind == "presence":
                    self.presence_size = len(frame["participants"])
                if tally is None:
                    continue
                if kind == "message":
                    entry = tally.sent.get(frame.get("client_id"))
                    if entry is None:
                        tally.foreign += 1
                        continue
                    number, sent_at = entry
                    key = frame["seq"] if tally.kind == "room" else number
                    tally.last_progress = time.monotonic()
                    if key in self.seen:
                        tally.duplicates += 1
                        continue
                    self.seen.add(key)
                    tally.delivered += 1
                    tally.per_message[number] += 1
                    tally.latencies.append(arrived - sent_at)
                    tally.last_delivery = arrived
                elif kind == "ack":
                    tally.last_progress = time.monotonic()
                    if frame.get("duplicate"):
                        tally.ack_duplicates += 1
                    else:
                        tally.acked.add(frame["client_id"])
                elif kind == "error":
                    tally.errors[frame.get("code", "?")] += 1
                    if "client_id" in frame:
                        tally.refused.add(frame["client_id"])
        except ConnectionClosed:
            pass
        if not self.closing:
            self.shared.closed[self.socket.close_code] += 1

    async def send(self, number: int, tally: Tally) -> None:
        client_id = str(uuid.uuid4())
        sent_at = time.time()
        tally.sent[client_id] = (number, sent_at)
        if tally.first_send is None:
            tally.first_send = sent_at
        await self.socket.send(json.dumps({"type": "message", "body": f"bench {number} {sent_at:.6f}", "client_id": client_id}))

    async def close(self) -> None:
        self.closing = True
        if self.socket is not None:
            try:
                await asyncio.wait_for(self.socket.close(), 10)
            except Exception:  # a socket that will not close cleanly is dropped; the server cleans up
                pass
        if self.reader is not None:
            self.reader.cancel()


async def _wait_for(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


async def _quiet(shared: Shared, seconds: float, timeout: float = 60.0) -> None:
    """Until no frame has arrived for `seconds`."""
    await _wait_for(lambda: time.monotonic() - shared.last_frame >= seconds, timeout)


async def load(clients: list[BenchClient], scenario: Scenario, kind: str, pgid: int) -> dict:
    """One scenario's load on connected clients; returns what they saw, with CPU used meanwhile."""
    shared = clients[0].shared
    tally = Tally(kind=kind, receivers=len(clients), per_message=[0] * scenario.messages)
    for client in clients:
        client.seen = set()
    closed_before = sum(shared.closed.values())
    shared.tally = tally
    server_cpu, client_cpu = group_cpu_seconds(pgid), time.process_time()
    senders = clients[: scenario.senders]
    if scenario.rate:
        start = time.perf_counter() + 0.05
        for number in range(scenario.messages):
            delay = start + number / scenario.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await senders[number % len(senders)].send(number, tally)
    else:
        async def burst(index: int) -> None:
            for number in range(index, scenario.messages, len(senders)):
                await senders[index].send(number, tally)

        await asyncio.gather(*(burst(i) for i in range(len(senders))))
    sends_done = time.monotonic()
    tally.last_progress = sends_done
    while True:
        now = time.monotonic()
        # The room answers every message with an ack or an error: wait for all of them (storing is
        # serial, so a burst takes a while), then for the deliveries until none has come for a while.
        answered = kind != "room" or len(tally.acked) + len(tally.refused) >= len(tally.sent)
        accepted = len(tally.acked) if kind == "room" else len(tally.sent)
        if answered and tally.delivered >= accepted * tally.receivers:
            break
        if now - tally.last_progress > (DRAIN_QUIET if answered else DRAIN_MAX / 3) or now - sends_done > DRAIN_MAX:
            break
        await asyncio.sleep(0.05)
    server_cpu, client_cpu = group_cpu_seconds(pgid) - server_cpu, time.process_time() - client_cpu
    shared.tally = None
    return {"tally": tally, "server_cpu_seconds": round(server_cpu, 2), "client_cpu_seconds": round(client_cpu, 2),
            "sockets_closed_by_server": sum(shared.closed.values()) - closed_before}


async def run_clients(
    *, kind: str, scenarios: list[Scenario], url: str, origin: str, cookies: list[str], pgid: int, deflate: bool
) -> dict:
    """Connect every client, wait until the room settles, then run each scenario's load in turn."""
    shared = Shared()
    clients = [BenchClient(index, cookie, shared) for index, cookie in enumerate(cookies)]
    started = time.monotonic()
    try:
        # The facilitator first: members may send only while a facilitator is present.
        await clients[0].open(url, origin, deflate)
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def open_one(client: BenchClient) -> None:
            async with gate:
                await client.open(url, origin, deflate)

        await asyncio.gather(*(open_one(c) for c in clients[1:]))
        connected = time.monotonic() - started
        everyone = len(clients)
        complete = kind != "room" or await _wait_for(lambda: all(c.presence_size == everyone for c in clients), JOIN_TIMEOUT)
        await _quiet(shared, 0.5)
        join = {
            "sockets": everyone, "connect_seconds": round(connected, 2), "settled_seconds": round(time.monotonic() - started, 2),
            "presence_complete_clients": sum(c.presence_size == everyone for c in clients) if kind == "room" else None,
            "presence_complete": complete, "frames": shared.frames,
        }
        phases = []
        for scenario in scenarios:
            await asyncio.to_thread(wait_server_idle, pgid)
            phases.append(await load(clients, scenario, kind, pgid))
            await _quiet(shared, 1.0)
        return {"join": join, "phases": phases}
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def percentile(values: list[float], share: float) -> float | None:
    return values[min(len(values) - 1, int(share * len(values)))] if values else None


def summarise(tally: Tally, stored: int | None) -> dict:
    sent = len(tally.sent)
    accepted = len(tally.acked) if tally.kind == "room" else sent
    expected = accepted * tally.receivers
    lat = sorted(x * 1000 for x in tally.latencies)
    span = (tally.last_delivery - tally.first_send) if tally.last_delivery and tally.first_send else None
    return {
        "messages_sent": sent,
        "messages_accepted": accepted,
        "refused": len(tally.refused),
        "unanswered": sent - accepted - len(tally.refused) if tally.kind == "room" else 0,
        "errors": dict(tally.errors),
        "stored_in_database": stored,
        "expected": expected,
        "delivered": tally.delivered,
        "lost": expected - tally.delivered,
        "duplicates": tally.duplicates + tally.ack_duplicates,
        "messages_not_reaching_everyone": sum(1 for count in tally.per_message if count < tally.receivers),
        "foreign_frames": tally.foreign,
        "deliveries_per_second": tally.delivered / span if span else None,
        "span_seconds": span,
        "p50_ms": percentile(lat, 0.50), "p95_ms": percentile(lat, 0.95), "p99_ms": percentile(lat, 0.99),
        "max_ms": lat[-1] if lat else None,
    }


def _loop_factory():
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


# ----------------------------------------------------------------------------- ONE LAYER
def run_layer(layer: str, scenarios: list[Scenario], world: dict, database_url: str, log_dir: Path, args) -> dict:
    python = sys.executable
    server = RunningServer(
        lambda port: [python, "-m", "uvicorn", "bench.room_asgi:application", "--host", LOOPBACK, "--port", str(port),
                      "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
        env=bench_env(database_url, layer, args.conn_max_age), log_path=log_dir / f"uvicorn-{layer}.log",
        ready_path="/healthz/", label=f"uvicorn ({layer})",
    )
    sampler = None
    runs = []
    try:
        server.wait_ready()
        pgid = server.process.pid
        sampler = MemorySampler(pgid)
        sampler.start()
        origin = f"http://{LOOPBACK}:{server.port}"
        rss_ready = group_rss_kib(pgid)
        fanout_rooms = iter(range(1, 1_000_000))

        def connected_runs(kind: str, group: list[Scenario], *, warmup: bool = False) -> list[dict]:
            """Connect one set of clients (one room) and run the scenarios of `group` on it in turn."""
            size = group[0].clients
            cookies = [world["facilitator"]["cookie"]] + [m["cookie"] for m in world["members"][:size]]
            if kind == "room":
                session_id = room_session_create(world["group_id"], f"Bench {layer} {size}")
                url = f"ws://{LOOPBACK}:{server.port}/ws/sessions/{session_id}/"
            else:
                session_id = None
                url = f"ws://{LOOPBACK}:{server.port}/ws/bench/fanout/{next(fanout_rooms)}/"
            wait_server_idle(pgid)
            sampler.phase = "warmup" if warmup else kind
            result = asyncio.run(
                run_clients(kind=kind, scenarios=group, url=url, origin=origin, cookies=cookies, pgid=pgid, deflate=args.deflate),
                loop_factory=_loop_factory(),
            )
            sampler.phase = "between"
            rows = []
            for scenario, phase in zip(group, result["phases"]):
                tally = phase["tally"]
                stored = room_stored(session_id, list(tally.sent)) if session_id else None
                rows.append({"layer": layer, "scenario": scenario.name, "label": scenario.label, "kind": kind,
                             **summarise(tally, stored), "join": result["join"],
                             **{name: phase[name] for name in ("server_cpu_seconds", "client_cpu_seconds", "sockets_closed_by_server")}})
            if session_id:
                wait_room_empty(session_id)
            if server.process.poll() is not None:
                raise BenchFailure(f"uvicorn ({layer}) exited:\n{server.log_tail()}")
            return rows

        say("  warm-up (5 members, 10 messages, room and minimal)")
        for kind in KINDS:
            connected_runs(kind, [Scenario("warmup", 5, 2, 20.0, 0.5, 10)], warmup=True)
        # Scenarios with the same room size share one set of connections (one join each), the burst last.
        groups: dict[int, list[Scenario]] = {}
        for scenario in sorted(scenarios, key=lambda s: s.rate is None):
            groups.setdefault(scenario.clients, []).append(scenario)
        for group in groups.values():
            for kind in KINDS:
                say(f"  {group[0].clients} members + facilitator, {kind}: {', '.join(s.name for s in group)}")
                for row in connected_runs(kind, group):
                    say(f"    {row['scenario']}: delivered {row['delivered']:,}/{row['expected']:,}, dup {row['duplicates']}, "
                        f"p50 {fmt_ms(row['p50_ms'])}, p99 {fmt_ms(row['p99_ms'])}, {row['deliveries_per_second'] or 0:,.0f} deliveries/s"
                        + (f", errors {row['errors']}" if row["errors"] else "")
                        + f" (joined in {row['join']['settled_seconds']:.1f} s)")
                    runs.append(row)
        memory = {"ready_kib": rss_ready, **{f"peak_{name}_kib": value for name, value in sampler.peaks.items()
                                             if name in ("room", "minimal", "overall")}}
        return {"runs": runs, "memory": memory}
    finally:
        try:
            if sampler is not None:
                sampler.stop()
        finally:
            server.stop()


# ----------------------------------------------------------------------------- REPORT
def compare(runs: list[dict]) -> list[dict]:
    """Per layer and scenario: room figures over the minimal consumer's."""
    rows = []
    index = {(r["layer"], r["scenario"], r["kind"]): r for r in runs}
    for (layer, scenario, kind), room in index.items():
        if kind != "room" or (layer, scenario, "minimal") not in index:
            continue
        minimal = index[(layer, scenario, "minimal")]

        def ratio(name: str) -> float | None:
            return room[name] / minimal[name] if room[name] and minimal[name] else None

        rows.append({"layer": layer, "scenario": scenario, "throughput_ratio": ratio("deliveries_per_second"),
                     "p99_ratio": ratio("p99_ms"), "p50_ratio": ratio("p50_ms")})
    return rows


def verdicts(runs: list[dict], ratios: list[dict], layer: str) -> list[dict]:
    mine = [r for r in runs if r["layer"] == layer]
    rooms = [r for r in mine if r["kind"] == "room"]
    by_scenario = {r["scenario"]: r for r in ratios if r["layer"] == layer}
    small = next((r for r in rooms if r["scenario"] == "small"), None)
    out = []
    if rooms:
        bad = [r for r in rooms if r["lost"] or r["duplicates"] or r["refused"] or r["messages_not_reaching_everyone"]]
        detail = "; ".join(f"{r['scenario']}: lost {r['lost']}, duplicates {r['duplicates']}, refused {r['refused']}"
                           for r in rooms)
        out.append({"target": "room: no loss and no duplicate", "met": not bad, "detail": detail})
    through = by_scenario.get("burst") or by_scenario.get("rate")
    if through and through["throughput_ratio"] is not None:
        out.append({"target": f"throughput >= {TARGET_THROUGHPUT_RATIO}x minimal ({through['scenario']})",
                    "met": through["throughput_ratio"] >= TARGET_THROUGHPUT_RATIO,
                    "detail": f"{through['throughput_ratio']:.2f}x"})
    rate = by_scenario.get("rate")
    if rate and rate["p99_ratio"] is not None:
        out.append({"target": f"p99 <= {TARGET_P99_RATIO:g}x minimal (rate)", "met": rate["p99_ratio"] <= TARGET_P99_RATIO,
                    "detail": f"{rate['p99_ratio']:.2f}x"})
    if small and small["p99_ms"] is not None:
        out.append({"target": f"p99 < {TARGET_SMALL_P99_MS:g} ms, 20-member room at 2 msg/s",
                    "met": small["p99_ms"] < TARGET_SMALL_P99_MS, "detail": fmt_ms(small["p99_ms"])})
    return out


def print_report(result: dict) -> None:
    meta = result["meta"]
    print(f"Live-room fan-out - {meta['cpus']} CPUs, Python {meta['python']}, Django {meta['versions']['Django']}, "
          f"channels {meta['versions']['channels']}, channels-redis {meta['versions']['channels-redis']}, "
          f"uvicorn {meta['versions']['uvicorn']} (1 worker), PostgreSQL, Redis; clients and server share this machine")
    for scenario in meta["scenarios"]:
        print(f"  {scenario}")
    print()
    headers = ["layer", "scenario", "consumer", "delivered/expected", "dup", "deliveries/s", "p50", "p95", "p99", "max",
               "CPU server/clients"]
    table = [headers]
    for r in result["runs"]:
        table.append([
            r["layer"], r["scenario"], r["kind"], f"{r['delivered']:,}/{r['expected']:,}", str(r["duplicates"]),
            f"{r['deliveries_per_second']:,.0f}" if r["deliveries_per_second"] else "-",
            fmt_ms(r["p50_ms"]), fmt_ms(r["p95_ms"]), fmt_ms(r["p99_ms"]), fmt_ms(r["max_ms"]),
            f"{r['server_cpu_seconds']:.1f} s / {r['client_cpu_seconds']:.1f} s",
        ])
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    for n, line in enumerate(table):
        print("  ".join(c.rjust(widths[i]) if i >= 3 else c.ljust(widths[i]) for i, c in enumerate(line)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    notes = [r for r in result["runs"] if r["errors"] or r["foreign_frames"] or r["unanswered"] or r["sockets_closed_by_server"]
             or (r["kind"] == "room" and r["stored_in_database"] != r["messages_accepted"])]
    for r in notes:
        print(f"note: {r['layer']} {r['scenario']} {r['kind']}: {r['messages_sent']} sent, {r['messages_accepted']} acked, "
              f"{r['stored_in_database']} stored, {r['unanswered']} unanswered, errors {r['errors'] or 'none'}, "
              f"{r['sockets_closed_by_server']} sockets closed by the server, {r['foreign_frames']} foreign frames")
    joins = {(r["layer"], r["join"]["sockets"]): r["join"] for r in result["runs"] if r["kind"] == "room"}
    if joins:
        print("\nJoining the room (before any clock starts): sockets, all connected after / settled after, "
              "clients whose last presence lists everyone, frames received while joining")
        for (layer, sockets), j in joins.items():
            print(f"  {layer:<7}{sockets:>4} sockets: {j['connect_seconds']:>5.1f} s / {j['settled_seconds']:>5.1f} s, "
                  f"{j['presence_complete_clients']}/{sockets}, {j['frames']:,} frames")
    print("\nRoom over minimal consumer (same layer, server, clients and load):")
    for c in result["ratios"]:
        parts = [f"throughput {c['throughput_ratio']:.2f}x" if c["throughput_ratio"] else "throughput -",
                 f"p50 {c['p50_ratio']:.2f}x" if c["p50_ratio"] else "p50 -",
                 f"p99 {c['p99_ratio']:.2f}x" if c["p99_ratio"] else "p99 -"]
        print(f"  {c['layer']:<7}{c['scenario']:<7}" + ", ".join(parts))
    print("\nServer memory (VmRSS of uvicorn's process group, sampled every 0.2 s):")
    for layer, memory in result["memory"].items():
        print(f"  {layer:<7}ready {memory['ready_kib'] / 1024:.0f} MiB, peak during room runs "
              f"{memory.get('peak_room_kib', 0) / 1024:.0f} MiB, during minimal runs {memory.get('peak_minimal_kib', 0) / 1024:.0f} MiB, "
              f"overall {memory.get('peak_overall_kib', 0) / 1024:.0f} MiB")
    print("\nTargets:")
    for layer, items in result["verdicts"].items():
        for v in items:
            print(f"  {layer:<7}{v['target']}: {'met' if v['met'] else 'NOT met'} ({v['detail']})")
    burst = [r for r in result["runs"] if r["scenario"] == "burst"]
    if burst:
        print("\nBurst loss per layer: " + "; ".join(
            f"{r['layer']} {r['kind']} lost {r['lost']:,} of {r['expected']:,} ({r['lost'] / r['expected']:.1%})"
            for r in burst if r["expected"]))


# ----------------------------------------------------------------------------- MAIN
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layer", choices=["core", "pubsub", "both"], default="both")
    parser.add_argument("--scenario", default="rate,small,burst", help="comma-separated: rate, small, burst (default all)")
    parser.add_argument("--clients", type=int, default=200, help="members in the room, besides the facilitator (rate, burst)")
    parser.add_argument("--senders", type=int, default=5, help="senders in the rate scenario, the facilitator first")
    parser.add_argument("--rate", type=float, default=5.0, help="messages per second in total (rate scenario)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of load (rate and small scenarios)")
    parser.add_argument("--burst-messages", type=int, default=300)
    parser.add_argument("--burst-senders", type=int, default=30)
    parser.add_argument(
        "--deflate", action="store_true",
        help="offer permessage-deflate as browsers do (off by default: decompressing in Python makes the clients the bottleneck)",
    )
    parser.add_argument("--conn-max-age", type=int, default=0, help="the server's CONN_MAX_AGE (default 0, as the asgi service)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs and say where")
    args = parser.parse_args(argv)
    args.scenario = [name.strip() for name in args.scenario.split(",") if name.strip()]
    if not args.scenario or any(name not in ("rate", "small", "burst") for name in args.scenario):
        parser.error("--scenario takes rate, small and/or burst, comma-separated")
    if not 1 <= args.clients <= 2000:
        parser.error("--clients must be between 1 and 2000")
    if not 1 <= args.senders <= args.clients + 1 or not 1 <= args.burst_senders <= args.clients + 1:
        parser.error("senders must be between 1 and --clients + 1 (the facilitator and the members)")
    if not 0 < args.rate / args.senders <= ROOM_FRAMES_PER_SECOND:
        parser.error(f"--rate / --senders must be above 0 and at most {ROOM_FRAMES_PER_SECOND} (the room's limit per socket)")
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be above 0 and at most 600")
    if not 1 <= args.burst_messages <= 100_000 or -(-args.burst_messages // args.burst_senders) > ROOM_FRAME_BURST:
        parser.error(f"each burst sender may send at most {ROOM_FRAME_BURST} frames at once: raise --burst-senders")
    if urlsplit(REDIS_URL).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("BENCH_REDIS_URL must point at this machine")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    layers = ["core", "pubsub"] if args.layer == "both" else [args.layer]
    scenarios = build_scenarios(args)
    ok, why = postgres_reachable()
    if not ok:
        log(f"PostgreSQL is not reachable on 127.0.0.1:5432 as postgres ({why}); this benchmark needs it")
        return 2
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        log(f"Redis is not answering at {REDIS_URL} ({exc}); this benchmark needs it")
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    busy = cpu_busy_fraction()
    if busy is not None and busy > 0.25:
        log(f"warning: other processes already use {busy:.0%} of the CPUs; every figure will be lower")
    log_dir = Path(tempfile.mkdtemp(prefix="thaw-bench-room-"))
    runs, memory = [], {}
    database_url = postgres_create(PG_DATABASE)
    try:
        redis_flush()
        say("migrating and seeding")
        django_setup(database_url)
        world = seed(max([s.clients for s in scenarios] + [5]))
        for layer in layers:
            say(f"layer {layer} ({LAYERS[layer]})")
            figures = run_layer(layer, scenarios, world, database_url, log_dir, args)
            runs += figures["runs"]
            memory[layer] = figures["memory"]
            redis_flush()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        postgres_drop(PG_DATABASE)
        try:
            redis_flush()
        except Exception as exc:
            log(f"warning: could not flush {REDIS_URL}: {exc}")
        if args.keep_logs:
            log(f"server logs kept in {log_dir}")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)
    ratios = compare(runs)
    result = {
        "meta": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "cpu_busy_before": busy,
            "versions": {name: version_of(name) for name in ("Django", "channels", "channels-redis", "uvicorn", "websockets", "redis")},
            "scenarios": [s.label for s in scenarios], "layers": {name: LAYERS[name] for name in layers},
            "redis_url": REDIS_URL, "server": "uvicorn bench.room_asgi:application, 1 worker, CONN_MAX_AGE=0",
        },
        "runs": runs,
        "ratios": ratios,
        "memory": memory,
        "verdicts": {layer: verdicts(runs, ratios, layer) for layer in layers},
    }
    if args.json:
        print(json.dumps(result, indent=1, default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o)))
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted; everything started was stopped and removed")
        sys.exit(130)
    except BenchFailure as failure:
        log(f"failed: {failure}")
        sys.exit(1)
