"""Score the risk assessor on labelled sets: per-level precision, recall and F1, the confusion
matrix, results per source, the targets met or not, and the time per text on one core.

    .venv/bin/python bench/risk_eval.py                  # the in-domain holdout, and the evaluation set if present
    .venv/bin/python bench/risk_eval.py --csv FILE       # any file with columns id,text,label,source
    .venv/bin/python bench/risk_eval.py --json           # one JSON object, for scripts and CI logs
    .venv/bin/python bench/risk_eval.py --rules-only     # the fast rule layer alone

Two sets by default, measured in one run:
- the in-domain holdout (moderation/risk/examples/holdout/in_domain.csv): posts written for Thaw in
  the voice of its members, never trained on (examples_load reads examples/*.csv only);
- the evaluation set beside the project (../shared/data/risk_dev.csv, real people's posts from
  public research data), when the file exists: measured, never trained or tuned on.

Labels are `crisis`, `concern` and `ok`; "flagged" means concern or crisis (a person reads it).
The texts are never printed: evaluation sets hold real people's words.
"""
from __future__ import annotations

import os

# One core, measured honestly: no hidden thread pools in the numeric libraries.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import csv
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

IN_DOMAIN_CSV = REPO / "moderation" / "risk" / "examples" / "holdout" / "in_domain.csv"
EVALUATION_CSV = REPO.parent / "shared" / "data" / "risk_dev.csv"
LEVELS = ("crisis", "concern", "none")
LABEL_TO_LEVEL = {"crisis": "crisis", "concern": "concern", "ok": "none"}


@dataclass(frozen=True)
class Target:
    figure: str
    goal: float
    at_most: bool = False  # the figure must stay at or under the goal (a rate of false flags)

    def met(self, figures: dict) -> bool:
        value = figures[self.figure]
        return value <= self.goal if self.at_most else value >= self.goal

    def text(self, figures: dict) -> str:
        sign = "<=" if self.at_most else ">="
        verdict = "met" if self.met(figures) else "NOT met"
        return f"{self.figure:<20} {figures[self.figure]:>8.3f}   target {sign} {self.goal:<6g} {verdict}"


# The operating point chosen for people (issue 18): ordinary posts raise no flag, every at-risk
# text reaches a person, crises are recognised as crises.
IN_DOMAIN_TARGETS = (
    Target("crisis_recall", 0.95),
    Target("crisis_flagged", 1.0),
    Target("ok_flagged", 0.10, at_most=True),
)
EVALUATION_TARGETS = (
    Target("crisis_flagged", 0.97),
    Target("flag_precision", 0.85),
)
# A typical post (at most 1,000 characters) is assessed in a few milliseconds, in the request.
SPEED_TARGETS = (
    Target("p99_ms", 5.0, at_most=True),
    Target("texts_per_second", 200),
)


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    label: str
    source: str


def rows_load(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            Row(id=r["id"], text=r["text"], label=LABEL_TO_LEVEL[r["label"].strip()], source=r.get("source") or "-")
            for r in csv.DictReader(handle)
        ]
    if not rows:
        raise SystemExit(f"{path}: no rows")
    return rows


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def metrics(truth: list[str], predicted: list[str]) -> dict:
    """Per-level and flag-vs-ok precision, recall and F1, the share of each label flagged, and the
    confusion matrix."""
    figures: dict = {"n": len(truth)}
    for level in LEVELS:
        true_positive = sum(1 for t, p in zip(truth, predicted) if t == level and p == level)
        precision = _ratio(true_positive, sum(1 for p in predicted if p == level))
        recall = _ratio(true_positive, sum(1 for t in truth if t == level))
        figures[f"{level}_precision"], figures[f"{level}_recall"] = precision, recall
        figures[f"{level}_f1"] = _f1(precision, recall)
    flagged_true = [t != "none" for t in truth]
    flagged_predicted = [p != "none" for p in predicted]
    true_positive = sum(1 for t, p in zip(flagged_true, flagged_predicted) if t and p)
    figures["flag_precision"] = _ratio(true_positive, sum(flagged_predicted))
    figures["flag_recall"] = _ratio(true_positive, sum(flagged_true))
    figures["flag_f1"] = _f1(figures["flag_precision"], figures["flag_recall"])
    # What a person in the queue sees of each kind of text: crisis texts reaching it at all,
    # ordinary posts raising a flag they should not.
    for label, name in (("crisis", "crisis_flagged"), ("concern", "concern_flagged"), ("none", "ok_flagged")):
        of_label = [p for t, p in zip(truth, predicted) if t == label]
        figures[name] = _ratio(sum(1 for p in of_label if p != "none"), len(of_label))
    figures["confusion"] = {t: {p: sum(1 for a, b in zip(truth, predicted) if a == t and b == p) for p in LEVELS} for t in LEVELS}
    return figures


def per_source(rows: list[Row], predicted: list[str]) -> dict:
    by_source: dict[str, Counter] = defaultdict(Counter)
    labels = {}
    for row, level in zip(rows, predicted):
        by_source[row.source][level] += 1
        labels[row.source] = row.label
    result = {}
    for source, counts in sorted(by_source.items(), key=lambda item: (LEVELS.index(labels[item[0]]), item[0])):
        total = sum(counts.values())
        label = labels[source]
        result[source] = {
            "label": label,
            "n": total,
            "predicted": dict(counts),
            "correct_level": _ratio(counts[label], total),
            "flagged": _ratio(total - counts["none"], total),
        }
    return result


