"""Beat stopped for ten minutes while workers lost their tasks: the periodic jobs catch up, once each.

What the gap leaves behind is built as it would be found: assessments still pending ten minutes
after they were asked for (one queued to a worker that was killed and lost it, the others never
queued because the broker was down), follow-ups and session reminders that fell due while no beat
ran. Then beat's jobs run again, through the broker to a real worker, twice over (beat's next
ticks): everything due is done, and nothing twice. A worker killed mid-task with its task
delivered again is in tests/moderation/test_pipeline_faults.py.
"""
from datetime import timedelta

from django.utils import timezone

from groups import services as forum
from groups.models import SessionReminder
from groups.tasks import session_reminders_send_task
from moderation.models import CareMessage, CrisisAlert, CrisisCase, Flag, FollowUp, RiskAssessment
from moderation.tasks import follow_ups_send_due_task, risk_sweep_task
from platform_site.celery import app
from tests.groups.factories import GroupSessionFactory, MembershipFactory, RsvpFactory
from tests.support.risk_texts import CALM_TEXT, CRISIS_TEXT
from tests.support.services import REAL_SERVICES, REDIS_URL
from tests.support.workers import active_tasks, celery_broker, wait_until

pytestmark = REAL_SERVICES

GAP = timedelta(minutes=10)
NOWHERE = "redis://127.0.0.1:1/0"  # a broker that is down


def _beat_ticks() -> None:
    """What beat sends on each of its ticks, through the broker."""
    for task in (risk_sweep_task, follow_ups_send_due_task, session_reminders_send_task):
        task.delay()


def test_after_ten_minutes_without_beat_the_sweeps_catch_up_and_do_everything_once(
    tasks_sent_to_the_broker, start_worker, group, group_member, moderator
):
    now = timezone.now()
    # Posts written during the gap, with the broker down: saved, their assessments pending.
    with celery_broker(NOWHERE):
        topics = [
            forum.topic_create(group=group, author=group_member, title=f"Tonight {n}", body=body)
            for n, body in enumerate((CRISIS_TEXT, CALM_TEXT, CALM_TEXT))
        ]
    assessments = RiskAssessment.objects.filter(content_kind="post")
    assert assessments.filter(status=RiskAssessment.Status.PENDING, enqueue_count=0).count() == 3
    assessments.update(requested_at=now - GAP)
    # One of them had reached a worker that was killed: queued once, and lost with it.
    assessments.filter(content_id=topics[1].posts.get().pk).update(enqueue_count=1, last_enqueued_at=now - GAP)

    # A member's open case whose two follow-ups fell due in the gap; a third is not due yet.
    worried_about = MembershipFactory(group=group).user
    case = CrisisCase.objects.create(member=worried_about, origin=CrisisCase.Origin.WORRIED_REPORT, opened_at=now - GAP * 3)
    for due_at in (now - timedelta(minutes=9), now - timedelta(minutes=2), now + timedelta(hours=24)):
        FollowUp.objects.create(case=case, due_at=due_at)

    # Sessions whose reminders fell due in the gap (15 minutes before; 24 hours before), and one
    # that started in the gap: its reminder's moment has passed, so it is not sent late.
    soon = GroupSessionFactory(group=group, starts_at=now + timedelta(minutes=8))
    tomorrow = GroupSessionFactory(group=group, starts_at=now + timedelta(hours=24) - timedelta(minutes=5))
    started = GroupSessionFactory(group=group, starts_at=now - timedelta(minutes=3))
    for session in (soon, tomorrow, started):
        RsvpFactory(session=session, user=group_member)

    # Beat is back, and so is a worker.
    worker = start_worker(redis_url=REDIS_URL)
    assert app.conf.broker_write_url == REDIS_URL
    _beat_ticks()
    wait_until(lambda: not assessments.filter(status=RiskAssessment.Status.PENDING).exists(), what="every assessment")
    wait_until(lambda: active_tasks(worker) == [], what="the worker to finish the first ticks")
    _beat_ticks()  # beat's next ticks find nothing left to do
    wait_until(lambda: active_tasks(worker) == [], what="the worker to finish the second ticks")

    # Every assessment done once: one crisis, with one flag, one case and its alerts.
    assert set(assessments.values_list("status", flat=True)) == {RiskAssessment.Status.ASSESSED}
    crisis = assessments.get(content_id=topics[0].posts.get().pk)
    assert crisis.level == "crisis"
    flagged = list(Flag.objects.values_list("assessment_id", flat=True))
    assert crisis.pk in flagged and len(flagged) == len(set(flagged))
    crisis_case = CrisisCase.objects.get(member=group_member)
    assert CrisisAlert.objects.filter(case=crisis_case, moderator=moderator).count() == len(CrisisAlert.Channel.values)
    assert sorted(assessments.values_list("enqueue_count", flat=True)) == [1, 1, 2]

    # The two follow-ups due in the gap went out, once each; the later one waits.
    follow_ups = FollowUp.objects.filter(case=case).order_by("due_at")
    assert [f.sent_at is not None for f in follow_ups] == [True, True, False]
    assert CareMessage.objects.filter(recipient=worried_about, kind=CareMessage.Kind.FOLLOW_UP).count() == 2

    # Reminders: one each for the two sessions still ahead; none for the one already started.
    reminders = SessionReminder.objects.filter(user=group_member)
    assert sorted(reminders.values_list("session_id", "kind")) == sorted([
        (soon.pk, SessionReminder.Kind.SHORTLY_BEFORE), (tomorrow.pk, SessionReminder.Kind.DAY_BEFORE)
    ])
    assert worker.task_failures() == []
