"""The public pages: calm, accessible, always a way to help, protected by a nonce-based CSP."""
import re

import pytest
from django.urls import reverse

PUBLIC_PAGES = ["home", "guidelines", "resources:crisis", "account_login", "account_signup", "account_reset_password"]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_every_public_page_links_to_help_and_skips_to_content(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    crisis_url = reverse("resources:crisis")
    assert re.search(rf'<a class="help-now" href="{crisis_url}">Need help now\?</a>', html)
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_signed_in_pages_keep_the_help_link(auth_client):
    response = auth_client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert "Need help now?" in response.content.decode()


@pytest.mark.django_db
def test_crisis_page_gives_the_seed_articles_lines_without_login(client):
    response = client.get(reverse("resources:crisis"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:988"' in html
    assert 'href="tel:911"' in html
    assert "Crisis Intervention Training (CIT)" in html


@pytest.mark.django_db
def test_crisis_page_is_never_rate_limited(client):
    statuses = {client.get(reverse("resources:crisis")).status_code for _ in range(120)}
    assert statuses == {200}


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_whose_nonce_matches_our_script(client):
    response = client.get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert f'<script nonce="{nonce}"' in response.content.decode()
    # A fresh nonce for every response.
    assert nonce not in client.get(reverse("home")).headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_static_files_are_served_by_the_application_itself(client):
    response = client.get("/static/platform_site/css/thaw.css")
    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_landing_page_says_what_thaw_is_and_invites_to_join(client):
    html = client.get(reverse("home")).content.decode()
    assert "emotional numbness" in html
    assert reverse("account_signup") in html


@pytest.mark.django_db
def test_a_missing_page_still_offers_the_crisis_lines(client, member):
    client.force_login(member)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn't find that page" in html
    assert f'href="{reverse("resources:crisis")}"' in html


@pytest.mark.django_db
def test_a_refused_page_still_offers_the_crisis_lines(rf, member):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/somewhere/")
    request.user = member
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = response.content.decode()
    assert "You can't open this page" in html
    assert f'href="{reverse("resources:crisis")}"' in html


def test_the_server_error_page_stands_alone_and_gives_the_crisis_lines(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))  # rendered without context processors: nothing there may fail
    assert response.status_code == 500
    html = response.content.decode()
    assert 'href="/help/"' in html and "911" in html and "988" in html
