"""PostgreSQL restarted under load: requests fail cleanly while it is down, and the same server recovers.

The database here is a private PostgreSQL cluster (initdb in a temporary directory, a free port),
never the shared one of DATABASE_URL, because the test stops it. One uvicorn process serves the
site on it (with the private Redis of the other fault tests) while readers keep requesting pages.
"""
import glob
import http.client
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.support.servers import AsgiServer
from tests.support.services import REAL_SERVICES, REPO, free_port
from tests.support.workers import wait_until

pytestmark = REAL_SERVICES

PAGE = "/groups/"  # the public directory of groups: read from the database on every request
PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), "")


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own, trusting local connections, that the test may restart."""

    def __init__(self, directory: Path) -> None:
        self.port, self.data = free_port(), directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/thaw"
        self.run_as = []
        if os.geteuid() == 0:  # initdb refuses to run as root: the cluster belongs to user postgres
            self.run_as = ["runuser", "-u", "postgres", "--"]
            os.chown(directory, pwd.getpwnam("postgres").pw_uid, -1)
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    def _pg(self, program: str, *args: str) -> None:
        subprocess.run([*self.run_as, f"{PG_BIN}/{program}", *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data.parent / "postgres.log"), "-o",
                 f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self) -> None:
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "thaw")


@pytest.fixture
def private_postgres():
    if not PG_BIN:
        pytest.fail("needs PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin) to run a private cluster")
    directory = Path(tempfile.mkdtemp(prefix="thaw-faults-pg-"))
    try:
        server = PrivatePostgres(directory)
        server.start()
        try:
            server.create_database()
            yield server
        finally:
            try:
                server.stop()
            except subprocess.CalledProcessError:
                pass  # already stopped
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _status(port: int, path: str) -> int | str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except TimeoutError:
        return "hung"
    finally:
        connection.close()


def test_postgres_restarted_under_load_requests_fail_cleanly_and_the_same_server_recovers(
    private_postgres, private_redis, tmp_path
):
    env = {"DATABASE_URL": private_postgres.url, "REDIS_URL": private_redis.url,
           "DJANGO_SETTINGS_MODULE": "tests.faults.server_settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], check=True, timeout=300,
                   env={**os.environ, **env}, cwd=REPO)
    server = AsgiServer("server", tmp_path / "server.log", env_overrides=env)
    answers: Counter = Counter()
    stop = threading.Event()

    def read() -> None:  # a visitor browsing the groups, over and over, as the database goes away
        while not stop.is_set():
            answers[_status(server.port, PAGE)] += 1

    try:
        server.wait_ready()
        assert _status(server.port, PAGE) == 200
        readers = [threading.Thread(target=read, daemon=True) for _ in range(4)]
        for thread in readers:
            thread.start()
        time.sleep(1)
        private_postgres.stop()
        down_since = time.monotonic()
        wait_until(lambda: answers[503] + answers[500] >= 4, what="requests to fail while PostgreSQL is down")
        failed_within = time.monotonic() - down_since
        private_postgres.start()
        # The same server process, never restarted, serves pages again.
        wait_until(lambda: _status(server.port, PAGE) == 200, what="the server to serve pages again")
        stop.set()
        for thread in readers:
            thread.join(timeout=20)
    finally:
        stop.set()
        server.stop()
        print(f"---- log of the server ----\n{server.log()}")  # shown only when the test failed

    assert server.process.returncode is not None  # stopped by us, not crashed earlier
    # Every answer was a page, an error page, never a hang; and errors came at once.
    assert set(answers) <= {200, 500, 503}, answers
    assert answers[200] > 0 and failed_within < 10
