"""Every moderator action (and a facilitator's hide, mute or removal) writes exactly one audit entry, in the action's own transaction.

One table lists each action as the moderators' pages take it (the services the views call, and
the pages whose opening is recorded). For each: (a) it adds one entry saying who, what, to whom
and why; (b) when the entry fails after being written, nothing of the action is left in the
database and nothing is sent after commit.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupSession, Post, RoomParticipant
from groups.services.rooms import room_control
from moderation import services
from moderation.models import AuditEntry, Sanction
from tests.factories import UserFactory
from tests.moderation.factories import FlagFactory
from tests.support.roles import FACILITATOR_HERE, MODERATOR
from tests.support.worlds.moderation import build_moderation_world

pytestmark = pytest.mark.django_db

A = AuditEntry.Action


@dataclass(frozen=True)
class Act:
    id: str
    action: str
    run: Callable  # (world) -> what the action returned
    expect: Callable  # (world, result) -> the entry's fields other than the action
    prepare: Callable = lambda w: None  # what must be true before (not part of the action)


def _moderator(w):
    return w.users[MODERATOR]


def _on(w, subject_kind: str, subject_id: int, *, target="author", group="group", reason: str = "", actor=None) -> dict:
    return {
        "actor": actor or _moderator(w), "target_user": getattr(w, target) if target else None,
        "group": getattr(w, group) if group else None, "subject_kind": subject_kind, "subject_id": subject_id,
        "reason": reason,
    }


def _on_flag(w, _result, reason: str = "") -> dict:
    return _on(w, "flag", w.flag.pk, reason=reason)


def _on_case(w, _result, reason: str = "") -> dict:
    return _on(w, "crisiscase", w.case.pk, group=None, reason=reason)


def _concern_flag(w) -> None:
    w.concern = FlagFactory(content=w.post, level="concern")


def _hide_post(w) -> None:
    Post.objects.filter(pk=w.post.pk).update(hidden_at=timezone.now())


def _open_room(w) -> None:
    w.session = GroupSession.objects.create(
        group=w.group, title="Thursday evening", starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=60
    )
    RoomParticipant.objects.create(session=w.session, user=w.author, muted=True)


def _room(command: str, *, by: str = MODERATOR) -> Act:
    role = "moderator" if by == MODERATOR else "facilitator"
    return Act(
        f"room-{command}-by-{role}", {"mute": A.ROOM_MUTED, "unmute": A.ROOM_UNMUTED, "remove": A.ROOM_REMOVED}[command],
        lambda w: room_control(
            session_id=w.session.pk, actor=w.users[by], role=role, command=command, content={"user_id": w.author.pk}
        ),
        lambda w, _: _on(w, "groupsession", w.session.pk, actor=w.users[by]),
        prepare=_open_room,
    )


def _sanction(id_: str, kind: str, *, in_group: bool = False, days: int | None = 3) -> Act:
    return Act(
        id_, A.SANCTION_CREATED,
        lambda w: services.sanction_create(
            member=w.author, moderator=_moderator(w), kind=kind, reason="Time to cool off.",
            ends_at=timezone.now() + timedelta(days=days) if days else None, group=w.group if in_group else None,
        ),
        lambda w, sanction: _on(w, "sanction", sanction.pk, group="group" if in_group else None, reason="Time to cool off."),
    )


def _phrase(id_: str, audit_action: str, **changes) -> Act:
    fields = {"phrase": "buy cheap pills", "action": "block", "message": "No ads.", **changes}
    return Act(
        id_, audit_action,
        lambda w: services.watched_phrase_save(
            moderator=_moderator(w), **fields, **({} if audit_action == A.PHRASE_ADDED else {"watched_phrase_id": w.phrase.pk})
        ),
        lambda w, row: _on(w, "watchedphrase", row.pk, target=None, group=None),
    )


def _page(id_: str, action: str, url_name: str, expect: Callable) -> Act:
    """Opening a page of a member's private data, as a moderator with their second factor."""
    def run(w):
        kwargs = {"case_id": w.case.pk} if url_name == "case_detail" else {"user_id": w.author.pk}
        response = w.clients[MODERATOR].get(reverse(f"moderation:{url_name}", kwargs=kwargs))
        assert response.status_code == 200

    return Act(id_, action, run, expect)


def _review(reverse_it: bool) -> Act:
    answer = "You were quoting; lifted." if reverse_it else "The mute stands."
    return Act(
        "review-reverse" if reverse_it else "review-uphold", A.REVIEW_DECIDED,
        lambda w: services.review_request_decide(review_id=w.review.pk, moderator=w.colleague, reverse=reverse_it, answer=answer),
        lambda w, _: {**_on(w, "reviewrequest", w.review.pk, group=None, reason=answer), "actor": w.colleague},
    )


