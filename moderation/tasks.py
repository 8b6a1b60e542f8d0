from celery import shared_task


@shared_task(ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def post_risk_scan_task(post_id: int, version: int) -> None:
    from moderation.services import post_risk_assess

    post_risk_assess(post_id=post_id, version=version)
