"""What moderation holds about a member that is theirs to see: reports they filed, sanctions on them,
their conversations with the team, the other messages the team sent them, and words they could
not post that were kept for the moderators."""
from moderation.models import CareMessage, Conversation, RefusedPost, Report, Sanction


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _conversations_export(user) -> list[dict]:
    conversations = Conversation.objects.filter(member=user).prefetch_related("messages").order_by("opened_at", "pk")
    return [
        {
            "opened_at": _iso(conversation.opened_at),
            "ended_at": _iso(conversation.closed_at),
            "messages": [
                {
                    "from": "me" if message.from_member else "the Thaw team",
                    "kind": message.kind,
                    "body": message.body,
                    "created_at": _iso(message.created_at),
                    "read_at": _iso(message.read_at),
                }
                for message in sorted(conversation.messages.all(), key=lambda m: (m.created_at, m.pk))
            ],
        }
        for conversation in conversations
    ]


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
                "ends_at": _iso(s.ends_at),
                "lifted_at": _iso(s.lifted_at),
            }
            for s in Sanction.objects.filter(user=user).order_by("starts_at")
        ],
        "conversations_with_the_team": _conversations_export(user),
        # The team's other messages: its decisions (warnings, hidden posts, limits).
        "messages_from_the_team": [
            {"kind": m.kind, "body": m.body, "created_at": m.created_at.isoformat()}
            for m in CareMessage.objects.filter(recipient=user, conversation__isnull=True).order_by("created_at")
        ],
        # Refused by the posting limit or a mute, and kept because they sounded like a crisis.
        "words_that_could_not_be_posted": [
            {"where": r.where, "reason": r.reason, "title": r.title, "body": r.body, "created_at": r.created_at.isoformat()}
            for r in RefusedPost.objects.filter(author=user).order_by("created_at")
        ],
    }


def moderation_data_erase(user, keep_contributions: bool) -> None:
    """The audit log keeps its entries about the member, without them: who acted, what and when
    stay for accountability; the link to the member and the words written about them go.
    An open crisis case says the member left, and its follow-ups are cancelled.
    Everything else needs no eraser: reports keep no reporter (SET_NULL); refused words, sanctions, conversations
    and every message in them (both sides), moderators' notes and review requests go with the
    user; crisis cases stay for the record with no member (SET_NULL), their timeline without the
    messages' words."""
    from moderation.services.audit import audit_entries_detach_member_unsafe
    from moderation.services.cases import case_member_left

    audit_entries_detach_member_unsafe(user)
    case_member_left(member=user)


def register() -> None:
    from accounts.personal_data import personal_data_register

    personal_data_register(name="moderation", export=moderation_data_export, erase=moderation_data_erase)
