"""Who may see and do what inside a support group. Site moderators act everywhere."""
from accounts.permissions import user_is_moderator
from groups.models import Membership, SupportGroup


def membership_of(user, group: SupportGroup) -> Membership | None:
    if not user.is_authenticated:
        return None
    # Views look this up once per request and hand it around; see selectors.group_context_get.
    return Membership.objects.filter(group=group, user=user).first()


def can_see_group(user, group: SupportGroup, membership: Membership | None) -> bool:
    """Listed groups are public; a private group does not exist for anyone outside it."""
    if not group.is_private:
        return True
    return user_is_moderator(user) or bool(membership and membership.is_active)


def can_read_forum(user, membership: Membership | None) -> bool:
    return user_is_moderator(user) or bool(membership and membership.is_active)


def can_facilitate(user, membership: Membership | None) -> bool:
    return user_is_moderator(user) or bool(membership and membership.is_facilitator)
