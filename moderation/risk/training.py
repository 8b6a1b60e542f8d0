"""Fitting the risk model with scikit-learn, and writing it as JSON.

Only the training command, `risk_model_train` (inside the function), the bench scripts and tests
import this module: it loads numpy, scipy and scikit-learn, which web processes never need
(`moderation.risk.model.RiskModel` scores the JSON without them).
"""
import json
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from moderation.risk.model import (
    CHAR_FEATURES,
    CHAR_WEIGHT,
    LABELS,
    MODEL_FORMAT,
    TRAINING_PARAMETERS,
    WORD_FEATURES,
    Example,
    RiskModel,
    model_json,
    model_version,
)


class FittedModel:
    """Fitted vectorizers and classifier; `to_json` is what `RiskModel` scores."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer, classifier: LogisticRegression, trained_on: dict):
        self.word = word
        self.char = char
        self.classifier = classifier
        self.trained_on = trained_on
        self._state = self._state_build()
        self.version = model_version(self._state)

    def _state_build(self) -> dict:
        return {
            "format": MODEL_FORMAT,
            "trained_on": self.trained_on,
            "word": _vectorizer_state(self.word),
            "char": _vectorizer_state(self.char),
            "classes": [str(label) for label in self.classifier.classes_],
            "coef": np.round(self.classifier.coef_, 6).tolist(),
            "intercept": np.round(self.classifier.intercept_, 6).tolist(),
        }

    def to_json(self) -> str:
        return model_json(self._state)

    def light(self) -> RiskModel:
        """The same model as the pure-Python scorer web processes use."""
        return RiskModel(self._state)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """scikit-learn's predict_proba, columns in the order of the classifier's classes."""
        features = sparse.hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()
        return self.classifier.predict_proba(features)

    @classmethod
    def from_json(cls, payload: str) -> "FittedModel":
        """scikit-learn objects rebuilt from a model's JSON (the weights as rounded there)."""
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


def model_fit(examples: Iterable[Example], *, trained_on: dict | None = None) -> FittedModel:
    """Fit a model on labelled texts. Deterministic for the same examples."""
    examples = list(examples)
    missing = set(LABELS) - {example.label for example in examples}
    if missing:
        raise ValueError(f"Training needs examples of every level; none for: {', '.join(sorted(missing))}.")
    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    word = TfidfVectorizer(**WORD_FEATURES).fit(texts)
    char = TfidfVectorizer(**CHAR_FEATURES).fit(texts)
    features = sparse.hstack([word.transform(texts), CHAR_WEIGHT * char.transform(texts)]).tocsr()
    classifier = LogisticRegression(**TRAINING_PARAMETERS)
    classifier.fit(features, labels)
    # Fold the weight into the coefficients: the model then scores the plain features, as
    # `probabilities` and `RiskModel` compute them.
    classifier.coef_[:, len(word.vocabulary_):] *= CHAR_WEIGHT
    counts = {label: labels.count(label) for label in LABELS}
    return FittedModel(word=word, char=char, classifier=classifier, trained_on={**(trained_on or {}), "examples": counts})
