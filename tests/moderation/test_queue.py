"""The queue: order, an item's content in context and history, filters, claiming, and each action's audit entry.

The queue page itself (one line per item, keyset pages, queries) is tested in test_queue_page.py;
dismissing several items at once in test_queue_bulk.py."""
import re
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from groups.models import RoomMessage
from moderation import selectors, services
from moderation.models import AuditEntry, CareMessage, CrisisCase, Flag, Report, RiskAssessment, RiskLevel, Sanction
from moderation.services import audit
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory, MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import messages_of, text_of
from tests.moderation.factories import FlagFactory

pytestmark = pytest.mark.django_db


def _assessed_flag(post, level, *, raised_at=None) -> Flag:
    return FlagFactory(
        content=post, level=level, raised_at=raised_at or timezone.now(),
        assessment__signals=[{"kind": "rule", "description": "Talks about ending their life"}],
    )


@pytest.fixture
def topic():
    group = SupportGroupFactory()
    return TopicFactory(group=group, title="Far away today")


@pytest.fixture
def other_moderator():
    return UserFactory(is_moderator=True)


def _queue(moderator, **filters):
    return selectors.flag_queue_for_moderator(moderator=moderator, filters=selectors.QueueFilters(**filters))


# ----------------------------------------------------------------------------- order and what each item shows


def test_queue_orders_crisis_then_concern_then_reports_and_oldest_first(moderator, topic):
    now = timezone.now()
    posts = [PostFactory(topic=topic) for _ in range(5)]
    old_concern = _assessed_flag(posts[0], RiskLevel.CONCERN, raised_at=now - timedelta(hours=2))
    new_crisis = _assessed_flag(posts[1], RiskLevel.CRISIS, raised_at=now - timedelta(minutes=1))
    old_crisis = _assessed_flag(posts[2], RiskLevel.CRISIS, raised_at=now - timedelta(minutes=30))
    report = services.report_create(reporter=UserFactory(), post=posts[3], reason="spam")
    Flag.objects.filter(pk=report.flag_id).update(raised_at=now - timedelta(days=2))

    order = [flag.pk for flag in _queue(moderator).items]

    assert order == [old_crisis.pk, new_crisis.pk, old_concern.pk, report.flag_id]


def test_an_items_page_shows_the_post_in_its_topic_signals_reasons_and_the_authors_history(moderator, topic):
    posts = [PostFactory(topic=topic, body=f"Reply {n}") for n in range(8)]
    target = posts[4]
    flag = _assessed_flag(target, RiskLevel.CONCERN)
    services.report_create(reporter=UserFactory(), post=target, reason="worried", note="They sound far away.")
    Sanction.objects.create(user=target.author, kind=Sanction.Kind.WARNING, reason="Earlier.")

    items = {item.pk: selectors.flag_detail_get(flag_id=item.pk) for item in _queue(moderator).items}
    item = items[flag.pk]

    context = [(post.body, is_target) for post, is_target in item.context]
    assert context == [("Reply 2", False), ("Reply 3", False), ("Reply 4", True), ("Reply 5", False), ("Reply 6", False)]
    assert item.assessment.signals[0]["description"] == "Talks about ending their life"
    assert item.history.open_case is not None  # the worried report opened a case
    assert [s.kind for s in item.history.sanctions] == ["warning"]
    report_item = next(i for i in items.values() if i.source == Flag.Source.REPORT)
    assert [(r.reason, r.note) for r in report_item.report_list] == [("worried", "They sound far away.")]


def test_an_items_page_shows_the_room_messages_around_the_reported_one(moderator):
    session = GroupSessionFactory()
    author = UserFactory()
    messages = [RoomMessage.objects.create(session=session, seq=n, author=author, body=f"line {n}") for n in range(1, 11)]
    report = services.report_create(reporter=UserFactory(), room_message=messages[5], reason="harassment")

    [line] = _queue(moderator).items
    item = selectors.flag_detail_get(flag_id=line.pk)

    assert item.pk == report.flag_id
    assert [(m.seq, target) for m, target in item.context] == [(3, False), (4, False), (5, False), (6, True), (7, False), (8, False), (9, False)]


