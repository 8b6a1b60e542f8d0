"""Set the Site that allauth uses to build links in e-mails (verification, password reset)."""
from django.conf import settings
from django.db import migrations


def site_domain_set(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME}
    )


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(site_domain_set, migrations.RunPython.noop)]
