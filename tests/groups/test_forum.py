"""The forum: topics, replies, edits, soft deletes, locks, pins, reactions, content warnings,
subscriptions and the digest, the unanswered sweep, the risk scan hand-off, posting restrictions,
validation and posting rate limits."""
import re
import time
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape

from accounts.models import Notification
from accounts.notifications import notification_digest_send
from groups import services
from groups.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Post, PostRevision, ReaderPreference, Topic
from moderation.models import Sanction
from tests.accounts.helpers import page_header
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, text_of


def _topic_url(topic):
    return reverse("groups:topic", kwargs={"slug": topic.group.slug, "topic_id": topic.pk})


def _reply(client, topic, body, **extra):
    return client.post(
        reverse("groups:topic_reply", kwargs={"slug": topic.group.slug, "topic_id": topic.pk}), {"body": body, **extra}
    )


def _new_topic(client, group, title, body, **extra):
    return client.post(reverse("groups:topic_new", kwargs={"slug": group.slug}), {"title": title, "body": body, **extra})


def _post_block(page: str, post) -> str:
    """The <article> of one post in a topic page."""
    match = re.search(rf'<article[^>]*id="post-{post.pk}".*?</article>', page, flags=re.DOTALL)
    assert match, f"post {post.pk} is not on the page"
    return match.group(0)


@pytest.fixture
def topic(group, group_member):
    return services.topic_create(
        group=group, author=group_member, title="Watching life through glass", body="Everything feels far away."
    )


# ----------------------------------------------------------------------------- topics and replies


def test_starting_a_topic_opens_it_with_its_first_post(group, member_client, group_member):
    response = _new_topic(member_client, group, "Does music still reach you?", "Songs I loved feel flat now.")

    topic = Topic.objects.get(group=group)
    assert response.status_code == 302 and response["Location"] == _topic_url(topic)
    page = text_of(member_client.get(_topic_url(topic)))
    assert "<h1>Does music still reach you?</h1>" in page
    assert "<p>Songs I loved feel flat now.</p>" in page
    assert group_member.display_name in page
    # The author hears about replies without having to ask.
    assert "Stop telling me about replies" in page


def test_a_reply_appears_after_the_opening_post_and_takes_the_reader_to_it(topic, group, group_facilitator):
    client = client_for(group_facilitator)

    response = _reply(client, topic, "Thank you for putting this into words.")

    last = reverse("groups:topic_last", kwargs={"slug": group.slug, "topic_id": topic.pk})
    assert response.status_code == 302 and response["Location"] == f"{_topic_url(topic)}?page=1#latest"
    assert client.get(last)["Location"] == f"{_topic_url(topic)}?page=1#latest"
    page = text_of(client.get(_topic_url(topic)))
    assert page.index("Everything feels far away.") < page.index("Thank you for putting this into words.")
    assert "1 reply" in text_of(client.get(group.get_absolute_url()))


def test_editing_keeps_the_earlier_version_for_moderators_and_marks_the_post_edited(
    topic, group, member_client, group_member
):
    opening = topic.posts.get()

    response = member_client.post(
        reverse("groups:post_edit", kwargs={"slug": group.slug, "post_id": opening.pk}),
        {"title": "Watching life through frosted glass", "body": "Everything feels far away, even music."},
    )

    assert response.status_code == 302
    page = text_of(member_client.get(_topic_url(topic)))
    assert "<h1>Watching life through frosted glass</h1>" in page
    block = _post_block(page, opening)
    assert '<span class="tag">edited</span>' in block
    assert "Everything feels far away, even music." in block
    assert "<p>Everything feels far away.</p>" not in page
    revision = PostRevision.objects.get(post=opening)
    assert (revision.version, revision.body) == (1, "Everything feels far away.")
    assert Post.objects.get(pk=opening.pk).version == 2


def test_only_the_author_can_edit_a_post(topic, group, facilitator_client):
    opening = topic.posts.get()
    url = reverse("groups:post_edit", kwargs={"slug": group.slug, "post_id": opening.pk})

    assert facilitator_client.get(url).status_code == 403
    assert facilitator_client.post(url, {"body": "Not mine to change."}).status_code == 403
    assert Post.objects.get(pk=opening.pk).body == "Everything feels far away."