ACTIONS = [
    # The queue.
    Act("claim", A.FLAG_CLAIMED, lambda w: services.flag_claim(flag_id=w.flag.pk, moderator=_moderator(w)), _on_flag),
    Act(
        "release", A.FLAG_RELEASED, lambda w: services.flag_release(flag_id=w.flag.pk, moderator=_moderator(w)), _on_flag,
        prepare=lambda w: services.flag_claim(flag_id=w.flag.pk, moderator=_moderator(w)),
    ),
    Act(
        "reassign", A.FLAG_REASSIGNED,
        lambda w: services.flag_reassign(flag_id=w.flag.pk, moderator=_moderator(w), to=w.colleague, reason="Over to you."),
        lambda w, r: _on_flag(w, r, "Over to you."),
    ),
    Act(
        "dismiss", A.FLAG_DISMISSED,
        lambda w: services.flag_dismiss(flag_id=w.flag.pk, moderator=_moderator(w), reason="Nothing wrong here."),
        lambda w, r: _on_flag(w, r, "Nothing wrong here."),
    ),
    Act(
        "dismiss-several-at-once", A.FLAG_DISMISSED,
        lambda w: services.queue.flag_dismiss_many(flag_ids=[w.concern.pk], moderator=_moderator(w), reason="Describing numbness."),
        lambda w, r: _on(w, "flag", w.concern.pk, reason="Describing numbness."),
        prepare=_concern_flag,
    ),
    Act(
        "confirm", A.FLAG_CONFIRMED, lambda w: services.flag_confirm(flag_id=w.flag.pk, moderator=_moderator(w), note="Right call."),
        lambda w, r: _on_flag(w, r, "Right call."),
    ),
    Act(
        "hide-from-queue", A.CONTENT_HIDDEN,
        lambda w: services.content_hide(kind="post", content_id=w.post.pk, moderator=_moderator(w), reason="Unkind.", flag_id=w.flag.pk),
        lambda w, _: _on(w, "post", w.post.pk, reason="Unkind."),
    ),
    Act(
        "hide", A.CONTENT_HIDDEN,
        lambda w: services.content_hide(kind="post", content_id=w.post.pk, moderator=_moderator(w), reason="Unkind."),
        lambda w, _: _on(w, "post", w.post.pk, reason="Unkind."),
    ),
    Act(
        "restore", A.CONTENT_RESTORED,
        lambda w: services.content_restore(kind="post", content_id=w.post.pk, moderator=_moderator(w), reason="Fine.", flag_id=w.flag.pk),
        lambda w, _: _on(w, "post", w.post.pk, reason="Fine."),
        prepare=_hide_post,
    ),
    Act(
        "open-or-join-case", A.CASE_OPENED, lambda w: services.flag_case_open(flag_id=w.flag.pk, moderator=_moderator(w)),
        lambda w, case: _on(w, "crisiscase", w.case.pk),
    ),
    # A crisis case.
    Act("acknowledge-case", A.CASE_ACKNOWLEDGED, lambda w: services.case_action_acknowledge(case=w.case, moderator=_moderator(w)), _on_case),
    *(
        Act(
            f"case-{kind}", A.CASE_NOTE,
            lambda w, kind=kind: services.case_action_note(case=w.case, moderator=_moderator(w), kind=kind, note="We spoke."),
            _on_case,
        )
        for kind in ("contact", "note")
    ),
    Act(
        "schedule-follow-up", A.CASE_FOLLOW_UP,
        lambda w: services.case_action_follow_up(case=w.case, moderator=_moderator(w), due_at=timezone.now() + timedelta(hours=5)),
        _on_case,
    ),
    Act(
        "answer-member", A.CASE_ANSWERED,
        lambda w: services.case_action_answer(case=w.case, moderator=_moderator(w), body="I'm here. How is tonight going?"),
        _on_case,
    ),
    Act("send-check-in", A.CASE_CHECK_IN, lambda w: services.case_action_check_in(case=w.case, moderator=_moderator(w), note="Thinking of you."), _on_case),
    Act(
        "close-case", A.CASE_CLOSED, lambda w: services.case_action_close(case=w.case, moderator=_moderator(w), outcome="Safe with family."),
        lambda w, r: _on_case(w, r, "Safe with family."),
    ),
    # Sanctions and notes on a member.
    Act(
        "warn", A.SANCTION_WARNING, lambda w: services.member_warn(member=w.author, moderator=_moderator(w), reason="Please be kind."),
        lambda w, sanction: _on(w, "sanction", sanction.pk, group=None, reason="Please be kind."),
    ),
    _sanction("mute-in-group", Sanction.Kind.MUTE, in_group=True),
    _sanction("mute-everywhere", Sanction.Kind.MUTE, days=None),
    _sanction("posts-under-review", Sanction.Kind.REVIEW, in_group=True),
    _sanction("suspend", Sanction.Kind.SUSPENSION),
    Act(
        "lift-sanction", A.SANCTION_LIFTED,
        lambda w: services.sanction_lift(sanction_id=w.sanction.pk, moderator=_moderator(w), reason="Served."),
        lambda w, _: _on(w, "sanction", w.sanction.pk, group=None, reason="Served."),
    ),
    Act(
        "member-note", A.NOTE_ADDED, lambda w: services.moderator_note_add(member=w.author, moderator=_moderator(w), body="Prefers gentle words."),
        lambda w, note: _on(w, "moderatornote", note.pk, group=None),
    ),
    # Watched phrases: added, changed, switched off (the list's "delete": the history stays).
    _phrase("phrase-add", A.PHRASE_ADDED, phrase="crypto course"),
    _phrase("phrase-edit", A.PHRASE_CHANGED, action="hold"),
    _phrase("phrase-switch-off", A.PHRASE_CHANGED, is_active=False),
    # Posts held for approval, review requests, a facilitator's hide.
    Act(
        "approve-held", A.CONTENT_APPROVED, lambda w: services.held_post_approve(post_id=w.held_post.pk, moderator=_moderator(w)),
        lambda w, _: _on(w, "post", w.held_post.pk),
    ),
    Act(
        "reject-held", A.CONTENT_REJECTED,
        lambda w: services.held_post_reject(post_id=w.held_post.pk, moderator=_moderator(w), reason="Off topic."),
        lambda w, _: _on(w, "post", w.held_post.pk, reason="Off topic."),
    ),
    _review(reverse_it=False),
    _review(reverse_it=True),
    Act(
        "facilitator-hide", A.CONTENT_HIDDEN_BY_FACILITATOR,
        lambda w: services.facilitator_post_hide(post=w.post, facilitator=w.users[FACILITATOR_HERE], reason="Unkind."),
        lambda w, _: _on(w, "post", w.post.pk, reason="Unkind.", actor=w.users[FACILITATOR_HERE]),
    ),
    # A moderator's or a facilitator's hand on a member in a live room.
    *(_room(command, by=by) for command in ("mute", "unmute", "remove") for by in (MODERATOR, FACILITATOR_HERE)),
    # Pages of a member's private data.
    _page("view-member-record", A.VIEWED_MEMBER, "member_detail", lambda w, _: _on(w, "", None, group=None)),
    _page("view-safety-plan", A.VIEWED_SAFETY_PLAN, "member_safety_plan", lambda w, _: _on(w, "", None, group=None)),
    _page("view-crisis-case", A.VIEWED_CASE, "case_detail", _on_case),
]


