"""The explicit list of detectors and the checked construction of them from configuration."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from detectors.account import AccountProfile, BeginnerProfile
from detectors.base import Detector, DetectorConfigError
from detectors.campaigns import Campaigns
from detectors.contacts import ContactDetails
from detectors.edits import EditContent
from detectors.email import EmailProvider
from detectors.links import DomainReputation, LinkReputation, TextLinks
from detectors.lists import NinjaLists
from detectors.text_rules import DisguisedText, SmokeDetectorKeywords, SpamPhrases

#: Every detector SpamBrainz runs, in the order their reasons are listed on ties.
REGISTERED: tuple[type[Detector], ...] = (
    SpamPhrases, SmokeDetectorKeywords, DisguisedText, ContactDetails, TextLinks, LinkReputation, EmailProvider,
    AccountProfile, BeginnerProfile, EditContent, DomainReputation, Campaigns, NinjaLists,
)

#: Their names: what reasons carry.
NAMES = tuple(cls.name for cls in REGISTERED)

#: Detectors whose evidence comes from verdicts (the reputation table) or the ninjas' lists. It changes as ninjas
#: judge, so a trained model adds it to its own output at the fitted weights instead of reading it as an input.
LEARNED = ("domain_reputation", "campaigns", "ninja_lists")

#: Detectors of written rules, in any language. A trained model adds their evidence to its output at weights fitted
#: on text its networks never saw, so a rule written for spam unlike the training data counts where its words do not.
RULES = ("spam_phrases", "smokedetector_keywords")

#: Options that come from the service rather than from configuration: shared data and where to cache.
SHARED = ("reputation", "cache_dir", "lists")


def options_of(cls: type[Detector]) -> list[str]:
    """The parameter names a detector's ``__init__`` accepts."""
    return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]


def build_detectors(config: Mapping[str, Mapping] | None = None,
                    registered: tuple[type[Detector], ...] = REGISTERED, **shared: Any) -> list[Detector]:
    """Instantiate the registered detectors with ``config[name]`` as options; ``{"enabled": false}`` turns one off.

    Each is fitted (``Detector.fit``) here, so its pattern sets are compiled, or read from ``cache_dir``, before
    any batch. ``shared`` values (``reputation``, ``cache_dir``) go to every detector that accepts them. Raises
    :class:`DetectorConfigError` for duplicate names, unknown detectors and unknown options.
    """
    config = dict(config or {})
    names = [cls.name for cls in registered]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DetectorConfigError(f"detector names registered twice: {', '.join(duplicates)}")
    unknown = sorted(set(config) - set(names))
    if unknown:
        raise DetectorConfigError(f"unknown detector(s) {', '.join(unknown)}; registered: {', '.join(names)}")
    detectors = []
    for cls in registered:
        raw = config.get(cls.name) or {}
        if not isinstance(raw, Mapping):
            raise DetectorConfigError(f"options for detector {cls.name!r} must be an object, got {raw!r}")
        options = dict(raw)
        if not options.pop("enabled", True):
            continue
        configurable = [o for o in options_of(cls) if o not in SHARED]
        bad = sorted(set(options) - set(configurable))
        if bad:
            raise DetectorConfigError(
                f"unknown option(s) {', '.join(bad)} for detector {cls.name!r}; "
                f"it accepts: {', '.join(configurable + ['enabled'])}")
        given = {k: v for k, v in shared.items() if k in options_of(cls) and v is not None}
        detectors.append(cls(**options, **given).fit())  # what it loads (pattern sets, lists) is loaded now
    return detectors
