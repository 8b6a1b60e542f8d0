"""The two articles the library is written from, and nothing else.

Every entry names its source in front matter by title and publisher; the loader accepts only these
two. The first article's copy (shared/seeds/000_…) carries neither its title nor its publisher's
name, so we cite it by what it is rather than guess: fill in `title`/`publisher` here (and in the
entries' front matter) if the original is identified.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    publisher: str
    # How a reader sees the citation under an entry, and in a card's one line.
    citation: str
    short_name: str
    # False when `title` describes the article rather than quoting its headline.
    title_is_headline: bool = True


NUMBNESS = Source(
    key="numbness",
    title="Emotional numbness",
    publisher="A health publisher (not named in our copy)",
    citation="an article on emotional numbness from a health publisher (our copy names neither its headline nor its publisher)",
    short_name="an article on emotional numbness",
    title_is_headline=False,
)
BLUNTING = Source(
    key="blunting",
    title="Emotional Blunting: Symptoms, Causes, & How to Cope",
    publisher="ChoosingTherapy.com",
    citation=(
        "“Emotional Blunting: Symptoms, Causes, & How to Cope”, ChoosingTherapy.com "
        "(Silvi Saxena, MBA, MSW, LSW; medically reviewed by Naveed Saleh, MD, MS; published May 10, 2022)"
    ),
    short_name="ChoosingTherapy.com",
)

SOURCES: dict[str, Source] = {source.key: source for source in (NUMBNESS, BLUNTING)}


def source_for(*, title: str, publisher: str) -> Source | None:
    """The registered article with this title and publisher (case and spacing forgiven), or None."""

    def norm(text: str) -> str:
        return " ".join(str(text or "").split()).casefold()

    for source in SOURCES.values():
        if norm(source.title) == norm(title) and norm(source.publisher) == norm(publisher):
            return source
    return None
