"""The writer sees the crisis panel at once, wherever they land: after a topic, a reply or an edit,
and on the pages that refuse a post (the posting limit, a mute), where nothing they typed is lost
and a moderator still hears of a crisis. Decided by the full assessor in the saving request."""
import html
import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import Post, Topic
from moderation.models import CrisisCase, Flag, RefusedPost, RiskAssessment, Sanction
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory
from tests.groups.helpers import client_for, text_of
from tests.support.risk_texts import CRISIS_TEXTS, ORDINARY_TEXTS

pytestmark = pytest.mark.django_db

PANEL = re.compile(r'<section class="crisis-panel card" id="crisis-panel"[^>]*>.*?</section>', re.DOTALL)


def _panel(response) -> str | None:
    match = PANEL.search(text_of(response))
    return match.group(0) if match else None


@pytest.fixture
def topic(group, group_member):
    return services.topic_create(group=group, author=group_member, title="Behind glass", body="Everything is muffled.")


@pytest.fixture
def moderator_on_duty(db):
    from moderation.services import moderator_duty_set

    moderator = UserFactory(is_moderator=True)
    moderator_duty_set(moderator=moderator, on_duty=True)
    return moderator


@pytest.fixture
def frozen_rate_window(monkeypatch):
    # django-ratelimit counts in fixed windows read from time.time(): hold its clock still.
    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


def _reply(client, topic, body):
    return client.post(reverse("groups:topic_reply", kwargs={"slug": topic.group.slug, "topic_id": topic.pk}), {"body": body})


def _new_topic(client, group, title, body):
    return client.post(reverse("groups:topic_new", kwargs={"slug": group.slug}), {"title": title, "body": body})


def _landing(client, response):
    """Follow the redirect as a browser would, and say where it pointed."""
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    return location, client.get(location)


# ----------------------------------------------------------------------------- published posts


@pytest.mark.parametrize("text", CRISIS_TEXTS)
def test_a_crisis_reply_lands_on_the_panel_scrolled_to_and_focused(
    django_capture_on_commit_callbacks, topic, member_client, group_member, text
):
    with django_capture_on_commit_callbacks(execute=True):
        location, page = _landing(member_client, _reply(member_client, topic, text))

    # The redirect points at the panel, not at #latest (the panel would be 1,000 px out of view).
    assert location.endswith("#crisis-panel")
    panel = _panel(page)
    assert panel and "data-focus-on-load" in panel and 'role="alert"' in panel
    assert "Your words are posted" in panel and 'href="tel:988"' in panel and 'href="tel:911"' in panel
    assert text in text_of(page)  # the post is up, not hidden
    assert Flag.objects.get(author=group_member).level == "crisis"
    assert CrisisCase.objects.get(member=group_member).status == "open"


def test_the_panel_shows_once(topic, member_client):
    _landing(member_client, _reply(member_client, topic, CRISIS_TEXTS[0]))
    assert _panel(member_client.get(topic.get_absolute_url())) is None


def test_a_crisis_topic_lands_on_the_panel(group, member_client, group_member):
    location, page = _landing(member_client, _new_topic(member_client, group, "Tonight", CRISIS_TEXTS[3]))

    topic = Topic.objects.get(author=group_member)
    assert location == f"{topic.get_absolute_url()}#crisis-panel"
    assert "data-focus-on-load" in _panel(page)


def test_an_edit_that_sounds_like_crisis_lands_on_the_panel(topic, member_client):
    post = topic.posts.get()
    url = reverse("groups:post_edit", kwargs={"slug": topic.group.slug, "post_id": post.pk})

    location, page = _landing(member_client, member_client.post(url, {"title": topic.title, "body": CRISIS_TEXTS[7]}))

    assert location.endswith("#crisis-panel")
    assert "data-focus-on-load" in _panel(page)


