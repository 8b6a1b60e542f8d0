"""Groups and membership: create groups, join, ask, invite, approve, leave, remove."""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notification_create
from groups.models import Invitation, Membership, SupportGroup
from groups.services.sessions import rsvps_cancel_for_departed_member
from platform_site.realtime import publish_on_commit, user_group_name
from platform_site.text import markdown_to_safe_html

INVITATION_LIFETIMES = {"1": timedelta(days=1), "7": timedelta(days=7), "30": timedelta(days=30)}


def group_create(
    *, name: str, slug: str, description: str, house_rules: str = "", focus: str, visibility: str,
    join_policy: str, size_cap: int | None = None, facilitator=None,
) -> SupportGroup:
    group = SupportGroup(
        name=name.strip(), slug=slug, description=description, house_rules=house_rules, focus=focus,
        visibility=visibility, join_policy=join_policy, size_cap=size_cap,
    )
    group.description_html = markdown_to_safe_html(description)
    group.house_rules_html = markdown_to_safe_html(house_rules)
    group.full_clean()
    with transaction.atomic():
        group.save()
        if facilitator is not None:
            Membership.objects.create(group=group, user=facilitator, role=Membership.Role.FACILITATOR)
    return group


def group_update(*, group: SupportGroup, **fields) -> SupportGroup:
    for name, value in fields.items():
        setattr(group, name, value)
    group.description_html = markdown_to_safe_html(group.description)
    group.house_rules_html = markdown_to_safe_html(group.house_rules)
    group.full_clean()
    with transaction.atomic():
        group.save()
        # A raised (or removed) size cap makes room: the waiting list moves on at once.
        _promote_from_waiting_list(_lock_group(group))
    return group


def _has_room(group: SupportGroup) -> bool:
    if group.size_cap is None:
        return True
    return group.memberships.filter(status=Membership.Status.ACTIVE).count() < group.size_cap


def _set_status(membership: Membership, status: str, role: str | None = None) -> Membership:
    membership.status = status
    membership.status_changed_at = timezone.now()
    if role is not None:
        membership.role = role
    membership.save(update_fields=["status", "status_changed_at", "role"])
    return membership


def _admit(*, group: SupportGroup, user, membership: Membership | None) -> Membership:
    """Active if there is room, else on the waiting list. Call inside a transaction."""
    status = Membership.Status.ACTIVE if _has_room(group) else Membership.Status.WAITLISTED
    if membership is None:
        return Membership.objects.create(group=group, user=user, status=status)
    return _set_status(membership, status, role=Membership.Role.MEMBER)


def _notify(user, *, group: SupportGroup, message: str, email_message: str | None = None) -> None:
    notification_create(
        recipient=user,
        verb="membership.changed",
        message=message,
        # A private group's name stays on the site.
        email_message=email_message or (_("News about one of your groups") if group.is_private else message),
        url=reverse("groups:detail", kwargs={"slug": group.slug}),
    )


def _lock_group(group: SupportGroup) -> SupportGroup:
    # Serialises joins against the size cap (a no-op lock on SQLite, whose writes are serial).
    return SupportGroup.objects.select_for_update().get(pk=group.pk)


def membership_join(*, group: SupportGroup, user) -> Membership:
    """Join an open group, or ask to join one that is by request. Invitation-only groups refuse."""
    with transaction.atomic():
        group = _lock_group(group)
        membership = Membership.objects.filter(group=group, user=user).first()
        if membership is not None and membership.status in (
            Membership.Status.ACTIVE, Membership.Status.REQUESTED, Membership.Status.WAITLISTED
        ):
            return membership
        if membership is not None and membership.status == Membership.Status.REMOVED:
            raise PermissionDenied(_("A facilitator removed you from this group, so you can't rejoin it yourself."))
        if group.join_policy == SupportGroup.JoinPolicy.OPEN:
            return _admit(group=group, user=user, membership=membership)
        if group.join_policy == SupportGroup.JoinPolicy.REQUEST:
            if membership is None:
                return Membership.objects.create(group=group, user=user, status=Membership.Status.REQUESTED)
            return _set_status(membership, Membership.Status.REQUESTED, role=Membership.Role.MEMBER)
        raise PermissionDenied(_("This group is open by invitation only."))


