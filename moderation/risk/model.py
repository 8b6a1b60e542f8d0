"""The trained layer of the risk assessor: TF-IDF features and a logistic regression, scored in
pure Python.

It learns only from text Thaw owns: the examples written for Thaw under `examples/`, and the
decisions our moderators record (flags confirmed or dismissed), gathered by `train_risk_model`.
The model is stored as plain JSON (vocabularies, idf, weights), never as a pickle: loading a model
can never run code, and anyone can read what it holds.

Fitting needs scikit-learn (`moderation.risk.training`, imported only by the training command,
`risk_model_train`, the bench scripts and tests). Scoring does not: `RiskModel` reads the JSON and
computes the very probabilities scikit-learn's `predict_proba` gives for it, with dicts and
`array`s, so a web process never loads numpy, scipy or scikit-learn (1-2 s and ~120 MiB each).
"""
import csv
import hashlib
import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RISK_DIR = Path(__file__).resolve().parent
EXAMPLES_DIR = RISK_DIR / "examples"
SHIPPED_MODEL_PATH = RISK_DIR / "model.json"
LABELS = ("ok", "concern", "crisis")
MODEL_FORMAT = 1

# Words and word pairs carry the meaning; character pieces catch spelling, slang and typos
# ("kms", "unalive", "cant go on") that people in distress write. `RiskModel` reproduces exactly
# these settings when scoring: change them only together with `_word_terms` / `_char_terms`.
WORD_FEATURES = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "max_features": 30000, "sublinear_tf": True}
CHAR_FEATURES = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "max_features": 40000, "sublinear_tf": True}
TRAINING_PARAMETERS = {"C": 8.0, "class_weight": "balanced", "max_iter": 2000, "random_state": 0}
# How much the character pieces count against the words when fitting. Pieces of the commonest words
# (" i ", "'m", "ht ") are in every short first-person text, and at full weight they added a pull
# towards crisis to "I'm going out tonight" that a word or two could not outweigh. The weight is
# folded into the stored coefficients, so scoring is unchanged (`training.model_fit`).
CHAR_WEIGHT = 0.7
# Raise when the training code changes in a way the settings above do not show.
TRAINER_FORMAT = 3


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
    """Every example written for Thaw (`examples/*.csv`, columns text,label[,kind]).

    Only the files directly in `directory`: the held-out evaluation set in `examples/holdout/` is
    never trained on.
    """
    examples = []
    for path in _example_files(directory):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                label = (row.get("label") or "").strip()
                text = (row.get("text") or "").strip()
                if label in LABELS and text:
                    examples.append(Example(text=text, label=label))
    return examples


def _example_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.csv"))


