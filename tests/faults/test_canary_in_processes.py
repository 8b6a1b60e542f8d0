"""A canary written in a private group appears nowhere in the output of the processes that run Thaw.

tests/hardening/test_canary.py listens to every logger inside the test's own process. Here the words
go through the processes an operator runs and whose output they collect: one uvicorn server and one
Celery worker, both at the most verbose level an operator can ask for (uvicorn's `--log-level debug`,
Celery's `-l DEBUG`, `LOG_LEVEL=DEBUG`), with e-mail printed to the worker's output as
`EMAIL_URL=consolemail://` does. A topic, a reply, a forum report and a crisis reply go through the
server's pages; a live-room message and a report of it through its socket. The worker assesses each
of them, raises the crisis flag and e-mails the moderators. Then neither process's output holds the
canary, though both wrote plenty.
"""
import asyncio
import http.client
import json
import secrets
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupSession, Post, RoomMessage
from moderation.models import Flag, Report, RiskAssessment
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.support.risk_texts import CRISIS_TEXT
from tests.support.servers import AsgiServer, Frames, cookie_for, open_room
from tests.support.services import REAL_SERVICES
from tests.support.workers import wait_until

pytestmark = REAL_SERVICES

CANARY = "quincezephyrlantern"
# Loggers that shorten what they print (the middle of a long frame becomes "...") would hide a
# whole canary but still leak a member's words: any 8 letters of it in a row count as a leak.
SHARDS = {CANARY[start:start + 8] for start in range(len(CANARY) - 7)}
SETTINGS = "tests.faults.canary_settings"


@pytest.fixture
def verbose_server(site_on_private_redis, tmp_path):
    server = AsgiServer(
        "server", tmp_path / "server.log", log_level="debug",
        env_overrides={"REDIS_URL": site_on_private_redis.url, "DJANGO_SETTINGS_MODULE": SETTINGS, "LOG_LEVEL": "DEBUG"},
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def leaks_canary(line: str) -> bool:
    return any(shard in line for shard in SHARDS)


def test_a_shortened_canary_still_counts_as_a_leak():
    assert leaks_canary(f"> TEXT '{{\"body\": \"Hi, {CANARY[:9]}...{CANARY[-9:]}\"}}'")
    assert not leaks_canary("risk assessment 4 done") and not leaks_canary(CANARY[:7])


def _post(server: AsgiServer, path: str, cookie: str, fields: dict) -> int:
    csrf = secrets.token_hex(16)  # Django accepts a matching cookie and header
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    try:
        connection.request("POST", path, body=urlencode(fields), headers={
            "Cookie": f"{cookie}; csrftoken={csrf}", "X-CSRFToken": csrf, "Origin": f"http://127.0.0.1:{server.port}",
            "Content-Type": "application/x-www-form-urlencoded",
        })
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


async def _room_flow(server: AsgiServer, session_id: int, leader_cookie: str, member_cookie: str) -> None:
    """The facilitator says the canary in the room; a member reports it, the canary in the note."""
    leader, member = [Frames(await open_room(server, session_id, cookie)) for cookie in (leader_cookie, member_cookie)]
    try:
        ack = await leader.message(f"Welcome, {CANARY}")
        assert await member.until("message", lambda frame: frame["seq"] == ack["seq"])
        await member.socket.send(json.dumps(
            {"type": "report", "message_id": ack["id"], "reason": "other", "note": f"Room note {CANARY}"}
        ))
        assert await member.until("system", lambda frame: frame.get("detail", "").startswith("Thank you")), member.seen
    finally:
        for frames in (leader, member):
            await frames.socket.close()


def test_a_canary_reaches_neither_the_servers_nor_the_workers_output_at_debug(
    verbose_server, site_on_private_redis, start_worker, moderator
):
    server = verbose_server
    worker = start_worker(redis_url=site_on_private_redis.url, log_level="DEBUG", settings_module=SETTINGS)
    group = SupportGroupFactory(private=True, name="Thursday circle")
    facilitator = MembershipFactory(group=group, facilitator=True).user
    author, reader = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    session = GroupSession.objects.create(
        group=group, title="Evening", starts_at=timezone.now() - timedelta(minutes=1), duration_minutes=60
    )
    cookies = {user.pk: cookie_for(user) for user in (facilitator, author, reader)}
    slug = group.slug

    topic = _post(server, reverse("groups:topic_new", kwargs={"slug": slug}), cookies[author.pk],
                  {"title": f"About {CANARY}", "body": f"Body {CANARY}"})
    topic_id = Post.objects.get(body=f"Body {CANARY}").topic_id
    reply = reverse("groups:topic_reply", kwargs={"slug": slug, "topic_id": topic_id})
    replied = _post(server, reply, cookies[reader.pk], {"body": f"Reader {CANARY}"})
    crisis = _post(server, reply, cookies[author.pk], {"body": f"{CRISIS_TEXT} {CANARY}"})
    reported = Post.objects.get(body=f"Reader {CANARY}")
    report = _post(server, reverse("groups:post_report", kwargs={"slug": slug, "post_id": reported.pk}),
                   cookies[author.pk], {"reason": "other", "note": f"Report note {CANARY}"})
    asyncio.run(_room_flow(server, session.pk, cookies[facilitator.pk], cookies[author.pk]))

    # The flow really happened, and the worker did its part: every assessment done, the crisis
    # flagged, the moderator e-mailed (into the worker's output).
    assert (topic, replied, crisis) == (302, 302, 302) and report in (200, 302)
    assert RoomMessage.objects.filter(body__contains=CANARY).exists()
    assert Report.objects.filter(note__contains=CANARY).count() == 2
    wait_until(lambda: Flag.objects.filter(level="crisis").exists(), what="the crisis flag", timeout=30)
    wait_until(lambda: not RiskAssessment.objects.filter(status=RiskAssessment.Status.PENDING).exists(),
               what="every assessment", timeout=30)
    wait_until(lambda: moderator.email in worker.log(), what="the crisis e-mail in the worker's output", timeout=30)
    server.stop()
    worker.stop()

    outputs = {"server": server.log_path.read_text(errors="replace"), "worker": worker.log()}
    assert " DEBUG " in outputs["server"] and "risk assessment" in outputs["worker"], outputs
    leaks = {name: [line[:200] for line in text.splitlines() if leaks_canary(line)] for name, text in outputs.items()}
    assert leaks == {"server": [], "worker": []}
