import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_admin_list_and_add_page_opens_for_staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        meta = model._meta
        assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")).status_code == 200, meta.label
        assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code in (200, 403), meta.label


@pytest.mark.django_db
def test_members_cannot_reach_the_admin(auth_client):
    assert auth_client.get("/admin/").status_code in (302, 403)
    assert auth_client.get(reverse("admin:support_groups_post_changelist")).status_code in (302, 403)
