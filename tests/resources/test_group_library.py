"""The library inside groups: facilitators attach entries to their group or a session, and a link
to an entry in a forum post shows as a card."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.resource_links import MAX_ATTACHMENTS, LibraryAttachment
from resources.models import Entry
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory, MembershipFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, messages_of, script_risks, text_of
from tests.resources.factories import EntryFactory


@pytest.fixture
def circle(db):
    group = SupportGroupFactory(slug="circle", name="Circle")
    facilitator, member = UserFactory(), UserFactory()
    MembershipFactory(group=group, user=facilitator, facilitator=True)
    MembershipFactory(group=group, user=member)
    session = GroupSessionFactory(group=group, title="Sunday check-in", starts_at=timezone.now() + timedelta(days=2))
    return {"group": group, "facilitator": facilitator, "member": member, "session": session}


@pytest.fixture
def entry(db):
    return EntryFactory(slug="sleep-well", title="Sleeping well", summary="Seven to nine hours.")


def _attach_url(group, session=None) -> str:
    if session is None:
        return reverse("groups:library_attach", kwargs={"slug": group.slug})
    return reverse("groups:session_library_attach", kwargs={"slug": group.slug, "session_id": session.pk})


# ----------------------------------------------------------------------------- who may attach


@pytest.mark.parametrize("where", ["group", "session"])
def test_a_facilitator_of_the_group_attaches_an_entry(circle, entry, where):
    session = circle["session"] if where == "session" else None

    response = client_for(circle["facilitator"]).post(_attach_url(circle["group"], session), {"entry": entry.slug})

    assert response.status_code == 302
    attachment = LibraryAttachment.objects.get()
    assert (attachment.group, attachment.session, attachment.entry) == (circle["group"], session, entry)
    assert attachment.added_by == circle["facilitator"]
    assert messages_of(response) == ["“Sleeping well” is attached."]


@pytest.mark.parametrize("where", ["group", "session"])
def test_a_member_may_not_attach(circle, entry, where):
    session = circle["session"] if where == "session" else None
    client = client_for(circle["member"])

    assert client.get(_attach_url(circle["group"], session)).status_code == 403
    assert client.post(_attach_url(circle["group"], session), {"entry": entry.slug}).status_code == 403
    assert not LibraryAttachment.objects.exists()


@pytest.mark.parametrize("private, expected", [(False, 403), (True, 404)], ids=["listed", "private"])
def test_a_facilitator_of_another_group_may_not_attach(circle, entry, private, expected):
    target = SupportGroupFactory(private=private)
    session = GroupSessionFactory(group=target, starts_at=timezone.now() + timedelta(days=1))
    client = client_for(circle["facilitator"])

    assert client.post(_attach_url(target), {"entry": entry.slug}).status_code == expected
    assert client.post(_attach_url(target, session), {"entry": entry.slug}).status_code == expected
    assert not LibraryAttachment.objects.exists()


def test_a_moderator_may_attach_anywhere(circle, entry):
    response = client_for(UserFactory(is_moderator=True)).post(_attach_url(circle["group"]), {"entry": entry.slug})

    assert response.status_code == 302
    assert LibraryAttachment.objects.count() == 1


def test_a_visitor_is_sent_to_sign_in(circle, entry):
    response = client_for(None).post(_attach_url(circle["group"]), {"entry": entry.slug})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not LibraryAttachment.objects.exists()


def test_a_session_of_another_group_is_a_404_under_this_groups_address(circle, entry):
    other_session = GroupSessionFactory(group=SupportGroupFactory(), starts_at=timezone.now() + timedelta(days=1))
    url = reverse("groups:session_library_attach", kwargs={"slug": circle["group"].slug, "session_id": other_session.pk})

    assert client_for(circle["facilitator"]).post(url, {"entry": entry.slug}).status_code == 404
    assert not LibraryAttachment.objects.exists()


# ----------------------------------------------------------------------------- bad input


def test_an_unknown_entry_is_refused_with_a_message(circle, entry):
    response = client_for(circle["facilitator"]).post(_attach_url(circle["group"]), {"entry": "no-such-entry"})

    assert response.status_code == 400
    assert "That entry is not in the library (any more)." in text_of(response)
    assert not LibraryAttachment.objects.exists()


def test_no_entry_chosen_is_refused_with_a_message(circle, entry):
    response = client_for(circle["facilitator"]).post(_attach_url(circle["group"]), {"entry": ""})

    assert response.status_code == 400
    assert "Choose an entry to attach." in text_of(response)


def test_attaching_the_same_entry_twice_keeps_one(circle, entry):
    client = client_for(circle["facilitator"])
    client.post(_attach_url(circle["group"]), {"entry": entry.slug})
    client.post(_attach_url(circle["group"]), {"entry": entry.slug})

    assert LibraryAttachment.objects.count() == 1


def test_the_same_entry_may_sit_on_the_group_and_on_a_session(circle, entry):
    services.library_attachment_add(group=circle["group"], entry=entry, added_by=circle["facilitator"])
    services.library_attachment_add(group=circle["group"], session=circle["session"], entry=entry, added_by=circle["facilitator"])

    assert LibraryAttachment.objects.count() == 2


def test_there_is_a_limit_and_it_is_explained(circle):
    for _ in range(MAX_ATTACHMENTS):
        services.library_attachment_add(group=circle["group"], entry=EntryFactory(), added_by=circle["facilitator"])
    one_more = EntryFactory()

    response = client_for(circle["facilitator"]).post(_attach_url(circle["group"]), {"entry": one_more.slug})

    assert response.status_code == 400
    assert f"At most {MAX_ATTACHMENTS} entries can be attached here; remove one first." in text_of(response)


def test_the_service_refuses_a_session_of_another_group(circle, entry):
    from django.core.exceptions import ValidationError

    other_session = GroupSessionFactory(group=SupportGroupFactory(), starts_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError):
        services.library_attachment_add(group=circle["group"], session=other_session, entry=entry, added_by=None)


# ----------------------------------------------------------------------------- removing


def test_a_facilitator_removes_an_attachment(circle, entry):
    attachment = services.library_attachment_add(group=circle["group"], entry=entry, added_by=circle["facilitator"])
    url = reverse("groups:library_detach", kwargs={"slug": circle["group"].slug, "attachment_id": attachment.pk})

    assert client_for(circle["member"]).post(url).status_code == 403
    assert LibraryAttachment.objects.exists()
    response = client_for(circle["facilitator"]).post(url)

    assert response.status_code == 302 and response["Location"] == _attach_url(circle["group"])
    assert not LibraryAttachment.objects.exists()


def test_another_groups_attachment_is_a_404_under_this_groups_address(circle, entry):
    other = SupportGroupFactory()
    attachment = services.library_attachment_add(group=other, entry=entry, added_by=None)
    url = reverse("groups:library_detach", kwargs={"slug": circle["group"].slug, "attachment_id": attachment.pk})

    assert client_for(circle["facilitator"]).post(url).status_code == 404
    assert LibraryAttachment.objects.filter(pk=attachment.pk).exists()


# ----------------------------------------------------------------------------- where they show


def test_the_group_page_shows_its_entries_to_visitors_and_the_change_link_to_facilitators(circle, entry):
    services.library_attachment_add(group=circle["group"], entry=entry, added_by=circle["facilitator"])
    url = circle["group"].get_absolute_url()

    visitor = text_of(client_for(None).get(url))
    facilitator = text_of(client_for(circle["facilitator"]).get(url))

    assert "From the library" in visitor and entry.get_absolute_url() in visitor
    assert _attach_url(circle["group"]) not in visitor
    assert _attach_url(circle["group"]) in facilitator


def test_the_session_page_shows_the_sessions_entries(circle, entry):
    services.library_attachment_add(group=circle["group"], session=circle["session"], entry=entry, added_by=None)
    url = reverse("groups:session_detail", kwargs={"slug": circle["group"].slug, "session_id": circle["session"].pk})

    html = text_of(client_for(circle["member"]).get(url))

    assert "From the library" in html and "Sleeping well" in html
    assert _attach_url(circle["group"], circle["session"]) not in html


def test_a_session_entry_is_not_on_the_group_page(circle, entry):
    services.library_attachment_add(group=circle["group"], session=circle["session"], entry=entry, added_by=None)

    assert "Sleeping well" not in text_of(client_for(circle["member"]).get(circle["group"].get_absolute_url()))


# ----------------------------------------------------------------------------- cards in posts


def _topic_page(circle, body: str) -> str:
    topic = services.topic_create(group=circle["group"], author=circle["member"], title="Found this", body=body)
    return text_of(client_for(circle["member"]).get(topic.get_absolute_url()))


def _cards(html: str) -> list[str]:
    import re

    return re.findall(r'<p class="entry-card-title"><a href="([^"]*)">', html)


def test_a_link_to_an_entry_in_a_post_shows_as_a_card(circle, entry):
    html = _topic_page(circle, "This helped me: http://testserver/library/sleep-well/ and also /library/sleep-well/")

    assert _cards(html) == ["/library/sleep-well/"]
    assert "Seven to nine hours." in html


def test_links_elsewhere_or_to_no_entry_make_no_card(circle, entry):
    html = _topic_page(circle, "https://example.org/library/sleep-well/ and /library/not-an-entry/")

    assert _cards(html) == []


def test_a_card_escapes_what_it_shows(circle):
    EntryFactory(slug="odd-entry", title="<img src=x onerror=alert(1)>", summary="<script>alert(2)</script>")

    html = _topic_page(circle, "Look: /library/odd-entry/")

    assert _cards(html) == ["/library/odd-entry/"]
    assert script_risks(html) == []


def test_cards_cost_one_query_for_the_whole_page(circle, django_assert_num_queries):
    from groups.library import library_cards_attach
    from groups.models import Post

    entries = [EntryFactory() for _ in range(4)]
    topic = TopicFactory(group=circle["group"], author=circle["member"])
    for entry in entries:
        services.reply_create(topic=topic, author=circle["member"], body=f"See /library/{entry.slug}/")
    posts = list(Post.objects.filter(topic=topic))

    with django_assert_num_queries(1):
        library_cards_attach(posts=posts)

    assert [post.library_cards[0].slug for post in posts if post.library_cards] == [entry.slug for entry in entries]


def test_a_removed_entry_takes_its_attachments_and_cards_with_it(circle, entry):
    services.library_attachment_add(group=circle["group"], entry=entry, added_by=None)
    Entry.objects.filter(pk=entry.pk).delete()

    assert not LibraryAttachment.objects.exists()
    assert _cards(_topic_page(circle, "/library/sleep-well/")) == []
