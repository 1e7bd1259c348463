"""The explicit list of detectors and the checked construction of them from configuration."""

from __future__ import annotations

import inspect
from collections.abc import Mapping

from detectors.account import BeginnerProfile
from detectors.base import Detector, DetectorConfigError
from detectors.links import TextLinks

#: Every detector SpamBrainz runs, in the order their reasons are listed on ties.
REGISTERED: tuple[type[Detector], ...] = (TextLinks, BeginnerProfile)


def options_of(cls: type[Detector]) -> list[str]:
    """The parameter names a detector's ``__init__`` accepts."""
    return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]


def build_detectors(config: Mapping[str, Mapping] | None = None,
                    registered: tuple[type[Detector], ...] = REGISTERED) -> list[Detector]:
    """Instantiate the registered detectors with ``config[name]`` as options; ``{"enabled": false}`` turns one off.

    Raises :class:`DetectorConfigError` for duplicate names, unknown detectors and unknown options.
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
        bad = sorted(set(options) - set(options_of(cls)))
        if bad:
            raise DetectorConfigError(
                f"unknown option(s) {', '.join(bad)} for detector {cls.name!r}; "
                f"it accepts: {', '.join(options_of(cls) + ['enabled'])}")
        detectors.append(cls(**options))
    return detectors