def membership_request_decide(*, membership: Membership, approve: bool) -> Membership:
    if membership.status != Membership.Status.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    with transaction.atomic():
        group = _lock_group(membership.group)
        if approve:
            membership = _admit(group=group, user=membership.user, membership=membership)
            text = (
                _("Welcome: you are now a member of %(group)s.")
                if membership.is_active
                else _("Your request to join %(group)s was accepted; the group is full, so you are on its waiting list.")
            ) % {"group": group.name}
        else:
            membership = _set_status(membership, Membership.Status.DECLINED)
            text = _("Your request to join %(group)s was not accepted this time.") % {"group": group.name}
        _notify(membership.user, group=group, message=text)
    return membership


def invitation_create(*, group: SupportGroup, created_by, lifetime: timedelta) -> Invitation:
    return Invitation.objects.create(group=group, created_by=created_by, expires_at=timezone.now() + lifetime)


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_accept(*, invitation: Invitation, user) -> Membership:
    if not invitation.is_usable():
        raise ValidationError(_("This invitation has expired or was withdrawn. Ask the facilitator for a new one."))
    with transaction.atomic():
        group = _lock_group(invitation.group)
        membership = Membership.objects.filter(group=group, user=user).first()
        if membership is not None and membership.is_active:
            return membership
        if membership is not None and membership.status == Membership.Status.REMOVED:
            raise PermissionDenied(_("A facilitator removed you from this group, so this invitation can't be used."))
        if membership is not None and membership.status == Membership.Status.WAITLISTED and not _has_room(group):
            return membership  # keep their place in the queue
        membership = _admit(group=group, user=user, membership=membership)
        Invitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
    return membership


def _end_membership(membership: Membership, status: str) -> Membership:
    was_active = membership.is_active
    with transaction.atomic():
        group = _lock_group(membership.group)
        membership = _set_status(membership, status, role=Membership.Role.MEMBER)
        # Someone no longer in the group can't come to its sessions: their places go to the waiting lists.
        rsvps_cancel_for_departed_member(group=group, user=membership.user)
        # Open sockets (live rooms) close at once: they listen on the member's own channel group.
        publish_on_commit(
            user_group_name(membership.user_id), {"type": "membership.ended", "group_id": group.pk}
        )
        if was_active:
            _promote_from_waiting_list(group)
    return membership


def _promote_from_waiting_list(group: SupportGroup) -> None:
    while _has_room(group):
        waiting = (
            group.memberships.filter(status=Membership.Status.WAITLISTED).order_by("status_changed_at", "pk").first()
        )
        if waiting is None:
            return
        _set_status(waiting, Membership.Status.ACTIVE)
        _notify(waiting.user, group=group, message=_("A place opened up: you are now a member of %(group)s.") % {"group": group.name})


def membership_leave(*, membership: Membership) -> Membership:
    if membership.status not in (Membership.Status.ACTIVE, Membership.Status.REQUESTED, Membership.Status.WAITLISTED):
        return membership
    return _end_membership(membership, Membership.Status.LEFT)


def membership_remove(*, membership: Membership, removed_by) -> Membership:
    if membership.user_id == removed_by.pk:
        raise ValidationError(_("To leave the group yourself, use Leave."))
    if not membership.is_active:
        raise ValidationError(_("This person is not an active member."))
    membership = _end_membership(membership, Membership.Status.REMOVED)
    _notify(
        membership.user, group=membership.group,
        message=_("You are no longer a member of %(group)s. If you think this is a mistake, contact the moderators.")
        % {"group": membership.group.name},
    )
    return membership


def membership_set_role(*, membership: Membership, role: str) -> Membership:
    """Appoint or step down a facilitator (moderators only; checked by the caller)."""
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    if not membership.is_active:
        raise ValidationError(_("Only active members can be facilitators."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership
