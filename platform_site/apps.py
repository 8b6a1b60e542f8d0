from django.apps import AppConfig
from django.db.models.signals import post_migrate


def site_domain_sync(sender, **kwargs) -> None:
    """Keep the Site used in e-mailed links (verification, password reset) equal to SITE_DOMAIN."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME}
    )


class PlatformSiteConfig(AppConfig):
    name = "platform_site"
    verbose_name = "Thaw site"

    def ready(self) -> None:
        from django.apps import apps

        # After every migrate (sent once per app with models: listen to the sites app's), so that
        # changing SITE_DOMAIN later takes effect too.
        post_migrate.connect(site_domain_sync, sender=apps.get_app_config("sites"))
