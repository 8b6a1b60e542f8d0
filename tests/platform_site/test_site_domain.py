import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from platform_site.apps import site_domain_sync


@pytest.mark.django_db
def test_emails_are_signed_with_the_configured_site_domain(settings, client, member):
    settings.SITE_DOMAIN = "thaw.example.org"
    site_domain_sync(sender=None)
    assert Site.objects.get_current().domain == "thaw.example.org"
    client.post(reverse("account_reset_password"), {"email": member.email})
    # allauth builds links from the request's host; the Site names us in the signature.
    assert mail.outbox[-1].body.rstrip().endswith("thaw.example.org")