def test_a_deleted_post_reads_removed_to_members_and_moderators_still_see_the_text(
    topic, group, group_member, group_facilitator, moderator
):
    reply = services.reply_create(topic=topic, author=group_member, body="I regret writing this part.")

    response = client_for(group_member).post(reverse("groups:post_delete", kwargs={"slug": group.slug, "post_id": reply.pk}))

    assert response.status_code == 302
    member_block = _post_block(text_of(client_for(group_facilitator).get(_topic_url(topic))), reply)
    assert "Removed by its author." in member_block
    assert "I regret writing this part." not in member_block
    moderator_block = _post_block(text_of(client_for(moderator).get(_topic_url(topic))), reply)
    assert "Removed by its author." in moderator_block and "I regret writing this part." in moderator_block
    with pytest.raises(ValidationError):
        services.post_edit(post=Post.objects.get(pk=reply.pk), editor=group_member, body="Back again.")


def test_only_the_author_can_delete_a_post(topic, group, facilitator_client):
    opening = topic.posts.get()

    response = facilitator_client.post(reverse("groups:post_delete", kwargs={"slug": group.slug, "post_id": opening.pk}))

    assert response.status_code == 403
    assert Post.objects.get(pk=opening.pk).deleted_at is None


# ----------------------------------------------------------------------------- locks and pins


def test_a_locked_topic_refuses_member_replies_but_keeps_what_they_typed(topic, group, facilitator_client, member_client):
    facilitator_client.post(
        reverse("groups:topic_moderate", kwargs={"slug": group.slug, "topic_id": topic.pk, "action": "lock"})
    )

    page = text_of(member_client.get(_topic_url(topic)))
    response = _reply(member_client, topic, "One more thought before it closes.")

    assert "This topic is locked. You can still read it." in page
    assert 'id="reply-heading"' not in page
    assert response.status_code == 400
    assert "This topic is locked: it can be read, but no longer answered." in text_of(response)
    assert "One more thought before it closes." in text_of(response)
    assert topic.posts.count() == 1


def test_a_facilitator_can_still_reply_in_a_locked_topic(topic, group, facilitator_client):
    services.topic_set_locked(topic=topic, locked=True)

    response = _reply(facilitator_client, topic, "Closing this thread gently; thank you all.")

    assert response.status_code == 302
    assert "Closing this thread gently" in text_of(facilitator_client.get(_topic_url(topic)))


def test_pinned_topics_are_listed_first(group, group_member, facilitator_client):
    now = timezone.now()
    for hours, title in [(3, "Oldest: small things that help"), (2, "Middle topic"), (1, "Newest topic")]:
        TopicFactory(group=group, author=group_member, title=title, last_activity_at=now - timedelta(hours=hours))
    oldest = Topic.objects.get(title__startswith="Oldest")

    facilitator_client.post(
        reverse("groups:topic_moderate", kwargs={"slug": group.slug, "topic_id": oldest.pk, "action": "pin"})
    )

    page = text_of(facilitator_client.get(group.get_absolute_url()))
    positions = [page.index(title) for title in ("Oldest: small things that help", "Newest topic", "Middle topic")]
    assert positions == sorted(positions)
    assert '<span class="tag">Pinned</span>' in page


# ----------------------------------------------------------------------------- reactions


def _react(client, post, kind):
    return client.post(
        reverse("groups:post_react", kwargs={"slug": post.topic.group.slug, "post_id": post.pk}), {"kind": kind}
    )


def test_reactions_toggle_and_their_counts_show_under_the_post(topic, group, group_facilitator):
    opening = topic.posts.get()
    first, second = client_for(group_facilitator), client_for(MembershipFactory(group=group).user)

    _react(first, opening, "hear_you")
    _react(second, opening, "hear_you")
    _react(second, opening, "strength")
    after_three = _post_block(text_of(first.get(_topic_url(topic))), opening)
    _react(first, opening, "hear_you")  # taken back
    after_toggle = _post_block(text_of(first.get(_topic_url(topic))), opening)

    assert "2 hear you" in after_three and "1 sent strength" in after_three
    assert "1 hears you" in after_toggle and "1 sent strength" in after_toggle
    assert opening.reactions.count() == 2


