"""Site-wide periodic tasks."""
from celery import shared_task


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Beat runs this every 30 s; the dashboard shows when a worker last answered."""
    from platform_site.health import worker_heartbeat_record

    worker_heartbeat_record()
