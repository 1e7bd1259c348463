"""The one root error type, split by what a worker should do with it."""


class SpamBrainzError(Exception):
    """Root of every error SpamBrainz raises on purpose."""


class Unavailable(SpamBrainzError):
    """A database, the broker or a sink is briefly gone: retry later."""


class BadInput(SpamBrainzError):
    """The input itself is wrong (ID, record, request): retrying cannot help."""


class ConfigError(SpamBrainzError):
    """The settings or the detector configuration are wrong: fix them and restart."""


class DeliveryRejected(BadInput):
    """A report sink refused a report for good (a 4xx answer)."""