def test_reaction_buttons_tell_screen_readers_which_ones_are_pressed(topic, group, group_facilitator):
    opening = topic.posts.get()
    client = client_for(group_facilitator)
    _react(client, opening, "me_too")

    block = _post_block(text_of(client.get(_topic_url(topic))), opening)

    pressed = {label: state for state, label in re.findall(r'aria-pressed="([^"]*)">([^<]+)</button>', block)}
    assert pressed == {"I hear you": "false", "Me too": "true", "Sending strength": "false"}


def test_a_removed_post_cannot_be_reacted_to(topic, group, group_member, facilitator_client):
    opening = topic.posts.get()
    services.post_delete(post=opening, deleted_by=group_member)

    response = _react(facilitator_client, opening, "hear_you")

    assert response.status_code == 302
    assert not opening.reactions.exists()


# ----------------------------------------------------------------------------- content warnings


def test_a_post_with_a_content_warning_is_folded_until_opened(group, group_member, facilitator_client):
    topic = services.topic_create(
        group=group, author=group_member, title="A hard night", body="I thought about hurting myself.",
        content_warning="self_harm",
    )

    block = _post_block(text_of(facilitator_client.get(_topic_url(topic))), topic.posts.get())

    assert '<details class="content-warning">' in block
    assert "Content warning: Self-harm. Open to read." in block


def test_a_reader_who_chose_to_see_a_warning_kind_open_gets_it_unfolded_and_others_stay_folded(
    group, group_member, group_facilitator
):
    self_harm = services.topic_create(
        group=group, author=group_member, title="A hard night", body="I thought about hurting myself.",
        content_warning="self_harm",
    )
    medication = services.topic_create(
        group=group, author=group_member, title="Dose change", body="My dose went up.", content_warning="medication"
    )
    reader = client_for(group_facilitator)

    reader.post(reverse("groups:preferences"), {"unfolded_warnings": ["medication"]})

    assert ReaderPreference.objects.get(user=group_facilitator).unfolded_warnings == ["medication"]
    medication_block = _post_block(text_of(reader.get(_topic_url(medication))), medication.posts.get())
    self_harm_block = _post_block(text_of(reader.get(_topic_url(self_harm))), self_harm.posts.get())
    assert '<details class="content-warning" open>' in medication_block
    assert '<details class="content-warning">' in self_harm_block


# ----------------------------------------------------------------------------- subscriptions, badge, digest


def test_a_reply_notifies_subscribers_but_not_its_author_and_the_header_counts_it(topic, group, group_member):
    follower, replier = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    client_for(follower).post(
        reverse("groups:topic_subscribe", kwargs={"slug": group.slug, "topic_id": topic.pk}), {"subscribed": "1"}
    )

    _reply(client_for(replier), topic, "You are not alone in this.")

    for person in (group_member, follower):
        notification = Notification.objects.get(recipient=person)
        assert notification.message == "New reply in “Watching life through glass”"
        header = page_header(client_for(person).get(group.get_absolute_url()))
        assert '<span class="badge" aria-label="1 unread">1</span>' in header
    assert not Notification.objects.filter(recipient=replier).exists()
    assert 'class="badge"' not in page_header(client_for(replier).get(group.get_absolute_url()))


def test_unsubscribing_stops_reply_notifications(topic, group, group_member):
    client_for(group_member).post(
        reverse("groups:topic_subscribe", kwargs={"slug": group.slug, "topic_id": topic.pk}), {"subscribed": "0"}
    )

    services.reply_create(topic=topic, author=MembershipFactory(group=group).user, body="Same here.")

    assert not Notification.objects.filter(recipient=group_member).exists()


@pytest.mark.parametrize("ending", ["leave", "remove"])
def test_someone_who_left_or_was_removed_is_no_longer_told_about_replies(group, group_facilitator, ending):
    private = SupportGroupFactory(private=True, name="Thursday circle")
    MembershipFactory(group=private, user=group_facilitator, facilitator=True)
    former = MembershipFactory(group=private)
    topic = services.topic_create(group=private, author=former.user, title="After the funeral", body="Numb.")
    if ending == "leave":
        services.membership_leave(membership=former)
    else:
        services.membership_remove(membership=former, removed_by=group_facilitator)
    Notification.objects.all().delete()

    services.reply_create(topic=topic, author=group_facilitator, body="We miss you here.")

    # They can no longer open the group: a notice would only leak that the circle carries on.
    assert not Notification.objects.filter(recipient=former.user).exists()
    assert client_for(former.user).get(topic.get_absolute_url()).status_code == 404


