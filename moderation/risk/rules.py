"""The fast rule layer of the risk assessor: phrasings of risk, kept as data in rules.toml.

It runs inside the request that saves a post or room message (to decide at once whether the author
sees the crisis panel) and again in the worker next to the trained model. So it must be quick
(a fraction of a millisecond for a typical post) and must never raise on any text.

How a text is checked, in order (rules.toml explains each step for moderators): normalise it;
remove quoted text; blank out supportive replies, questions to "you" and idioms; match each rule's
patterns; drop matches governed by a negation or about someone else; count a crisis match in a
joking sentence, or one about long ago, as concern. Watched phrases from the database are matched
on the text without quotes.

Speed: a few hundred patterns are far too many to search one by one through every text. Each
pattern has "anchors", strings one of which every match must contain ("suicid", "pills"), read
from the pattern itself. One scan of the text finds where any anchor occurs; a pattern is then
searched only in the few characters around its own anchors, and not at all when none occur.
"""
import hashlib
import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
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

# Blanked-out text becomes this character, repeated to the same length so positions found before
# blanking still hold. Not a letter (no word is made or joined) and not a clause break.
_MASK = "~"
# How far before a match a negation cue or a clause break is looked for.
_NEGATION_LOOKBACK = 100
# How far around a match a downgrading marker is looked for (the sentence, cut at this many characters).
_DOWNGRADE_LOOKAROUND = 160
# A pattern is searched this far past the last place a match could end, so that a lookahead at the
# end of a pattern ("live" followed by the end of a clause) sees the real text.
_LOOKAHEAD_ROOM = 40
# Patterns that can match more than this many characters are searched through the whole text.
_LONGEST_WINDOWED_MATCH = 500


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


NO_RISK = RuleVerdict(level=LEVEL_NONE, signals=())


# Compared and hashed by identity: sets of them are built for every text.
@dataclass(frozen=True, eq=False)
class Pattern:
    regex: re.Pattern[str]
    # Every match contains one of these strings. Empty: no good anchor, search every text.
    anchors: tuple[str, ...]
    # The most characters a match can span: how far from an anchor to search. None: a match can be
    # long, so a text with an anchor is searched from end to end.
    reach: int | None


Patterns = tuple[Pattern, ...]


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
    blanked: Patterns  # second-person questions and idioms
    negation: re.Pattern[str] | None
    clause_break: re.Pattern[str]
    other_subjects: frozenset[str]
    # Near these, crisis counts as concern: laughing in the same sentence, long ago in the same clause.
    laughing: re.Pattern[str] | None
    long_ago: re.Pattern[str] | None
    # Finds, at each position of a text, the longest anchor starting there.
    anchor_finder: re.Pattern[str] | None
    # An anchor found by `anchor_finder` -> every anchor it starts with (itself included).
    anchors_within: dict[str, tuple[str, ...]]
    # An anchor -> the patterns it belongs to; and the patterns with none, tried on every text.
    patterns_by_anchor: dict[str, tuple[Pattern, ...]]
    unanchored: frozenset[Pattern]


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
    """Compile each pattern on its own, with its anchors; the left word boundary is checked by
    `_whole_word_matches`, so that a pattern's regex starts with its first word."""
    compiled = []
    for pattern in patterns:
        expanded = _expand(pattern, words)
        if _UPPER_CASE_LETTER.search(expanded):
            raise ValueError(f"{where}: write patterns in lower case: {pattern!r}")
        try:
            # The right boundary holds only where the match ends in a letter: "kms" must not end
            # inside "kmsx", but an emoji marker may touch a word ("ok😂").
            regex = re.compile(rf"(?:{expanded})(?:(?<=\w)(?!\w)|(?<!\w))", re.MULTILINE)
        except re.error as error:
            raise ValueError(f"{where}: bad pattern {pattern!r}: {error}") from error
        anchors, reach = _anchors_and_reach(expanded)
        compiled.append(Pattern(regex=regex, anchors=anchors, reach=reach))
    return tuple(compiled)


