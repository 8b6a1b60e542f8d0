#!/usr/bin/env python3
"""A bounded soak: members reading, posting in the forum and chatting in several rooms at once.

    .venv/bin/python bench/soak.py                  # 60 s of mixed load (progress on stderr)
    .venv/bin/python bench/soak.py --seconds 10     # the short form CI runs
    .venv/bin/python bench/soak.py --rooms 4 --members-per-room 10 --chat-rate 3 --json

One uvicorn process (platform_site.asgi, as the compose `asgi` service: 1 worker, CONN_MAX_AGE=0)
with PostgreSQL (a throwaway database, `thaw_bench_soak`, dropped at the end), Redis (database 12,
`BENCH_REDIS_URL` to change; flushed before and after) as channel layer (Pub/Sub, as production),
cache and broker, and a real Celery worker on the `risk` queue. For --seconds, at the same time:
readers request the group page, a topic page and the room page in turn; posters reply in the forum
(each account at most once per 10 s, under the posting limit); in each room members and the
facilitator chat at --chat-rate messages per second in total. Then it waits for the deliveries and
the worker to finish, and prints throughput, p50/p99 latency per kind, and the counts: messages
sent, acked, stored, delivered (to every socket of the room) and assessed, posts sent and stored
and assessed. They must match; if any does not, it prints MISMATCH and exits 1.
"""
from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

from bench.forum import postgres_create, postgres_drop  # noqa: E402
from bench.harness import LOOPBACK, BenchFailure, RunningServer, fmt_ms, log  # noqa: E402
from bench.pipeline_latency import _ProcessHandle, _wait_for_workers  # noqa: E402
from bench.room_fanout import (  # noqa: E402
    BenchClient, Shared, Tally, bench_env, django_setup, percentile, redis_flush, room_session_create, seed,
)

PG_DATABASE = "thaw_bench_soak"
POST_EVERY_SECONDS = 10.0  # per poster account: 6 a minute, the forum's posting limit
DRAIN_SECONDS = 60.0
# As the compose `asgi` service runs it: one worker.
UVICORN = ["-m", "uvicorn", "platform_site.asgi:application", "--host", LOOPBACK, "--lifespan", "off",
           "--no-access-log", "--log-level", "warning"]  # at most, for deliveries and assessments after the load stops
CALM_REPLIES = (
    "Same here, the flatness comes and goes for me.",
    "A short walk helped a little today, nothing dramatic.",
    "I noticed I laughed at something this morning. Small, but real.",
    "Thanks for writing this, it sounds familiar.",
)


