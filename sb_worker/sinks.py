"""Where reports go once written: a registry of sinks chosen by name in ``SB_REPORT_SINKS``."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from sb_worker.errors import ConfigError, DeliveryRejected, Unavailable
from sb_worker.settings import Settings

log = logging.getLogger("spambrainz.reports")


class Sink:
    """Base of report sinks: ``send`` delivers one report or raises Unavailable (retry) or DeliveryRejected."""

    name: str

    def send(self, report: dict[str, Any]) -> None:
        """Deliver one report."""
        raise NotImplementedError


class LogSink(Sink):
    """Writes each report as one log line (logger ``spambrainz.reports``)."""

    name = "log"

    def send(self, report: dict[str, Any]) -> None:
        reasons = "; ".join(f"{r['detector']} +{r['points']:g}: {r['why']}" for r in report["reasons"])
        log.warning("report %s: %s %s scored %s (%s): %s", report["id"], report["kind"], report["entity_id"],
                    report["score"], report["action"], reasons)


class WebhookSink(Sink):
    """POSTs each report as JSON; the ``Idempotency-Key`` header lets the receiver drop repeats."""

    name = "webhook"

    def __init__(self, url: str, timeout_s: float):
        self.url = url
        self.timeout_s = timeout_s

    def send(self, report: dict[str, Any]) -> None:
        body = json.dumps(report).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Idempotency-Key": f"spambrainz-report-{report['id']}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise Unavailable(f"webhook answered {exc.code} for report {report['id']}") from None
            raise DeliveryRejected(f"webhook refused report {report['id']} with {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise Unavailable(f"webhook unreachable for report {report['id']}: {exc}") from None


#: Every sink by name.
SINKS = {"log": lambda s: LogSink(), "webhook": lambda s: WebhookSink(s.webhook_url, s.webhook_timeout_s)}


def build_sinks(settings: Settings) -> list[Sink]:
    """The sinks named in the settings (none by default); an unknown name is a ConfigError."""
    unknown = sorted(set(settings.report_sinks) - set(SINKS))
    if unknown:
        raise ConfigError(f"SB_REPORT_SINKS: unknown sink(s) {', '.join(unknown)}; known: {', '.join(SINKS)}")
    return [SINKS[name](settings) for name in settings.report_sinks]
