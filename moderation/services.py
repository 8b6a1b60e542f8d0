"""Moderation's entry points for the rest of the site: reports, and the risk pipeline's intake."""
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


def report_create(*, reporter, post, reason: str, note: str = "") -> Report:
    """File a member's report on a post; it goes to the moderators' queue.

    Reporting the same post again while the first report is open returns that report. The author
    is never told who reported. Call only after checking the reporter may read the post.
    """
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    if post.author_id == reporter.pk:
        raise ValidationError(_("You can't report your own post. To take it down, delete it."))
    report = Report(reporter=reporter, post=post, reason=reason, note=note.strip())
    report.full_clean(exclude=["reporter", "post"])
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        return Report.objects.get(reporter=reporter, post=post, status=Report.Status.OPEN)
    publish_on_commit(MODERATORS_GROUP, _event_for_queue_change())
    logger.info("report filed: report_id=%s post_id=%s reason=%s", report.pk, post.pk, reason)
    return report


def post_risk_assessment_request(*, post) -> None:
    """Hand a saved post (new or edited) to the risk pipeline once the transaction commits.

    The task receives ids only, never the text (STYLE.md): the worker loads what it assesses.
    """
    from moderation.tasks import post_risk_scan_task

    post_risk_scan_task.delay_on_commit(post.pk, post.version)


def post_risk_assess(*, post_id: int, version: int) -> None:
    """Assess one version of a post. Idempotent: a missing or newer-edited post is skipped.

    The assessor itself (rules and classifier, flags, crisis cases) arrives with the risk
    pipeline issue; this is the single place it will plug in.
    """
    from groups.models import Post

    post = Post.objects.filter(pk=post_id).only("pk", "version", "deleted_at").first()
    if post is None or post.version != version or post.deleted_at is not None:
        return
    logger.debug("post %s v%s queued for assessment", post_id, version)
