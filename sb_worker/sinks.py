"""Where reports go once written: a registry of sinks chosen by name in ``SB_REPORT_SINKS``."""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr, formatdate
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

    def accepts(self, report: dict[str, Any]) -> bool:
        """Whether this sink is for ``report`` at all (every report, unless a sink says otherwise)."""
        return True


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
        post_json(self.url, report, report["id"], self.timeout_s, "webhook")


class MusicBrainzSink(Sink):
    """POSTs each report to the endpoint MusicBrainz may add for reports (request shape: README, "Report sinks"),
    as the reporting editor, with a bearer token and an ``Idempotency-Key``."""

    name = "musicbrainz"

    def __init__(self, url: str, token: str, timeout_s: float):
        self.url = url
        self.token = token
        self.timeout_s = timeout_s

    def accepts(self, report: dict[str, Any]) -> bool:
        return report["site"] == "MusicBrainz"  # another project's accounts are not MusicBrainz's to act on

    def send(self, report: dict[str, Any]) -> None:
        account = report["account"] or {}
        body = {"reason": "spam", "reporter": report["reporter"],
                "editor": {"id": account.get("editor_id"), "name": account.get("name")},
                "entity": {"kind": report["kind"], "id": report["entity_id"]}, "message": message(report),
                "score": report["score"], "action": report["action"], "reasons": report["reasons"],
                "review_url": report["review_url"], "report_id": report["id"]}
        post_json(self.url, body, report["id"], self.timeout_s, "MusicBrainz endpoint",
                  {"Authorization": f"Bearer {self.token}"})


class MailSink(Sink):
    """Mails each report to the account admins, as MusicBrainz's own "report user" form does: reason spam, the
    account, the score, the reasons, and a link to the review page. The Message-ID is the report's, so a mail sent
    again after a crash is recognisable as the same one."""

    name = "mail"

    def __init__(self, host: str, port: int, sender: str, to: str, timeout_s: float):
        self.host, self.port, self.sender, self.to, self.timeout_s = host, port, sender, to, timeout_s

    def send(self, report: dict[str, Any]) -> None:
        mail = EmailMessage()
        account = report["account"] or {}
        who = account.get("name") or f"{report['kind']} {report['entity_id']}"
        site = "" if report["site"] == "MusicBrainz" else f"{report['site']} "
        mail["Subject"] = f"{site}Editor report: {who} (spam, score {report['score']})"
        mail["From"] = formataddr((f"{report['reporter']['name']} via SpamBrainz", self.sender))
        mail["To"] = self.to
        mail["Message-ID"] = f"<spambrainz-report-{report['id']}@{self.sender.rpartition('@')[2] or 'spambrainz'}>"
        mail["Date"] = formatdate(localtime=False)
        mail.set_content(message(report))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise DeliveryRejected(f"mail server refused report {report['id']}: {exc.smtp_code}") from None
            raise Unavailable(f"mail server deferred report {report['id']}: {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise Unavailable(f"mail server unreachable for report {report['id']}: {exc}") from None


def message(report: dict[str, Any]) -> str:
    """A report in words for people: the message of the mail and of the MusicBrainz endpoint."""
    account = report["account"] or {}
    reporter, site = report["reporter"], report["site"]
    lines = ["Reason: spam",
             f"Reported by: {reporter['name']} (editor #{reporter['id']}), automatically by SpamBrainz",
             f"Account: {account.get('name', f'(no longer in {site})')}"
             + (f" ({'' if site == 'MusicBrainz' else site + ' '}editor #{account['editor_id']})"
                if account.get("editor_id") else ""),
             *([f"Profile: {account['profile_url']}"] if account.get("profile_url") else []),
             *([f"Edit: {report['entity_url']}"] if report["kind"] == "edit" else []),
             f"Score: {report['score']} of 100 ({'automatic action' if report['action'] == 'auto' else 'for review'}), "
             f"model {report['model_version']}",
             "", "Why:"]
    lines += [f"- {r['detector']} +{r['points']:g}: {r['why']}" for r in report["reasons"]]
    lines += ["", f"Review it (Spam / Not spam): {report['review_url']}", f"SpamBrainz report #{report['id']}"]
    return "\n".join(lines) + "\n"


def post_json(url: str, body: dict[str, Any], report_id: int, timeout_s: float, what: str,
              headers: dict[str, str] | None = None) -> None:
    """POST ``body``; 5xx, 429 and no answer are Unavailable (retried), other refusals DeliveryRejected."""
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), method="POST", headers={
        "Content-Type": "application/json", "Idempotency-Key": f"spambrainz-report-{report_id}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise Unavailable(f"{what} answered {exc.code} for report {report_id}") from None
        raise DeliveryRejected(f"{what} refused report {report_id} with {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise Unavailable(f"{what} unreachable for report {report_id}: {exc}") from None


#: Every sink by name.
SINKS = {
    "log": lambda s: LogSink(),
    "webhook": lambda s: WebhookSink(s.webhook_url, s.webhook_timeout_s),
    "mail": lambda s: MailSink(s.smtp_host, s.smtp_port, s.mail_from, s.mail_to, s.webhook_timeout_s),
    "musicbrainz": lambda s: MusicBrainzSink(s.mb_report_url, s.mb_report_token, s.webhook_timeout_s),
}


def build_sinks(settings: Settings) -> list[Sink]:
    """The sinks named in the settings (none by default); an unknown name is a ConfigError."""
    unknown = sorted(set(settings.report_sinks) - set(SINKS))
    if unknown:
        raise ConfigError(f"SB_REPORT_SINKS: unknown sink(s) {', '.join(unknown)}; known: {', '.join(SINKS)}")
    return [SINKS[name](settings) for name in settings.report_sinks]
