"""What moderation holds about a member that is theirs to see: reports they filed, sanctions on them,
messages the team sent them."""
from moderation.models import CareMessage, Report, Sanction


def moderation_data_export(user) -> dict:
    return {
        "reports_i_filed": [
            {"reason": r.reason, "note": r.note, "status": r.status, "created_at": r.created_at.isoformat()}
            for r in Report.objects.filter(reporter=user).order_by("created_at")
        ],
        "sanctions": [
            {
                "kind": s.kind,
                "reason": s.reason,
                "starts_at": s.starts_at.isoformat(),
                "ends_at": s.ends_at.isoformat() if s.ends_at else None,
                "lifted_at": s.lifted_at.isoformat() if s.lifted_at else None,
            }
            for s in Sanction.objects.filter(user=user).order_by("starts_at")
        ],
        "messages_from_the_team": [
            {"kind": m.kind, "body": m.body, "created_at": m.created_at.isoformat()}
            for m in CareMessage.objects.filter(recipient=user).order_by("created_at")
        ],
    }


def moderation_data_erase(user, keep_contributions: bool) -> None:
    """The audit log keeps its entries about the member, without them: who acted, what and when
    stay for accountability; the link to the member and the words written about them go.
    Everything else needs no eraser: reports keep no reporter (SET_NULL); sanctions, the team's
    messages, moderators' notes and review requests go with the user; crisis cases stay for the
    record with no member (SET_NULL)."""
    from moderation.services.audit import audit_entries_detach_member_unsafe

    audit_entries_detach_member_unsafe(user)


def register() -> None:
    from accounts.personal_data import personal_data_register

    personal_data_register(name="moderation", export=moderation_data_export, erase=moderation_data_erase)
