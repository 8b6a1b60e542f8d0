"""Compose the long forum-post examples (examples/*_long_composed.csv) from the passages here.

    .venv/bin/python moderation/risk/examples/compose/compose.py           # write the files
    .venv/bin/python moderation/risk/examples/compose/compose.py --check   # exit 1 if one is stale

Real posts in a peer group are often long: a job, a debt, a breakup, a bad night's sleep, a dose,
and somewhere among them the one or two sentences that say how the writer is. A model that saw
long posts mostly as crises or concerns learns that length and life detail are the signal: it
flags every long ordinary post and, in a long crisis post, lets the details drown the words that
matter. So every composed post is the same kind of mixture: details of a life (shared.py, the
same for every label), an opener or a closer sometimes, and one passage that carries the label
(crisis.py, concern.py, ordinary.py), each passage used once so that cross-validation never sees
the same passage on both sides. Ordinary posts also include everyday posts of details alone with
a question at the end, and replies that mention suicide or 988 to support someone else.

Short sentences have the opposite trouble: a few words carry the whole text, and the frames crisis
posts use ("I keep thinking about", "I won't be here", "tonight I'm going to") read as crisis
whatever follows them. frames.py pairs each such frame with everyday objects, so the object
carries the meaning (examples/ok_short_frames_composed.csv).

The writing style is varied the same way for every label (lower case, no apostrophes, no final
full stop, sentences run together), as people write late at night on a phone: a style that only
one label has becomes a sign of that label. Deterministic: the same files every time.
Written for Thaw; nothing here comes from any other data set.
"""
import csv
import io
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import concern  # noqa: E402
import crisis  # noqa: E402
import frames  # noqa: E402
import ordinary  # noqa: E402
import shared  # noqa: E402

EXAMPLES_DIR = HERE.parent
SEED = 18
# Each everyday question closes this many posts of details (with different details each time).
ASK_POSTS_EACH = 2


def _run_together(sentences: list[str], rng: random.Random) -> str:
    """Join sentences as a late-night post does: mostly full stops, sometimes commas and "and"."""
    run_on = rng.choice((0.0, 0.15, 0.4, 0.7))
    text = sentences[0]
    for sentence in sentences[1:]:
        if rng.random() < run_on and text[-1:] in ".!":
            joiner = rng.choice((", ", " and ", ", and ", ". ", " and like ", "... "))
            text = text[:-1] + joiner + sentence[:1].lower() + sentence[1:]
        else:
            text += " " + sentence
    return text


def _styled(text: str, rng: random.Random) -> str:
    if rng.random() < 0.55:
        text = text.lower()
    if rng.random() < 0.35:
        text = text.replace("'", "")
    if rng.random() < 0.4:
        text = text.rstrip(".")
    return re.sub(r"\s+", " ", text).strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1] in ".!?" else text + "."


def post_compose(core: str, rng: random.Random, *, details: tuple[int, int], core_last: float = 0.0) -> str:
    """Details of a life around one passage, an opener and a closer sometimes."""
    chosen = rng.sample(shared.DETAILS, rng.randint(*details))
    position = len(chosen) if rng.random() < core_last else rng.randint(0, len(chosen))
    sentences = [_sentence(s) for s in chosen[:position] + [core] + chosen[position:]]
    if rng.random() < 0.45:
        sentences.insert(0, _sentence(rng.choice(shared.OPENERS)))
    if rng.random() < 0.45:
        sentences.append(_sentence(rng.choice(shared.CLOSERS)))
    return _styled(_run_together(sentences, rng), rng)


def examples_compose() -> dict[str, list[tuple[str, str, str]]]:
    rng = random.Random(SEED)
    files: dict[str, list[tuple[str, str, str]]] = {"crisis": [], "concern": [], "ok": [], "ok_short_frames": []}
    for passage in crisis.PASSAGES:
        files["crisis"].append((post_compose(passage, rng, details=(3, 10)), "crisis", "forum_post"))
    for passage in concern.PASSAGES:
        files["concern"].append((post_compose(passage, rng, details=(3, 10)), "concern", "forum_post"))
    for passage in ordinary.PASSAGES:
        files["ok"].append((post_compose(passage, rng, details=(3, 10)), "ok", "forum_post"))
    for passage in ordinary.REPLIES:
        files["ok"].append((post_compose(passage, rng, details=(1, 3), core_last=0.6), "ok", "reply"))
    for _ in range(ASK_POSTS_EACH):
        for ask in ordinary.ASKS:
            files["ok"].append((post_compose(ask, rng, details=(3, 7), core_last=0.9), "ok", "forum_post"))
    for sentence in frames.sentences():
        files["ok_short_frames"].append((_styled(sentence, rng), "ok", "short"))
    return files


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for label, rows in examples_compose().items():
        path = EXAMPLES_DIR / (f"{label}_composed.csv" if label.endswith("frames") else f"{label}_long_composed.csv")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(("text", "label", "kind"))
        writer.writerows(rows)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != buffer.getvalue():
                stale.append(path.name)
            continue
        path.write_text(buffer.getvalue(), encoding="utf-8")
        print(f"{path.name}: {len(rows)} posts")
    if stale:
        print(f"not what compose.py writes (run it): {', '.join(stale)}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
