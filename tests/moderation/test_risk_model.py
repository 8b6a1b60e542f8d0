"""The trained layer and the assessor that combines it with the rules."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from moderation.models import Flag, RiskAssessment, TrainedRiskModel
from moderation.risk.assessor import Thresholds, assess_text, risk_combine
from moderation.risk.model import (
    LABELS,
    SHIPPED_MODEL_PATH,
    Example,
    ModelScores,
    RiskModel,
    examples_load,
    model_train,
    shipped_model,
)
from moderation.risk.rules import RuleVerdict
from moderation.services import active_model, risk_model_train
from tests.moderation.conftest import CALM_TEXT, CRISIS_TEXT


def test_the_shipped_model_is_the_one_the_examples_in_the_repository_train():
    # A stale model.json (examples edited, model not rebuilt) fails here:
    # rebuild it with `manage.py train_risk_model --shipped`.
    assert model_train(examples_load()).version == shipped_model().version


def test_the_examples_are_ours_labelled_and_cover_every_level():
    examples = examples_load()
    counts = {label: sum(1 for e in examples if e.label == label) for label in LABELS}
    assert all(count >= 300 for count in counts.values()), counts
    assert len({e.text for e in examples}) == len(examples)  # no duplicates


def test_a_model_survives_its_json_round_trip_unchanged():
    model = shipped_model()
    again = RiskModel.from_json(model.to_json())
    texts = [CRISIS_TEXT, CALM_TEXT, "I feel nothing, what's the point of being here"]
    assert again.version == model.version
    assert again.scores(texts) == model.scores(texts)


def test_a_model_file_in_an_unknown_format_is_refused():
    state = json.loads(shipped_model().to_json())
    state["format"] = 99
    with pytest.raises(ValueError, match="format"):
        RiskModel.from_json(json.dumps(state))


def test_training_needs_every_level():
    with pytest.raises(ValueError, match="crisis"):
        model_train([Example("fine", "ok"), Example("low", "concern")] * 3)


def test_the_assessor_gives_a_level_a_score_the_signals_and_its_version():
    crisis = assess_text(CRISIS_TEXT)
    calm = assess_text(CALM_TEXT)

    assert crisis.level == "crisis" and calm.level == "none"
    assert 0 <= calm.score < crisis.score <= 1
    kinds = [signal["kind"] for signal in crisis.signals]
    assert "rule" in kinds and kinds[-1] == "model"
    assert crisis.version.startswith("rules-") and "+model-" in crisis.version


@pytest.mark.parametrize(
    ("rule_level", "crisis", "concern", "expected"),
    [
        ("none", 0.01, 0.01, "none"),
        ("none", 0.50, 0.10, "crisis"),  # the model alone can raise a crisis
        ("none", 0.10, 0.50, "concern"),
        ("crisis", 0.00, 0.00, "crisis"),  # a rule is never overruled by a calm model
        ("concern", 0.90, 0.05, "crisis"),  # and the higher of the two wins
    ],
)
def test_the_level_is_the_higher_of_rules_and_model(rule_level, crisis, concern, expected):
    scores = ModelScores(crisis=crisis, concern=concern, ok=1 - crisis - concern)
    level, _score = risk_combine(RuleVerdict(level=rule_level, signals=()), scores, Thresholds(crisis=0.3, flag=0.4))
    assert level == expected


@pytest.mark.django_db
def test_train_risk_model_learns_from_moderators_decisions_and_becomes_the_active_model(
    group, group_member, moderator, django_capture_on_commit_callbacks
):
    from groups import services as forum

    with django_capture_on_commit_callbacks(execute=True):
        forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    Flag.objects.update(status=Flag.Status.CONFIRMED, decided_by=moderator)
    assert active_model().version == shipped_model().version

    out = StringIO()
    call_command("train_risk_model", stdout=out)

    row = TrainedRiskModel.objects.get(is_active=True)
    assert row.trained_on["moderator_decisions"] == 1
    assert row.version in out.getvalue()
    assert active_model().version == row.version != shipped_model().version
    # The next assessment names the model that made it.
    with django_capture_on_commit_callbacks(execute=True):
        forum.topic_create(group=group, author=group_member, title="Again", body=CRISIS_TEXT)
    assert row.version in RiskAssessment.objects.latest("pk").assessor_version


@pytest.mark.django_db
def test_retraining_leaves_out_content_edited_since_it_was_judged(
    group, group_member, moderator, django_capture_on_commit_callbacks
):
    from groups import services as forum

    with django_capture_on_commit_callbacks(execute=True):
        topic = forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    Flag.objects.update(status=Flag.Status.DISMISSED, decided_by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_edit(post=topic.posts.get(), editor=group_member, body=CALM_TEXT)

    assert risk_model_train().trained_on["moderator_decisions"] == 0


def test_the_shipped_model_file_is_plain_json():
    text = SHIPPED_MODEL_PATH.read_text(encoding="utf-8")
    assert json.loads(text)["format"] == 1
