"""Choose the model's thresholds (moderation/risk/thresholds.toml) on a labelled set, honestly.

    .venv/bin/python bench/risk_tune.py [--csv FILE] [--folds 5]

The model is trained only on Thaw's own examples; this script never trains on the evaluation set.
It picks the two thresholds on four fifths of the set and scores them on the fifth left out, five
times over (stratified folds, fixed seed), and prints those held-out figures: the numbers to
report. It then prints the thresholds chosen on the whole set, for thresholds.toml.
"""
from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import random
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.risk_eval import DEFAULT_CSV, TARGETS, metrics, rows_load  # noqa: E402

GRID = [round(0.01 * step, 2) for step in range(1, 96)]
# Aim a little above the targets, so that what is chosen on four folds holds on the fifth.
PRECISION_MARGIN = 0.03
RECALL_MARGIN = 0.0


LEVEL_INDEX = {"none": 0, "concern": 1, "crisis": 2}
LEVEL_NAMES = ("none", "concern", "crisis")


class Scored:
    """Rule levels and model probabilities of a set of texts, as arrays for a fast grid search."""

    def __init__(self, cached, truth: list[str]):
        self.rule = np.array([LEVEL_INDEX[verdict.level] for verdict, _ in cached])
        self.crisis = np.array([scores.crisis for _, scores in cached])
        self.flag = np.array([scores.flag for _, scores in cached])
        self.truth = np.array([LEVEL_INDEX[label] for label in truth])

    def subset(self, indices: list[int]) -> "Scored":
        other = object.__new__(Scored)
        for name in ("rule", "crisis", "flag", "truth"):
            setattr(other, name, getattr(self, name)[indices])
        return other

    def levels(self, crisis: float, flag: float) -> np.ndarray:
        # The same rule as moderation.risk.assessor.risk_combine, on arrays.
        model = np.where(self.crisis >= crisis, 2, np.where(self.flag >= flag, 1, 0))
        return np.maximum(self.rule, model)


def _precision_recall(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    hits = int(np.sum(truth & predicted))
    return (hits / predicted.sum() if predicted.sum() else 0.0, hits / truth.sum() if truth.sum() else 0.0)


def _goodness(scored: Scored, levels: np.ndarray, prefer: str) -> tuple:
    """When the targets cannot all hold, which come first.

    `balanced` (what ships): every worrying text reaches a person, so the flag recall target comes
    first; crisis (which opens a case and alerts moderators at once) keeps its precision floor, so
    alerts stay worth answering, and catches as many crises as it can above it. A crisis below the
    crisis threshold is still flagged, as a concern. `recall`: both recall targets first, then
    precision. `precision`: both precision floors first, then recall.
    """
    crisis_p, crisis_r = _precision_recall(scored.truth == 2, levels == 2)
    flag_p, flag_r = _precision_recall(scored.truth >= 1, levels >= 1)
    if prefer == "balanced":
        flag_goal = TARGETS["flag_recall"] + RECALL_MARGIN
        crisis_precise = crisis_p >= TARGETS["crisis_precision"] + PRECISION_MARGIN
        return (min(flag_r, flag_goal), crisis_precise, crisis_r, flag_p, crisis_p)
    if prefer == "recall":
        crisis_goal, flag_goal = TARGETS["crisis_recall"] + RECALL_MARGIN, TARGETS["flag_recall"] + RECALL_MARGIN
        # Recall counts up to the goal; past it, precision decides.
        return (min(crisis_r, crisis_goal) + min(flag_r, flag_goal), crisis_p + flag_p)
    precision_ok = (
        crisis_p >= TARGETS["crisis_precision"] + PRECISION_MARGIN and flag_p >= TARGETS["flag_precision"] + PRECISION_MARGIN
    )
    return (precision_ok, crisis_r + flag_r, crisis_p + flag_p)


def thresholds_choose(scored: Scored, prefer: str) -> tuple[float, float]:
    best, best_key = (0.5, 0.5), None
    for crisis in GRID:
        for flag in GRID:
            key = _goodness(scored, scored.levels(crisis, flag), prefer)
            if best_key is None or key > best_key:
                best, best_key = (crisis, flag), key
    return best


def _names(levels: np.ndarray) -> list[str]:
    return [LEVEL_NAMES[level] for level in levels]


def stratified_folds(truth: list[str], folds: int, seed: int = 7) -> list[list[int]]:
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(truth):
        by_label.setdefault(label, []).append(index)
    assignment: list[list[int]] = [[] for _ in range(folds)]
    shuffle = random.Random(seed)
    for indices in by_label.values():
        shuffle.shuffle(indices)
        for position, index in enumerate(indices):
            assignment[position % folds].append(index)
    return assignment


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--prefer", choices=("balanced", "recall", "precision"), default="balanced",
        help="which targets come first when they cannot all hold (see _goodness; default: balanced)",
    )
    options = parser.parse_args()

    from moderation.risk.model import shipped_model
    from moderation.risk.rules import rules_check

    rows = rows_load(options.csv)
    truth = [row.label for row in rows]
    model = shipped_model()
    cached = list(zip([rules_check(row.text) for row in rows], model.scores([row.text for row in rows])))

    scored = Scored(cached, truth)
    held_out = np.zeros(len(rows), dtype=int)
    for number, test_indices in enumerate(stratified_folds(truth, options.folds), start=1):
        test_set = set(test_indices)
        train_indices = [i for i in range(len(rows)) if i not in test_set]
        crisis, flag = thresholds_choose(scored.subset(train_indices), options.prefer)
        held_out[test_indices] = scored.subset(test_indices).levels(crisis, flag)
        print(f"fold {number}: chose crisis >= {crisis}, flag >= {flag}")
    figures = metrics(truth, _names(held_out))
    print(f"\ncross-validated ({options.folds} folds, thresholds never scored on the texts they were chosen on; "
          f"{options.prefer} first):")
    for name in ("crisis_precision", "crisis_recall", "flag_precision", "flag_recall", "concern_precision", "concern_recall"):
        goal = TARGETS.get(name)
        print(f"  {name:<18} {figures[name]:.3f}" + (f"   target >= {goal}" if goal else ""))
    crisis, flag = thresholds_choose(scored, options.prefer)
    whole = metrics(truth, _names(scored.levels(crisis, flag)))
    print(f"\non the whole set: crisis = {crisis}, flag = {flag}  (in-sample: crisis P {whole['crisis_precision']:.3f} "
          f"R {whole['crisis_recall']:.3f}, flag P {whole['flag_precision']:.3f} R {whole['flag_recall']:.3f})")
    print(f"model {model.version}, trained on {model.trained_on}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
