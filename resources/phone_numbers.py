"""Finding phone numbers in text, so the library can only ever give the two numbers its articles give.

988 (the suicide hotline) and 911 (emergencies, asking for a CIT-trained officer) are the only
numbers the source articles name. An invented or mistyped number on a crisis page could cost
someone the call that mattered, so the loader refuses any other.
"""
import re

ALLOWED_NUMBERS = frozenset({"988", "911"})

# tel: links, whatever their digits.
_TEL_LINK = re.compile(r"tel:\s*(\+?[\d\s().\-]+)", re.IGNORECASE)
# Longer numbers written with separators: "1-800-273-8255", "(555) 123 4567", "+44 20 7946 0958".
_LONG_NUMBER = re.compile(r"(?<![\w.\-/])\+?\(?\d{1,4}\)?(?:[ .\-]\(?\d{2,4}\)?){2,}(?![\w\-/])")
# Seven or more digits in a row.
_DIGIT_RUN = re.compile(r"(?<!\d)\d{7,}(?!\d)")
# A short number right after a word that introduces one: "call 988", "text HOME to 741741".
_AFTER_CALL_WORD = re.compile(r"\b(?:call|text|dial|phone|hotline|line|number)\b\D{0,25}?(\d{3,})", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def phone_numbers_in(text: str) -> set[str]:
    """Every phone-like number in `text`, as digits only."""
    found: set[str] = set()
    for match in _TEL_LINK.finditer(text):
        found.add(re.sub(r"\D", "", match.group(1)))
    for match in _LONG_NUMBER.finditer(text):
        if not _ISO_DATE.match(match.group(0)):
            found.add(re.sub(r"\D", "", match.group(0)))
    found.update(match.group(0) for match in _DIGIT_RUN.finditer(text))
    found.update(match.group(1) for match in _AFTER_CALL_WORD.finditer(text))
    found.discard("")
    return found


def unexpected_phone_numbers(text: str) -> set[str]:
    return phone_numbers_in(text) - ALLOWED_NUMBERS
