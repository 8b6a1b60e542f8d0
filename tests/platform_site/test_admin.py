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


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", ["sanction", "auditentry", "watchedphrase", "crisiscase", "flag"])
def test_records_whose_changes_are_audited_cannot_be_added_changed_or_deleted_in_the_admin(client, model_name):
    # Even a superuser sets a sanction or a watched phrase on the moderators' pages, where it is audited.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    model = next(model for model in admin.site._registry if model._meta.model_name == model_name)
    model_admin = admin.site._registry[model]
    request = type("Request", (), {"user": UserFactory(is_staff=True, is_superuser=True)})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request) and not model_admin.has_delete_permission(request)
    assert client.get(reverse(f"admin:moderation_{model_name}_add")).status_code == 403
