"""A real Celery worker as a subprocess, a Redis of the test's own that it may stop, and the broker
switch: the risk pipeline's fault tests and tests/faults/ use them, waiting with `wait_until`.

The fixtures (`start_worker`, `tasks_sent_to_the_broker`, `private_redis`, `site_on_private_redis`)
are imported into the conftests of the tests that use them.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from kombu import pools

from platform_site.celery import app
from tests.support.services import REPO, database_url_for_processes, free_port

CELERY = Path(sys.executable).with_name("celery")

# Generous for a slow CI machine; a healthy run answers in well under a second.
DEADLINE = 20.0


def wait_until(condition: Callable[[], Any], *, what: str, timeout: float = DEADLINE) -> Any:
    """Poll `condition` until it returns something truthy (returned), or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
    return result


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def task_failures(self) -> list[str]:
        """Celery's log lines for tasks that raised: an outcome that looks right may hide one."""
        return [line for line in self.log().splitlines() if "raised unexpected" in line]

    def stop(self) -> None:
        # A warm shutdown first (the worker closes its connections to the test database, which
        # must be free for the flush after the test), then nothing of the group is left alive.
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)


def active_tasks(worker: WorkerProcess) -> list[dict] | None:
    """The tasks the worker's pool processes are running now; None if its reply was not in time."""
    replies = app.control.inspect(destination=[worker.name], timeout=1.0).active() or {}
    return replies.get(worker.name)


@pytest.fixture
def start_worker(transactional_db, tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """`start_worker(redis_url=..., concurrency=N)` runs `celery worker` as a subprocess
    (`log_level` and `settings_module` as an operator would set them).

    It serves the queues production serves, on the test database, with the given Redis as broker,
    cache and channel layer, and returns once it answers a ping through this process's Celery app
    (which must already point at the same broker). Every worker started is stopped, with its pool
    children, before the database is flushed (this fixture depends on `transactional_db`).
    """
    started: list[WorkerProcess] = []

    def _start(
        *, redis_url: str, concurrency: int = 1, log_level: str | None = None,
        settings_module: str = "platform_site.settings.test",
    ) -> WorkerProcess:
        assert app.conf.broker_write_url == redis_url, "point this process's Celery app at the worker's broker first"
        name = f"faults-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_BROKER")}
        env.update(
            DJANGO_SETTINGS_MODULE=settings_module, REDIS_URL=redis_url,
            DATABASE_URL=database_url_for_processes(), PYTHONUNBUFFERED="1",
        )
        if log_level is not None:  # Celery's own level and the project's LOG_LEVEL alike
            env["LOG_LEVEL"] = log_level
        log_path = tmp_path / f"worker-{len(started)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(CELERY), "-A", "platform_site", "worker", "-Q", "risk,celery", "--pool=prefork",
                 f"--concurrency={concurrency}", "--without-heartbeat", "--without-mingle", "--without-gossip",
                 "-l", log_level or "WARNING", "-n", name],
                cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the finalizer kills the pool children too
            )
        worker = WorkerProcess(name=name, process=process, log_path=log_path)
        started.append(worker)

        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"the worker exited with {process.returncode}:\n{worker.log()}")
            return bool(app.control.ping(destination=[name], timeout=0.5))

        wait_until(answers, what=f"worker {name} to answer a ping")
        return worker

    yield _start
    for worker in reversed(started):
        worker.stop()
        # Shown by pytest only when the test failed.
        print(f"---- log of worker {worker.name} ----\n{worker.log()}")


@pytest.fixture
def tasks_sent_to_the_broker() -> Iterator[None]:
    """Tasks go through the broker: test settings run them eagerly, in the test's own process."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


def _celery_connections_reset() -> None:
    # The app keeps a connection pool and a producer pool bound to the broker it first connected
    # to, and kombu keeps them per URL as well; dropping them all makes the next use connect to
    # whatever `broker_url` says now.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery client (publishing, ping, inspect) at another broker."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    _celery_connections_reset()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        _celery_connections_reset()


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test may stop and start again.

    Never the shared Redis of REDIS_URL: stopping that would break every other user of it. No
    persistence, so a restart comes back empty, as a Redis that lost its data would.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def answers(self) -> bool:
        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2).ping()
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        process = self.process

        def up() -> bool:
            if process.poll() is not None:
                pytest.fail(f"redis-server on port {self.port} exited with {process.returncode}")
            return self.answers()

        wait_until(up, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        message = "needs redis-server on PATH, to start a Redis this test may stop (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a fault test that cannot run is a failure, never a skip
        pytest.skip(message)
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def site_on_private_redis(private_redis, settings, tasks_sent_to_the_broker) -> Iterator[PrivateRedis]:
    """This process's broker, cache and channel layer all on the private Redis, as REDIS_URL would set."""
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    # Changing CHANNEL_LAYERS drops the channel layers already built (channels listens for it).
    layers = deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["hosts"] = [private_redis.url]
    settings.CHANNEL_LAYERS = layers
    with celery_broker(private_redis.url):
        yield private_redis
