"""uvicorn processes serving platform_site.asgi, and real WebSocket clients (the `websockets`
library) for their rooms: the room scale test and the fault tests start servers this way."""
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.support.services import REDIS_URL, REPO, database_url_for_processes, free_port

HOST = "127.0.0.1"
DEADLINE = 15.0  # seconds for anything to happen; a healthy run needs well under one


class AsgiServer:
    """uvicorn serving platform_site.asgi on a free port, in a process group of its own."""

    def __init__(
        self, name: str, log_path: Path, *, env_overrides: dict[str, str] | None = None, log_level: str = "warning"
    ):
        # `env_overrides` overrides the variables below (tests/faults/ points a server at a Redis it may stop).
        self.name, self.log_path, self.port = name, log_path, free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_BROKER")}
        env.update(
            # The settings this test runs with (platform_site.settings.test, or whatever --ds names).
            DJANGO_SETTINGS_MODULE=django_settings.SETTINGS_MODULE, DATABASE_URL=database_url_for_processes(),
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


def cookie_for(user) -> str:
    """A `Cookie` header value for a session of `user`'s, for clients of another process."""
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"


async def open_room(server: AsgiServer, session_id: int, cookie: str):
    """A WebSocket to the session's room on `server`, past its welcome, history and state."""
    from websockets.asyncio.client import connect

    socket = await connect(
        f"ws://{HOST}:{server.port}/ws/sessions/{session_id}/",
        additional_headers={"Cookie": cookie, "Origin": f"http://{HOST}:{server.port}"}, proxy=None, open_timeout=DEADLINE,
    )
    frames = [json.loads(await asyncio.wait_for(socket.recv(), DEADLINE)) for _ in range(3)]
    assert [frame["type"] for frame in frames] == ["welcome", "history", "state"], frames
    return socket


class Frames:
    """A room socket whose every frame is kept: waiting for one frame never loses another."""

    def __init__(self, socket) -> None:
        self.socket, self.seen = socket, []

    async def until(self, kind: str, condition=lambda frame: True, *, timeout: float = DEADLINE) -> dict | None:
        """The first frame (already seen or yet to come) of type `kind` meeting `condition`."""
        for frame in self.seen:
            if frame["type"] == kind and condition(frame):
                return frame
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                frame = json.loads(await asyncio.wait_for(self.socket.recv(), left))
            except TimeoutError:
                break
            self.seen.append(frame)
            if frame["type"] == kind and condition(frame):
                return frame
        return None

    async def message(self, body: str) -> dict:
        client_id = str(uuid.uuid4())
        await self.socket.send(json.dumps({"type": "message", "body": body, "client_id": client_id}))
        ack = await self.until("ack", lambda frame: frame.get("client_id") == client_id)
        assert ack, f"no ack for {body!r}: {self.seen[-5:]}"
        return ack

    def messages(self) -> list[int]:
        return [frame["seq"] for frame in self.seen if frame["type"] == "message"]