# ----------------------------------------------------------------------------- the world
def seed_world(*, rooms: int, members_per_room: int, posters: int) -> dict:
    """room_fanout's group and people, sessions open now, a topic; poster accounts older than a day."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from groups.services import topic_create

    world = seed(rooms * members_per_room + posters)
    people = world["members"]
    room_members = [people[n * members_per_room:(n + 1) * members_per_room] for n in range(rooms)]
    poster_people = people[rooms * members_per_room:]
    # New accounts may post 3 times in 10 minutes; these are older, with the usual 6 a minute.
    User.objects.filter(pk__in=[p["user_id"] for p in poster_people]).update(date_joined=timezone.now() - timedelta(days=30))
    author = User.objects.get(pk=poster_people[0]["user_id"])
    from groups.models import SupportGroup

    group = SupportGroup.objects.get(pk=world["group_id"])
    topic = topic_create(group=group, author=author, title="How was your week?", body="Anything at all, big or small.")
    sessions = [room_session_create(world["group_id"], f"Soak room {n}") for n in range(rooms)]
    return {**world, "group_slug": group.slug, "room_members": room_members, "posters": poster_people, "topic_id": topic.pk, "sessions": sessions}


def counts(world: dict, client_ids: list[str]) -> dict:
    from groups.models import Post, RoomMessage
    from moderation.models import RiskAssessment

    messages = RoomMessage.objects.filter(session_id__in=world["sessions"], client_id__in=client_ids)
    posts = Post.objects.filter(topic_id=world["topic_id"], is_opening=False)
    assessed = RiskAssessment.objects.filter(status=RiskAssessment.Status.ASSESSED)
    return {
        "messages_stored": messages.count(),
        "posts_stored": posts.count(),
        "messages_assessed": assessed.filter(content_kind="room_message", content_id__in=messages.values("pk")).count(),
        "posts_assessed": assessed.filter(content_kind="post", content_id__in=posts.values("pk")).count(),
    }


# ----------------------------------------------------------------------------- HTTP load
def _request(port: int, method: str, path: str, cookie: str, body: str | None = None) -> tuple[int, float]:
    """One request on a fresh connection (as a browser tab would open one); status and seconds."""
    csrf = secrets.token_hex(16)  # Django accepts a matching cookie and header; no page fetch needed
    headers = {"Cookie": f"{cookie}; csrftoken={csrf}", "X-CSRFToken": csrf, "Origin": f"http://{LOOPBACK}:{port}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


async def reader(port: int, cookie: str, paths: list[str], until: float, figures: dict) -> None:
    n = 0
    while time.monotonic() < until:
        status, seconds = await asyncio.to_thread(_request, port, "GET", paths[n % len(paths)], cookie)
        figures["read"].append(seconds)
        if status != 200:
            figures["read_errors"] += 1
        n += 1


async def poster(port: int, person: dict, path: str, until: float, figures: dict, offset: float) -> None:
    from urllib.parse import urlencode

    await asyncio.sleep(min(offset, max(0.0, until - time.monotonic())))
    while time.monotonic() < until:
        started = time.monotonic()
        body = f"{CALM_REPLIES[len(figures['post']) % len(CALM_REPLIES)]} ({secrets.token_hex(4)})"
        status, seconds = await asyncio.to_thread(_request, port, "POST", path, person["cookie"], urlencode({"body": body}))
        figures["post"].append(seconds)
        if status != 302:
            figures["post_errors"] += 1
        next_at = min(started + POST_EVERY_SECONDS, until)  # never past the end of the load
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


# ----------------------------------------------------------------------------- rooms
async def chat(clients: list[BenchClient], tally: Tally, rate: float, until: float) -> None:
    """`rate` messages a second into one room, from its clients in turn."""
    n = 0
    next_at = time.monotonic()
    while next_at < until:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        tally.per_message.append(0)
        await clients[n % len(clients)].send(n, tally)
        n += 1
        next_at += 1.0 / rate


async def run_load(port: int, world: dict, args: argparse.Namespace) -> dict:
    origin = f"http://{LOOPBACK}:{port}"
    rooms = []
    for session_id, people in zip(world["sessions"], world["room_members"], strict=True):
        shared = Shared()
        clients = [BenchClient(n, person["cookie"], shared) for n, person in enumerate([world["facilitator"], *people])]
        for client in clients:  # the facilitator first: members may speak once one is there
            await client.open(f"ws://{LOOPBACK}:{port}/ws/sessions/{session_id}/", origin, False)
        tally = Tally(kind="room", receivers=len(clients))
        rooms.append((session_id, clients, shared, tally))
    deadline = time.monotonic() + 60
    while any(client.presence_size < len(clients) for _s, clients, _sh, _t in rooms for client in clients):
        if time.monotonic() > deadline:
            raise BenchFailure("the room clients did not all see each other within 60 s")
        await asyncio.sleep(0.1)
    log(f"{len(rooms)} rooms of {len(rooms[0][1])} sockets joined; load for {args.seconds:.0f} s")

    figures = {"read": [], "read_errors": 0, "post": [], "post_errors": 0}
    group = f"/groups/{world['group_slug']}/"
    read_paths = [group, f"{group}topics/{world['topic_id']}/", f"{group}sessions/{world['sessions'][0]}/room/"]
    started = time.monotonic()
    until = started + args.seconds
    for _session, _clients, shared, tally in rooms:
        shared.tally = tally
    tasks = [asyncio.create_task(chat(clients, tally, args.chat_rate, until)) for _s, clients, _sh, tally in rooms]
    tasks += [asyncio.create_task(reader(port, world["members"][n]["cookie"], read_paths, until, figures))
              for n in range(args.readers)]
    reply = f"{group}topics/{world['topic_id']}/reply/"
    tasks += [asyncio.create_task(poster(port, person, reply, until, figures, n * POST_EVERY_SECONDS / len(world["posters"])))
              for n, person in enumerate(world["posters"])]
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started

    # Deliveries: until every socket has every stored message, or nothing new for a while.
    drain_until = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < drain_until:
        # Every send answered first: a late ack would otherwise end the wait before its deliveries.
        complete = all(len(tally.acked) + len(tally.refused) >= len(tally.sent)
                       and tally.delivered >= len(tally.acked) * tally.receivers for _s, _c, _sh, tally in rooms)
        quiet = all(time.monotonic() - tally.last_progress > 5 for _s, _c, _sh, tally in rooms)
        if complete or quiet:
            break
        await asyncio.sleep(0.1)
    for _session, clients, _shared, _tally in rooms:
        for client in clients:
            await client.close()
    return {"elapsed": elapsed, "rooms": rooms, **figures}


# ----------------------------------------------------------------------------- report
def summary(load: dict, stored: dict, args: argparse.Namespace) -> dict:
    tallies = [tally for _s, _c, _sh, tally in load["rooms"]]
    elapsed = load["elapsed"]
    sent = sum(len(t.sent) for t in tallies)
    acked = sum(len(t.acked) for t in tallies)
    expected = sum(len(t.acked) * t.receivers for t in tallies)
    delivered = sum(t.delivered for t in tallies)
    latencies = sorted(s for t in tallies for s in t.latencies)
    posts_sent = len(load["post"])
    result = {
        "seconds": round(elapsed, 1),
        "throughput_per_second": {
            "page reads": round(len(load["read"]) / elapsed, 1), "forum posts": round(posts_sent / elapsed, 2),
            "room messages": round(sent / elapsed, 2), "room deliveries": round(delivered / elapsed, 1),
        },
        "latency_ms": {
            "page read": _percentiles(load["read"]), "forum post": _percentiles(load["post"]),
            "room message (send to each socket)": _percentiles(latencies),
        },
        "counts": {
            "messages sent": sent, "messages acked": acked, "messages stored": stored["messages_stored"],
            "deliveries expected": expected, "deliveries": delivered,
            "duplicate deliveries": sum(t.duplicates for t in tallies),
            "messages assessed": stored["messages_assessed"],
            "posts sent": posts_sent, "posts stored": stored["posts_stored"], "posts assessed": stored["posts_assessed"],
            "page read errors": load["read_errors"], "post errors": load["post_errors"],
            "room errors": sum(sum(t.errors.values()) for t in tallies),
        },
    }
    c = result["counts"]
    mismatches = [
        name for name, ok in (
            ("messages sent = acked = stored", c["messages sent"] == c["messages acked"] == c["messages stored"]),
            ("every stored message delivered to every socket of its room, once",
             c["deliveries"] == c["deliveries expected"] and c["duplicate deliveries"] == 0),
            ("every stored message assessed", c["messages assessed"] == c["messages stored"]),
            ("posts sent = stored = assessed", c["posts sent"] == c["posts stored"] == c["posts assessed"]),
            ("no errors", c["page read errors"] == c["post errors"] == c["room errors"] == 0),
            # Matching zeros prove nothing: the load must really have happened.
            ("some pages read, posts and room messages sent",
             min(len(load["read"]), c["posts sent"], c["messages sent"]) > 0),
        ) if not ok
    ]
    result["mismatches"] = mismatches
    return result


def _percentiles(seconds: list[float]) -> dict:
    values = sorted(seconds)
    return {"count": len(values), "p50": _ms(percentile(values, 0.50)), "p99": _ms(percentile(values, 0.99))}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def print_report(result: dict, args: argparse.Namespace) -> None:
    print(f"soak: {result['seconds']} s, {args.rooms} rooms x {args.members_per_room} members + facilitator at "
          f"{args.chat_rate} msg/s each, {args.readers} readers, {args.posters} poster accounts; "
          "one uvicorn, PostgreSQL, Redis, one risk worker")
    print("\nthroughput (per second)")
    for name, value in result["throughput_per_second"].items():
        print(f"  {name:<40}{value:>10}")
    print("\nlatency")
    print(f"  {'kind':<40}{'count':>8}{'p50':>12}{'p99':>12}")
    for name, figures in result["latency_ms"].items():
        print(f"  {name:<40}{figures['count']:>8}{fmt_ms(figures['p50']):>12}{fmt_ms(figures['p99']):>12}")
    print("\ncounts")
    for name, value in result["counts"].items():
        print(f"  {name:<40}{value:>10}")
    if result["mismatches"]:
        print("\n" + "!" * 72)
        for name in result["mismatches"]:
            print(f"MISMATCH: {name}")
        print("!" * 72)
    else:
        print("\nall counts match")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load runs (default 60)")
    parser.add_argument("--rooms", type=int, default=3)
    parser.add_argument("--members-per-room", type=int, default=8)
    parser.add_argument("--chat-rate", type=float, default=2.0, help="messages per second into each room")
    parser.add_argument("--readers", type=int, default=4, help="members reading pages back to back")
    parser.add_argument("--posters", type=int, default=20, help="accounts replying in the forum, each every 10 s")
    parser.add_argument("--json", action="store_true", help="the figures as one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = postgres_create(PG_DATABASE)
    redis_flush()
    env = bench_env(database_url, "pubsub", 0)
    running: list = []
    log_dir = Path(tempfile.mkdtemp(prefix="thaw-bench-soak-"))
    try:
        log("migrating and seeding")
        django_setup(database_url)
        world = seed_world(rooms=args.rooms, members_per_room=args.members_per_room, posters=args.posters)
        server = RunningServer(lambda port: [sys.executable, *UVICORN, "--port", str(port)], env=env,
                               log_path=log_dir / "uvicorn.log", ready_path="/healthz/", label="uvicorn")
        running += [server, subprocess_worker(sys.executable, env, log_dir)]
        server.wait_ready()
        _wait_for_workers(1)
        load = asyncio.run(run_load(server.port, world, args))
        log("waiting for the worker to assess everything stored")
        client_ids = [client_id for _s, _c, _sh, tally in load["rooms"] for client_id in tally.sent]
        drain_until = time.monotonic() + DRAIN_SECONDS
        while True:
            stored = counts(world, client_ids)
            done = (stored["messages_assessed"] == stored["messages_stored"] and stored["posts_assessed"] == stored["posts_stored"])
            if done or time.monotonic() > drain_until:
                break
            time.sleep(0.5)
        result = summary(load, stored, args)
    finally:
        for process in reversed(running):
            process.stop()
        from django.db import connections

        connections.close_all()
        postgres_drop(PG_DATABASE)
        redis_flush()
        log(f"server and worker logs: {log_dir}")
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print_report(result, args)
    return 1 if result["mismatches"] else 0


def subprocess_worker(python: str, env: dict, log_dir: Path) -> _ProcessHandle:
    """One Celery worker on the `risk` queue only, in a process group of its own."""
    import subprocess

    command = [python, "-m", "celery", "-A", "platform_site", "worker", "-Q", "risk", "-n", "risk@soak"]
    command += ["--concurrency", "1", "--without-gossip", "--without-mingle", "-l", "WARNING"]
    log_file = open(log_dir / "worker-risk.log", "wb")
    return _ProcessHandle(subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    ))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchFailure as failure:
        print(f"soak failed: {failure}", file=sys.stderr)
        sys.exit(1)
