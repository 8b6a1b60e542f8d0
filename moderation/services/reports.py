"""Reports from members on posts. A worried report opens the caring path (services/care.py)."""
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from moderation.models import Report
from platform_site.realtime import MODERATORS_GROUP, publish_on_commit

logger = logging.getLogger(__name__)


def _event_for_queue_change() -> dict:
    # Ids and counts only: the moderators' pages load the content they may see.
    return {"type": "queue.changed", "open_reports": Report.objects.filter(status=Report.Status.OPEN).count()}


def report_create(*, reporter, post=None, room_message=None, reason: str, note: str = "") -> Report:
    """File a member's report on a forum post or a live-room message; it goes to the moderators' queue.

    Reporting the same thing again while the first report is open returns that report. The author
    is never told who reported. Call only after checking the reporter may read what they report.
    """
    if (post is None) == (room_message is None):
        raise ValueError("report_create needs exactly one of post and room_message")
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    content = post if post is not None else room_message
    from moderation.selectors import suspension_in_force

    # A mute still lets a member report (reporting is how people keep each other safe); a
    # suspended account does nothing until the suspension ends.
    if suspension_in_force(user=reporter) is not None:
        raise ValidationError(_("Your account is suspended for now."))
    if content.author_id == reporter.pk:
        raise ValidationError(
            _("You can't report your own post. To take it down, delete it.") if post is not None
            else _("You can't report your own message.")
        )
    if reason == Report.Reason.WORRIED and content.author_id is None:
        # A former member: there is nobody left to check in with, so the caring path cannot open.
        raise ValidationError({"reason": _(
            "The person who wrote this has left Thaw, so there is no one we can check in with. If what they wrote "
            "worries you or goes against the guidelines, choose another reason and a moderator will look at it."
        )})
    report = Report(reporter=reporter, post=post, room_message=room_message, reason=reason, note=(note or "").strip())
    report.full_clean(exclude=["reporter", "post", "room_message"])
    try:
        with transaction.atomic():
            report.save()
            from moderation.services.queue import report_flag_attach

            report_flag_attach(report=report)
            if reason == Report.Reason.WORRIED:
                from moderation.services.care import worried_report_care_open

                worried_report_care_open(report=report)
    except IntegrityError:
        return Report.objects.get(reporter=reporter, post=post, room_message=room_message, status=Report.Status.OPEN)
    publish_on_commit(MODERATORS_GROUP, _event_for_queue_change())
    logger.info("report filed: report_id=%s reason=%s", report.pk, reason)
    return report
