"""The fast rule layer of the risk assessor: phrasings of risk, kept as data in rules.toml.

It runs inside the request that saves a post or room message (to decide at once whether the author
sees the crisis panel) and again in the worker next to the trained model. So it must be quick
(a fraction of a millisecond for a typical post) and must never raise on any text.

How a text is checked, in order (rules.toml explains each step for moderators):
normalise it; remove quoted text; blank out supportive replies, questions to "you" and idioms;
match each rule's patterns; drop matches governed by a negation; count a crisis match in a joking
sentence as concern. Watched phrases from the database are matched on the same text, quotes removed.
"""
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RULES_PATH = Path(__file__).with_name("rules.toml")

LEVEL_NONE = "none"
LEVEL_CONCERN = "concern"
LEVEL_CRISIS = "crisis"
_LEVEL_RANK = {LEVEL_NONE: 0, LEVEL_CONCERN: 1, LEVEL_CRISIS: 2}

CATEGORIES = frozenset({
    "ideation", "passive_ideation", "plan", "means", "self_harm", "goodbye", "harm_to_others",
    "numbness_despair", "hopelessness", "distress",
})
CATEGORY_SUPPORTIVE = "supportive"
CATEGORY_WATCHED_PHRASE = "watched_phrase"

# What stands in for blanked-out text: not a letter (so no word is made or joined), not a clause
# break (so a negation before an idiom still reaches past it).
_MASK = "~"

# How far before a match a negation cue or a clause break is looked for.
_NEGATION_LOOKBACK = 100
# How far around a match a joking marker is looked for (the sentence, cut at this many characters).
_JOKE_LOOKAROUND = 160


@dataclass(frozen=True)
class RuleSignal:
    rule_id: str
    category: str
    level: str  # "crisis", "concern" or "" for informational signals such as supportive
    description: str


@dataclass(frozen=True)
class RuleVerdict:
    level: str  # "none", "concern" or "crisis": the highest level among signals
    signals: tuple[RuleSignal, ...]


Patterns = tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    level: str
    description: str
    patterns: Patterns
    negatable: bool


@dataclass(frozen=True)
class RuleSet:
    """rules.toml, compiled. Build one with `rules_load`."""

    version: str
    rules: tuple[Rule, ...]
    quote_line_prefix: str
    quote_min_words: int
    quote_max_chars: int
    supportive_signal: RuleSignal
    supportive: Patterns
    second_person: Patterns
    idioms: Patterns
    negation: re.Pattern[str] | None
    clause_break: re.Pattern[str]
    joking: Patterns


NO_RISK = RuleVerdict(level=LEVEL_NONE, signals=())


# ---- loading -----------------------------------------------------------------------------------

_WORD_LIST_NAME = re.compile(r"\{([a-z_]+)\}")
# An upper-case letter that is not an escape such as \S or \W: it could never match lower-cased text.
_UPPER_CASE_LETTER = re.compile(r"(?<!\\)[A-Z]")


def _expand(pattern: str, words: dict[str, str]) -> str:
    # {name} is a word list; {0,3} and other counted repeats have no letters and are left alone.
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in words:
            raise ValueError(f"unknown word list {{{name}}} in pattern {pattern!r}")
        return words[name]

    return _WORD_LIST_NAME.sub(replace, pattern)


def _compile_all(patterns: Iterable[str], words: dict[str, str], *, where: str) -> Patterns:
    """Compile each pattern on its own; the left word boundary is checked by `_whole_word_matches`.

    One regex per pattern, each starting with its own words rather than a boundary assertion, lets
    the regex engine skip straight to where its first word occurs: many times faster than trying
    one big alternation at every position of the text.
    """
    compiled = []
    for pattern in patterns:
        if _UPPER_CASE_LETTER.search(pattern):
            raise ValueError(f"{where}: write patterns in lower case: {pattern!r}")
        expanded = _expand(pattern, words)
        try:
            # The right boundary holds only where the match ends in a letter: "kms" must not end
            # inside "kmsx", but an emoji marker may touch a word ("ok😂").
            compiled.append(re.compile(rf"(?:{expanded})(?:(?<=\w)(?!\w)|(?<!\w))", re.MULTILINE))
        except re.error as error:
            raise ValueError(f"{where}: bad pattern {pattern!r}: {error}") from error
    return tuple(compiled)


