from celery import shared_task


@shared_task(ignore_result=True)
def topics_mark_unanswered_task() -> None:
    from groups.services import topics_mark_unanswered

    topics_mark_unanswered()