def _anchors_and_reach(pattern: str) -> tuple[tuple[str, ...], int | None]:
    """Strings one of which every match contains, and the longest a match can be.

    "(?:took|swallowed) all my pills" gives ("all my pills",). Read from the standard library's
    regex parser; it is private, so should it ever change, every pattern is searched in full.
    """
    try:
        from re import _parser

        parsed = _parser.parse(pattern)
        anchors = _required_in_sequence(parsed)
        reach = parsed.getwidth()[1]
    except Exception:  # any change in the private parser: search this pattern everywhere
        return (), None
    # "to " or " my " is in nearly every text: not worth looking for.
    if not anchors or _selectivity(anchors)[0] < 3:
        return (), None
    # Any part of an anchor is an anchor too; spaces at its ends only make the search slower.
    anchors = frozenset(anchor.strip() for anchor in anchors)
    return tuple(sorted(anchors)), reach if reach <= _LONGEST_WINDOWED_MATCH else None


def _required_in_sequence(items) -> frozenset[str] | None:
    from re import _constants as sre

    best: frozenset[str] | None = None
    literal_run: list[str] = []

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or _selectivity(candidate) > _selectivity(best)):
            best = candidate

    for op, argument in items:
        if op is sre.LITERAL:
            literal_run.append(chr(argument))
            continue
        if literal_run:
            consider(frozenset(["".join(literal_run)]))
            literal_run = []
        if op is sre.SUBPATTERN:
            consider(_required_in_sequence(argument[-1]))
        elif op is sre.ATOMIC_GROUP:
            consider(_required_in_sequence(argument))
        elif op is sre.BRANCH:
            alternatives = [_required_in_sequence(alternative) for alternative in argument[1]]
            if all(alternatives):
                consider(_without_longer(frozenset().union(*alternatives)))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and argument[0] >= 1:
            consider(_required_in_sequence(argument[2]))
    if literal_run:
        consider(frozenset(["".join(literal_run)]))
    return best


# Words so common in posts that finding one says little about whether a pattern matches.
_COMMON_WORDS = frozenset(
    "a an i im me my myself self to of the it its is am are was be been in on at and or for this that"
    " all will would could can have had do did not no so up out just take took get got feel about one"
    " now off what when with from like your you they them how why who here then than there time day"
    " way back know want going gonna make made much even still ever over into only also well long work".split()
)
_WORD = re.compile(r"[a-z']+")


def _selectivity(strings: frozenset[str]) -> tuple[int, int]:
    """How rare finding one of the strings is: its longest uncommon word, then fewer strings."""
    def informative_length(string: str) -> int:
        return max((len(word) for word in _WORD.findall(string) if word not in _COMMON_WORDS), default=0)

    return min(map(informative_length, strings)), -len(strings)


def _without_longer(strings: frozenset[str]) -> frozenset[str]:
    """Drop strings containing another one: finding "take" already covers "taken"."""
    return frozenset(s for s in strings if not any(other != s and other in s for other in strings))


def _anchor_finder(anchors: Iterable[str]) -> re.Pattern[str] | None:
    """A regex finding, at every position, the longest of the anchors that starts there.

    The anchors are laid out as a tree of their letters ("kill" and "kms" share "k"), so each
    position costs a few character comparisons however many anchors there are.
    """
    tree: dict = {}
    for anchor in anchors:
        node = tree
        for character in anchor:
            node = node.setdefault(character, {})
        node[""] = {}

    def alternatives(node: dict) -> str:
        branches = [
            re.escape(character) + alternatives(child) for character, child in sorted(node.items()) if character
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        # Longer first (greedy), the anchor ending here otherwise.
        return f"(?:{body})?" if "" in node else body

    # A lookahead matches nothing, so anchors overlapping each other ("want to", "to die") are all found.
    return re.compile(f"(?=({alternatives(tree)}))") if tree else None


def _compile_markers(markers: list[str], words: dict[str, str]) -> re.Pattern[str] | None:
    """One regex finding any of the markers as whole words (they are only searched near a match)."""
    if not markers:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(_expand(marker, words) for marker in markers)})(?!\w)")


