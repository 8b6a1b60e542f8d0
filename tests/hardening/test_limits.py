"""Too much input is refused with a message that says why, never a server error; nothing is saved."""
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from groups import services
from groups.models import BODY_MAX_LENGTH, Post
from tests.groups.helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(group, group_member):
    return services.topic_create(group=group, author=group_member, title="Quiet week", body="Nothing much reached me.")


def reply_url(topic) -> str:
    return reverse("groups:topic_reply", kwargs={"slug": topic.group.slug, "topic_id": topic.pk})


def test_a_post_over_the_length_limit_is_refused_with_the_limit_and_its_length(member_client, topic):
    response = member_client.post(reply_url(topic), {"body": "a" * (BODY_MAX_LENGTH + 1)})

    assert response.status_code == 400  # the reply form again, with what was typed and why
    assert f"Posts are at most {BODY_MAX_LENGTH} characters; this one has {BODY_MAX_LENGTH + 1}." in text_of(response)
    assert Post.objects.filter(topic=topic).count() == 1


def test_the_longest_allowed_post_in_four_byte_characters_still_fits_in_a_request(member_client, topic):
    # URL-encoded, each of these characters takes 12 bytes: the body limit must leave room for it.
    body = "🌧" * BODY_MAX_LENGTH
    response = member_client.post(reply_url(topic), {"body": body})

    assert response.status_code == 302
    assert Post.objects.filter(topic=topic, body=body).exists()


def test_a_request_body_over_the_limit_gets_a_413_page_that_says_why(member_client, topic):
    payload = "body=" + "a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = member_client.post(reply_url(topic), payload, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    page = text_of(response)
    assert "That was too much to send at once: a page accepts at most 1000 KB. Nothing was saved." in page
    assert 'role="alert"' in page and "<title>Not sent" in page
    assert Post.objects.filter(topic=topic).count() == 1


def test_too_many_fields_get_a_page_that_says_why(member_client, topic):
    fields = "&".join(f"field{i}=x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = member_client.post(reply_url(topic), "body=hello&" + fields, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert "That form sent more fields than any page here has. Nothing was saved" in text_of(response)
    assert Post.objects.filter(topic=topic).count() == 1


def test_a_file_sent_to_any_form_is_refused_with_a_page_that_says_why(member_client, topic):
    upload = SimpleUploadedFile("notes.txt", b"a file nobody asked for", content_type="text/plain")
    response = member_client.post(reply_url(topic), {"body": "hello", "attachment": upload})

    assert response.status_code == 400
    assert "Thaw does not accept file uploads. Nothing was saved." in text_of(response)
    assert Post.objects.filter(topic=topic).count() == 1


def test_no_model_stores_files_so_refusing_every_upload_loses_nothing():
    # DATA_UPLOAD_MAX_NUMBER_FILES = 0 holds only while nothing takes files; a FileField added
    # later must come with its own limits (and this test changed on purpose).
    file_fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert file_fields == []
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 0
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
