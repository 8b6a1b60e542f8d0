"""Settings for the servers the fault tests start: the test settings, with Celery as in production.

The test settings run tasks eagerly, inside the request; here a task goes to the broker (and with
the broker down it waits as a pending row for the sweep), as it does in production.
"""
from platform_site.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
