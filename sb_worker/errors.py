"""The one root error type, split by what a worker should do with it; and the pause after a server's silence."""

import time


class SpamBrainzError(Exception):
    """Root of every error SpamBrainz raises on purpose."""


class Unavailable(SpamBrainzError):
    """A database, the broker or a sink is briefly gone: retry later. ``setting`` names the setting that says
    where it is (``SB_DSN``), when one does."""

    def __init__(self, message: str, setting: str = ""):
        super().__init__(message)
        self.setting = setting


class BadInput(SpamBrainzError):
    """The input itself is wrong (ID, record, request): retrying cannot help."""


class ConfigError(SpamBrainzError):
    """The settings or the detector configuration are wrong: fix them and restart."""


class DeliveryRejected(BadInput):
    """A report sink refused a report for good (a 4xx answer)."""


class Silence:
    """After ``what`` did not answer in time, it is not asked again for as long: callers get :class:`Unavailable`
    at once. A hung server then holds one caller per pause, not every thread of the API. Shared by threads."""

    def __init__(self, what: str):
        self.what = what
        self._until = 0.0
        self._seconds = 0.0

    def check(self) -> None:
        """Unavailable while a pause lasts."""
        left = self._until - time.monotonic()
        if left > 0:
            raise Unavailable(f"{self.what} did not answer within {self._seconds:g} s; not asked again for {left:.1f} s")

    def begin(self, seconds: float) -> None:
        """It did not answer: pause for ``seconds``."""
        self._seconds = seconds
        self._until = time.monotonic() + seconds


def timed_out(exc: BaseException) -> bool:
    """Whether ``exc`` or what caused it is a timeout (kombu wraps redis-py's, which wraps the socket's)."""
    while exc is not None:
        if isinstance(exc, TimeoutError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