@pytest.mark.parametrize("text", ORDINARY_TEXTS)
def test_ordinary_posts_show_no_panel_and_raise_no_flag(django_capture_on_commit_callbacks, topic, member_client, text):
    with django_capture_on_commit_callbacks(execute=True):
        location, page = _landing(member_client, _reply(member_client, topic, text))

    assert location.endswith("#latest")
    assert _panel(page) is None
    assert not Flag.objects.exists()


def test_the_draft_check_hears_a_plan_the_rules_alone_missed(member_client):
    # The rule layer alone missed these plain words; the trained model in the request hears them.
    answer = member_client.post(
        reverse("care:draft_check"), {"text": "I have pills saved up and I plan to take them all tonight."}
    )
    assert answer.json() == {"show_panel": True}
    assert member_client.post(reverse("care:draft_check"), {"text": ORDINARY_TEXTS[3]}).json() == {"show_panel": False}


def test_the_panels_script_copy_never_carries_the_panels_id_in_the_page_source(topic, member_client):
    # Outside checks look for id="crisis-panel": a page without a crisis has none, even hidden.
    page = text_of(member_client.get(topic.get_absolute_url()))
    assert 'id="crisis-panel"' not in page and 'id="draft-crisis-panel"' in page


# ----------------------------------------------------------------------------- the posting limit


def test_a_crisis_past_the_posting_limit_keeps_the_text_shows_the_panel_and_alerts_a_moderator(
    django_capture_on_commit_callbacks, group, topic, moderator_on_duty, frozen_rate_window
):
    newcomer = MembershipFactory(group=group).user  # an account's first day: 3 posts in 10 minutes
    client = client_for(newcomer)
    for n in range(3):
        assert _reply(client, topic, f"Hello {n}").status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        refused = _reply(client, topic, "I plan to take all my pills tonight.")

    page = html.unescape(text_of(refused))
    assert refused.status_code == 429
    assert "I plan to take all my pills tonight.</textarea>" in page  # nothing typed is lost
    assert "In an account's first day, Thaw takes up to 3 posts every 10 minutes." in page
    assert re.search(r"You can post again in about \d+ (minutes?|seconds?); your text is still here\.", page)
    panel = _panel(refused)
    assert panel and "Your words were not posted in the group" in panel and "data-focus-on-load" in panel
    # Not posted: the group never sees it; a moderator does, as for any crisis.
    assert not Post.objects.filter(body__contains="all my pills").exists()
    refused_post = RefusedPost.objects.get(author=newcomer)
    assert (refused_post.reason, refused_post.where, refused_post.group) == ("rate_limited", "reply", group)
    flag = Flag.objects.get(author=newcomer)
    assert (flag.level, flag.content_kind, flag.content_id) == ("crisis", "refused_post", refused_post.pk)
    assert CrisisCase.objects.get(member=newcomer).flag == flag
    assert [message.to for message in mail.outbox] == [[moderator_on_duty.email]]
    assert "pills" not in mail.outbox[0].body
    assert "all my pills" not in text_of(client_for(UserFactory()).get(topic.get_absolute_url()))


def test_sending_the_refused_words_again_makes_one_item_not_many(
    django_capture_on_commit_callbacks, group, topic, frozen_rate_window
):
    newcomer = MembershipFactory(group=group).user
    client = client_for(newcomer)
    for n in range(3):
        _reply(client, topic, f"Hello {n}")

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert _reply(client, topic, CRISIS_TEXTS[1]).status_code == 429

    assert RefusedPost.objects.filter(author=newcomer).count() == 1
    assert Flag.objects.filter(author=newcomer).count() == 1


def test_calm_words_past_the_posting_limit_are_not_kept(group, topic, frozen_rate_window):
    regular = UserFactory(date_joined=timezone.now() - timedelta(days=90))
    MembershipFactory(group=group, user=regular)
    client = client_for(regular)
    for n in range(6):
        _reply(client, topic, f"Reply {n}")

    refused = _reply(client, topic, "One more thought about the session.")

    assert refused.status_code == 429
    assert "Thaw takes up to 6 posts a minute." in html.unescape(text_of(refused))
    assert re.search(r"You can post again in about \d+ seconds?", text_of(refused))
    assert _panel(refused) is None
    assert not RefusedPost.objects.exists() and not RiskAssessment.objects.filter(content_kind="refused_post").exists()


