"""Contact details written into text: phone numbers, email addresses, messenger handles."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# Runs of 9 to 15 digits, allowing the separators people write (spaced-out digits are already joined).
_PHONE = re.compile(r"\+?\d(?:[\s().-]{0,2}\d){8,14}")
_REGIONS = ("US", "IN", "GB", "PK", "AE", "NG")  # where spam numbers are written without a country code
MAX_CANDIDATES = 20  # digit runs examined per text: enough to find its numbers, and a bound on time
_SEPARATORS = re.compile(r"[\s-]")
_EMAIL = re.compile(r"[\w.+-]+@((?:[\w-]+\.)+[a-z]{2,24})\b")
_MESSENGER = re.compile(
    r"\b(whats ?app|wa\.me|telegram|t\.me|skype|wechat|viber|signal|kik|snapchat|line id)\b"
    r"[\s:/=-]{0,4}(?:(?:me|us|at|on|id|number|no)\b[\s:.=-]{0,3})*(@?[a-z0-9_.+-]{4,}|\+?\d[\d\s-]{6,}\d)")


def phones_in(text: str) -> tuple[str, ...]:
    """Valid phone numbers in ``text``, in E.164 form, in order, without repeats."""
    return tuple(dict.fromkeys(number for _, _, number in phone_spans(text)))


@lru_cache(maxsize=1024)  # a chunk's texts (512): their evidence is marked right after they are read
def phone_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, the number in E.164) for each valid phone number written in ``text``, in order."""
    found = []
    for n, m in enumerate(_PHONE.finditer(text)):
        raw = m.group(0)
        if n == MAX_CANDIDATES:
            break
        end = m.end()
        if end < len(text) and text[end].isdigit():
            continue  # part of a longer run of digits (a barcode, a catalogue number): not a phone number
        for region in ((None,) if raw.startswith("+") else _REGIONS):
            try:
                number = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                found.append((m.start(), end, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)))
                break
    return tuple(found)


# Domains reserved for examples and tests (RFC 2606), and every name under them: an address there reaches no one,
# so it is not a contact.
_EXAMPLES = (".example.com", ".example.net", ".example.org", ".example", ".test", ".invalid", ".localhost")


def email_domains_in(text: str) -> tuple[str, ...]:
    """Domains of the email addresses in ``text`` (the addresses themselves are personal data: not kept), but for
    the domains reserved for examples ("name@example.com" in a regular expression's documentation)."""
    if "@" not in text:
        return ()
    domains = (m.group(1).lower() for m in _EMAIL.finditer(text))
    return tuple(dict.fromkeys(d for d in domains if not ("." + d).endswith(_EXAMPLES)))


def messengers_in(text: str) -> tuple[str, ...]:
    """Messenger contacts in ``text``, e.g. "whatsapp +919876543210" or "telegram @cryptoking"."""
    found = []
    for m in _MESSENGER.finditer(text):
        if m.group(2).rstrip(".").isalpha() and not text[m.end(1):m.start(2)].strip():
            continue  # "Snapchat will attend": a word of the sentence, not a handle (no "@", digit or "handle:")
        app = m.group(1).replace(" ", "").replace("wa.me", "whatsapp").replace("t.me", "telegram")
        handle = _SEPARATORS.sub("", m.group(2)).rstrip(".")
        found.append(f"{app} {handle}")
    return tuple(dict.fromkeys(found))
