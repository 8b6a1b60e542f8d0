"""Score the risk assessor on a labelled CSV: per-level precision, recall and F1, the confusion
matrix, results per source, and texts per second on one core.

    .venv/bin/python bench/risk_eval.py                  # the evaluation set beside the project
    .venv/bin/python bench/risk_eval.py --csv FILE       # any file with columns id,text,label,source
    .venv/bin/python bench/risk_eval.py --json           # one JSON object, for scripts and CI logs
    .venv/bin/python bench/risk_eval.py --rules-only     # the fast rule layer alone

Labels are `crisis`, `concern` and `ok`; "flag" means concern or crisis, against ok. The texts are
never printed: evaluation sets hold real people's words.
"""
from __future__ import annotations

import os

# One core, measured honestly: no hidden thread pools in the numeric libraries.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_CSV = REPO.parent / "shared" / "data" / "risk_dev.csv"
LEVELS = ("crisis", "concern", "none")
LABEL_TO_LEVEL = {"crisis": "crisis", "concern": "concern", "ok": "none"}
TARGETS = {"crisis_recall": 0.90, "crisis_precision": 0.60, "flag_recall": 0.95, "flag_precision": 0.85, "texts_per_second": 200}


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
    """Per-level and flag-vs-ok precision, recall and F1, and the confusion matrix."""
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
    figures["confusion"] = {t: {p: sum(1 for a, b in zip(truth, predicted) if a == t and b == p) for p in LEVELS} for t in LEVELS}
    return figures


def per_source(rows: list[Row], predicted: list[str]) -> dict:
    by_source: dict[str, Counter] = defaultdict(Counter)
    labels = {}
    for row, level in zip(rows, predicted):
        by_source[row.source][level] += 1
        labels[row.source] = row.label
    result = {}
    for source, counts in sorted(by_source.items()):
        total = sum(counts.values())
        label = labels[source]
        flagged = total - counts["none"]
        result[source] = {
            "label": label,
            "n": total,
            "predicted": dict(counts),
            "correct_level": _ratio(counts[label], total),
            "flagged": _ratio(flagged, total),
        }
    return result


def assessor_run(texts: list[str], *, rules_only: bool, model_path: Path | None) -> tuple[list[str], float, str]:
    """Predict a level per text, one call per text as the worker does; return levels, texts/s, version."""
    from moderation.risk.assessor import assess_text
    from moderation.risk.model import RiskModel, shipped_model
    from moderation.risk.rules import RULES_VERSION, rules_check

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    if rules_only:
        started = time.perf_counter()
        levels = [rules_check(text).level for text in texts]
        return levels, len(texts) / (time.perf_counter() - started), f"rules-{RULES_VERSION}"
    model = RiskModel.from_json(model_path.read_text()) if model_path else shipped_model()
    assess_text("warm up", model=model)
    started = time.perf_counter()
    results = [assess_text(text, model=model) for text in texts]
    elapsed = time.perf_counter() - started
    return [r.level for r in results], len(texts) / elapsed, results[0].version if results else ""


def report_print(figures: dict, sources: dict, version: str, path: Path) -> None:
    print(f"assessor {version}  on {path.name} ({figures['n']} texts)\n")
    print(f"{'level':<10}{'precision':>10}{'recall':>10}{'F1':>8}")
    for level in LEVELS:
        print(f"{level:<10}{figures[level + '_precision']:>10.3f}{figures[level + '_recall']:>10.3f}{figures[level + '_f1']:>8.3f}")
    print(f"{'flag':<10}{figures['flag_precision']:>10.3f}{figures['flag_recall']:>10.3f}{figures['flag_f1']:>8.3f}"
          "   (flag = concern or crisis, against ok)")
    print("\nconfusion (rows: truth, columns: predicted)")
    print(f"{'':<10}" + "".join(f"{level:>10}" for level in LEVELS))
    for truth in LEVELS:
        print(f"{truth:<10}" + "".join(f"{figures['confusion'][truth][p]:>10}" for p in LEVELS))
    print("\nper source")
    print(f"{'source':<22}{'label':>9}{'n':>5}{'right level':>13}{'flagged':>9}   predicted")
    for source, s in sources.items():
        predicted = ", ".join(f"{k} {v}" for k, v in sorted(s["predicted"].items()))
        print(f"{source:<22}{s['label']:>9}{s['n']:>5}{s['correct_level']:>13.2f}{s['flagged']:>9.2f}   {predicted}")
    print(f"\n{figures['texts_per_second']:.0f} texts/s on one core (one text per call)")
    print("\ntargets: " + ", ".join(
        f"{name} {'met' if figures[name] >= goal else 'NOT met'} ({figures[name]:.3g} vs >= {goal})" for name, goal in TARGETS.items()
    ))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rules-only", action="store_true", help="score the rule layer alone")
    parser.add_argument("--model", type=Path, help="a model JSON file instead of the shipped one")
    options = parser.parse_args()
    if not options.csv.exists():
        print(f"{options.csv}: no such file (pass --csv FILE)", file=sys.stderr)
        return 2
    rows = rows_load(options.csv)
    predicted, texts_per_second, version = assessor_run(
        [row.text for row in rows], rules_only=options.rules_only, model_path=options.model
    )
    figures = metrics([row.label for row in rows], predicted)
    figures["texts_per_second"] = texts_per_second
    sources = per_source(rows, predicted)
    if options.json:
        print(json.dumps({**figures, "assessor_version": version, "per_source": sources, "csv": str(options.csv)}, indent=1))
    else:
        report_print(figures, sources, version, options.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