@pytest.fixture
def world():
    w = build_moderation_world()
    w.colleague = UserFactory(is_moderator=True)
    return w


def _database() -> dict:
    """Every row of every table, to tell whether an action left anything behind."""
    return {
        model._meta.label_lower: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if not model._meta.proxy
    }


class AuditWriteFailed(Exception):
    pass


def _entry_fields(entry: AuditEntry) -> dict:
    return {
        "actor": entry.actor, "target_user": entry.target_user, "group": entry.group,
        "subject_kind": entry.subject_kind, "subject_id": entry.subject_id, "reason": entry.reason,
    }


def test_the_table_covers_every_audit_action():
    assert set(A.values) - {act.action for act in ACTIONS} == set()


@pytest.mark.parametrize("act", ACTIONS, ids=lambda act: act.id)
def test_each_action_writes_exactly_one_audit_entry_saying_who_what_to_whom_and_why(world, act):
    act.prepare(world)
    before = set(AuditEntry.objects.values_list("pk", flat=True))

    result = act.run(world)

    [entry] = AuditEntry.objects.exclude(pk__in=before)
    assert entry.action == act.action
    assert _entry_fields(entry) == act.expect(world, result)


@pytest.mark.parametrize("act", ACTIONS, ids=lambda act: act.id)
def test_an_action_whose_audit_entry_fails_leaves_nothing_behind(world, act, monkeypatch, django_capture_on_commit_callbacks):
    act.prepare(world)
    save = AuditEntry.save

    def written_then_failing(entry, *args, **kwargs):
        save(entry, *args, **kwargs)  # the row is in the transaction; then the write fails
        raise AuditWriteFailed

    monkeypatch.setattr(AuditEntry, "save", written_then_failing)
    before = _database()

    with django_capture_on_commit_callbacks() as after_commit, pytest.raises(AuditWriteFailed):
        act.run(world)

    after = _database()
    assert [table for table in before if after[table] != before[table]] == []  # neither the action nor its entry
    assert after_commit == []  # nothing published, sent or queued for after the commit