def assessor_load(*, rules_only: bool, model_path: Path | None):
    """A function assessing one text to a level, as the saving request calls it; and its version."""
    from moderation.risk.assessor import assess_text, assessor_version, thresholds_get
    from moderation.risk.model import RiskModel, shipped_model
    from moderation.risk.rules import RULES_VERSION, rules_check

    if rules_only:
        return (lambda text: rules_check(text).level), f"rules-{RULES_VERSION}"
    model = RiskModel.from_json(model_path.read_text(encoding="utf-8")) if model_path else shipped_model()
    return (lambda text: assess_text(text, model=model).level), assessor_version(model, thresholds_get())


def assessor_run(texts: list[str], assess) -> tuple[list[str], list[float]]:
    """A level per text, one call per text; and each call's time in seconds."""
    assess("warm up")
    levels, times = [], []
    for text in texts:
        started = time.perf_counter()
        levels.append(assess(text))
        times.append(time.perf_counter() - started)
    return levels, times


def speed(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "texts_per_second": len(times) / sum(times) if sum(times) else 0.0,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
    }


def set_measure(name: str, path: Path, assess, targets: tuple[Target, ...]) -> dict:
    rows = rows_load(path)
    predicted, times = assessor_run([row.text for row in rows], assess)
    figures = metrics([row.label for row in rows], predicted)
    return {
        "name": name,
        "csv": str(path),
        "figures": figures,
        "per_source": per_source(rows, predicted),
        "speed": speed(times),
        "times": times,
        "targets": [{"figure": t.figure, "goal": t.goal, "at_most": t.at_most, "met": t.met(figures)} for t in targets],
        "_targets": targets,
    }


def report_print(measured: dict) -> None:
    figures, sources = measured["figures"], measured["per_source"]
    print(f"== {measured['name']}: {Path(measured['csv']).name} ({figures['n']} texts)\n")
    print(f"{'level':<10}{'precision':>10}{'recall':>10}{'F1':>8}")
    for level in LEVELS:
        print(f"{level:<10}{figures[level + '_precision']:>10.3f}{figures[level + '_recall']:>10.3f}{figures[level + '_f1']:>8.3f}")
    print(f"{'flag':<10}{figures['flag_precision']:>10.3f}{figures['flag_recall']:>10.3f}{figures['flag_f1']:>8.3f}"
          "   (flag = concern or crisis, against ok)")
    print(f"\nflagged: crisis texts {figures['crisis_flagged']:.3f}, concern texts {figures['concern_flagged']:.3f}, "
          f"ok texts {figures['ok_flagged']:.3f}")
    print("\nconfusion (rows: truth, columns: predicted)")
    print(f"{'':<10}" + "".join(f"{level:>10}" for level in LEVELS))
    for truth in LEVELS:
        print(f"{truth:<10}" + "".join(f"{figures['confusion'][truth][p]:>10}" for p in LEVELS))
    print("\nper source")
    print(f"{'source':<22}{'label':>9}{'n':>5}{'right level':>13}{'flagged':>9}   predicted")
    for source, s in sources.items():
        predicted = ", ".join(f"{k} {v}" for k, v in sorted(s["predicted"].items()))
        print(f"{source:<22}{s['label']:>9}{s['n']:>5}{s['correct_level']:>13.2f}{s['flagged']:>9.2f}   {predicted}")
    pace = measured["speed"]
    print(f"\n{pace['texts_per_second']:.0f} texts/s on one core, p50 {pace['p50_ms']:.2f} ms, "
          f"p99 {pace['p99_ms']:.2f} ms per text (one text per call)")
    print("\ntargets")
    for target in measured["_targets"]:
        print("  " + target.text(figures))
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, help="measure this file alone instead of the two sets")
    parser.add_argument("--in-domain", type=Path, default=IN_DOMAIN_CSV, help="the in-domain holdout (default: %(default)s)")
    parser.add_argument("--evaluation", type=Path, default=EVALUATION_CSV, help="the evaluation set (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rules-only", action="store_true", help="score the rule layer alone")
    parser.add_argument("--model", type=Path, help="a model JSON file instead of the shipped one")
    options = parser.parse_args()

    if options.csv:
        plan = [("file", options.csv, ())]
    else:
        plan = [("in-domain holdout", options.in_domain, IN_DOMAIN_TARGETS)]
        if options.evaluation.exists():
            plan.append(("evaluation set", options.evaluation, EVALUATION_TARGETS))
        else:
            print(f"{options.evaluation}: not here, measuring the in-domain holdout only", file=sys.stderr)
    missing = [str(path) for _, path, _ in plan if not path.exists()]
    if missing:
        print(f"{', '.join(missing)}: no such file", file=sys.stderr)
        return 2

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    assess, version = assessor_load(rules_only=options.rules_only, model_path=options.model)
    measured = [set_measure(name, path, assess, targets) for name, path, targets in plan]
    # Speed over every text assessed: texts of up to 1,000 characters, as members write them.
    every_time = [t for m in measured for t in m["times"]]
    pace = speed(every_time)
    speed_targets = [] if options.rules_only else list(SPEED_TARGETS)

    if options.json:
        for m in measured:
            m.pop("_targets"), m.pop("times")
        print(json.dumps({
            "assessor_version": version, "sets": measured, "speed": pace,
            "speed_targets": [{"figure": t.figure, "goal": t.goal, "met": t.met(pace)} for t in speed_targets],
        }, indent=1))
        return 0
    print(f"assessor {version}\n")
    for m in measured:
        report_print(m)
    print(f"== speed over all {len(every_time)} texts: {pace['texts_per_second']:.0f} texts/s, "
          f"p50 {pace['p50_ms']:.2f} ms, p99 {pace['p99_ms']:.2f} ms per text")
    for target in speed_targets:
        print("  " + target.text(pace))
    return 0


if __name__ == "__main__":
    sys.exit(main())