def rules_load(text: str) -> RuleSet:
    """Parse and compile rules given as TOML text. Raises ValueError on a malformed rules file."""
    data = tomllib.loads(text)
    words = {name: str(value) for name, value in data.get("words", {}).items()}
    # A word list may use one defined before it.
    for name in list(words):
        words[name] = _expand(words[name], words)

    rules: list[Rule] = []
    seen_ids: set[str] = set()
    for entry in data.get("rule", []):
        rule_id = entry["id"]
        if rule_id in seen_ids:
            raise ValueError(f"rule {rule_id}: id used twice")
        seen_ids.add(rule_id)
        if entry["category"] not in CATEGORIES:
            raise ValueError(f"rule {rule_id}: unknown category {entry['category']!r}")
        if entry["level"] not in (LEVEL_CONCERN, LEVEL_CRISIS):
            raise ValueError(f"rule {rule_id}: level must be concern or crisis, not {entry['level']!r}")
        patterns = _compile_all(entry["patterns"], words, where=f"rule {rule_id}")
        if not patterns:
            raise ValueError(f"rule {rule_id}: no patterns")
        rules.append(Rule(
            id=rule_id,
            category=entry["category"],
            level=entry["level"],
            description=entry["description"].strip(),
            patterns=patterns,
            negatable=bool(entry.get("negatable", True)),
        ))

    quotes = data.get("quotes", {})
    supportive = data.get("supportive", {})
    negation = data.get("negation", {})
    negation_regex = None
    if negation.get("cues"):
        cues = "|".join(f"(?:{_expand(cue, words)})" for cue in negation["cues"])
        bridges = "|".join(re.escape(bridge) for bridge in sorted(negation.get("bridges", []), key=len, reverse=True))
        # A cue, then any bridge words: "never ever", "not going to", "no thoughts of".
        bridge_run = f"(?: (?:{bridges}))*" if bridges else ""
        negation_regex = re.compile(rf"(?<![\w'])(?:{cues}){bridge_run}(?![\w'])")

    return RuleSet(
        version=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
        rules=tuple(rules),
        quote_line_prefix=quotes.get("line_prefix", ">"),
        quote_min_words=int(quotes.get("min_words", 4)),
        quote_max_chars=int(quotes.get("max_chars", 400)),
        supportive_signal=RuleSignal(
            rule_id=supportive.get("id", "supportive.reply"),
            category=CATEGORY_SUPPORTIVE,
            level="",
            description=supportive.get("description", "Supportive reply.").strip(),
        ),
        supportive=_compile_all(supportive.get("patterns", []), words, where="supportive"),
        second_person=_compile_all(data.get("second_person", {}).get("patterns", []), words, where="second_person"),
        idioms=_compile_all(data.get("idioms", {}).get("patterns", []), words, where="idioms"),
        negation=negation_regex,
        clause_break=re.compile(negation.get("clause_breaks", r"[.!?;:\n,]")),
        joking=_compile_all(data.get("joking", {}).get("markers", []), words, where="joking"),
    )


# Loaded at import so a broken rules file stops the site at start-up, not inside a request.
_RULES = rules_load(RULES_PATH.read_text(encoding="utf-8"))
RULES_VERSION: str = _RULES.version


# ---- normalising -------------------------------------------------------------------------------

# Invisible characters that can hide a phrase from a pattern ("kill\u200bmyself") or reorder how it
# is displayed; control characters (a stray NUL from a paste) too. Tab and newline stay.
_INVISIBLE = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x00AD, 0x034F, 0x061C, 0x180E,
     *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0xFEFF]
)
_STRAIGHT_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2035": "'",
    "`": "'", "\u00b4": "'", "\u02bc": "'", "\u02b9": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u2036": '"',
    "\u00ab": '"', "\u00bb": '"', "\u300c": '"', "\u300d": '"',
})
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r" ?\n[\s]*")


def text_normalise(text: str) -> str:
    """Lower case, straight quotes, no invisible characters, one space between words, lines kept."""
    text = _LINE_BREAKS.sub("\n", text).translate(_INVISIBLE)
    text = unicodedata.normalize("NFKC", text).casefold().translate(_STRAIGHT_QUOTES)
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def _without_quotes(text: str, rules: RuleSet) -> str:
    """Remove quoted lines and longer quotations: they are someone else's words."""
    prefix = rules.quote_line_prefix
    if prefix:
        # An empty line stays in place of the quote, so it still ends the clause before it.
        text = "\n".join("" if line.lstrip().startswith(prefix) else line for line in text.split("\n"))

    def drop_long_quotation(match: re.Match[str]) -> str:
        inside = match.group(1)
        return _MASK if len(inside.split()) >= rules.quote_min_words else match.group(0)

    return re.sub(rf'"([^"\n]{{1,{rules.quote_max_chars}}})"', drop_long_quotation, text)


# ---- matching ----------------------------------------------------------------------------------


def _clause_before(text: str, start: int, rules: RuleSet) -> str:
    """The words of the match's own clause that come before it (at most _NEGATION_LOOKBACK chars)."""
    before = text[max(0, start - _NEGATION_LOOKBACK):start]
    last_break = None
    for last_break in rules.clause_break.finditer(before):
        pass
    return before[last_break.end():] if last_break else before


