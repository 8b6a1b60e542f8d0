"""Dismissing several concern items at once, with one reason: ticked on the queue page, one POST.
Each item is decided and audited as a single dismissal is; crisis items and what people raised are
refused, and nothing typed is lost when the form is refused."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from moderation import services
from moderation.models import AuditEntry, Flag, RiskLevel
from moderation.services.queue import BULK_DISMISS_MAX
from platform_site.realtime import MODERATORS_GROUP
from tests.factories import UserFactory, sign_in
from tests.groups.factories import MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, is_login_redirect, messages_of, text_of
from tests.moderation.factories import FlagFactory

pytestmark = pytest.mark.django_db

BULK = reverse("moderation:flag_bulk_dismiss")
DASHBOARD = reverse("moderation:dashboard")


def _assessed_flag(level, *, topic=None) -> Flag:
    post = PostFactory(topic=topic or TopicFactory())
    return FlagFactory(content=post, level=level, assessment__score=0.4, assessment__signals=[])


@pytest.fixture
def concerns():
    return [_assessed_flag(RiskLevel.CONCERN) for _ in range(3)]


def _statuses(flags) -> list[str]:
    return [Flag.objects.get(pk=flag.pk).status for flag in flags]


def test_ticked_concern_items_are_dismissed_with_one_reason_each_audited_and_announced(
    moderator_client, moderator, concerns, listen, django_capture_on_commit_callbacks
):
    untouched = _assessed_flag(RiskLevel.CONCERN)
    with listen(MODERATORS_GROUP) as feed:
        with django_capture_on_commit_callbacks(execute=True):
            response = moderator_client.post(
                f"{BULK}?level=concern", {"flag_ids": [f.pk for f in concerns], "reason": "Describing numbness, nothing more.",
                                          "next": f"{DASHBOARD}?level=concern"},
            )
        events = [feed.receive() for _ in concerns]

    assert response.status_code == 302 and response["Location"] == f"{DASHBOARD}?level=concern"
    assert messages_of(response) == ["Dismissed 3 items, with your reason."]
    assert _statuses(concerns) == ["dismissed"] * 3 and _statuses([untouched]) == ["open"]
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.FLAG_DISMISSED).order_by("subject_id")
    assert [(e.subject_kind, e.subject_id, e.actor, e.target_user_id, e.group_id, e.reason) for e in entries] == [
        ("flag", f.pk, moderator, f.author_id, f.group_id, "Describing numbness, nothing more.") for f in concerns
    ]
    assert sorted(event["flag_id"] for event in events) == [f.pk for f in concerns]
    assert {(event["type"], event["change"], event["status"]) for event in events} == {("flag.changed", "dismissed", "dismissed")}
    assert all(Flag.objects.get(pk=f.pk).decided_by == moderator for f in concerns)


def test_the_queue_offers_a_checkbox_on_open_concern_items_only(moderator_client):
    concern, crisis = _assessed_flag(RiskLevel.CONCERN), _assessed_flag(RiskLevel.CRISIS)
    report = services.report_create(reporter=UserFactory(), post=PostFactory(), reason="spam")

    page = text_of(moderator_client.get(DASHBOARD))

    boxes = {int(value) for value in re.findall(r'name="flag_ids" value="(\d+)" form="bulk-dismiss"', page)}
    assert boxes == {concern.pk}
    assert crisis.pk not in boxes and report.flag_id not in boxes
    assert 'id="bulk-dismiss"' in page and f'action="{BULK}"' in page


@pytest.mark.parametrize("other", ["crisis", "report"])
def test_a_crisis_or_a_report_among_the_ticked_items_refuses_them_all_and_keeps_what_was_typed(
    moderator_client, concerns, other
):
    if other == "crisis":
        odd = _assessed_flag(RiskLevel.CRISIS)
        odd_id, says = odd.pk, "crisis items are decided one at a time"
    else:
        odd_id = services.report_create(reporter=UserFactory(), post=PostFactory(), reason="spam").flag_id
        says = "what a person raised is decided one at a time"

    response = moderator_client.post(BULK, {"flag_ids": [concerns[0].pk, odd_id], "reason": "All fine, I read them."})

    assert response.status_code == 400
    page = text_of(response)
    assert f"Nothing was dismissed: {says}" in page and f"#{odd_id}" in page
    assert "All fine, I read them." in page  # the reason comes back as typed
    assert f'value="{concerns[0].pk}" form="bulk-dismiss" id="select-{concerns[0].pk}" checked' in page  # still ticked
    assert _statuses(concerns) == ["open"] * 3 and Flag.objects.get(pk=odd_id).status == "open"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.FLAG_DISMISSED).exists()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"reason": "Nothing here."}, "Tick the items to dismiss in the queue first."),
        ({"flag_ids": ["12x"], "reason": "Nothing here."}, "Those are not queue items."),
        ({"flag_ids": [str(n) for n in range(1, BULK_DISMISS_MAX + 2)], "reason": "Nothing here."}, f"At most {BULK_DISMISS_MAX} items at once."),
    ],
)
def test_no_ticked_items_or_bad_ones_are_refused_with_a_message_and_the_reason_kept(moderator_client, concerns, data, says):
    response = moderator_client.post(BULK, data)

    assert response.status_code == 400
    page = text_of(response)
    assert says in page and "Nothing here." in page
    assert _statuses(concerns) == ["open"] * 3


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_missing_or_too_long_reason_is_refused_and_the_items_stay_ticked(moderator_client, concerns, reason):
    response = moderator_client.post(BULK, {"flag_ids": [f.pk for f in concerns], "reason": reason})

    assert response.status_code == 400
    page = text_of(response)
    assert all(f'id="select-{f.pk}" checked' in page for f in concerns)
    if reason.strip():
        assert reason in page
    assert _statuses(concerns) == ["open"] * 3


def test_items_decided_or_held_by_someone_else_meanwhile_are_left_and_named(moderator_client, moderator, concerns):
    colleague = UserFactory(is_moderator=True)
    services.flag_dismiss(flag_id=concerns[0].pk, moderator=colleague, reason="Seen it.")
    services.flag_claim(flag_id=concerns[1].pk, moderator=colleague)

    response = moderator_client.post(BULK, {"flag_ids": [f.pk for f in concerns] + [987654], "reason": "Quiet week."})

    assert response.status_code == 302
    assert messages_of(response) == [
        "Dismissed 1 item, with your reason.",
        f"Item #{concerns[0].pk} was left as it is: it was already decided.",
        f"Item #{concerns[1].pk} was left as it is: another moderator is working on it.",
        "Item #987654 was left as it is: it no longer exists.",
    ]
    decided = Flag.objects.get(pk=concerns[0].pk)
    assert (decided.decided_by, decided.decision_note) == (colleague, "Seen it.")
    assert Flag.objects.get(pk=concerns[1].pk).status == "open"
    assert Flag.objects.get(pk=concerns[2].pk).status == "dismissed"


def test_members_facilitators_visitors_and_moderators_without_a_second_factor_cannot_dismiss(member, concerns):
    facilitator = UserFactory()
    MembershipFactory(group=SupportGroupFactory(), user=facilitator, facilitator=True)
    data = {"flag_ids": [f.pk for f in concerns], "reason": "Fine."}

    for user in (member, facilitator):
        assert client_for(user).post(BULK, data).status_code == 403
    assert is_login_redirect(Client().post(BULK, data))
    no_code = sign_in(Client(), UserFactory(is_moderator=True, totp=False), with_mfa=False).post(BULK, data)
    assert no_code.status_code == 302 and no_code["Location"].startswith("/accounts/2fa/")
    assert _statuses(concerns) == ["open"] * 3


def test_the_service_refuses_anyone_but_a_moderator(member, concerns):
    with pytest.raises(Exception):
        services.queue.flag_dismiss_many(flag_ids=[concerns[0].pk], moderator=member, reason="Fine.")
    assert _statuses(concerns) == ["open"] * 3


def test_a_failure_part_way_leaves_every_item_open(moderator, concerns, monkeypatch):
    from moderation.services import audit

    real_record, calls = audit.audit_record, []

    def record_then_fail_on_the_second(**kwargs):
        calls.append(kwargs)
        real_record(**kwargs)
        if len(calls) == 2:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(audit, "audit_record", record_then_fail_on_the_second)
    with pytest.raises(RuntimeError):
        services.queue.flag_dismiss_many(flag_ids=[f.pk for f in concerns], moderator=moderator, reason="Fine.")

    assert _statuses(concerns) == ["open"] * 3
    assert not AuditEntry.objects.exists()
    assert all(flag.decided_at is None for flag in Flag.objects.filter(pk__in=[f.pk for f in concerns]))
