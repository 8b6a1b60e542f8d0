"""The risk pipeline, end to end on the embedded services (eager Celery after commit)."""
import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups import services as forum
from moderation import services
from moderation.models import (
    CareMessage,
    CaseEvent,
    CrisisAlert,
    CrisisCase,
    Flag,
    FollowUp,
    RiskAssessment,
)
from platform_site.realtime import MODERATORS_GROUP
from tests.factories import UserFactory
from tests.support.risk_texts import CALM_TEXT, CRISIS_TEXT

pytestmark = pytest.mark.django_db


def _post(group, author, body, *, capture):
    with capture(execute=True):
        topic = forum.topic_create(group=group, author=author, title="Tonight", body=body)
    return topic.posts.get()


# ----------------------------------------------------------------------------- intake and assessment


def test_a_post_is_pending_assessment_in_the_transaction_that_saves_it(
    group, group_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        topic = forum.topic_create(group=group, author=group_member, title="Hello", body=CALM_TEXT)
        post = topic.posts.get()
        assessment = RiskAssessment.objects.get(content_id=post.pk, content_version=1)
        assert assessment.status == RiskAssessment.Status.PENDING

    assert not topic.crisis_panel_due


def test_a_crisis_post_raises_a_crisis_flag_opens_a_case_and_alerts_moderators(
    group, group_member, moderator, django_capture_on_commit_callbacks, listen
):
    with listen(MODERATORS_GROUP) as feed:
        with django_capture_on_commit_callbacks(execute=True):
            topic = forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
        pushed = [feed.receive(), feed.receive()]

    post = topic.posts.get()
    assert topic.crisis_panel_due
    assessment = RiskAssessment.objects.get(content_id=post.pk)
    assert assessment.status == RiskAssessment.Status.ASSESSED
    assert assessment.level == "crisis"
    assert any(signal["kind"] == "rule" for signal in assessment.signals)
    assert any(signal["kind"] == "model" for signal in assessment.signals)
    assert assessment.assessor_version.startswith("rules-")
    flag = Flag.objects.get()
    assert (flag.level, flag.author, flag.group, flag.status) == ("crisis", group_member, group, Flag.Status.OPEN)
    case = CrisisCase.objects.get()
    assert case.member == group_member and case.flag == flag
    assert {event["type"] for event in pushed} == {"flag.raised", "case.changed"}
    assert [m.to for m in mail.outbox] == [[moderator.email]]
    assert sorted(f.due_at - case.opened_at for f in FollowUp.objects.all()) == [timedelta(hours=24), timedelta(hours=72)]


def test_a_calm_post_is_assessed_and_raises_nothing(group, group_member, django_capture_on_commit_callbacks):
    post = _post(group, group_member, CALM_TEXT, capture=django_capture_on_commit_callbacks)

    assessment = RiskAssessment.objects.get(content_id=post.pk)
    assert (assessment.status, assessment.level) == (RiskAssessment.Status.ASSESSED, "none")
    assert not Flag.objects.exists() and not CrisisCase.objects.exists()


def test_a_concern_is_flagged_without_a_crisis_case(group, group_member, django_capture_on_commit_callbacks):
    body = "I feel nothing anymore and I hate myself for it. Nothing will ever get better, I'm a burden on everyone."
    post = _post(group, group_member, body, capture=django_capture_on_commit_callbacks)

    assessment = RiskAssessment.objects.get(content_id=post.pk)
    assert assessment.level in ("concern", "crisis")
    flag = Flag.objects.get()
    assert flag.level == assessment.level
    assert CrisisCase.objects.exists() == (assessment.level == "crisis")


def test_duplicate_and_late_deliveries_change_nothing(group, group_member, moderator, django_capture_on_commit_callbacks):
    post = _post(group, group_member, CRISIS_TEXT, capture=django_capture_on_commit_callbacks)
    assessment = RiskAssessment.objects.get(content_id=post.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_assessment_complete(assessment_id=assessment.pk)
        services.risk_assessment_complete(assessment_id=assessment.pk)

    assert RiskAssessment.objects.count() == 1
    assert Flag.objects.count() == 1
    assert CrisisCase.objects.count() == 1
    assert CrisisAlert.objects.filter(channel=CrisisAlert.Channel.EMAIL).count() == 1
    assert len(mail.outbox) == 1
    assert FollowUp.objects.count() == 2


def test_an_edit_before_assessment_assesses_each_version_from_its_own_words(
    group, group_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        topic = forum.topic_create(group=group, author=group_member, title="Hi", body=CALM_TEXT)
    post = topic.posts.get()
    with django_capture_on_commit_callbacks(execute=False):
        forum.post_edit(post=post, editor=group_member, body=CRISIS_TEXT)
    first, second = RiskAssessment.objects.order_by("content_version")

    services.risk_assessment_complete(assessment_id=first.pk)
    services.risk_assessment_complete(assessment_id=second.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.level) == (RiskAssessment.Status.ASSESSED, "none")
    assert (second.status, second.level) == (RiskAssessment.Status.ASSESSED, "crisis")
    assert Flag.objects.get().assessment == second


def test_a_crisis_post_deleted_before_assessment_still_reaches_a_moderator(
    group, group_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        topic = forum.topic_create(group=group, author=group_member, title="Hi", body=CRISIS_TEXT)
    post = topic.posts.get()
    forum.post_delete(post=post, deleted_by=group_member)

    with django_capture_on_commit_callbacks(execute=True):
        assessment = services.risk_assessment_complete(assessment_id=RiskAssessment.objects.get().pk)

    assert (assessment.status, assessment.level) == (RiskAssessment.Status.ASSESSED, "crisis")
    assert Flag.objects.get().level == "crisis"
    assert CrisisCase.objects.get().member == group_member


def test_a_second_crisis_post_from_the_same_person_joins_their_open_case(
    group, group_member, moderator, django_capture_on_commit_callbacks
):
    _post(group, group_member, CRISIS_TEXT, capture=django_capture_on_commit_callbacks)
    _post(group, group_member, "This is my last post. Goodbye everyone, I won't be around much longer.",
          capture=django_capture_on_commit_callbacks)

    case = CrisisCase.objects.get()
    assert Flag.objects.count() == 2
    assert case.events.filter(kind=CaseEvent.Kind.FLAG_ADDED).count() == 1
    assert len(mail.outbox) == 1  # moderators are not alerted twice about one person


# ----------------------------------------------------------------------------- who is alerted


def test_alerts_go_to_moderators_on_duty_when_someone_is(group, group_member, django_capture_on_commit_callbacks):
    on_duty, off_duty = UserFactory(is_moderator=True), UserFactory(is_moderator=True)
    services.moderator_duty_set(moderator=on_duty, on_duty=True)

    _post(group, group_member, CRISIS_TEXT, capture=django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[on_duty.email]]
    assert not CrisisAlert.objects.filter(moderator=off_duty).exists()


def test_alerts_go_to_every_moderator_when_nobody_is_on_duty(group, group_member, django_capture_on_commit_callbacks):
    moderators = [UserFactory(is_moderator=True) for _ in range(2)]

    _post(group, group_member, CRISIS_TEXT, capture=django_capture_on_commit_callbacks)

    assert sorted(address for m in mail.outbox for address in m.to) == sorted(u.email for u in moderators)


# ----------------------------------------------------------------------------- privacy


def test_no_text_goes_to_the_broker_the_logs_or_the_alert_email(
    group, group_member, moderator, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    with mock.patch("moderation.tasks.risk_assess_task.delay", wraps=lambda *a: None) as delay:
        with django_capture_on_commit_callbacks(execute=True):
            forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    assessment = RiskAssessment.objects.get()
    delay.assert_called_once_with(assessment.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.risk_assessment_complete(assessment_id=assessment.pk)

    email = mail.outbox[0]
    assert "kill" not in (email.subject + email.body).lower()
    assert group_member.display_name not in email.body
    assert reverse("moderation:case_detail", kwargs={"case_id": CrisisCase.objects.get().pk}) in email.body
    assert "kill" not in caplog.text.lower() and "notes" not in caplog.text.lower()


# ----------------------------------------------------------------------------- broker down, the sweep


def test_with_the_broker_down_the_post_is_saved_and_the_sweep_assesses_it_later(
    group, group_member, moderator, django_capture_on_commit_callbacks
):
    with mock.patch("moderation.tasks.risk_assess_task.delay", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            topic = forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    assert topic.crisis_panel_due  # the author saw help at once, broker or not
    assessment = RiskAssessment.objects.get()
    assert assessment.status == RiskAssessment.Status.PENDING and assessment.enqueue_count == 0

    assert services.risk_pending_requeue() == 0  # not yet a minute old
    with django_capture_on_commit_callbacks(execute=True):
        assert services.risk_pending_requeue(now=timezone.now() + timedelta(seconds=61)) == 1

    assessment.refresh_from_db()
    assert (assessment.status, assessment.level) == (RiskAssessment.Status.ASSESSED, "crisis")
    assert Flag.objects.count() == 1 and CrisisCase.objects.count() == 1
    assert services.risk_pending_requeue(now=timezone.now() + timedelta(minutes=5)) == 0


def test_the_sweep_stops_at_the_first_failure_while_the_broker_is_still_down(group, group_member):
    old = timezone.now() - timedelta(minutes=5)
    for number in range(3):
        RiskAssessment.objects.create(content_kind="post", content_id=1000 + number, requested_at=old)

    with mock.patch("moderation.tasks.risk_assess_task.delay", side_effect=ConnectionError("broker down")) as delay:
        assert services.risk_pending_requeue() == 0

    assert delay.call_count == 1
    assert RiskAssessment.objects.filter(status=RiskAssessment.Status.PENDING).count() == 3


def test_risk_sweep_command_assesses_inline_when_no_worker_can(group, group_member, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with mock.patch("moderation.tasks.risk_assess_task.delay", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    RiskAssessment.objects.update(requested_at=timezone.now() - timedelta(minutes=2))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("risk_sweep", "--inline", stdout=mock.MagicMock())

    assert RiskAssessment.objects.get().status == RiskAssessment.Status.ASSESSED
    assert Flag.objects.filter(level="crisis").count() == 1


def test_unsent_alert_emails_are_sent_by_the_sweep(group, group_member, moderator, django_capture_on_commit_callbacks):
    with mock.patch("moderation.tasks.crisis_alerts_send_task.delay", side_effect=ConnectionError("broker down")):
        _post(group, group_member, CRISIS_TEXT, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []

    assert services.crisis_alert_emails_send() == 1
    assert services.crisis_alert_emails_send() == 0
    assert [m.to for m in mail.outbox] == [[moderator.email]]


# ----------------------------------------------------------------------------- the caring path


def test_a_worried_report_sends_the_person_a_kind_check_in_that_never_names_the_reporter(
    group, group_member, moderator, django_capture_on_commit_callbacks
):
    from tests.groups.factories import MembershipFactory

    post = _post(group, group_member, CALM_TEXT, capture=django_capture_on_commit_callbacks)
    worried = MembershipFactory(group=group).user
    with django_capture_on_commit_callbacks(execute=True):
        services.report_create(reporter=worried, post=post, reason="worried")

    message = CareMessage.objects.get(recipient=group_member)
    assert message.kind == CareMessage.Kind.CHECK_IN
    assert "988" in message.body and "911" in message.body and "CIT" in message.body
    assert worried.display_name not in message.body
    case = CrisisCase.objects.get()
    assert (case.member, case.origin) == (group_member, CrisisCase.Origin.WORRIED_REPORT)
    assert group_member.notifications.filter(verb="care.message").exists()


def test_several_worried_members_make_one_case_and_one_check_in(group, group_member, django_capture_on_commit_callbacks):
    from tests.groups.factories import MembershipFactory

    post = _post(group, group_member, CALM_TEXT, capture=django_capture_on_commit_callbacks)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.report_create(reporter=MembershipFactory(group=group).user, post=post, reason="worried")

    assert CrisisCase.objects.count() == 1
    assert CareMessage.objects.filter(recipient=group_member).count() == 1
    assert CrisisCase.objects.get().events.filter(kind=CaseEvent.Kind.REPORT_ADDED).count() == 2


def test_follow_ups_are_sent_once_when_due_and_not_after_the_case_closes(
    group, group_member, moderator, django_capture_on_commit_callbacks
):
    _post(group, group_member, CRISIS_TEXT, capture=django_capture_on_commit_callbacks)
    case = CrisisCase.objects.get()
    day_later = case.opened_at + timedelta(hours=24, minutes=1)

    assert services.follow_ups_send_due(now=day_later) == 1
    assert services.follow_ups_send_due(now=day_later) == 0
    follow_up_message = CareMessage.objects.get(kind=CareMessage.Kind.FOLLOW_UP)
    assert follow_up_message.recipient == group_member and "988" in follow_up_message.body

    services.case_close(case=case, moderator=moderator, outcome="Spoke with them; they are with family tonight.")
    assert services.follow_ups_send_due(now=case.opened_at + timedelta(days=4)) == 0
    assert FollowUp.objects.filter(cancelled_at__isnull=False).count() == 1


def test_a_case_closes_only_with_an_outcome(group, group_member, moderator, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    _post(group, group_member, CRISIS_TEXT, capture=django_capture_on_commit_callbacks)
    case = CrisisCase.objects.get()

    with pytest.raises(ValidationError):
        services.case_close(case=case, moderator=moderator, outcome="   ")
    case.refresh_from_db()
    assert case.status == CrisisCase.Status.OPEN


def test_the_case_timeline_records_who_acknowledged_contact_and_closing(
    group, group_member, moderator, django_capture_on_commit_callbacks
):
    _post(group, group_member, CRISIS_TEXT, capture=django_capture_on_commit_callbacks)
    case = CrisisCase.objects.get()

    services.case_acknowledge(case=case, moderator=moderator)
    services.case_acknowledge(case=case, moderator=UserFactory(is_moderator=True))  # the first one stands
    services.case_note_add(case=case, moderator=moderator, kind=CaseEvent.Kind.CONTACT, note="Messaged them.")
    services.case_close(case=case, moderator=moderator, outcome="They are safe and have a doctor's appointment.")

    case.refresh_from_db()
    assert case.acknowledged_by == moderator
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[0] == CaseEvent.Kind.RAISED
    assert kinds.count(CaseEvent.Kind.ACKNOWLEDGED) == 1
    assert kinds[-2:] == [CaseEvent.Kind.CONTACT, CaseEvent.Kind.CLOSED]


def test_talk_to_a_moderator_opens_a_case_and_alerts(member, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.member_asks_to_talk(member=member)

    assert (case.member, case.origin) == (member, CrisisCase.Origin.MEMBER_ASKED)
    assert [m.to for m in mail.outbox] == [[moderator.email]]
