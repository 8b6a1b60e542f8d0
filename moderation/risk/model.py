"""The trained layer of the risk assessor: TF-IDF features and a logistic regression.

It learns only from text Thaw owns: the examples written for Thaw under `examples/`, and the
decisions our moderators record (flags confirmed or dismissed), gathered by `train_risk_model`.
The model is stored as plain JSON (vocabularies, weights), never as a pickle: loading a model can
never run code, and anyone can read what it holds.
"""
import csv
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

RISK_DIR = Path(__file__).resolve().parent
EXAMPLES_DIR = RISK_DIR / "examples"
SHIPPED_MODEL_PATH = RISK_DIR / "model.json"
LABELS = ("ok", "concern", "crisis")
MODEL_FORMAT = 1

# Words and word pairs carry the meaning; character pieces catch spelling, slang and typos
# ("kms", "unalive", "cant go on") that people in distress write.
WORD_FEATURES = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "max_features": 30000, "sublinear_tf": True}
CHAR_FEATURES = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "max_features": 40000, "sublinear_tf": True}


@dataclass(frozen=True)
class Example:
    text: str
    label: str


@dataclass(frozen=True)
class ModelScores:
    crisis: float
    concern: float
    ok: float

    @property
    def flag(self) -> float:
        """Probability that the text needs a person's eyes at all (concern or crisis)."""
        return self.crisis + self.concern


def examples_load(directory: Path = EXAMPLES_DIR) -> list[Example]:
    """Every example written for Thaw (`examples/*.csv`, columns text,label[,kind])."""
    examples = []
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                label = (row.get("label") or "").strip()
                text = (row.get("text") or "").strip()
                if label in LABELS and text:
                    examples.append(Example(text=text, label=label))
    return examples


class RiskModel:
    """Fitted vectorizers and classifier, with a stable version derived from the weights."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer, classifier: LogisticRegression, trained_on: dict):
        self.word = word
        self.char = char
        self.classifier = classifier
        self.trained_on = trained_on
        self._label_index = {label: list(classifier.classes_).index(label) for label in LABELS}
        self.version = "model-" + hashlib.sha256(self.to_json().encode()).hexdigest()[:12]

    def _features(self, texts: Sequence[str]):
        return sparse.hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()

    def scores(self, texts: Sequence[str]) -> list[ModelScores]:
        probabilities = self.classifier.predict_proba(self._features(texts))
        index = self._label_index
        return [
            ModelScores(crisis=float(row[index["crisis"]]), concern=float(row[index["concern"]]), ok=float(row[index["ok"]]))
            for row in probabilities
        ]

    # -- persistence as JSON ------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps(
            {
                "format": MODEL_FORMAT,
                "trained_on": self.trained_on,
                "word": _vectorizer_state(self.word),
                "char": _vectorizer_state(self.char),
                "classes": [str(label) for label in self.classifier.classes_],
                "coef": np.round(self.classifier.coef_, 6).tolist(),
                "intercept": np.round(self.classifier.intercept_, 6).tolist(),
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, payload: str) -> "RiskModel":
        state = json.loads(payload)
        if state.get("format") != MODEL_FORMAT:
            raise ValueError("This risk model was saved in a format this version cannot read.")
        classifier = LogisticRegression()
        classifier.classes_ = np.array(state["classes"])
        classifier.coef_ = np.array(state["coef"], dtype=np.float64)
        classifier.intercept_ = np.array(state["intercept"], dtype=np.float64)
        return cls(
            word=_vectorizer_restore(state["word"], WORD_FEATURES),
            char=_vectorizer_restore(state["char"], CHAR_FEATURES),
            classifier=classifier,
            trained_on=state["trained_on"],
        )


def _vectorizer_state(vectorizer: TfidfVectorizer) -> dict:
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    return {"vocabulary": vocabulary, "idf": np.round(vectorizer.idf_, 6).tolist()}


def _vectorizer_restore(state: dict, options: dict) -> TfidfVectorizer:
    vocabulary = {term: index for index, term in enumerate(state["vocabulary"])}
    fixed = {key: value for key, value in options.items() if key not in ("min_df", "max_features")}
    vectorizer = TfidfVectorizer(vocabulary=vocabulary, **fixed)
    vectorizer.idf_ = np.array(state["idf"], dtype=np.float64)
    return vectorizer


def model_train(examples: Iterable[Example], *, trained_on: dict | None = None) -> RiskModel:
    """Fit a model on labelled texts. Deterministic for the same examples."""
    examples = list(examples)
    missing = set(LABELS) - {example.label for example in examples}
    if missing:
        raise ValueError(f"Training needs examples of every level; none for: {', '.join(sorted(missing))}.")
    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    word = TfidfVectorizer(**WORD_FEATURES).fit(texts)
    char = TfidfVectorizer(**CHAR_FEATURES).fit(texts)
    features = sparse.hstack([word.transform(texts), char.transform(texts)]).tocsr()
    classifier = LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000, random_state=0)
    classifier.fit(features, labels)
    counts = {label: labels.count(label) for label in LABELS}
    return RiskModel(word=word, char=char, classifier=classifier, trained_on={**(trained_on or {}), "examples": counts})


@cache
def shipped_model() -> RiskModel:
    """The model trained on the examples in the repository (rebuilt by `train_risk_model`)."""
    return RiskModel.from_json(SHIPPED_MODEL_PATH.read_text(encoding="utf-8"))
