"""A member's safety plan: what they change (service), who may read it (selectors), and its data rights.

The plan is among the most private things Thaw holds. Only its author reads it, on their own page.
Moderators read it only while the member has switched sharing on, and only through
`safety_plan_for_moderator`. Its words never go into logs, events, task arguments or the admin.
"""
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import SafetyPlan
from accounts.permissions import user_is_moderator

SAFETY_PLAN_EDITABLE_FIELDS = frozenset((*SafetyPlan.TEXT_FIELDS, "shared_with_moderators"))


def safety_plan_update(*, user, data: Mapping[str, Any]) -> SafetyPlan:
    """Create or change `user`'s plan from `data`; raises ValidationError and saves nothing if invalid.

    `data` holds any of the plan's sections and `shared_with_moderators`; sections it leaves out
    keep what they had. Any other key is a programming error (ValueError): it must never be
    possible to move a plan to another user, for example, through this function.
    """
    unknown = set(data) - SAFETY_PLAN_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"safety_plan_update got fields it does not edit: {sorted(unknown)}")
    with transaction.atomic():
        # Locked so that two tabs saving at once cannot interleave; get_or_create also settles two
        # first saves racing on the one-plan-per-member constraint. A refused plan rolls back whole.
        plan, _created = SafetyPlan.objects.select_for_update().get_or_create(user=user)
        for field, value in data.items():
            setattr(plan, field, value)
        plan.full_clean(exclude=["user"])
        plan.save()
    return plan


def safety_plan_get(*, user) -> SafetyPlan | None:
    """The member's own plan, or None if they have not written one (or nobody is signed in)."""
    if not user.is_authenticated:
        return None
    return SafetyPlan.objects.filter(user=user).first()


def safety_plan_for_moderator(*, moderator, member) -> SafetyPlan | None:
    """`member`'s plan as a moderator may see it: only while the member shares it, else None.

    Raises PermissionDenied when `moderator` is not an active moderator, so a view that forgot
    `moderator_required` still answers 403 instead of leaking anything. For a moderator, "no plan"
    and "a plan not shared" both give None on purpose: whether a member has written a plan at all
    is theirs to tell.
    """
    if not user_is_moderator(moderator):
        raise PermissionDenied("Moderators only.")
    return SafetyPlan.objects.filter(user=member, shared_with_moderators=True).first()


def safety_plan_data_export(user) -> dict[str, Any] | None:
    plan = SafetyPlan.objects.filter(user=user).first()
    if plan is None:
        return None
    return {
        **{field: getattr(plan, field) for field in SafetyPlan.TEXT_FIELDS},
        "shared_with_moderators": plan.shared_with_moderators,
        "updated_at": plan.updated_at.isoformat(),
    }


def safety_plan_data_erase(user, keep_contributions: bool) -> None:
    # The plan is never a contribution to a shared space: it goes whatever the member chose.
    SafetyPlan.objects.filter(user=user).delete()
