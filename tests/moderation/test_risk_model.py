"""The trained layer and the assessor that combines it with the rules.

The model is fitted at most once per test session (`fitted`, about 15 s); everything else reads the
shipped model.json. A stale model.json is told by the digest of its inputs, not by retraining.
"""
import csv
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from moderation.models import Flag, RiskAssessment, TrainedRiskModel
from moderation.risk import model as risk_model
from moderation.risk.assessor import Thresholds, assess_text, risk_combine
from moderation.risk.model import (
    EXAMPLES_DIR,
    LABELS,
    SHIPPED_MODEL_PATH,
    Example,
    ModelScores,
    RiskModel,
    examples_load,
    model_inputs_digest,
    shipped_model,
)
from moderation.risk.rules import RuleVerdict
from moderation.services import active_model, risk_model_train
from tests.moderation.conftest import CALM_TEXT, CRISIS_TEXT

HOLDOUT_PATH = EXAMPLES_DIR / "holdout" / "in_domain.csv"
# Texts a tokenizer can trip on: nothing, only spaces, emoji, other scripts, one enormous word,
# a very long post, control characters, words shorter than the shortest character piece.
EDGE_TEXTS = [
    "",
    " ",
    "\n\t \u00a0",
    "a",
    "I",
    "😶",
    "😶‍🌫️ 🫠🫠 numb 🙃",
    "我感觉不到任何东西，我不想活了",
    "Я ничего не чувствую. Не хочу жить.",
    "لا أشعر بشيء",
    "मुझे कुछ महसूस नहीं होता",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ",
    "Ünïcödé çàfé naïve ÉMOTIONS",
    "x" * 5000,
    ("I feel like I'm behind glass. " * 400).strip(),
    "tab\tseparated\x00nul\x1fcontrol",
    "can't won't don't — it’s “quoted” … dots",
    "a b c d e f g h i j",
    "123 4567 89",
    "kms",
]


def _texts_for_parity() -> list[str]:
    examples = [example.text for example in examples_load()]
    with HOLDOUT_PATH.open(encoding="utf-8", newline="") as handle:
        holdout = [row["text"] for row in csv.DictReader(handle)]
    return examples[::15] + holdout[::3] + EDGE_TEXTS


@pytest.fixture(scope="session")
def fitted():
    """The one real fit of this test session, on the examples in the repository."""
    from moderation.risk.training import model_fit

    return model_fit(examples_load(), trained_on={"fitted": "by the test session"})


@pytest.fixture
def fit_recorder(fitted, monkeypatch):
    """`model_fit` as the training command and `risk_model_train` call it, answered with the
    session's fitted weights: what is tested is which examples they gather and what they store."""
    from moderation.risk import training

    calls = []

    def model_fit(examples, *, trained_on=None):
        examples = list(examples)
        calls.append(examples)
        counts = {label: sum(1 for example in examples if example.label == label) for label in LABELS}
        return training.FittedModel(
            word=fitted.word, char=fitted.char, classifier=fitted.classifier,
            trained_on={**(trained_on or {}), "examples": counts},
        )

    monkeypatch.setattr(training, "model_fit", model_fit)
    return calls


# ---- the shipped model and its examples ---------------------------------------------------------


def test_the_shipped_model_was_trained_on_the_examples_in_the_repository():
    # A stale model.json (examples, features or training settings changed, model not rebuilt)
    # fails here: rebuild it with `manage.py train_risk_model --shipped`.
    assert shipped_model().trained_on["inputs_sha256"] == model_inputs_digest()


def test_the_digest_follows_every_example_file_and_nothing_else(tmp_path):
    (tmp_path / "ok.csv").write_text("text,label,kind\nhello there,ok,short\n", encoding="utf-8")
    first = model_inputs_digest(tmp_path)

    (tmp_path / "holdout").mkdir()
    (tmp_path / "holdout" / "in_domain.csv").write_text("id,text,label,source\n1,bye,ok,greeting\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an example", encoding="utf-8")
    assert model_inputs_digest(tmp_path) == first

    (tmp_path / "ok.csv").write_text("text,label,kind\nhello there!,ok,short\n", encoding="utf-8")
    changed = model_inputs_digest(tmp_path)
    assert changed != first
    (tmp_path / "more.csv").write_text("text,label,kind\n", encoding="utf-8")
    assert model_inputs_digest(tmp_path) != changed


