"""The fault servers' settings with e-mail written to the process's output, as `EMAIL_URL=consolemail://`
would: the canary test reads each process's whole output, e-mails included."""
from tests.faults.server_settings import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
