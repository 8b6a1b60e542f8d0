#!/usr/bin/env python3
"""Health probes for docker-compose.yml (the image is python:3.12-slim: no curl). Exit 0 = healthy.

    python deploy/healthcheck.py http http://127.0.0.1:8000/healthz/
        GET the URL; healthy on 200. The Host header is the first of ALLOWED_HOSTS, because Django
        answers 400 to any other host, and the production settings exempt /healthz/ from the HTTPS
        redirect so that this plain-HTTP probe inside the compose network gets the real answer.

    python deploy/healthcheck.py heartbeat
        Healthy when a Celery worker ran the beat-scheduled heartbeat task recently
        (WORKER_HEARTBEAT_STALE_AFTER): proves beat -> broker -> worker -> cache end to end.
"""
import os
import sys
import urllib.error
import urllib.request


def probe_host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")  # ".example.org" allows example.org and its subdomains
        if host and host != "*":
            return host
    return "localhost"


def check_http(url: str) -> bool:
    request = urllib.request.Request(url, headers={"Host": probe_host(), "User-Agent": "thaw-healthcheck"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return False


def check_heartbeat() -> bool:
    import django

    django.setup()
    from platform_site.health import worker_is_responsive, worker_last_seen

    if worker_is_responsive():
        return True
    print(f"unhealthy: no worker heartbeat since {worker_last_seen()}", file=sys.stderr)
    return False


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "http":
        return 0 if check_http(argv[1]) else 1
    if argv == ["heartbeat"]:
        return 0 if check_heartbeat() else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
