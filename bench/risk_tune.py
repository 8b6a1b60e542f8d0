"""Choose the model's thresholds (moderation/risk/thresholds.toml) by cross-validation over Thaw's
own examples, for people.

    .venv/bin/python bench/risk_tune.py [--folds 5] [--write]

The examples in moderation/risk/examples/*.csv are split into stratified folds (fixed seed); a
model is trained on all folds but one and scores the one left out, so every example gets
probabilities from a model that never saw it, as a new post gets from the shipped model. The rules
are checked on every example too. The two thresholds are then chosen on those out-of-fold scores
of the examples written as whole texts:

  1. ordinary posts (ok) raise no flag: at most OK_FLAGGED_GOAL of them are flagged;
  2. crises are recognised: crisis recall at least CRISIS_RECALL_GOAL;
  3. a crisis alert is worth answering, and an ordinary post rarely shows the crisis panel:
     crisis precision at least CRISIS_PRECISION_GOAL;
  4. then as many crisis texts as possible reach a person at all (as crisis or concern), then as
     many concern texts (signs a person is getting worse), then crisis and flag precision.

The composed long posts (examples/*_composed.csv, built by examples/compose/compose.py: details of
a life around one sentence that carries the label) are trained on in every fold but not counted
when choosing: they are deliberately hard mixtures that teach the model that life details are
neutral, not posts as members write them, and thresholds chosen to suit them would flag far more
of our members' ordinary posts. Their out-of-fold figures are printed with the others.

Neither the held-out in-domain set nor the evaluation set is read here: thresholds chosen on the
sets they are scored on would flatter them. Their figures come from bench/risk_eval.py.
"""
from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import csv
import random
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.risk_eval import LABEL_TO_LEVEL, metrics  # noqa: E402

GRID = np.round(np.arange(0.01, 0.96, 0.01), 2)
# The in-domain targets, with a point of margin on each: what holds on four folds should hold on new posts.
OK_FLAGGED_GOAL = 0.09
CRISIS_RECALL_GOAL = 0.96
CRISIS_PRECISION_GOAL = 0.80
LEVEL_INDEX = {"none": 0, "concern": 1, "crisis": 2}
LEVEL_NAMES = ("none", "concern", "crisis")


class Scored:
    """Rule levels and out-of-fold model probabilities, as arrays for a fast grid search."""

    def __init__(self, rule: list[str], crisis: list[float], flag: list[float], truth: list[str]):
        self.rule = np.array([LEVEL_INDEX[level] for level in rule])
        self.crisis = np.array(crisis)
        self.flag = np.array(flag)
        self.truth = np.array([LEVEL_INDEX[label] for label in truth])

    def levels(self, crisis: float, flag: float) -> np.ndarray:
        # The same rule as moderation.risk.assessor.risk_combine, on arrays.
        model = np.where(self.crisis >= crisis, 2, np.where(self.flag >= flag, 1, 0))
        return np.maximum(self.rule, model)


def _share(hits: np.ndarray, of: np.ndarray) -> float:
    return float(np.sum(hits & of) / np.sum(of)) if np.sum(of) else 0.0


def _goodness(scored: Scored, levels: np.ndarray) -> tuple:
    """The order of the priorities in the module docstring, as a key to maximise."""
    is_crisis, is_concern, is_ok = scored.truth == 2, scored.truth == 1, scored.truth == 0
    crisis_precision = _share(is_crisis, levels == 2)
    goals = (
        _share(levels >= 1, is_ok) <= OK_FLAGGED_GOAL,
        _share(levels == 2, is_crisis) >= CRISIS_RECALL_GOAL,
        crisis_precision >= CRISIS_PRECISION_GOAL,
    )
    # Rounded, so that one example more or less does not outweigh the next priority.
    crisis_flagged = round(_share(levels >= 1, is_crisis), 3)
    concern_flagged = round(_share(levels >= 1, is_concern), 2)
    return (all(goals), *goals, crisis_flagged, concern_flagged, crisis_precision, _share(scored.truth >= 1, levels >= 1))


def thresholds_choose(scored: Scored) -> tuple[float, float]:
    best, best_key = (0.5, 0.5), None
    for crisis in GRID:
        for flag in GRID:
            key = _goodness(scored, scored.levels(crisis, flag))
            if best_key is None or key > best_key:
                best, best_key = (float(crisis), float(flag)), key
    return best


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