def test_an_item_waiting_past_its_levels_limit_is_overdue_and_stands_out(moderator, moderator_client, topic):
    now = timezone.now()
    late = _assessed_flag(PostFactory(topic=topic), RiskLevel.CRISIS, raised_at=now - timedelta(minutes=6))
    fresh = _assessed_flag(PostFactory(topic=topic), RiskLevel.CRISIS, raised_at=now - timedelta(minutes=4))
    concern = _assessed_flag(PostFactory(topic=topic), RiskLevel.CONCERN, raised_at=now - timedelta(minutes=50))

    overdue = {item.pk: item.overdue for item in _queue(moderator).items}
    page = text_of(moderator_client.get(reverse("moderation:dashboard")))

    assert overdue == {late.pk: True, fresh.pk: False, concern.pk: False}
    rows = {flag.pk: re.search(rf'<tr class="([^"]*)" id="flag-{flag.pk}"', page).group(1).split() for flag in (late, fresh, concern)}
    assert ["overdue" in classes for classes in rows.values()] == [True, False, False]


def test_queue_filters_by_level_source_group_state_and_mine(moderator, other_moderator, topic):
    crisis = _assessed_flag(PostFactory(topic=topic), RiskLevel.CRISIS)
    concern = _assessed_flag(PostFactory(topic=topic), RiskLevel.CONCERN)
    elsewhere = _assessed_flag(PostFactory(topic=TopicFactory()), RiskLevel.CONCERN)
    report = services.report_create(reporter=UserFactory(), post=PostFactory(topic=topic), reason="spam")
    services.flag_claim(flag_id=concern.pk, moderator=moderator)
    services.flag_claim(flag_id=crisis.pk, moderator=other_moderator)
    services.flag_dismiss(flag_id=elsewhere.pk, moderator=moderator, reason="A song lyric.")

    def ids(**filters):
        return {item.pk for item in _queue(moderator, **filters).items}

    assert ids(level="crisis") == {crisis.pk}
    assert ids(level="report") == {report.flag_id}
    assert ids(source="report") == {report.flag_id}
    assert ids(group_id=topic.group_id) == {crisis.pk, concern.pk, report.flag_id}
    assert ids(state="decided") == {elsewhere.pk}
    assert ids(state="unclaimed") == {report.flag_id}
    assert ids(state="claimed") == {crisis.pk, concern.pk}
    assert ids(mine=True) == {concern.pk}


def test_bad_filter_values_fall_back_to_the_whole_open_queue(moderator_client, moderator, topic):
    flag = _assessed_flag(PostFactory(topic=topic), RiskLevel.CONCERN)
    response = moderator_client.get(reverse("moderation:dashboard"), {"level": "<script>", "group": "x", "state": "?"})
    assert response.status_code == 200
    assert f'id="flag-{flag.pk}"' in text_of(response)


# ----------------------------------------------------------------------------- claiming


def test_the_second_of_two_moderators_claiming_is_told_who_has_it(moderator, other_moderator, topic):
    flag = _assessed_flag(PostFactory(topic=topic), RiskLevel.CRISIS)

    services.flag_claim(flag_id=flag.pk, moderator=moderator)
    with pytest.raises(services.ClaimConflict) as conflict:
        services.flag_claim(flag_id=flag.pk, moderator=other_moderator)

    assert moderator.display_name in str(conflict.value)
    flag.refresh_from_db()
    assert flag.claimed_by == moderator and flag.first_action_at is not None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.FLAG_CLAIMED).count() == 1


def test_claim_is_decided_by_one_conditional_update_even_when_the_loser_read_the_item_unclaimed(
    moderator, other_moderator, topic
):
    # Both moderators loaded the queue while the item was free; the slower one's claim must still lose.
    flag = _assessed_flag(PostFactory(topic=topic), RiskLevel.CRISIS)
    seen_by_loser = Flag.objects.get(pk=flag.pk)
    assert seen_by_loser.claimed_by_id is None
    services.flag_claim(flag_id=flag.pk, moderator=moderator)

    with pytest.raises(services.ClaimConflict):
        services.flag_claim(flag_id=seen_by_loser.pk, moderator=other_moderator)


def test_first_action_time_is_set_once_by_the_first_claim(moderator, other_moderator, topic):
    flag = _assessed_flag(PostFactory(topic=topic), RiskLevel.CONCERN)
    services.flag_claim(flag_id=flag.pk, moderator=moderator)
    first = Flag.objects.get(pk=flag.pk).first_action_at
    services.flag_release(flag_id=flag.pk, moderator=moderator)
    services.flag_claim(flag_id=flag.pk, moderator=other_moderator)
    assert Flag.objects.get(pk=flag.pk).first_action_at == first