def test_a_moderator_who_replied_is_still_told_about_replies(topic, group, group_member, moderator):
    services.reply_create(topic=topic, author=moderator, body="Checking in on this thread.")

    services.reply_create(topic=topic, author=group_member, body="Thank you for checking.")

    assert Notification.objects.filter(recipient=moderator, verb="topic.replied").count() == 1


def test_the_digest_mails_only_members_who_asked_never_quotes_a_private_group_and_runs_once(db):
    listed = SupportGroupFactory(name="Flat on antidepressants")
    private = SupportGroupFactory(private=True, name="Thursday circle", slug="circle-7")
    wants_digest, no_digest, replier = UserFactory(), UserFactory(), UserFactory()
    wants_digest.profile.email_digest = True
    wants_digest.profile.save()
    for group in (listed, private):
        for person in (wants_digest, no_digest, replier):
            MembershipFactory(group=group, user=person)
    services.topic_create(group=listed, author=wants_digest, title="Music feels flat", body="Open words.")
    services.topic_create(group=listed, author=no_digest, title="Nobody asked for mail", body="Quiet.")
    services.topic_create(
        group=private, author=wants_digest, title="My brother's funeral", body="I did not cry and I feel ashamed."
    )
    for topic in Topic.objects.all():
        services.reply_create(topic=topic, author=replier, body="The circle's secret reply text.")
    mail.outbox.clear()

    sent = notification_digest_send()
    again = notification_digest_send()

    assert sent == 1 and again == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [wants_digest.email]
    content = f"{message.subject}\n{message.body}"
    assert "Music feels flat" in content  # a listed group's topic may be named
    assert "A new reply in one of your private groups" in content
    for private_text in ("My brother's funeral", "I did not cry", "The circle's secret reply text.", "Thursday circle"):
        assert private_text not in content
    # No group addresses at all: a slug can name a private group. One link, to the inbox.
    assert private.slug not in content and "/groups/" not in content
    assert content.count("/me/notifications/") >= 1


# ----------------------------------------------------------------------------- unanswered topics


def test_topics_nobody_answered_for_three_hours_are_marked_once(group, group_member, group_facilitator):
    now = timezone.now()
    waiting = TopicFactory(group=group, author=group_member, title="Waiting four hours", created_at=now - timedelta(hours=4))
    TopicFactory(group=group, author=group_member, title="Only two hours old", created_at=now - timedelta(hours=2))
    TopicFactory(group=group, author=group_member, title="Answered already", created_at=now - timedelta(hours=5), reply_count=1)
    TopicFactory(group=group, author=group_member, title="Deleted", created_at=now - timedelta(hours=5), deleted_at=now)

    first = services.topics_mark_unanswered(now=now)
    second = services.topics_mark_unanswered(now=now)

    assert (first, second) == (1, 0)
    assert list(Topic.objects.exclude(unanswered_since=None).values_list("title", "unanswered_since")) == [
        ("Waiting four hours", now)
    ]
    client = client_for(group_facilitator)
    page = text_of(client.get(reverse("groups:unanswered", kwargs={"slug": group.slug})))
    assert "Waiting four hours" in page
    assert "Only two hours old" not in page and "Answered already" not in page and "Deleted" not in page
    assert '<span class="badge">1</span>' in text_of(client.get(group.get_absolute_url()))

    services.reply_create(topic=waiting, author=group_facilitator, body="I'm here; how are you today?")

    assert "Waiting four hours" not in text_of(client.get(reverse("groups:unanswered", kwargs={"slug": group.slug})))


# ----------------------------------------------------------------------------- risk scan hand-off


def _assessments() -> list[tuple]:
    from moderation.models import RiskAssessment

    return list(RiskAssessment.objects.order_by("pk").values_list("content_kind", "content_id", "content_version", "status"))