def out_of_fold_scores(examples, folds: int) -> tuple[list[float], list[float]]:
    from moderation.risk.training import model_fit

    crisis, flag = [0.0] * len(examples), [0.0] * len(examples)
    for number, held_out in enumerate(stratified_folds([e.label for e in examples], folds), start=1):
        left_out = set(held_out)
        model = model_fit([e for i, e in enumerate(examples) if i not in left_out]).light()
        for index in held_out:
            scores = model.score(examples[index].text)
            crisis[index], flag[index] = scores.crisis, scores.flag
        print(f"fold {number}/{folds} scored ({len(held_out)} examples)", file=sys.stderr)
    return crisis, flag


COMPOSED = "_composed.csv"


def examples_with_files():
    """Every training example and the file it is in (for figures per file)."""
    from moderation.risk.model import EXAMPLES_DIR, LABELS, Example

    examples, files = [], []
    for path in sorted(EXAMPLES_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                label, text = (row.get("label") or "").strip(), (row.get("text") or "").strip()
                if label in LABELS and text:
                    examples.append(Example(text=text, label=label))
                    files.append(path.name)
    return examples, files


def thresholds_write(crisis: float, flag: float) -> Path:
    from moderation.risk.assessor import THRESHOLDS_PATH

    text = THRESHOLDS_PATH.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^crisis = .*$", f"crisis = {crisis}", text)
    text = re.sub(r"(?m)^flag = .*$", f"flag = {flag}", text)
    THRESHOLDS_PATH.write_text(text, encoding="utf-8")
    return THRESHOLDS_PATH


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the chosen thresholds into thresholds.toml")
    options = parser.parse_args()

    from moderation.risk.model import examples_load
    from moderation.risk.rules import rules_check

    examples, files = examples_with_files()
    assert examples == examples_load()  # the same examples the model ships with
    truth = [LABEL_TO_LEVEL[e.label] for e in examples]
    crisis, flag = out_of_fold_scores(examples, options.folds)
    rule = [rules_check(e.text).level for e in examples]
    scored = Scored(rule, crisis, flag, truth)
    whole = [index for index, name in enumerate(files) if not name.endswith(COMPOSED)]
    chosen_crisis, chosen_flag = thresholds_choose(Scored(*([values[i] for i in whole] for values in (rule, crisis, flag, truth))))
    levels = scored.levels(chosen_crisis, chosen_flag)
    figures = metrics([truth[i] for i in whole], [LEVEL_NAMES[levels[i]] for i in whole])

    print(f"\n{len(examples)} examples ({len(whole)} written as whole texts, on which the thresholds are chosen), "
          f"{options.folds}-fold cross-validation; chosen: crisis = {chosen_crisis}, flag = {chosen_flag}\n")
    print(f"  ok_flagged        {figures['ok_flagged']:.3f}   goal <= {OK_FLAGGED_GOAL}")
    print(f"  crisis_recall     {figures['crisis_recall']:.3f}   goal >= {CRISIS_RECALL_GOAL}")
    print(f"  crisis_precision  {figures['crisis_precision']:.3f}   goal >= {CRISIS_PRECISION_GOAL}")
    for name in ("crisis_flagged", "concern_flagged", "flag_precision", "flag_recall"):
        print(f"  {name:<17} {figures[name]:.3f}")
    print("\nper file (out of fold)")
    for name in sorted(set(files)):
        counts = Counter(LEVEL_NAMES[level] for level, file in zip(levels, files) if file == name)
        label = next(t for t, file in zip(truth, files) if file == name)
        flagged = (counts["concern"] + counts["crisis"]) / sum(counts.values())
        print(f"  {name:<28}{label:>8}  flagged {flagged:.2f}   " + ", ".join(f"{k} {counts[k]}" for k in LEVEL_NAMES))
    if options.write:
        print(f"\nwrote {thresholds_write(chosen_crisis, chosen_flag)}")
    else:
        print(f"\nfor thresholds.toml (or run with --write):\ncrisis = {chosen_crisis}\nflag = {chosen_flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
