"""What members write in a private group never reaches a log or an e-mail.

A canary string goes through every path that handles members' words: a forum topic and replies
(through the pages), a live-room message and a report of it with a note (through the socket), a
forum report with a note, a crisis-level reply that raises a flag, opens a case and e-mails the
moderators, and the e-mail digest (through its Celery task, eager). Every logger listens at DEBUG
for the whole flow; then no record and no part of any e-mail may contain the canary.
"""
import json
import logging
import sys
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tasks import notification_digest_send_task
from groups.models import GroupSession, Post, RoomMessage
from moderation.models import CrisisCase, Flag, Report
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.groups.helpers import client_for
from tests.support.risk_texts import CRISIS_TEXT
from tests.support.sockets import open_socket

pytestmark = pytest.mark.django_db(transaction=True)  # on-commit work (tasks, e-mails) runs for real

CANARY = "tangerine-lighthouse-7f3a9c"


@pytest.fixture
def every_logger_at_debug(caplog):
    """caplog's handler on every logger, at DEBUG (as with LOG_LEVEL=DEBUG, the most an operator can
    ask for), including those that do not propagate. Loggers our LOGGING setting caps on purpose keep
    their cap: that cap is part of what keeps words out of logs."""
    caplog.set_level(logging.DEBUG)
    capped = set(settings.LOGGING.get("loggers", {}))
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    for logger in loggers:
        if logger.name not in capped:
            caplog.set_level(logging.DEBUG, logger=logger.name)  # restored by caplog afterwards
    isolated = [logger for logger in loggers if not logger.propagate]
    for logger in isolated:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in isolated:
        logger.removeHandler(caplog.handler)


def record_text(record: logging.LogRecord) -> str:
    """Everything a log handler could write: the message, its arguments, extras and any traceback."""
    parts = [record.getMessage(), repr(record.args), repr(vars(record))]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def email_parts(message) -> list[str]:
    """Subject, recipients, body, HTML alternatives and every decoded MIME part of the sent message."""
    parts = [message.subject, " ".join(message.to), message.body]
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    for part in message.message().walk():
        payload = part.get_payload(decode=True)
        if payload:
            parts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    parts.append(str(message.message()))  # headers too
    return parts


def room_flow(loop, session: GroupSession, facilitator, member) -> None:
    """The facilitator says the canary in the live room; a member reports it with the canary in the note."""

    async def flow():
        path = f"/ws/sessions/{session.pk}/"
        sockets = []
        for user in (facilitator, member):
            socket = await open_socket(path, user=user)
            assert (await socket.connect())[0]
            sockets.append(socket)
        lead, reporter = sockets
        await lead.send_json_to({"type": "message", "body": f"Welcome, {CANARY}", "client_id": str(uuid.uuid4())})
        while (ack := await lead.receive_json_from(timeout=5))["type"] != "ack":
            pass
        await reporter.send_json_to(
            {"type": "report", "message_id": ack["id"], "reason": "other", "note": f"Room note {CANARY}"}
        )
        while (await reporter.receive_json_from(timeout=5)).get("detail", "").startswith("Thank you. A moderator") is False:
            pass
        for socket in sockets:
            await socket.disconnect()

    loop.run(flow())