def test_every_new_topic_reply_and_edit_enters_the_risk_pipeline_by_id_and_version(
    group, group_member, group_facilitator, django_capture_on_commit_callbacks
):
    with mock.patch("moderation.tasks.risk_assess_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            topic = services.topic_create(group=group, author=group_member, title="Heavy", body="The opening words.")
        opening = topic.posts.get()
        with django_capture_on_commit_callbacks(execute=True):
            reply = services.reply_create(topic=topic, author=group_facilitator, body="The reply words.")
        with django_capture_on_commit_callbacks(execute=True):
            services.post_edit(post=opening, editor=group_member, body="The edited words.")

    assert _assessments() == [
        ("post", opening.pk, 1, "pending"), ("post", reply.pk, 1, "pending"), ("post", opening.pk, 2, "pending")
    ]
    from moderation.models import RiskAssessment

    assert [c.args for c in delay.call_args_list] == [(a.pk,) for a in RiskAssessment.objects.order_by("pk")]
    assert "words" not in repr(delay.call_args_list)


def test_the_risk_assessment_runs_after_commit_not_before(group, group_member, django_capture_on_commit_callbacks):
    with mock.patch("moderation.services.risk_assessment_complete") as assess:
        with django_capture_on_commit_callbacks(execute=True):
            topic = services.topic_create(group=group, author=group_member, title="Heavy", body="Words.")
            assert not assess.called  # not before the post is committed

    from moderation.models import RiskAssessment

    assessment = RiskAssessment.objects.get(content_id=topic.posts.get().pk)
    assess.assert_called_once_with(assessment_id=assessment.pk)


def test_a_rolled_back_post_schedules_no_risk_scan(group, group_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.topic_create(group=group, author=group_member, title="Never saved", body="Gone.")
            raise RuntimeError("something failed after the post")

    assert callbacks == []
    assert _assessments() == []
    assert not Topic.objects.filter(title="Never saved").exists()


# ----------------------------------------------------------------------------- posting restrictions


@pytest.mark.parametrize(
    "sanction, says",
    [
        pytest.param({"kind": "mute", "in_group": True}, "You are muted.", id="muted-in-this-group"),
        pytest.param({"kind": "mute", "in_group": False}, "You are muted.", id="muted-site-wide"),
        pytest.param({"kind": "suspension", "in_group": False}, "Your account is suspended.", id="suspended"),
    ],
)
def test_a_restricted_member_can_read_but_posting_explains_why_and_until_when(
    topic, group, group_member, member_client, moderator, sanction, says
):
    ends_at = timezone.now() + timedelta(days=3)
    Sanction.objects.create(
        user=group_member, kind=sanction["kind"], group=group if sanction["in_group"] else None,
        reason="Several replies gave medication advice.", ends_at=ends_at, created_by=moderator,
    )
    until = formats.date_format(timezone.localtime(ends_at), "DATETIME_FORMAT")

    reading = member_client.get(_topic_url(topic))
    attempts = [
        _reply(member_client, topic, "Trying to reply."),
        _new_topic(member_client, group, "Trying a topic", "Trying to post."),
        member_client.post(
            reverse("groups:post_edit", kwargs={"slug": group.slug, "post_id": topic.posts.get().pk}),
            {"title": "Changed", "body": "Trying to edit."},
        ),
    ]

    assert reading.status_code == 200 and "Everything feels far away." in text_of(reading)
    for response in attempts:
        page = text_of(response)
        assert response.status_code == 403
        assert "You can read, but not post, for now" in page and says in page
        assert escape("Several replies gave medication advice.") in page
        assert f"This lasts until {until}." in page
    assert topic.posts.count() == 1 and Topic.objects.count() == 1


def test_a_mute_in_another_group_or_one_that_ended_does_not_stop_posting(topic, group, group_member, member_client):
    Sanction.objects.create(user=group_member, kind="mute", group=SupportGroupFactory(), reason="Elsewhere.")
    Sanction.objects.create(
        user=group_member, kind="mute", reason="Over.", starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=1),
    )

    assert _reply(member_client, topic, "Back to talking.").status_code == 302


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "title, body, message, kept",
    [
        pytest.param("", "Words I typed with care.", "Please give your topic a title.", "Words I typed with care.", id="no-title"),
        pytest.param("A title I typed", "   ", "Please write something before posting.", "A title I typed", id="no-body"),
        pytest.param(
            "t" * (TITLE_MAX_LENGTH + 1), "Words I typed with care.", f"Titles are at most {TITLE_MAX_LENGTH} characters; this one has {TITLE_MAX_LENGTH + 1}.",
            "t" * (TITLE_MAX_LENGTH + 1), id="title-too-long",
        ),
        pytest.param(
            "A title I typed", "w" * (BODY_MAX_LENGTH + 1),
            f"Posts are at most {BODY_MAX_LENGTH} characters; this one has {BODY_MAX_LENGTH + 1}.",
            "w" * (BODY_MAX_LENGTH + 1), id="body-too-long",
        ),
    ],
)
def test_a_topic_that_cannot_be_posted_says_why_and_keeps_the_typed_text(group, member_client, title, body, message, kept):
    response = _new_topic(member_client, group, title, body)

    page = text_of(response)
    assert response.status_code == 200
    assert message in page
    assert kept in page
    assert not Topic.objects.exists()


