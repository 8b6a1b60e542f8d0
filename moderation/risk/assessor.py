"""The risk assessor: rules first, then the trained model; one level, a score and the signals.

`assess_text` is quick enough for the saving request (pure Python, a few milliseconds, no network):
it decides the crisis panel there, and the Celery task runs it again to store the assessment.
Nothing here logs or stores the text itself.
"""
import hashlib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from moderation.risk.model import RISK_DIR, ModelScores, RiskModel, shipped_model
from moderation.risk.rules import RULES_VERSION, RuleVerdict, rules_check

THRESHOLDS_PATH = RISK_DIR / "thresholds.toml"
LEVEL_ORDER = {"none": 0, "concern": 1, "crisis": 2}
# Where a rule alone puts the score, so rule-only flags sort sensibly among model-scored ones.
RULE_SCORE_FLOOR = {"none": 0.0, "concern": 0.5, "crisis": 0.95}


@dataclass(frozen=True)
class Thresholds:
    crisis: float
    flag: float


@dataclass(frozen=True)
class RiskResult:
    level: str
    score: float
    signals: list[dict] = field(default_factory=list)
    version: str = ""


@cache
def thresholds_get() -> Thresholds:
    values = tomllib.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    return Thresholds(crisis=float(values["crisis"]), flag=float(values["flag"]))


def _thresholds_digest(thresholds: Thresholds) -> str:
    return hashlib.sha256(f"{thresholds.crisis}:{thresholds.flag}".encode()).hexdigest()[:6]


def assessor_version(model: RiskModel, thresholds: Thresholds) -> str:
    return f"rules-{RULES_VERSION}+{model.version}+t-{_thresholds_digest(thresholds)}"


def risk_combine(verdict: RuleVerdict, scores: ModelScores, thresholds: Thresholds) -> tuple[str, float]:
    """The level is the higher of what the rules and the model say; the score orders the queue."""
    model_level = "none"
    if scores.crisis >= thresholds.crisis:
        model_level = "crisis"
    elif scores.flag >= thresholds.flag:
        model_level = "concern"
    level = max(verdict.level, model_level, key=LEVEL_ORDER.__getitem__)
    score = max(scores.crisis + 0.5 * scores.concern, RULE_SCORE_FLOOR[verdict.level])
    return level, round(min(score, 1.0), 4)


def _signals(verdict: RuleVerdict, scores: ModelScores, model: RiskModel) -> list[dict]:
    signals = [
        {"kind": "rule", "id": s.rule_id, "category": s.category, "level": s.level, "description": s.description}
        for s in verdict.signals
    ]
    signals.append(
        {
            "kind": "model",
            "id": model.version,
            "crisis": round(scores.crisis, 4),
            "concern": round(scores.concern, 4),
            "ok": round(scores.ok, 4),
        }
    )
    return signals


def assess_texts(
    texts: Sequence[str],
    *,
    extra_phrases: Iterable[tuple[str, str, str]] = (),
    model: RiskModel | None = None,
    thresholds: Thresholds | None = None,
) -> list[RiskResult]:
    """Assess several texts at once (the model scores them in one batch)."""
    model = model or shipped_model()
    thresholds = thresholds or thresholds_get()
    extra_phrases = tuple(extra_phrases)
    version = assessor_version(model, thresholds)
    results = []
    for text, scores in zip(texts, model.scores(list(texts)), strict=True):
        verdict = rules_check(text, extra_phrases=extra_phrases)
        level, score = risk_combine(verdict, scores, thresholds)
        results.append(RiskResult(level=level, score=score, signals=_signals(verdict, scores, model), version=version))
    return results


def assess_text(text: str, **options) -> RiskResult:
    return assess_texts([text], **options)[0]
