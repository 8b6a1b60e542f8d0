import pytest
from django.contrib.auth import get_user_model

from accounts.services import account_delete, user_data_export
from moderation.models import Report, Sanction
from tests.factories import UserFactory
from tests.groups.factories import PostFactory


@pytest.mark.django_db
def test_export_holds_my_reports_and_sanctions_and_deletion_keeps_reports_anonymous():
    reporter, author = UserFactory(), UserFactory()
    post = PostFactory(author=author)
    report = Report.objects.create(reporter=reporter, post=post, reason=Report.Reason.WORRIED, note="They sounded so low.")
    Sanction.objects.create(user=reporter, kind=Sanction.Kind.MUTE, reason="Please take a breather.")

    exported = user_data_export(user=reporter)["data"]["moderation"]
    assert exported["reports_i_filed"][0]["note"] == "They sounded so low."
    assert exported["sanctions"][0]["reason"] == "Please take a breather."
    assert user_data_export(user=author)["data"]["moderation"] == {
        "reports_i_filed": [], "sanctions": [], "conversations_with_the_team": [], "messages_from_the_team": [],
        "words_that_could_not_be_posted": [],
    }

    account_delete(user=reporter, keep_contributions=False)
    report.refresh_from_db()
    assert report.reporter is None  # the report still reaches the moderators, from no one
    assert not Sanction.objects.filter(user_id=reporter.pk).exists()
    assert not get_user_model().objects.filter(pk=reporter.pk).exists()
