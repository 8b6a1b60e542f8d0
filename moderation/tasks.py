"""Moderation's Celery tasks: thin wrappers over services, ids only in their arguments.

Risk work runs on its own queue (`risk`, see CELERY_TASK_ROUTES) so bulk jobs never delay it.
"""
from celery import shared_task


@shared_task(ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def risk_assess_task(assessment_id: int) -> None:
    from moderation.services import risk_assessment_complete

    risk_assessment_complete(assessment_id=assessment_id)


@shared_task(ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def crisis_alerts_send_task(case_id: int) -> None:
    from moderation.services import crisis_alert_emails_send

    crisis_alert_emails_send(case_id=case_id)


@shared_task(ignore_result=True)
def risk_sweep_task() -> None:
    """Beat, every 30 s: re-queue stale pending assessments and send alert e-mails left unsent."""
    from moderation.services import crisis_alert_emails_send, risk_pending_requeue

    risk_pending_requeue()
    crisis_alert_emails_send()


@shared_task(ignore_result=True)
def follow_ups_send_due_task() -> None:
    from moderation.services import follow_ups_send_due

    follow_ups_send_due()
