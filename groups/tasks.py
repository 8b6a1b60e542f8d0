from celery import shared_task


@shared_task(ignore_result=True)
def topics_mark_unanswered_task() -> None:
    from groups.services import topics_mark_unanswered

    topics_mark_unanswered()


@shared_task(ignore_result=True)
def room_connections_sweep_task() -> None:
    from groups.services.rooms import room_connections_sweep

    room_connections_sweep()


@shared_task(ignore_result=True)
def session_reminders_send_task() -> None:
    from groups.services import session_reminders_send

    session_reminders_send()
