"""Redis stops under a live room: the room says live chat is paused, and nothing is lost.

One real uvicorn process (platform_site.asgi, Celery as in production: tasks go to the broker) on
the test database and a Redis of the test's own, stopped and started again by the test. Real
WebSocket clients: a facilitator and two members. The forum's side of a Redis outage (a reply
saved, the crisis panel shown, the sweep assessing it later) is in
tests/moderation/test_pipeline_faults.py.
"""
import asyncio
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupSession, RoomMessage
from moderation.models import CrisisCase, Flag, RiskAssessment
from moderation.services import risk_pending_requeue
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.support.risk_texts import CRISIS_TEXT
from tests.support.servers import DEADLINE, AsgiServer, Frames, cookie_for, open_room
from tests.support.services import REAL_SERVICES
from tests.support.workers import wait_until

pytestmark = REAL_SERVICES


@pytest.fixture
def server_on_private_redis(site_on_private_redis, tmp_path):
    """One uvicorn on the test database and the private Redis; stopped before the database is flushed."""
    server = AsgiServer(
        "server", tmp_path / "server.log",
        env_overrides={"REDIS_URL": site_on_private_redis.url, "DJANGO_SETTINGS_MODULE": "tests.faults.server_settings"},
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
        print(f"---- log of the server ----\n{server.log()}")  # shown only when the test failed


def test_redis_down_pauses_live_chat_and_when_it_is_back_every_message_and_assessment_arrives(
    server_on_private_redis, site_on_private_redis, start_worker, moderator
):
    server, redis_server = server_on_private_redis, site_on_private_redis
    group = SupportGroupFactory()
    facilitator = MembershipFactory(group=group, facilitator=True).user
    speaker, listener = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    session = GroupSession.objects.create(
        group=group, title="Through the outage", starts_at=timezone.now() - timedelta(minutes=1), duration_minutes=60
    )
    cookies = {user.pk: cookie_for(user) for user in (facilitator, speaker, listener)}
    room_page = reverse("groups:session_room", kwargs={"slug": group.slug, "session_id": session.pk})

    async def scenario() -> dict:
        sockets = [Frames(await open_room(server, session.pk, cookies[user.pk])) for user in (facilitator, speaker, listener)]
        leader, a, b = sockets
        try:
            assert await a.until("presence", lambda frame: frame["facilitator_present"])
            first = await a.message("Before the outage.")
            assert await b.until("message", lambda frame: frame["seq"] == first["seq"])

            redis_server.stop()
            # Stored and acknowledged while Redis is down; the crisis panel still shows at once.
            calm = await a.message("Said while Redis was down.")
            crisis = await a.message(CRISIS_TEXT)
            assert (calm["duplicate"], crisis["duplicate"]) == (False, False)
            assert crisis["show_crisis_panel"] is True and calm["show_crisis_panel"] is False
            # Every socket is told, rather than left in a room that only looks quiet.
            for socket in sockets:
                paused = await socket.until("error", lambda frame: frame["code"] == "live_paused")
                assert paused and "messages are saved" in paused["detail"], socket.seen
            # Pages still serve: the room page itself, over HTTP, from the same server.
            assert await asyncio.to_thread(_get, server, room_page, cookies[listener.pk]) == 200
            assert b.messages() == [first["seq"]]

            redis_server.start()  # empty, as a Redis that lost its data
            for socket in sockets:
                assert await socket.until("system", lambda frame: frame.get("code") == "live_resumed"), socket.seen
            # The client asks for what it missed, from its last seq: both messages, in order.
            await b.socket.send(json.dumps({"type": "resume", "after": first["seq"]}))
            history = await b.until("history")
            missed = [message["seq"] for message in history["messages"]]

            after = await a.message("After the outage.")
            assert await b.until("message", lambda frame: frame["seq"] == after["seq"])
            return {"acked": [first["seq"], calm["seq"], crisis["seq"], after["seq"]], "seen_by_b": sorted(b.messages() + missed)}
        finally:
            for socket in sockets:
                await socket.socket.close()

    outcome = asyncio.run(scenario())
    # No message lost, none twice: what was acked is what is stored is what the listener saw.
    stored = list(RoomMessage.objects.filter(session=session).order_by("seq").values_list("seq", flat=True))
    assert outcome["acked"] == stored == outcome["seen_by_b"] == [1, 2, 3, 4]

    # No assessment lost: the two sent while Redis was down never reached a broker, and the first
    # one's task went with the Redis that restarted empty. The sweep finds every one of them.
    assessments = RiskAssessment.objects.filter(content_kind="room_message")
    assert assessments.count() == 4
    assert set(assessments.values_list("status", flat=True)) == {RiskAssessment.Status.PENDING}
    start_worker(redis_url=redis_server.url)
    risk_pending_requeue(now=timezone.now() + timedelta(seconds=61))
    wait_until(
        lambda: not assessments.filter(status=RiskAssessment.Status.PENDING).exists(), what="every assessment"
    )
    crisis_message = RoomMessage.objects.get(session=session, seq=3)
    crisis_assessment = assessments.get(content_id=crisis_message.pk)
    assert crisis_assessment.level == "crisis"
    # Each assessed once: at most one flag each (calm words may raise a concern), one crisis case.
    flagged = list(Flag.objects.values_list("assessment_id", flat=True))
    assert crisis_assessment.pk in flagged and len(flagged) == len(set(flagged))
    assert CrisisCase.objects.get().member_id == speaker.pk


def _get(server: AsgiServer, path: str, cookie: str) -> int:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        return connection.getresponse().status
    finally:
        connection.close()