def test_the_digest_follows_the_training_settings(monkeypatch):
    before = model_inputs_digest()
    monkeypatch.setitem(risk_model.TRAINING_PARAMETERS, "C", 1.0)
    assert model_inputs_digest() != before


def test_the_digest_follows_the_weight_of_the_character_pieces(monkeypatch):
    before = model_inputs_digest()
    monkeypatch.setattr(risk_model, "CHAR_WEIGHT", 1.0)
    assert model_inputs_digest() != before


def test_the_composed_examples_are_what_the_composer_writes():
    # examples/*_composed.csv are built from the passages in examples/compose/: an edit to a passage
    # without re-running the composer would train on stale posts.
    composer = EXAMPLES_DIR / "compose" / "compose.py"
    result = subprocess.run([sys.executable, str(composer), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_examples_are_ours_labelled_and_cover_every_level():
    examples = examples_load()
    counts = {label: sum(1 for e in examples if e.label == label) for label in LABELS}
    assert all(count >= 300 for count in counts.values()), counts
    assert len({e.text for e in examples}) == len(examples)  # no duplicates


def test_the_held_out_set_is_never_trained_on(tmp_path):
    with HOLDOUT_PATH.open(encoding="utf-8", newline="") as handle:
        holdout = list(csv.DictReader(handle))
    assert len(holdout) >= 400
    assert {row["label"] for row in holdout} == set(LABELS)
    trained = {example.text for example in examples_load()}
    assert not trained & {row["text"] for row in holdout}

    # examples_load reads the files directly in its folder, never a folder below it.
    (tmp_path / "ok.csv").write_text("text,label\nhello,ok\n", encoding="utf-8")
    (tmp_path / "holdout").mkdir()
    (tmp_path / "holdout" / "in_domain.csv").write_text("id,text,label,source\n1,held out,crisis,x\n", encoding="utf-8")
    assert examples_load(tmp_path) == [Example(text="hello", label="ok")]


def test_the_shipped_model_file_is_plain_json():
    text = SHIPPED_MODEL_PATH.read_text(encoding="utf-8")
    assert json.loads(text)["format"] == 1


# ---- the light scorer gives scikit-learn's probabilities -----------------------------------------


def test_the_light_scorer_gives_scikit_learns_probabilities_for_the_shipped_model():
    from moderation.risk.training import FittedModel

    payload = SHIPPED_MODEL_PATH.read_text(encoding="utf-8")
    reference = FittedModel.from_json(payload)
    light = RiskModel.from_json(payload)
    texts = _texts_for_parity()
    assert len(texts) >= 300

    expected = reference.probabilities(texts)
    assert light.classes == tuple(reference.classifier.classes_)
    for text, row in zip(texts, expected, strict=True):
        got = light.probabilities(text)
        assert max(abs(a - b) for a, b in zip(got, row, strict=True)) < 1e-9, text[:40]
    assert light.version == reference.version == shipped_model().version


def test_a_freshly_fitted_model_scores_the_same_in_both(fitted):
    from moderation.risk.training import FittedModel

    light = fitted.light()
    texts = _texts_for_parity()[::4]
    stored = FittedModel.from_json(fitted.to_json())
    for text, exact, rounded in zip(texts, fitted.probabilities(texts), stored.probabilities(texts), strict=True):
        got = light.probabilities(text)
        assert max(abs(a - b) for a, b in zip(got, rounded, strict=True)) < 1e-9
        # The JSON keeps weights to 6 decimals: a probability moves by far less than a threshold step.
        assert max(abs(a - b) for a, b in zip(got, exact, strict=True)) < 1e-5
    # What is stored is what is scored: the JSON round trip keeps the version and the scores.
    again = RiskModel.from_json(fitted.to_json())
    assert again.version == light.version == fitted.version
    assert again.scores(texts) == light.scores(texts)


def test_scores_are_probabilities_even_for_empty_or_strange_text():
    model = shipped_model()
    for text in EDGE_TEXTS:
        scores = model.score(text)
        assert all(0 < value < 1 for value in (scores.crisis, scores.concern, scores.ok))
        assert abs(scores.crisis + scores.concern + scores.ok - 1) < 1e-12
    assert model.scores(["", CRISIS_TEXT]) == [model.score(""), model.score(CRISIS_TEXT)]


@pytest.mark.parametrize(
    "code",
    [
        "import platform_site.asgi",
        # The first request imports every view.
        "import platform_site.wsgi; from django.urls import get_resolver; get_resolver().url_patterns",
        "import django; django.setup(); import moderation.services, moderation.tasks; "
        "from moderation.services import active_model; from moderation.risk.model import shipped_model; shipped_model()",
    ],
    ids=["asgi", "wsgi", "services"],
)
def test_web_processes_never_load_scikit_learn_scipy_or_numpy(code):
    check = "import sys; print(sorted(m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules))"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "platform_site.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", f"{code}; {check}"],
        cwd=Path(settings.BASE_DIR), env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_model_file_in_an_unknown_format_is_refused():
    from moderation.risk.training import FittedModel

    state = json.loads(SHIPPED_MODEL_PATH.read_text(encoding="utf-8"))
    state["format"] = 99
    for load in (RiskModel.from_json, FittedModel.from_json):
        with pytest.raises(ValueError, match="format"):
            load(json.dumps(state))


def test_a_model_file_whose_weights_do_not_fit_its_vocabularies_is_refused():
    state = json.loads(SHIPPED_MODEL_PATH.read_text(encoding="utf-8"))
    state["coef"] = [row[:-1] for row in state["coef"]]
    with pytest.raises(ValueError, match="weights"):
        RiskModel(state)


def test_training_needs_every_level():
    from moderation.risk.training import model_fit

    with pytest.raises(ValueError, match="crisis"):
        model_fit([Example("fine", "ok"), Example("low", "concern")] * 3)


# ---- the assessor ---------------------------------------------------------------------------------


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


# ---- retraining -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_train_risk_model_learns_from_moderators_decisions_and_becomes_the_active_model(
    group, group_member, moderator, django_capture_on_commit_callbacks, fit_recorder
):
    from groups import services as forum

    with django_capture_on_commit_callbacks(execute=True):
        forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    Flag.objects.update(status=Flag.Status.CONFIRMED, decided_by=moderator)
    assert active_model().version == shipped_model().version

    out = StringIO()
    call_command("train_risk_model", stdout=out)

    [examples] = fit_recorder
    shipped_examples = examples_load()
    assert examples[:len(shipped_examples)] == shipped_examples
    [decision] = examples[len(shipped_examples):]
    assert decision.label == "crisis" and CRISIS_TEXT in decision.text
    row = TrainedRiskModel.objects.get(is_active=True)
    assert row.trained_on["moderator_decisions"] == 1
    assert row.version in out.getvalue()
    assert active_model().version == row.version != shipped_model().version
    # The next assessment names the model that made it.
    with django_capture_on_commit_callbacks(execute=True):
        forum.topic_create(group=group, author=group_member, title="Again", body=CRISIS_TEXT)
    assert row.version in RiskAssessment.objects.latest("pk").assessor_version