def model_inputs_digest(directory: Path = EXAMPLES_DIR) -> str:
    """A sha256 of everything the shipped model is trained from: each example file's name and
    bytes, the feature settings, the training parameters and the trainer's format. The shipped
    model.json records it, so a test can tell a stale model in milliseconds, without retraining."""
    digest = hashlib.sha256()
    settings = {
        "trainer": TRAINER_FORMAT, "word": WORD_FEATURES, "char": CHAR_FEATURES, "char_weight": CHAR_WEIGHT,
        "fit": TRAINING_PARAMETERS,
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for path in _example_files(directory):
        content = path.read_bytes()
        digest.update(f"\0{path.name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def model_version(state: dict) -> str:
    """A model's version: a hash of its canonical JSON, the same whichever way it was loaded."""
    return "model-" + hashlib.sha256(model_json(state).encode()).hexdigest()[:12]


def model_json(state: dict) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"))


# scikit-learn's default token_pattern: words of two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _word_terms(text: str) -> list[str]:
    """TfidfVectorizer(analyzer="word", ngram_range=(1, 2)): lower case, tokens, then token pairs."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{first} {second}" for first, second in zip(tokens, tokens[1:])]


def _char_terms(word: str) -> list[str]:
    """TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)) for one lower-case word: character
    pieces inside it, padded with a space on both sides; a word shorter than n gives itself once
    and no longer pieces."""
    padded = f" {word} "
    length = len(padded)
    terms = []
    for n in range(2, 6):
        if n >= length:
            terms.append(padded)
            break
        terms.extend([padded[start:start + n] for start in range(length - n + 1)])
    return terms


class _Features:
    """One vectorizer's vocabulary and idf, with each class's weights for its terms."""

    __slots__ = ("index", "idf", "weights")

    def __init__(self, state: dict, coef: list[list[float]], offset: int):
        vocabulary = state["vocabulary"]
        self.index = {term: position for position, term in enumerate(vocabulary)}
        self.idf = array("d", state["idf"])
        # One array per class, in the order of the model's classes.
        self.weights = tuple(array("d", row[offset:offset + len(vocabulary)]) for row in coef)

    def positions(self, text: str) -> list[int]:
        """The vocabulary position of every term of the text that is in the vocabulary, repeats kept."""
        raise NotImplementedError

    def decision(self, text: str) -> list[float]:
        """Each class's share of coef . x for this vectorizer: sublinear tf (1 + log tf) times idf,
        l2-normalised, as TfidfVectorizer(sublinear_tf=True) computes it."""
        idf = self.idf
        values = [(position, (1.0 + math.log(count)) * idf[position]) for position, count in Counter(self.positions(text)).items()]
        sums = [0.0] * len(self.weights)
        if not values:
            return sums
        norm = math.sqrt(sum(value * value for _, value in values))
        for k, weights in enumerate(self.weights):
            sums[k] = sum(value * weights[position] for position, value in values) / norm
        return sums


class _WordFeatures(_Features):
    __slots__ = ()

    def positions(self, text: str) -> list[int]:
        index = self.index
        return [index[term] for term in _word_terms(text) if term in index]


class _CharFeatures(_Features):
    """Character pieces never cross a word, so each word's pieces are looked up once and kept:
    most words of a post ("the", "feel", "numb") were seen in an earlier one."""

    __slots__ = ("_by_word",)
    # About 3 MiB at most; emptied when full (new words are rare after the first few posts).
    WORDS_KEPT = 10_000

    def __init__(self, *args):
        super().__init__(*args)
        self._by_word: dict[str, tuple[int, ...]] = {}

    def positions(self, text: str) -> list[int]:
        index, by_word = self.index, self._by_word
        positions: list[int] = []
        for word in text.lower().split():
            found = by_word.get(word)
            if found is None:
                found = tuple(index[term] for term in _char_terms(word) if term in index)
                if len(by_word) >= self.WORDS_KEPT:
                    by_word.clear()
                by_word[word] = found
            positions.extend(found)
        return positions


class RiskModel:
    """A trained model, scored in pure Python from its JSON: the probabilities scikit-learn's
    LogisticRegression.predict_proba gives for this 3-class lbfgs model, i.e. the softmax of
    coef . x + intercept over the two vectorizers' l2-normalised features side by side."""

    __slots__ = ("version", "trained_on", "classes", "_word", "_char", "_intercept", "_label_index")

    def __init__(self, state: dict):
        if state.get("format") != MODEL_FORMAT:
            raise ValueError("This risk model was saved in a format this version cannot read.")
        self.version = model_version(state)
        self.trained_on = state["trained_on"]
        self.classes = tuple(str(label) for label in state["classes"])
        coef = state["coef"]
        words = len(state["word"]["vocabulary"])
        if len(coef) != len(self.classes) or any(len(row) != words + len(state["char"]["vocabulary"]) for row in coef):
            raise ValueError("This risk model's weights do not match its vocabularies.")
        self._word = _WordFeatures(state["word"], coef, 0)
        self._char = _CharFeatures(state["char"], coef, words)
        self._intercept = tuple(float(value) for value in state["intercept"])
        self._label_index = {label: self.classes.index(label) for label in LABELS}

    @classmethod
    def from_json(cls, payload: str) -> "RiskModel":
        return cls(json.loads(payload))

    def probabilities(self, text: str) -> list[float]:
        """Probabilities in the order of `classes`."""
        decision = [
            intercept + word + char
            for intercept, word, char in zip(self._intercept, self._word.decision(text), self._char.decision(text))
        ]
        highest = max(decision)
        exponentials = [math.exp(value - highest) for value in decision]
        total = sum(exponentials)
        return [value / total for value in exponentials]

    def score(self, text: str) -> ModelScores:
        probabilities = self.probabilities(text)
        index = self._label_index
        return ModelScores(
            crisis=probabilities[index["crisis"]], concern=probabilities[index["concern"]], ok=probabilities[index["ok"]]
        )

    def scores(self, texts: Sequence[str]) -> list[ModelScores]:
        return [self.score(text) for text in texts]


@cache
def shipped_model() -> RiskModel:
    """The model trained on the examples in the repository (rebuilt by `train_risk_model --shipped`).
    Loaded once per process."""
    return RiskModel.from_json(SHIPPED_MODEL_PATH.read_text(encoding="utf-8"))