def rules_load(text: str) -> RuleSet:
    """Parse and compile rules given as TOML text. Raises ValueError on a malformed rules file."""
    data = tomllib.loads(text)
    words = {name: str(value) for name, value in data.get("words", {}).items()}
    # A word list may use one defined before it.
    for name in list(words):
        words[name] = _expand(words[name], words)

    rules: list[Rule] = []
    for entry in data.get("rule", []):
        missing = {"id", "category", "level", "description", "patterns"} - entry.keys()
        if missing:
            raise ValueError(f"rule {entry.get('id', '?')}: missing {', '.join(sorted(missing))}")
        rule_id = entry["id"]
        if any(rule.id == rule_id for rule in rules):
            raise ValueError(f"rule {rule_id}: id used twice")
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
        negation_regex = re.compile(rf"(?<!\w)(?:{cues}){bridge_run}(?![\w'])")
    downgrade = data.get("downgrade", {})

    supportive_patterns = _compile_all(supportive.get("patterns", []), words, where="supportive")
    blanked_patterns = (
        _compile_all(data.get("second_person", {}).get("patterns", []), words, where="second_person")
        + _compile_all(data.get("idioms", {}).get("patterns", []), words, where="idioms")
    )
    every_pattern = [
        *supportive_patterns, *blanked_patterns, *(pattern for rule in rules for pattern in rule.patterns)
    ]
    patterns_by_anchor: dict[str, list[Pattern]] = defaultdict(list)
    for pattern in every_pattern:
        for anchor in pattern.anchors:
            patterns_by_anchor[anchor].append(pattern)
    anchors = set(patterns_by_anchor)
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
        supportive=supportive_patterns,
        blanked=blanked_patterns,
        negation=negation_regex,
        clause_break=re.compile(negation.get("clause_breaks", r"[.!?;:\n,]")),
        other_subjects=frozenset(negation.get("other_subjects", [])),
        laughing=_compile_markers(downgrade.get("laughing", []), words),
        long_ago=_compile_markers(downgrade.get("long_ago", []), words),
        anchor_finder=_anchor_finder(anchors),
        anchors_within={
            anchor: tuple(shorter for shorter in anchors if anchor.startswith(shorter)) for anchor in anchors
        },
        patterns_by_anchor={anchor: tuple(patterns) for anchor, patterns in patterns_by_anchor.items()},
        unanchored=frozenset(pattern for pattern in every_pattern if not pattern.anchors),
    )


# Loaded at import so a broken rules file stops the site at start-up, not inside a request.
_RULES = rules_load(RULES_PATH.read_text(encoding="utf-8"))
RULES_VERSION: str = _RULES.version


# ---- normalising -------------------------------------------------------------------------------

# Invisible characters that can hide a phrase from a pattern ("kill\u200bmyself") or reorder how it
# is displayed, and control characters (a stray NUL from a paste). Tab and newline stay.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_STRAIGHT_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2035": "'",
    "`": "'", "\u00b4": "'", "\u02bc": "'", "\u02b9": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u2036": '"',
    "\u00ab": '"', "\u00bb": '"', "\u300c": '"', "\u300d": '"',
}
_CURLY_QUOTE = re.compile("[" + "".join(_STRAIGHT_QUOTES) + "]")


def text_normalise(text: str) -> str:
    """Lower case, straight quotes, no invisible characters, one space between words, lines kept."""
    text = _INVISIBLE.sub("", text)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if _CURLY_QUOTE.search(text):
        for curly, straight in _STRAIGHT_QUOTES.items():
            text = text.replace(curly, straight)
    # Any kind of line break ends a line; any run of spaces, tabs or no-break spaces becomes one space.
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _without_quotes(text: str, rules: RuleSet) -> str:
    """Remove quoted lines and longer quotations: they are someone else's words."""
    prefix = rules.quote_line_prefix
    if prefix and prefix in text:
        # An empty line stays in place of the quote, so it still ends the clause before it.
        text = "\n".join("" if line.lstrip().startswith(prefix) else line for line in text.split("\n"))
    if '"' not in text and "'" not in text:
        return text

    def drop_long_quotation(match: re.Match[str]) -> str:
        return _MASK if len(match.group(1).split()) >= rules.quote_min_words else match.group(0)

    longest = rules.quote_max_chars
    text = re.sub(rf'"([^"\n]{{1,{longest}}})"', drop_long_quotation, text)
    # In single quotes, an apostrophe cannot open or close a quotation ("i'm", "friends' posts")
    # and none can stand inside it: 'this is goodbye' is a quotation, 'i don't know' is not found.
    return re.sub(rf"(?<!\w)'([^'\n]{{1,{longest}}})'(?!\w)", drop_long_quotation, text)