@pytest.mark.parametrize(
    "body, message",
    [
        pytest.param("", "Please write something before posting.", id="empty"),
        pytest.param("w" * (BODY_MAX_LENGTH + 1), f"Posts are at most {BODY_MAX_LENGTH} characters", id="too-long"),
    ],
)
def test_a_reply_that_cannot_be_posted_says_why_and_keeps_the_typed_text(topic, group, facilitator_client, body, message):
    response = _reply(facilitator_client, topic, body)

    assert response.status_code == 400
    assert message in text_of(response)
    assert f"{body}</textarea>" in text_of(response)
    assert topic.posts.count() == 1


# ----------------------------------------------------------------------------- rate limits


@pytest.fixture
def frozen_rate_window(monkeypatch):
    # django-ratelimit counts in fixed windows read from time.time(); a test that straddled a
    # window's end would see its count reset. Stop its clock (only its own view of the time).
    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


RATE_LIMIT_MESSAGE = "You are posting faster than we allow right now."


def test_the_seventh_post_within_a_minute_is_refused_and_its_text_kept(topic, group, frozen_rate_window):
    regular = UserFactory(date_joined=timezone.now() - timedelta(days=90))
    MembershipFactory(group=group, user=regular)
    client = client_for(regular)

    allowed = [_reply(client, topic, f"Reply {n}").status_code for n in range(3)]
    allowed += [_new_topic(client, group, f"Topic {n}", "Some words.").status_code for n in range(3)]
    refused = _new_topic(client, group, "The seventh one", "Text I would hate to lose.")
    refused_reply = _reply(client, topic, "A reply I would hate to lose.")

    assert allowed == [302] * 6
    assert refused.status_code == 429 and refused_reply.status_code == 429
    for response, kept in ((refused, "The seventh one"), (refused, "Text I would hate to lose."),
                           (refused_reply, "A reply I would hate to lose.")):
        assert RATE_LIMIT_MESSAGE in text_of(response) and kept in text_of(response)
    assert Topic.objects.filter(author=regular).count() == 3


def test_an_account_younger_than_a_day_posts_three_times_in_ten_minutes(topic, group, frozen_rate_window):
    # README: "6 posts a minute (3 per 10 minutes in an account's first day)".
    newcomer = UserFactory()
    MembershipFactory(group=group, user=newcomer)
    client = client_for(newcomer)

    allowed = [_reply(client, topic, f"Hello {n}").status_code for n in range(3)]
    refused = _reply(client, topic, "My fourth message, kept.")

    assert allowed == [302] * 3
    assert refused.status_code == 429
    assert RATE_LIMIT_MESSAGE in text_of(refused) and "My fourth message, kept." in text_of(refused)


def test_an_overlong_post_the_member_has_to_trim_does_not_use_up_their_posting_rate(topic, group, frozen_rate_window):
    newcomer = UserFactory()
    MembershipFactory(group=group, user=newcomer)
    client = client_for(newcomer)

    refused = [_reply(client, topic, "w" * (BODY_MAX_LENGTH + 1)).status_code for _ in range(4)]
    assert refused == [400] * 4
    assert [_reply(client, topic, f"Trimmed {n}").status_code for n in range(3)] == [302] * 3


def test_every_link_and_form_on_a_topic_page_leads_to_a_real_page(topic, group, member_client, group_member):
    from django.urls import resolve

    services.reply_create(topic=topic, author=group_member, body="My own reply.")
    page = text_of(member_client.get(topic.get_absolute_url()))
    targets = set(re.findall(r'(?:href|action)="(/groups/[^"?#]+)', page))
    assert any("/react/" in target for target in targets) and any("/edit/" in target for target in targets)
    for target in targets:
        assert resolve(target).namespace == "groups", target