def test_an_item_held_by_another_moderator_cannot_be_decided_until_released_or_reassigned(
    moderator, other_moderator, topic
):
    flag = _assessed_flag(PostFactory(topic=topic), RiskLevel.CONCERN)
    services.flag_claim(flag_id=flag.pk, moderator=other_moderator)

    with pytest.raises(services.ClaimConflict):
        services.flag_dismiss(flag_id=flag.pk, moderator=moderator, reason="Fine.")
    services.flag_reassign(flag_id=flag.pk, moderator=other_moderator, to=moderator, reason="Your shift.")
    services.flag_dismiss(flag_id=flag.pk, moderator=moderator, reason="Fine.")

    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.DISMISSED


def test_reassigning_to_someone_who_is_not_a_moderator_is_refused(moderator, topic, member):
    flag = _assessed_flag(PostFactory(topic=topic), RiskLevel.CONCERN)
    with pytest.raises(ValidationError):
        services.flag_reassign(flag_id=flag.pk, moderator=moderator, to=member)


def test_losing_a_claim_race_in_the_browser_says_who_won(client_for, moderator, other_moderator, topic):
    flag = _assessed_flag(PostFactory(topic=topic), RiskLevel.CRISIS)
    services.flag_claim(flag_id=flag.pk, moderator=other_moderator)

    response = client_for(moderator).post(reverse("moderation:flag_claim", kwargs={"flag_id": flag.pk}))

    assert response.status_code == 302
    assert messages_of(response) == [f"{other_moderator.display_name} is already working on this item."]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections racing need PostgreSQL")
def test_two_moderators_claiming_at_the_same_moment_on_postgresql_one_wins():
    moderators = [UserFactory(is_moderator=True), UserFactory(is_moderator=True)]
    topic = TopicFactory()
    flag = _assessed_flag(PostFactory(topic=topic), RiskLevel.CRISIS)
    barrier = threading.Barrier(2)
    outcomes = []

    def claim(moderator):
        try:
            barrier.wait(timeout=5)
            services.flag_claim(flag_id=flag.pk, moderator=moderator)
            outcomes.append("won")
        except services.ClaimConflict:
            outcomes.append("told")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in moderators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["told", "won"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.FLAG_CLAIMED).count() == 1


# ----------------------------------------------------------------------------- actions: one audit entry, all or nothing


@pytest.fixture
def reported(topic):
    post = PostFactory(topic=topic, body="Something unkind.")
    report = services.report_create(reporter=UserFactory(), post=post, reason="harassment")
    return post, report.flag


def _state(post, flag):
    post.refresh_from_db()
    flag.refresh_from_db()
    return {
        "flag": (flag.status, flag.claimed_by_id, flag.first_action_at),
        "hidden": post.hidden_at is not None,
        "care": CareMessage.objects.filter(recipient=post.author).count(),
        "cases": CrisisCase.objects.count(),
        "sanctions": Sanction.objects.count(),
        "reports_open": Report.objects.filter(status="open").count(),
    }


