"""What Thaw's benchmark scripts (bench/servers.py, bench/forum.py) share.

Progress logging, package versions, a free port on 127.0.0.1, a server subprocess in a process
group of its own (waited for until it answers, always stopped with its whole group), one `wrk`
run and its parsed figures, latency formatting, and how busy the CPUs already are.

The scripts are run as files (`.venv/bin/python bench/servers.py` from the repository root), so
each puts the repository root on sys.path before importing this module as `bench.harness`.
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 30.0  # seconds for a server to answer its first request


class BenchFailure(RuntimeError):
    """Something the benchmark must not measure past: a server that won't start, a page that isn't 200."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


# ----------------------------------------------------------------------------- SERVERS
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class RunningServer:
    """A server subprocess in a process group of its own, so that stopping it stops its workers, and nothing else.

    `command` builds the command line for the free port picked here. `wait_ready` polls
    GET `ready_path` until it answers 200; its failures are BenchFailure, their messages start with
    `label` (when given) and end with the last `tail_lines` lines of the server's log.
    """

    def __init__(
        self, command: Callable[[int], list[str]], *, env: dict[str, str], log_path: Path, ready_path: str,
        label: str = "", probe_timeout: float = 2.0, tail_lines: int = 15,
    ):
        self.label = label
        self.ready_path = ready_path
        self.probe_timeout = probe_timeout
        self.tail_lines = tail_lines
        self.port = free_port()
        self.log_path = log_path
        self.command = command(self.port)
        self._log_file = open(log_path, "wb")
        self.process = subprocess.Popen(
            self.command, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def log_tail(self) -> str:
        return log_tail(self.log_path, self.tail_lines)

    def wait_ready(self) -> None:
        prefix = f"{self.label} " if self.label else ""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchFailure(f"{prefix}exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.probe_timeout)
                try:
                    conn.request("GET", self.ready_path)
                    response = conn.getresponse()
                    response.read()
                finally:
                    conn.close()
                if response.status == 200:
                    return
                raise BenchFailure(f"{prefix}answered {response.status} to GET {self.ready_path}:\n{self.log_tail()}")
            except (OSError, http.client.HTTPException):  # not listening yet (ConnectionError, timeouts)
                time.sleep(0.1)
        raise BenchFailure(f"{prefix}did not answer within {STARTUP_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def stop(self) -> None:
        """SIGTERM to the server's own process group, SIGKILL if it lingers; never anything else."""
        pgid = self.process.pid  # start_new_session: the group id is the server's own pid
        try:
            if self._group_alive():
                os.killpg(pgid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            deadline = time.monotonic() + 5
            while self._group_alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if self._group_alive():
                os.killpg(pgid, signal.SIGKILL)
                self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._log_file.close()


# ----------------------------------------------------------------------------- LOAD: WRK
_WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _WRK_UNITS[match.group(2)]


def run_wrk(url: str, *, seconds: float, connections: int, threads: int, headers: dict[str, str] | None = None) -> dict:
    """One `wrk --latency` run of whole seconds (at least 1); BenchFailure if wrk fails or says nothing readable.

    Returns rate (req/s), requests (completed), p50_ms and p99_ms (None when wrk printed none),
    errors (connect, write and timeout socket errors plus non-2xx/3xx answers) and error_detail
    (wrk's error lines, when there were errors).
    """
    seconds_arg = max(1, round(seconds))
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds_arg}s", "--timeout", "5s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds_arg + 30)
    out = completed.stdout
    if completed.returncode != 0:
        raise BenchFailure(f"wrk failed: {completed.stderr or out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if not rate or not total:
        raise BenchFailure(f"could not read wrk's output:\n{out}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        # A read error is wrk seeing the server close a connection (gunicorn's sync workers close
        # after every response); connect, write and timeout errors are real failures.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(3)) + int(socket_errors.group(4))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    error_lines = "; ".join(line.strip() for line in out.splitlines() if line.strip().startswith(("Socket errors", "Non-2xx")))
    return {
        "rate": float(rate.group(1)),
        "requests": int(total.group(1)),
        "p50_ms": _wrk_ms(latency["50"]) if "50" in latency else None,
        "p99_ms": _wrk_ms(latency["99"]) if "99" in latency else None,
        "errors": errors,
        "error_detail": error_lines if errors else "",
    }


# ----------------------------------------------------------------------------- REPORT
def fmt_ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def cpu_busy_fraction(sample: float = 1.0) -> float | None:
    """How busy the CPUs are right now (Linux /proc/stat over `sample` seconds); None elsewhere."""
    def snapshot() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
        return sum(values), idle

    try:
        total_1, idle_1 = snapshot()
        time.sleep(sample)
        total_2, idle_2 = snapshot()
    except (OSError, ValueError, IndexError):
        return None
    total = total_2 - total_1
    return (1 - (idle_2 - idle_1) / total) if total > 0 else None