# ---- finding -----------------------------------------------------------------------------------

AnchorPositions = dict[str, list[int]]


def _anchor_positions(text: str, rules: RuleSet) -> AnchorPositions:
    """Where each anchor occurs in the text."""
    positions: AnchorPositions = defaultdict(list)
    if rules.anchor_finder is not None:
        for found in rules.anchor_finder.finditer(text):
            for anchor in rules.anchors_within[found.group(1)]:
                positions[anchor].append(found.start())
    return positions


def _whole_word_matches(regex: re.Pattern[str], text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """Matches within text[start:end] that do not begin inside a word ("kms" is not in "okms")."""
    while (match := regex.search(text, start, end)) is not None:
        begin = match.start()
        if begin and text[begin - 1].isalnum() and text[begin].isalnum():
            start = begin + 1
            continue
        yield match
        start = max(match.end(), begin + 1)


def _candidates(anchors_at: AnchorPositions, rules: RuleSet) -> set[Pattern]:
    """The patterns that may match: those with no anchors, and those with an anchor in the text."""
    candidates = set(rules.unanchored)
    for anchor in anchors_at:
        candidates.update(rules.patterns_by_anchor[anchor])
    return candidates


def _matches(pattern: Pattern, text: str, anchors_at: AnchorPositions) -> Iterator[re.Match[str]]:
    """The pattern's matches in the text, searched only around its anchors when it has some."""
    if not pattern.anchors:
        yield from _whole_word_matches(pattern.regex, text, 0, len(text))
        return
    positions = sorted(position for anchor in pattern.anchors for position in anchors_at.get(anchor, ()))
    if positions and pattern.reach is None:
        yield from _whole_word_matches(pattern.regex, text, 0, len(text))
        return
    window_start = window_end = -1
    for position in positions:
        # A match holding the anchor at `position` lies within `reach` characters of it.
        start, end = max(0, position - pattern.reach), position + pattern.reach + _LOOKAHEAD_ROOM
        if start <= window_end:
            window_end = end
            continue
        if window_end >= 0:
            yield from _whole_word_matches(pattern.regex, text, window_start, window_end)
        window_start, window_end = start, end
    if window_end >= 0:
        yield from _whole_word_matches(pattern.regex, text, window_start, window_end)


def _masked(
    text: str, patterns: Patterns, candidates: set[Pattern], anchors_at: AnchorPositions
) -> tuple[str, bool]:
    """The text with every match of the patterns blanked out (same length), and whether there was one."""
    spans = [
        match.span()
        for pattern in patterns if pattern in candidates
        for match in _matches(pattern, text, anchors_at)
    ]
    if not spans:
        return text, False
    characters = list(text)
    for start, end in spans:
        characters[start:end] = _MASK * (end - start)
    return "".join(characters), True


# ---- checking ----------------------------------------------------------------------------------


def _clause_before(text: str, start: int, rules: RuleSet) -> str:
    """The words of the match's own clause that come before it (at most _NEGATION_LOOKBACK chars)."""
    before = text[max(0, start - _NEGATION_LOOKBACK):start]
    last_break = None
    for last_break in rules.clause_break.finditer(before):
        pass
    return before[last_break.end():] if last_break else before


_FIRST_PERSON = frozenset({"i", "i'm", "im", "i've", "ive", "i'd", "i'll", "me", "my", "myself", "mine"})


def _is_about_someone_else(before: str, match: re.Match[str], rules: RuleSet) -> bool:
    """Whether the match's clause is about someone else: the word right before it is another
    person ("they don't want to live"), or, when the match has no "i", "me" or "my" of its own,
    the nearest person named before it is ("you said you were thinking about ending things")."""
    words_before = before.split()
    if before.endswith(" ") and words_before[-1] in rules.other_subjects:
        return True
    if not _FIRST_PERSON.isdisjoint(match.group().split()):
        return False
    for word in reversed(words_before):
        if word in _FIRST_PERSON:
            return False
        if word in rules.other_subjects:
            return True
    return False


def _is_negated(text: str, match: re.Match[str], rules: RuleSet) -> bool:
    """Whether a negation cue, joined to the match by bridge words only, stands right before it,
    or the statement is about someone else."""
    before = _clause_before(text, match.start(), rules)
    if not before.strip():
        return False
    if _is_about_someone_else(before, match, rules):
        return True
    if rules.negation is None:
        return False
    # The cue may look a little into the match ("no" before "thoughts of suicide").
    probe = before + text[match.start():match.start() + 40]
    reach = len(before.rstrip())
    return any(cue.start() < reach <= cue.end() for cue in rules.negation.finditer(probe))


def _is_downgraded(text: str, match: re.Match[str], rules: RuleSet) -> bool:
    """Whether the match's sentence laughs ("lol", "😂"), or its clause speaks of long ago."""
    window_start = max(0, match.start() - _DOWNGRADE_LOOKAROUND)
    window_end = min(len(text), match.end() + _DOWNGRADE_LOOKAROUND)
    if rules.laughing is not None:
        sentence_start = max(text.rfind(mark, window_start, match.start()) for mark in ".!?\n") + 1
        following = [position for mark in ".!?\n" if (position := text.find(mark, match.end(), window_end)) != -1]
        # A marker may trail the sentence's full stop: "i want to die. lol".
        sentence_end = min(min(following) + 12, window_end) if following else window_end
        if rules.laughing.search(text, max(sentence_start, window_start), sentence_end):
            return True
    if rules.long_ago is not None:
        clause_start = match.start() - len(_clause_before(text, match.start(), rules))
        clause_end = rules.clause_break.search(text, match.end(), window_end)
        if rules.long_ago.search(text, clause_start, clause_end.start() if clause_end else window_end):
            return True
    return False


def _rule_level(
    text: str, rule: Rule, rules: RuleSet, candidates: set[Pattern], anchors_at: AnchorPositions
) -> str:
    """The level this rule gives the text: its own, concern if every match is downgraded, none if
    no match stands."""
    level = LEVEL_NONE
    for pattern in rule.patterns:
        if pattern not in candidates:
            continue
        for match in _matches(pattern, text, anchors_at):
            if rule.negatable and _is_negated(text, match, rules):
                continue
            if rule.level == LEVEL_CRISIS and _is_downgraded(text, match, rules):
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
    # Blanking keeps every position, so the anchors found here hold for the blanked text too.
    anchors_at = _anchor_positions(own_words, rules)
    candidates = _candidates(anchors_at, rules)
    checked, supportive_seen = _masked(own_words, rules.supportive, candidates, anchors_at)
    checked, _ = _masked(checked, rules.blanked, candidates, anchors_at)

    signals: list[RuleSignal] = []
    for rule in rules.rules:
        level = _rule_level(checked, rule, rules, candidates, anchors_at)
        if level != LEVEL_NONE:
            signals.append(RuleSignal(
                rule_id=rule.id, category=rule.category, level=level, description=rule.description
            ))
    signals.extend(_watched_phrase_signals(own_words, extra_phrases))
    if supportive_seen:
        signals.append(rules.supportive_signal)

    level = max((signal.level or LEVEL_NONE for signal in signals), key=_LEVEL_RANK.__getitem__, default=LEVEL_NONE)
    return RuleVerdict(level=level, signals=tuple(signals))
