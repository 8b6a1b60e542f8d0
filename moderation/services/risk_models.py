"""Which risk model assesses, and retraining it from our moderators' decisions."""
import logging

from django.db import transaction

from moderation.models import Flag, TrainedRiskModel
from moderation.risk.model import Example, RiskModel, examples_load, shipped_model

logger = logging.getLogger(__name__)

# Loaded models by version: a process parses each model's JSON once (a few MiB each, no numpy).
_loaded: dict[str, RiskModel] = {}


def active_model() -> RiskModel:
    """The newest model retrained here if there is one, else the model shipped with the code."""
    row = TrainedRiskModel.objects.filter(is_active=True).values("version").first()
    if row is None:
        return shipped_model()
    version = row["version"]
    if version not in _loaded:
        artifact = TrainedRiskModel.objects.values_list("artifact", flat=True).get(version=version)
        _loaded[version] = RiskModel.from_json(artifact)
    return _loaded[version]


def decision_examples() -> list[Example]:
    """Moderators' decisions as training examples: a confirmed flag keeps its level, a dismissed
    one teaches "ok". Each is the text of the version that was judged (an edit since keeps it as a
    revision); content whose words are gone (erased with the account) is left out.
    """
    from moderation.services.risk import CONTENT_TEXT_LOADERS

    examples = []
    decided = Flag.objects.filter(
        source=Flag.Source.ASSESSMENT, status__in=[Flag.Status.CONFIRMED, Flag.Status.DISMISSED]
    ).select_related("assessment")
    for flag in decided.iterator():
        loader = CONTENT_TEXT_LOADERS.get(flag.content_kind)
        text = loader(flag.content_id, flag.assessment.content_version) if loader and flag.assessment else None
        if text:
            label = flag.level if flag.status == Flag.Status.CONFIRMED else "ok"
            examples.append(Example(text=text, label=label))
    return examples


def risk_model_train(*, use_decisions: bool = True) -> TrainedRiskModel:
    """Train on the examples written for Thaw plus, by default, our moderators' decisions, and make
    the result the active model."""
    # scikit-learn is loaded here only: web processes score with the pure-Python RiskModel.
    from moderation.risk.training import model_fit

    decisions = decision_examples() if use_decisions else []
    model = model_fit(examples_load() + decisions, trained_on={"moderator_decisions": len(decisions)})
    with transaction.atomic():
        TrainedRiskModel.objects.filter(is_active=True).update(is_active=False)
        row, _ = TrainedRiskModel.objects.update_or_create(
            version=model.version,
            defaults={"artifact": model.to_json(), "trained_on": model.trained_on, "is_active": True},
        )
    logger.info("risk model %s trained (%s moderator decisions)", model.version, len(decisions))
    return row