def _is_negated(text: str, match: re.Match[str], rules: RuleSet) -> bool:
    """Whether a negation cue, joined to the match by bridge words only, stands right before it."""
    if rules.negation is None:
        return False
    before = _clause_before(text, match.start(), rules)
    if not before.strip():
        return False
    # The cue may look a little into the match ("no" before "thoughts of suicide").
    probe = before + text[match.start():match.start() + 40]
    reach = len(before.rstrip())
    return any(
        cue.start() < reach and cue.end() >= reach for cue in rules.negation.finditer(probe)
    )


def _is_joking(text: str, match: re.Match[str], rules: RuleSet) -> bool:
    """Whether the match's sentence (or the few characters after it) laughs: "lol", "😂"."""
    if rules.joking is None:
        return False
    start = max(0, match.start() - _JOKE_LOOKAROUND)
    end = match.end() + _JOKE_LOOKAROUND
    sentence_start = max((text.rfind(mark, start, match.start()) for mark in ".!?\n"), default=-1) + 1
    following = [position for mark in ".!?\n" if (position := text.find(mark, match.end(), end)) != -1]
    # A marker may trail the sentence's full stop: "i want to die. lol".
    sentence_end = min(following) + 12 if following else end
    return rules.joking.search(text, max(sentence_start, start), min(sentence_end, len(text))) is not None


def _rule_level(text: str, rule: Rule, rules: RuleSet) -> str:
    """The level this rule gives the text: its own, concern if only joking, none if no match stands."""
    level = LEVEL_NONE
    for match in rule.regex.finditer(text):
        if rule.negatable and _is_negated(text, match, rules):
            continue
        if rule.level == LEVEL_CRISIS and _is_joking(text, match, rules):
            level = LEVEL_CONCERN
            continue
        return rule.level
    return level


@lru_cache(maxsize=1024)
def _watched_phrase_regex(phrase: str) -> re.Pattern[str] | None:
    # Written like a text is normalised, so "Don’t" in the database matches "dont" in a post.
    words = text_normalise(phrase).split()
    if not words:
        return None
    escaped = " ".join(re.escape(word).replace("'", "'?") for word in words)
    return re.compile(rf"(?<!\w){escaped}(?!\w)")


def _watched_phrase_signals(text: str, extra_phrases: Iterable[tuple[str, str, str]]) -> list[RuleSignal]:
    signals = []
    seen: set[str] = set()
    for phrase, level, phrase_id in extra_phrases:
        regex = _watched_phrase_regex(phrase or "")
        if regex is None or phrase_id in seen or not regex.search(text):
            continue
        seen.add(phrase_id)
        # An unknown level from the database must not hide a phrase moderators chose to watch.
        signals.append(RuleSignal(
            rule_id=f"watched_phrase.{phrase_id}",
            category=CATEGORY_WATCHED_PHRASE,
            level=level if level in (LEVEL_CONCERN, LEVEL_CRISIS, "") else LEVEL_CONCERN,
            description=f"Watched phrase: {phrase}",
        ))
    return signals


def _masked(text: str, regex: re.Pattern[str] | None) -> tuple[str, bool]:
    """The text with every match of the regex blanked out, and whether there was one."""
    if regex is None:
        return text, False
    masked, count = regex.subn(_MASK, text)
    return masked, count > 0


def rules_check(
    text: str,
    *,
    extra_phrases: Iterable[tuple[str, str, str]] = (),
    rules: RuleSet | None = None,
) -> RuleVerdict:
    """Check a text against the risk rules and the moderators' watched phrases.

    `extra_phrases` are (phrase, level, phrase_id) of plain phrases, matched as whole words in any
    case, with no negation or idiom handling (moderators chose them). `rules` replaces the rules
    loaded from rules.toml, for tests. Never raises on any text.
    """
    rules = rules or _RULES
    if not text:
        return NO_RISK
    own_words = _without_quotes(text_normalise(text), rules)
    checked, supportive_seen = _masked(own_words, rules.supportive)
    checked, _ = _masked(checked, rules.second_person)
    checked, _ = _masked(checked, rules.idioms)

    signals: list[RuleSignal] = []
    for rule in rules.rules:
        level = _rule_level(checked, rule, rules)
        if level != LEVEL_NONE:
            signals.append(RuleSignal(rule_id=rule.id, category=rule.category, level=level, description=rule.description))
    signals.extend(_watched_phrase_signals(own_words, extra_phrases))
    if supportive_seen:
        signals.append(rules.supportive_signal)

    level = max((signal.level or LEVEL_NONE for signal in signals), key=_LEVEL_RANK.__getitem__, default=LEVEL_NONE)
    return RuleVerdict(level=level, signals=tuple(signals))
