"""The detector contract: what a detector reads (:class:`Features`) and what it answers (:class:`Verdict`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Features:
    """What the detectors may know about one editor or edit, computed once per record.

    ``None`` means unknown (the record did not say); detectors treat unknown as "no evidence". Domains are
    registered domains (``shop.example.co.uk``), hosts are full host names, both lower case.
    """

    kind: str
    entity_id: int
    name: str = ""                       # the account's name (for an edit: its editor's)
    text: str = ""                       # the free text written: bio for editors, names, annotation and notes for edits
    skeleton: str = ""                   # ``text`` normalised: the Latin skeleton that rules match
    disguises: tuple[str, ...] = ()      # disguises undone while normalising ("homoglyph", "invisible", ...)
    text_length: int = 0                 # characters in ``text`` (rules read at most the first 20,000)
    website: str = ""                    # the editor's website field
    website_domain: str = ""
    text_urls: tuple[str, ...] = ()      # URLs written in ``text``, obfuscated ones included
    text_domains: tuple[str, ...] = ()       # their registered domains, sorted, without repeats
    text_url_domains: tuple[str, ...] = ()   # the registered domain of each of ``text_urls`` ("" if none)
    added_urls: tuple[str, ...] = ()     # URLs an edit adds to MusicBrainz (relationships, URL edits)
    added_domains: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()          # hosts of every URL above
    free_hosts: tuple[str, ...] = ()     # those under a Public Suffix List private suffix (anyone gets a subdomain)
    phones: tuple[str, ...] = ()         # phone numbers in ``text``, E.164
    text_email_domains: tuple[str, ...] = ()  # domains of email addresses written in ``text``
    messengers: tuple[str, ...] = ()     # messenger contacts in ``text`` ("whatsapp", "telegram @x", ...)
    email_domain: str = ""               # the account's email address: its domain ...
    email_local: str = ""                # ... and local part (used to judge it, never shown or stored)
    is_beginner: bool | None = None      # MB's BEGINNER flag on the (editing) account
    edit_count: int | None = None
    accepted_edit_count: int | None = None
    vote_count: int | None = None
    note_count: int | None = None
    gender_set: bool | None = None
    area_set: bool | None = None
    birth_date_set: bool | None = None
    hours_to_update: float | None = None   # from registering to the last profile change (when the bio appeared)
    hours_to_confirm: float | None = None  # from registering to confirming the email address
    edit_type: int | None = None           # for an edit: its MB edit type
    link_types: tuple[int, ...] = ()       # for a relationship edit: its link type(s)

    @property
    def domains(self) -> list[str]:
        """Every registered domain the record links to (website, text, added URLs), sorted."""
        return sorted({self.website_domain, *self.text_domains, *self.added_domains} - {""})


@dataclass(frozen=True)
class Match:
    """What a reason matched, as the detector read it, for the page to mark where it stands in the record:

    - ``"text"``: a piece of the text's skeleton (``Features.skeleton``: folded, lower-cased, de-leeted);
    - ``"clean"``: a piece of its cleaned form, which contacts are read from (folded and lower-cased only);
    - ``"links"``: a URL, host or domain, in the website, the text or the added URLs (any case);
    - ``"phone"``: a phone number in E.164, written in the text with any grouping;
    - ``"disguise"``: the words of the text that carry a disguise ``normalise`` undid ("homoglyph", "invisible", ...).
    """

    where: str
    found: str


@dataclass(frozen=True)
class Verdict:
    """One detector's answer for one record: points of evidence for spam and why, in words a ninja reads, and what
    it matched."""

    detector: str
    points: float
    reasons: tuple[str, ...] = ()
    evidence: tuple[Match, ...] = ()


class Detector:
    """Base of every detector: ``__init__`` stores parameters only; ``fit`` sets what it learns or loads (attributes
    ending in ``_``: lists, compiled pattern sets, indexes), once, when the registry builds it; ``score`` is pure
    and changes nothing."""

    name: ClassVar[str]
    #: Whether the detector reads the payload (what the record shows others: text, links, contacts, the email
    #: address it gave, campaigns, reputation). Only such evidence may start a report; a detector of account
    #: metadata (beginner, confirmation time, counts, a digit in the name) only shifts a score evidence started.
    evidence: ClassVar[bool] = True

    def fit(self) -> Detector:
        """Load or learn what ``score`` reads; returns the detector. Nothing to do for most."""
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        """One verdict per record of ``batch``, in order."""
        raise NotImplementedError


class DetectorConfigError(ValueError):
    """The detector configuration names an unknown detector or option."""
