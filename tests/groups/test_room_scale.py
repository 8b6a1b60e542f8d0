"""The live room across web processes: two real ASGI servers sharing one Redis and one database.

Production runs several `asgi` processes (docker-compose.yml's ASGI_WORKERS, more nodes): a message
stored through one must reach the members connected to another, through the channel layer, and
presence (read from the database's RoomConnection rows) must list everyone wherever they are.
Here two uvicorn processes serve platform_site.asgi on two ports, with the test settings (so with
the channel layer they configure), the test database and REDIS_URL; real WebSocket clients (the
`websockets` library) connect to each.
"""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from groups.models import GroupSession
from tests.groups.factories import MembershipFactory, SupportGroupFactory

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRESQL = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]
HOST = "127.0.0.1"
DEADLINE = 15.0  # seconds for anything to happen; a healthy run needs well under one

pytestmark = [
    pytest.mark.redis,
    pytest.mark.serial,  # real worker or server processes, timed: after the parallel part
    pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL: the channel layer the two servers share (CI's second run)"),
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="needs a PostgreSQL DATABASE_URL: the server processes must share the test database (CI's second run)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _test_database_url() -> str:
    """The test database (not the one DATABASE_URL names) as a URL for the servers' settings."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/{quote(db['NAME'], safe='')}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class AsgiServer:
    """uvicorn serving platform_site.asgi on a free port, in a process group of its own."""

    def __init__(
        self, name: str, log_path: Path, *, env_overrides: dict[str, str] | None = None, log_level: str = "warning"
    ):
        # `env_overrides` overrides the variables below (tests/faults/ points a server at a Redis it may stop).
        self.name, self.log_path, self.port = name, log_path, _free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_BROKER")}
        env.update(
            # The settings this test runs with (platform_site.settings.test, or whatever --ds names).
            DJANGO_SETTINGS_MODULE=django_settings.SETTINGS_MODULE, DATABASE_URL=_test_database_url(),
            REDIS_URL=REDIS_URL, PYTHONUNBUFFERED="1",
        )
        env.update(env_overrides or {})
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "platform_site.asgi:application", "--host", HOST, "--port", str(self.port),
                 "--lifespan", "off", "--no-access-log", "--log-level", log_level],
                cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopping it stops nothing else
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_ready(self) -> None:
        import http.client

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail(f"{self.name} did not answer GET /healthz/ within 30 s:\n{self.log()}")

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two uvicorn processes on the test database and REDIS_URL; always stopped before the flush."""
    servers = [AsgiServer(f"server {n}", tmp_path / f"server-{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
            print(f"---- log of {server.name} ----\n{server.log()}")  # shown only when the test failed


def _cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"


async def _open(server: AsgiServer, session_id: int, cookie: str):
    from websockets.asyncio.client import connect

    socket = await connect(
        f"ws://{HOST}:{server.port}/ws/sessions/{session_id}/",
        additional_headers={"Cookie": cookie, "Origin": f"http://{HOST}:{server.port}"}, proxy=None, open_timeout=DEADLINE,
    )
    frames = [json.loads(await asyncio.wait_for(socket.recv(), DEADLINE)) for _ in range(3)]
    assert [frame["type"] for frame in frames] == ["welcome", "history", "state"], frames
    return socket


async def _until(socket, kind: str, condition=lambda frame: True) -> dict:
    """The first frame of type `kind` meeting `condition`, skipping everything else."""
    deadline = time.monotonic() + DEADLINE
    while (left := deadline - time.monotonic()) > 0:
        frame = json.loads(await asyncio.wait_for(socket.recv(), left))
        if frame["type"] == kind and condition(frame):
            return frame
    raise AssertionError(f"no {kind} frame as expected within {DEADLINE:.0f} s")


def _names(presence: dict) -> set[str]:
    return {participant["display_name"] for participant in presence["participants"]}


def test_a_message_sent_through_one_server_reaches_a_member_on_another_and_presence_spans_both(two_servers):
    server_one, server_two = two_servers
    group = SupportGroupFactory()
    facilitator = MembershipFactory(group=group, facilitator=True).user
    member_a = MembershipFactory(group=group).user
    member_b = MembershipFactory(group=group).user
    session = GroupSession.objects.create(
        group=group, title="Across processes", starts_at=timezone.now() - timedelta(minutes=1), duration_minutes=60
    )
    cookies = {user.pk: _cookie_for(user) for user in (facilitator, member_a, member_b)}
    everyone = {str(user.display_name) for user in (facilitator, member_a, member_b)}

    async def scenario() -> None:
        # The facilitator on server two lets member A, on server one, send: presence is one list.
        leader = await _open(server_two, session.pk, cookies[facilitator.pk])
        a = await _open(server_one, session.pk, cookies[member_a.pk])
        b = await _open(server_two, session.pk, cookies[member_b.pk])
        try:
            for socket in (a, b, leader):
                presence = await _until(socket, "presence", lambda frame: _names(frame) == everyone)
                assert presence["facilitator_present"] is True

            client_id = str(uuid.uuid4())
            await a.send(json.dumps({"type": "message", "body": "Hello from the first server.", "client_id": client_id}))
            ack = await _until(a, "ack", lambda frame: frame["client_id"] == client_id)
            assert ack["duplicate"] is False
            for socket in (b, leader, a):
                received = await _until(socket, "message", lambda frame: frame["client_id"] == client_id)
                assert (received["seq"], received["id"]) == (ack["seq"], ack["id"])
                assert received["body"] == "Hello from the first server."
                assert received["author"]["user_id"] == member_a.pk

            await b.close()
            presence = await _until(a, "presence", lambda frame: len(frame["participants"]) == 2)
            assert _names(presence) == {str(facilitator.display_name), str(member_a.display_name)}
        finally:
            for socket in (a, b, leader):
                await socket.close()

    asyncio.run(scenario())
