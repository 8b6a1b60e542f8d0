"""Joining, asking, invitations, the waiting list, leaving and removal."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from groups import services
from groups.models import Invitation, Membership, SupportGroup
from platform_site.realtime import user_group_name
from tests.factories import UserFactory
from tests.groups.factories import InvitationFactory, MembershipFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, messages_of, text_of


def _detail(group):
    return reverse("groups:detail", kwargs={"slug": group.slug})


def _join(client, group):
    return client.post(reverse("groups:join", kwargs={"slug": group.slug}))


def _status(group, user):
    return Membership.objects.get(group=group, user=user).status


def _notifications(user):
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


# ----------------------------------------------------------------------------- joining


def test_joining_an_open_group_makes_you_a_member_at_once(group):
    newcomer = UserFactory()
    client = client_for(newcomer)

    response = _join(client, group)

    assert response.status_code == 302 and response["Location"] == _detail(group)
    assert messages_of(response) == ["Welcome. You are now a member of this group."]
    assert _status(group, newcomer) == Membership.Status.ACTIVE
    page = text_of(client.get(_detail(group)))
    assert "Leave this group" in page and "Start a topic" in page


def test_asking_to_join_waits_for_a_facilitator_and_approval_tells_the_person(group, facilitator_client):
    group.join_policy = SupportGroup.JoinPolicy.REQUEST
    group.save()
    asker = UserFactory()
    asker_client = client_for(asker)

    response = _join(asker_client, group)

    assert messages_of(response) == ["Your request is sent. A facilitator will answer it soon."]
    assert asker_client.get(reverse("groups:search", kwargs={"slug": group.slug})).status_code == 403
    members_page = text_of(facilitator_client.get(reverse("groups:members", kwargs={"slug": group.slug})))
    assert "Asking to join" in members_page and asker.display_name in members_page

    membership = Membership.objects.get(group=group, user=asker)
    facilitator_client.post(
        reverse("groups:member_decide", kwargs={"slug": group.slug, "membership_id": membership.pk}), {"decision": "approve"}
    )

    assert _status(group, asker) == Membership.Status.ACTIVE
    assert _notifications(asker) == ["Welcome: you are now a member of Flat on antidepressants."]
    assert asker_client.get(reverse("groups:search", kwargs={"slug": group.slug})).status_code == 200


def test_a_declined_request_tells_the_person_and_gives_no_access(group, facilitator_client):
    group.join_policy = SupportGroup.JoinPolicy.REQUEST
    group.save()
    asker = UserFactory()
    _join(client_for(asker), group)
    membership = Membership.objects.get(group=group, user=asker)

    facilitator_client.post(
        reverse("groups:member_decide", kwargs={"slug": group.slug, "membership_id": membership.pk}), {"decision": "decline"}
    )

    assert _status(group, asker) == Membership.Status.DECLINED
    assert _notifications(asker) == ["Your request to join Flat on antidepressants was not accepted this time."]
    assert client_for(asker).get(reverse("groups:search", kwargs={"slug": group.slug})).status_code == 403


def test_an_answered_request_cannot_be_answered_again(group):
    group.join_policy = SupportGroup.JoinPolicy.REQUEST
    group.save()
    membership = services.membership_join(group=group, user=UserFactory())
    services.membership_request_decide(membership=membership, approve=True)

    with pytest.raises(ValidationError):
        services.membership_request_decide(membership=membership, approve=False)

    assert Membership.objects.get(pk=membership.pk).status == Membership.Status.ACTIVE


def test_invitation_only_group_refuses_a_plain_join(db):
    group = SupportGroupFactory(join_policy=SupportGroup.JoinPolicy.INVITATION)
    outsider = UserFactory()

    response = _join(client_for(outsider), group)

    assert messages_of(response) == ["This group is open by invitation only."]
    assert not Membership.objects.filter(group=group, user=outsider).exists()


# ----------------------------------------------------------------------------- invitations


def _invitation_url(invitation):
    return reverse("groups:invitation_accept", kwargs={"token": invitation.token})


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param({"expires_at": timezone.now() - timedelta(minutes=1)}, id="expired"),
        pytest.param({"revoked_at": timezone.now()}, id="revoked"),
    ],
)
def test_an_expired_or_withdrawn_invitation_says_so_and_does_not_let_anyone_in(db, spoil):
    group = SupportGroupFactory(private=True)
    invitation = InvitationFactory(group=group, **spoil)
    guest = UserFactory()
    client = client_for(guest)
    message = "This invitation has expired or was withdrawn. Ask the facilitator for a new one."

    page = client.get(_invitation_url(invitation))
    attempt = client.post(_invitation_url(invitation))

    assert page.status_code == 200 and message in text_of(page)
    assert "Join this group" not in text_of(page)
    assert attempt.status_code == 200 and message in text_of(attempt)
    assert not Membership.objects.filter(group=group, user=guest).exists()
    assert client.get(_detail(group)).status_code == 404


def test_a_valid_invitation_lets_the_guest_into_a_private_group(db):
    group = SupportGroupFactory(private=True, name="Thursday circle")
    invitation = InvitationFactory(group=group)
    guest = UserFactory()
    client = client_for(guest)

    page = client.get(_invitation_url(invitation))
    response = client.post(_invitation_url(invitation))

    assert "You are invited to Thursday circle" in text_of(page)
    assert response.status_code == 302 and response["Location"] == _detail(group)
    assert messages_of(response) == ["Welcome. You are now a member of this group."]
    assert _status(group, guest) == Membership.Status.ACTIVE
    assert Invitation.objects.get(pk=invitation.pk).uses == 1
    assert client.get(_detail(group)).status_code == 200


def test_a_withdrawn_link_stops_working_from_the_facilitators_page(group, facilitator_client):
    invitation = InvitationFactory(group=group)

    facilitator_client.post(
        reverse("groups:invitation_revoke", kwargs={"slug": group.slug, "invitation_id": invitation.pk})
    )

    guest = UserFactory()
    response = client_for(guest).post(_invitation_url(invitation))
    assert "This invitation has expired or was withdrawn." in text_of(response)
    assert not Membership.objects.filter(group=group, user=guest).exists()
    links_page = text_of(facilitator_client.get(reverse("groups:invitations", kwargs={"slug": group.slug})))
    assert _invitation_url(invitation) not in links_page


def test_facilitator_creates_an_invitation_link_that_works_for_the_chosen_time(group, facilitator_client):
    response = facilitator_client.post(reverse("groups:invitations", kwargs={"slug": group.slug}), {"lifetime": "1"})

    invitation = Invitation.objects.get(group=group)
    assert response.status_code == 302
    assert timedelta(hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=1)
    page = text_of(facilitator_client.get(reverse("groups:invitations", kwargs={"slug": group.slug})))
    assert _invitation_url(invitation) in page


# ----------------------------------------------------------------------------- size cap and waiting list


@pytest.fixture
def full_group(db):
    """A group capped at 2, full, with two people waiting (the first waited longer)."""
    group = SupportGroupFactory(name="Burnt out and blank", size_cap=2)
    first_in = MembershipFactory(group=group, facilitator=True)
    second_in = MembershipFactory(group=group)
    now = timezone.now()
    first_waiting = MembershipFactory(
        group=group, status=Membership.Status.WAITLISTED, status_changed_at=now - timedelta(hours=2)
    )
    second_waiting = MembershipFactory(
        group=group, status=Membership.Status.WAITLISTED, status_changed_at=now - timedelta(hours=1)
    )
    return group, first_in, second_in, first_waiting, second_waiting


def test_joining_a_full_group_puts_you_on_the_waiting_list(full_group):
    group = full_group[0]
    latecomer = UserFactory()
    client = client_for(latecomer)

    response = _join(client, group)

    assert messages_of(response) == [
        "This group is full for now; you are on its waiting list and we will tell you when a place opens."
    ]
    assert _status(group, latecomer) == Membership.Status.WAITLISTED
    assert client.get(reverse("groups:search", kwargs={"slug": group.slug})).status_code == 403
    assert "You are on the waiting list" in text_of(client.get(_detail(group)))


def test_leaving_a_full_group_lets_the_longest_waiting_person_in_and_tells_them(full_group):
    group, _first_in, second_in, first_waiting, second_waiting = full_group

    response = client_for(second_in.user).post(reverse("groups:leave", kwargs={"slug": group.slug}))

    assert response.status_code == 302
    assert _status(group, second_in.user) == Membership.Status.LEFT
    assert _status(group, first_waiting.user) == Membership.Status.ACTIVE
    assert _status(group, second_waiting.user) == Membership.Status.WAITLISTED
    assert _notifications(first_waiting.user) == ["A place opened up: you are now a member of Burnt out and blank."]
    assert _notifications(second_waiting.user) == []


def test_removing_a_member_from_a_full_group_lets_the_next_person_in(full_group):
    group, first_in, second_in, first_waiting, _second_waiting = full_group

    client_for(first_in.user).post(
        reverse("groups:member_remove", kwargs={"slug": group.slug, "membership_id": second_in.pk})
    )

    assert _status(group, second_in.user) == Membership.Status.REMOVED
    assert _status(group, first_waiting.user) == Membership.Status.ACTIVE
    assert "A place opened up" in _notifications(first_waiting.user)[0]


def test_leaving_the_waiting_list_lets_nobody_in(full_group):
    group, _first_in, _second_in, first_waiting, second_waiting = full_group

    services.membership_leave(membership=first_waiting)

    assert _status(group, second_waiting.user) == Membership.Status.WAITLISTED
    assert group.memberships.filter(status=Membership.Status.ACTIVE).count() == 2


def test_raising_the_size_cap_lets_people_on_the_waiting_list_in(full_group):
    group, _first_in, _second_in, first_waiting, second_waiting = full_group

    services.group_update(group=group, size_cap=3)

    # A place is free now: the person who waited longest should not wait for someone to leave.
    assert _status(group, first_waiting.user) == Membership.Status.ACTIVE
    assert _status(group, second_waiting.user) == Membership.Status.WAITLISTED


# ----------------------------------------------------------------------------- leaving and removal


def test_a_removed_member_cannot_rejoin_by_themselves(group, group_facilitator):
    removed = MembershipFactory(group=group)
    services.membership_remove(membership=removed, removed_by=group_facilitator)
    client = client_for(removed.user)

    response = _join(client, group)

    assert messages_of(response) == ["A facilitator removed you from this group, so you can't rejoin it yourself."]
    assert _status(group, removed.user) == Membership.Status.REMOVED
    assert client.get(reverse("groups:search", kwargs={"slug": group.slug})).status_code == 403
    with pytest.raises(PermissionDenied):
        services.invitation_accept(invitation=InvitationFactory(group=group), user=removed.user)


def test_removal_tells_the_member_and_hides_a_private_group_from_them(db):
    group = SupportGroupFactory(private=True, name="Thursday circle")
    facilitator = MembershipFactory(group=group, facilitator=True).user
    removed = MembershipFactory(group=group)

    services.membership_remove(membership=removed, removed_by=facilitator)

    assert _notifications(removed.user) == [
        "You are no longer a member of Thursday circle. If you think this is a mistake, contact the moderators."
    ]
    assert client_for(removed.user).get(_detail(group)).status_code == 404


def test_a_facilitator_cannot_remove_themselves(group, group_facilitator):
    with pytest.raises(ValidationError):
        services.membership_remove(
            membership=Membership.objects.get(group=group, user=group_facilitator), removed_by=group_facilitator
        )


def test_leaving_a_private_group_takes_you_to_my_groups_and_the_group_disappears(db):
    group = SupportGroupFactory(private=True)
    member = MembershipFactory(group=group).user
    client = client_for(member)

    response = client.post(reverse("groups:leave", kwargs={"slug": group.slug}))

    assert response.status_code == 302 and response["Location"] == reverse("groups:mine")
    assert client.get(_detail(group)).status_code == 404


@pytest.mark.parametrize("ending", ["leave", "remove"])
def test_ending_a_membership_tells_the_members_open_sockets_after_commit(
    group, group_facilitator, listen, django_capture_on_commit_callbacks, ending
):
    membership = MembershipFactory(group=group)

    with listen(user_group_name(membership.user_id)) as listener:
        with django_capture_on_commit_callbacks(execute=True):
            if ending == "leave":
                services.membership_leave(membership=membership)
            else:
                services.membership_remove(membership=membership, removed_by=group_facilitator)
            # Not before the transaction commits: a rolled-back leave must not close anyone's room.
            assert listener.nothing_arrives()
        event = listener.receive()

    assert event == {"type": "membership.ended", "group_id": group.pk}


def test_a_rolled_back_removal_tells_nobody(group, group_facilitator, listen, django_capture_on_commit_callbacks):
    from django.db import transaction

    membership = MembershipFactory(group=group)

    with listen(user_group_name(membership.user_id)) as listener:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                services.membership_remove(membership=membership, removed_by=group_facilitator)
                raise RuntimeError("the request failed after the removal")
        assert callbacks == []
        assert listener.nothing_arrives()

    assert _status(group, membership.user) == Membership.Status.ACTIVE


# ----------------------------------------------------------------------------- directory and "my groups"


def test_directory_lists_only_listed_groups_with_their_active_member_counts(db):
    listed = SupportGroupFactory(name="Burnt out and blank")
    MembershipFactory.create_batch(3, group=listed)
    MembershipFactory(group=listed, status=Membership.Status.LEFT)
    MembershipFactory(group=listed, status=Membership.Status.WAITLISTED)
    private = SupportGroupFactory(name="Thursday circle", private=True)
    private_member = MembershipFactory(group=private).user

    # Even the private group's own member does not find it listed.
    page = text_of(client_for(private_member).get(reverse("groups:directory")))

    assert "Burnt out and blank" in page and "3 members" in page
    assert "Thursday circle" not in page
    assert reverse("groups:detail", kwargs={"slug": private.slug}) not in page


def test_my_groups_lists_my_active_groups_and_what_i_am_waiting_for(db):
    me = UserFactory()
    MembershipFactory(user=me, group=SupportGroupFactory(name="Flat on antidepressants"))
    MembershipFactory(user=me, group=SupportGroupFactory(name="Thursday circle", private=True))
    MembershipFactory(user=me, group=SupportGroupFactory(name="After the storm"), status=Membership.Status.REQUESTED)
    MembershipFactory(user=me, group=SupportGroupFactory(name="Burnt out"), status=Membership.Status.WAITLISTED)
    MembershipFactory(user=me, group=SupportGroupFactory(name="Left behind"), status=Membership.Status.LEFT)
    MembershipFactory(user=me, group=SupportGroupFactory(name="Shown the door"), status=Membership.Status.REMOVED)
    TopicFactory()  # someone else's group

    page = text_of(client_for(me).get(reverse("groups:mine")))

    groups_part, waiting_part = page.split("<h2>Waiting</h2>")
    assert "Flat on antidepressants" in groups_part and "Thursday circle" in groups_part
    assert "After the storm: Asked to join" in waiting_part
    assert "Burnt out: On the waiting list" in waiting_part
    assert "Left behind" not in page and "Shown the door" not in page


def test_using_an_invitation_while_on_the_waiting_list_keeps_my_place(db):
    group = SupportGroupFactory(size_cap=1)
    MembershipFactory(group=group, user=UserFactory())
    first, second = UserFactory(), UserFactory()
    services.membership_join(group=group, user=first)
    services.membership_join(group=group, user=second)
    place_before = Membership.objects.get(group=group, user=first).status_changed_at

    invitation = InvitationFactory(group=group)
    services.invitation_accept(invitation=invitation, user=first)

    waiting = Membership.objects.get(group=group, user=first)
    assert waiting.status == Membership.Status.WAITLISTED
    assert waiting.status_changed_at == place_before