@pytest.mark.django_db
def test_retraining_learns_the_words_that_were_judged_not_an_edit_since(
    group, group_member, moderator, django_capture_on_commit_callbacks, fit_recorder
):
    from groups import services as forum

    with django_capture_on_commit_callbacks(execute=True):
        topic = forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    Flag.objects.update(status=Flag.Status.DISMISSED, decided_by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_edit(post=topic.posts.get(), editor=group_member, body=CALM_TEXT)

    assert risk_model_train().trained_on["moderator_decisions"] == 1
    [decision] = fit_recorder[0][len(examples_load()):]
    # A dismissal teaches "ok" about the version the moderator read.
    assert decision.label == "ok" and CRISIS_TEXT in decision.text and CALM_TEXT not in decision.text


def test_train_risk_model_shipped_writes_a_model_that_records_its_inputs(tmp_path, monkeypatch, fit_recorder):
    from moderation.management.commands import train_risk_model

    target = tmp_path / "model.json"
    monkeypatch.setattr(train_risk_model, "SHIPPED_MODEL_PATH", target)
    out = StringIO()
    call_command("train_risk_model", "--shipped", stdout=out)

    [examples] = fit_recorder
    assert examples == examples_load()  # the examples alone, no moderators' decisions
    written = RiskModel.from_json(target.read_text(encoding="utf-8"))
    assert written.trained_on["inputs_sha256"] == model_inputs_digest()
    assert written.version in out.getvalue()