# ----------------------------------------------------------------------------- a mute


@pytest.fixture
def muted(group, group_member, moderator):
    return Sanction.objects.create(
        user=group_member, kind="mute", group=group, reason="A break from posting for a day.",
        ends_at=timezone.now() + timedelta(days=1), created_by=moderator,
    )


def test_a_muted_member_is_told_before_they_write_and_offered_no_reply_box(topic, member_client, muted):
    topic_page = text_of(member_client.get(topic.get_absolute_url()))
    new_topic_page = text_of(member_client.get(reverse("groups:topic_new", kwargs={"slug": topic.group.slug})))

    for page in (html.unescape(topic_page), html.unescape(new_topic_page)):
        assert "You can read, but not post, for now" in page and "A break from posting for a day." in page
        assert "This lasts until" in page
    assert "Post reply" not in topic_page and 'name="body"' not in topic_page
    assert "Post topic" not in new_topic_page and 'name="body"' not in new_topic_page


def test_a_muted_members_crisis_keeps_their_words_shows_the_panel_and_reaches_a_moderator(
    django_capture_on_commit_callbacks, topic, member_client, group_member, muted, moderator_on_duty
):
    with django_capture_on_commit_callbacks(execute=True):
        refused = _reply(member_client, topic, CRISIS_TEXTS[8])

    page = html.unescape(text_of(refused))
    assert refused.status_code == 403
    assert "You are muted." in page and f"{CRISIS_TEXTS[8]}</textarea>" in page
    assert "Post reply" not in page  # the text is there to copy, not to send again
    assert "data-focus-on-load" in _panel(refused)
    refused_post = RefusedPost.objects.get(author=group_member)
    assert (refused_post.reason, refused_post.where) == ("restricted", "reply")
    assert Flag.objects.get(author=group_member).content_kind == "refused_post"
    assert CrisisCase.objects.filter(member=group_member).count() == 1
    assert len(mail.outbox) == 1


def test_a_muted_members_calm_words_come_back_without_a_panel_and_are_not_kept(topic, member_client, muted):
    refused = _new_topic(member_client, topic.group, "A title I typed", "Words I typed with care.")

    assert refused.status_code == 403
    assert "A title I typed" in text_of(refused) and "Words I typed with care.</textarea>" in text_of(refused)
    assert _panel(refused) is None
    assert not RefusedPost.objects.exists()


def test_a_muted_member_editing_into_a_crisis_keeps_the_edit_and_sees_the_panel(topic, member_client, group_member, muted):
    post = topic.posts.get()
    url = reverse("groups:post_edit", kwargs={"slug": topic.group.slug, "post_id": post.pk})

    refused = member_client.post(url, {"title": topic.title, "body": CRISIS_TEXTS[10]})

    assert refused.status_code == 403 and _panel(refused)
    assert RefusedPost.objects.get(author=group_member).where == "edit"
    post.refresh_from_db()
    assert post.body == "Everything is muffled." and post.version == 1


def test_refused_crisis_words_are_in_the_members_export_and_go_with_their_account(
    django_capture_on_commit_callbacks, topic, member_client, group_member, muted
):
    from accounts.services import account_delete, user_data_export

    with django_capture_on_commit_callbacks(execute=True):
        _reply(member_client, topic, CRISIS_TEXTS[5])

    exported = user_data_export(user=group_member)["data"]["moderation"]["words_that_could_not_be_posted"]
    assert [(row["where"], row["reason"], row["body"]) for row in exported] == [("reply", "restricted", CRISIS_TEXTS[5])]
    account_delete(user=group_member, keep_contributions=False)
    assert not RefusedPost.objects.exists()