ACTIONS = {
    "claim": lambda m, post, flag: services.flag_claim(flag_id=flag.pk, moderator=m),
    "dismiss": lambda m, post, flag: services.flag_dismiss(flag_id=flag.pk, moderator=m, reason="Fine."),
    "confirm": lambda m, post, flag: services.flag_confirm(flag_id=flag.pk, moderator=m),
    "hide": lambda m, post, flag: services.content_hide(kind="post", content_id=post.pk, moderator=m, reason="Unkind.", flag_id=flag.pk),
    "case": lambda m, post, flag: services.flag_case_open(flag_id=flag.pk, moderator=m),
    "warn": lambda m, post, flag: services.member_warn(member=post.author, moderator=m, reason="Please be kind."),
    "suspend": lambda m, post, flag: services.sanction_create(
        member=post.author, moderator=m, kind="suspension", reason="A break.", ends_at=timezone.now() + timedelta(days=1)),
    "note": lambda m, post, flag: services.moderator_note_add(member=post.author, moderator=m, body="Context."),
    "phrase": lambda m, post, flag: services.watched_phrase_save(moderator=m, phrase="free money", action="flag"),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_writes_exactly_one_audit_entry(action, moderator, reported):
    post, flag = reported
    ACTIONS[action](moderator, post, flag)
    assert AuditEntry.objects.count() == 1
    entry = AuditEntry.objects.get()
    assert entry.actor == moderator
    if action not in ("phrase",):
        assert entry.target_user == post.author


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_rolls_back_with_its_audit_entry(action, moderator, reported, monkeypatch):
    post, flag = reported
    before = _state(post, flag)
    real_record = audit.audit_record

    def record_then_fail(**kwargs):
        real_record(**kwargs)
        raise RuntimeError("the database went away after the audit entry")

    monkeypatch.setattr(audit, "audit_record", record_then_fail)

    with pytest.raises(RuntimeError):
        ACTIONS[action](moderator, post, flag)

    assert AuditEntry.objects.count() == 0
    assert _state(post, flag) == before


def test_hiding_tells_the_author_privately_why_with_the_crisis_lines_and_how_to_ask_for_a_review(moderator, reported):
    post, flag = reported
    services.content_hide(kind="post", content_id=post.pk, moderator=moderator, reason="It was unkind to Sam.", flag_id=flag.pk)

    message = CareMessage.objects.get(recipient=post.author, kind=CareMessage.Kind.CONTENT_HIDDEN)
    assert "It was unkind to Sam." in message.body
    assert "988" in message.body and "911" in message.body and "CIT" in message.body
    assert "Ask for a review" in message.body
    flag.refresh_from_db()
    assert flag.status == Flag.Status.CONFIRMED
    assert Report.objects.get(flag=flag).status == Report.Status.RESOLVED


def test_a_hidden_post_disappears_for_others_and_comes_back_when_restored(moderator, reported, client_for):
    post, flag = reported
    reader = UserFactory()
    MembershipFactory(group=post.topic.group, user=reader)
    services.content_hide(kind="post", content_id=post.pk, moderator=moderator, reason="Unkind.")
    assert "Something unkind." not in text_of(client_for(reader).get(post.topic.get_absolute_url()))

    services.content_restore(kind="post", content_id=post.pk, moderator=moderator, reason="On reflection, fine.")
    assert "Something unkind." in text_of(client_for(reader).get(post.topic.get_absolute_url()))
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["content.restored", "content.hidden"]


def test_a_moderator_can_undo_a_hide_made_from_the_queue(moderator, moderator_client, reported, client_for):
    post, flag = reported
    reader = UserFactory()
    MembershipFactory(group=post.topic.group, user=reader)
    services.content_hide(kind="post", content_id=post.pk, moderator=moderator, reason="Unkind.", flag_id=flag.pk)
    assert Flag.objects.get(pk=flag.pk).status != Flag.Status.OPEN  # the hide decided the item

    page = text_of(moderator_client.get(reverse("moderation:flag_detail", kwargs={"flag_id": flag.pk})))
    assert "Restore it" in page
    url = reverse("moderation:flag_action", kwargs={"flag_id": flag.pk, "action": "restore"})
    moderator_client.post(url, {"reason": "On reflection, fine."})

    assert "Something unkind." in text_of(client_for(reader).get(post.topic.get_absolute_url()))
    restored = AuditEntry.objects.get(action="content.restored")
    assert restored.details == {"flag_id": flag.pk} and restored.reason == "On reflection, fine."
    page = text_of(moderator_client.get(reverse("moderation:flag_detail", kwargs={"flag_id": flag.pk})))
    assert "Restore it" not in page  # nothing hidden any more


def test_dismissing_needs_a_reason_and_keeps_what_was_typed_on_the_page(moderator_client, reported):
    post, flag = reported
    url = reverse("moderation:flag_action", kwargs={"flag_id": flag.pk, "action": "dismiss"})
    response = moderator_client.post(url, {"reason": "   "})
    assert response.status_code == 400
    too_long = "x" * 2001
    response = moderator_client.post(url, {"reason": too_long})
    assert response.status_code == 400 and too_long in text_of(response)
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN


def test_deciding_an_item_twice_is_refused(moderator, reported):
    post, flag = reported
    services.flag_confirm(flag_id=flag.pk, moderator=moderator)
    with pytest.raises(ValidationError):
        services.flag_dismiss(flag_id=flag.pk, moderator=moderator, reason="Changed my mind.")


def test_a_confirmed_assessment_feeds_the_risk_models_training(moderator, topic):
    from moderation.services.risk_models import decision_examples

    post = PostFactory(topic=topic, body="I feel nothing and I don't see the point of anything any more.")
    flag = _assessed_flag(post, RiskLevel.CONCERN)
    RiskAssessment.objects.filter(pk=flag.assessment_id).update(content_version=post.version)
    services.flag_confirm(flag_id=flag.pk, moderator=moderator)

    assert any(example.label == "concern" and "point of anything" in example.text for example in decision_examples())