def test_a_canary_written_in_a_private_group_reaches_no_log_and_no_email(every_logger_at_debug, loop):
    caplog = every_logger_at_debug
    group = SupportGroupFactory(private=True, name="Thursday circle")
    facilitator = MembershipFactory(group=group, facilitator=True).user
    author, reader = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    reader.profile.email_digest = True
    reader.profile.save()
    UserFactory(is_moderator=True)  # someone to alert about the crisis
    session = GroupSession.objects.create(
        group=group, title="Evening", starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=60
    )
    as_author, as_reader = client_for(author), client_for(reader)
    slug = group.slug

    topic_page = as_author.post(
        reverse("groups:topic_new", kwargs={"slug": slug}), {"title": f"About {CANARY}", "body": f"Body {CANARY}"}
    )
    topic_id = Post.objects.get(body=f"Body {CANARY}").topic_id
    reply = reverse("groups:topic_reply", kwargs={"slug": slug, "topic_id": topic_id})
    as_reader.post(reply, {"body": f"Reader {CANARY}"})  # the reader now follows the topic (for the digest)
    crisis = as_author.post(reply, {"body": f"{CRISIS_TEXT} {CANARY}"})
    reported = Post.objects.get(body=f"Reader {CANARY}")
    report = as_author.post(
        reverse("groups:post_report", kwargs={"slug": slug, "post_id": reported.pk}),
        {"reason": "other", "note": f"Report note {CANARY}"},
    )
    room_flow(loop, session, facilitator, author)
    notification_digest_send_task.delay()

    # The flow really happened: the words are stored, flagged, reported and mailed about.
    assert topic_page.status_code == 302 and crisis.status_code == 302 and report.status_code == 200
    assert Post.objects.filter(body__contains=CANARY).count() == 3
    assert RoomMessage.objects.filter(body__contains=CANARY).exists()
    assert Report.objects.filter(note__contains=CANARY).count() == 2
    assert Flag.objects.filter(level="crisis").exists() and CrisisCase.objects.exists()
    subjects = [message.subject for message in mail.outbox]
    assert any("crisis" in subject.lower() for subject in subjects), subjects
    assert any(message.to == [reader.email] for message in mail.outbox), subjects  # the digest
    assert len(caplog.records) > 0 and any(record.name.startswith("moderation") for record in caplog.records)

    leaked_logs = [f"{record.name}: {record.getMessage()[:200]}" for record in caplog.records if CANARY in record_text(record)]
    leaked_mail = [message.subject for message in mail.outbox if any(CANARY in part for part in email_parts(message))]
    assert leaked_logs == []
    assert leaked_mail == []


def test_the_checks_find_a_canary_wherever_a_log_or_an_email_could_carry_it():
    # The flow test passes trivially if these helpers are blind: prove they look everywhere.
    def record(**kwargs):
        return logging.LogRecord("x", logging.DEBUG, __file__, 1, kwargs.pop("msg", "id %s"), kwargs.pop("args", (1,)), None, **kwargs)

    assert CANARY in record_text(record(msg=f"body {CANARY}", args=()))
    assert CANARY in record_text(record(args=(CANARY,)))
    extra = record()
    extra.body = CANARY  # logger.info(..., extra={"body": ...})
    assert CANARY in record_text(extra)
    try:
        raise ValueError(CANARY)
    except ValueError:
        assert CANARY in record_text(logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()))

    message = mail.EmailMultiAlternatives("Hello", "Plain.", to=["a@example.org"])
    message.attach_alternative(f"<p>{CANARY}</p>" + "é" * 200, "text/html")  # encoded on the wire
    assert any(CANARY in part for part in email_parts(message))
    assert not any(CANARY in part for part in email_parts(mail.EmailMessage("Hello", "Plain.", to=["a@example.org"])))


@pytest.mark.parametrize("logger_name", ["push_response"])
def test_libraries_that_log_message_payloads_stay_capped_even_at_log_level_debug(logger_name):
    # redis-py's "push_response" logs each Pub/Sub message it receives at DEBUG: room broadcasts
    # with members' words. The flow test above catches it only when a push arrives mid-command
    # (on Redis, by timing), so the cap is checked directly too.
    logger = logging.getLogger(logger_name)
    previous = logging.root.level
    logging.root.setLevel(logging.DEBUG)
    try:
        assert not logger.isEnabledFor(logging.DEBUG)
    finally:
        logging.root.setLevel(previous)


def test_the_asgi_servers_log_drops_websocket_frames_but_keeps_connection_events():
    # uvicorn's websockets protocol logs the start and end of every frame at DEBUG on "uvicorn.error"
    # (tests/faults/test_canary_in_processes.py runs the real server at --log-level debug).
    from websockets.frames import Frame, Opcode

    import platform_site.asgi  # noqa: F401  (installs the filter, as serving does)
    from platform_site.log_filters import SERVER_LOGGER

    logger = logging.getLogger(SERVER_LOGGER)

    def kept(message: str, *args) -> bool:
        record = logger.makeRecord(SERVER_LOGGER, logging.DEBUG, __file__, 1, message, args, None)
        return logger.filter(record)

    frame = Frame(Opcode.TEXT, json.dumps({"type": "message", "body": f"Hi {CANARY}"}).encode())
    assert not kept("< %s", frame)
    assert kept("= connection is OPEN") and kept("%s - %s", "127.0.0.1:5000", "connected")
