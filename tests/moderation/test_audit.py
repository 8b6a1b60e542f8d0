"""The audit log: append-only, readable and filterable by moderators; views of private data are
recorded; a member's deletion keeps the entries without them. Notes and review requests."""
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.services import account_delete
from moderation import services
from moderation.models import AuditEntry, CareMessage, ModeratorNote, ReviewRequest, Sanction
from moderation.services.audit import ERASED_REASON
from tests.factories import UserFactory
from tests.groups.helpers import client_for, text_of

pytestmark = pytest.mark.django_db


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm_or_the_admin(moderator, member):
    services.member_warn(member=member, moderator=moderator, reason="Please be kind.")
    entry = AuditEntry.objects.get()
    entry.reason = "rewritten"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    admin = site._registry[AuditEntry]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
    assert AuditEntry.objects.get().reason == "Please be kind."


def test_audit_log_page_lists_who_what_to_whom_when_and_why_and_filters(moderator, moderator_client, member):
    other = UserFactory()
    services.member_warn(member=member, moderator=moderator, reason="Please be kind.")
    services.moderator_note_add(member=other, moderator=moderator, body="Private words.")

    page = text_of(moderator_client.get(reverse("moderation:audit_log")))
    assert "<td>Warned a member</td>" in page and "Please be kind." in page and member.display_name in page
    assert moderator.display_name in page
    assert "Private words." not in page  # a note's words stay in the note

    only_warnings = text_of(moderator_client.get(reverse("moderation:audit_log"), {"action": "sanction.warning"}))
    assert "<td>Warned a member</td>" in only_warnings and "<td>Wrote a note on a member</td>" not in only_warnings
    about_other = text_of(moderator_client.get(reverse("moderation:audit_log"), {"member": other.pk}))
    assert "<td>Wrote a note on a member</td>" in about_other and "<td>Warned a member</td>" not in about_other
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "No entries match." in text_of(moderator_client.get(reverse("moderation:audit_log"), {"since": tomorrow}))
    assert moderator_client.get(reverse("moderation:audit_log"), {"since": "not a date", "page": "x"}).status_code == 200


def test_opening_a_members_record_or_safety_plan_is_recorded(moderator, moderator_client, member):
    moderator_client.get(reverse("moderation:member_detail", kwargs={"user_id": member.pk}))
    moderator_client.get(reverse("moderation:member_safety_plan", kwargs={"user_id": member.pk}))
    assert set(AuditEntry.objects.filter(actor=moderator, target_user=member).values_list("action", flat=True)) == {
        AuditEntry.Action.VIEWED_MEMBER, AuditEntry.Action.VIEWED_SAFETY_PLAN,
    }


def test_deleting_an_account_keeps_the_audit_entries_without_the_member(moderator, member):
    services.member_warn(member=member, moderator=moderator, reason=f"{member.display_name} was unkind.")
    services.moderator_note_add(member=member, moderator=moderator, body="About them.")

    account_delete(user=member, keep_contributions=False)

    entries = AuditEntry.objects.order_by("pk")
    assert [e.action for e in entries] == ["sanction.warning", "note.added"]
    assert all(e.target_user_id is None and e.target_erased and e.reason in ("", ERASED_REASON) for e in entries)
    assert all(e.actor == moderator for e in entries)
    assert not ModeratorNote.objects.exists()


def test_moderator_notes_are_seen_by_moderators_only(moderator, moderator_client, member):
    services.moderator_note_add(member=member, moderator=moderator, body="Prefers gentle wording.")
    assert "Prefers gentle wording." in text_of(moderator_client.get(reverse("moderation:member_detail", kwargs={"user_id": member.pk})))
    assert client_for(member).get(reverse("moderation:member_detail", kwargs={"user_id": member.pk})).status_code == 403
    with pytest.raises(ValidationError):
        services.moderator_note_add(member=member, moderator=moderator, body="   ")


def test_a_member_asks_for_a_review_and_another_moderator_reverses_it(moderator, member, client_for):
    sanction = services.sanction_create(member=member, moderator=moderator, kind="mute", reason="A pause.")
    message = CareMessage.objects.get(sanction=sanction)

    response = client_for(member).post(reverse("care:review_request", kwargs={"message_id": message.pk}), {"note": "I was quoting."})
    assert response.status_code == 302
    review = ReviewRequest.objects.get()
    with pytest.raises(ValidationError):  # the member was promised a second pair of eyes
        services.review_request_decide(review_id=review.pk, moderator=moderator, reverse=True, answer="Fair.")

    colleague = UserFactory(is_moderator=True)
    services.review_request_decide(review_id=review.pk, moderator=colleague, reverse=True, answer="You were quoting; lifted.")

    assert Sanction.objects.get(pk=sanction.pk).lifted_at is not None
    assert member.notifications.filter(verb="review.decided").exists()
    assert AuditEntry.objects.filter(action="review.decided").count() == 1


def test_nobody_can_ask_for_a_review_of_someone_elses_message(moderator, member, other_member, client_for):
    services.member_warn(member=member, moderator=moderator, reason="Please be kind.")
    message = CareMessage.objects.get(recipient=member)
    response = client_for(other_member).post(reverse("care:review_request", kwargs={"message_id": message.pk}))
    assert response.status_code == 404
    assert not ReviewRequest.objects.exists()
