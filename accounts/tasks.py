from celery import shared_task


@shared_task(ignore_result=True)
def notification_digest_send_task() -> None:
    from accounts.notifications import notification_digest_send

    notification_digest_send()
