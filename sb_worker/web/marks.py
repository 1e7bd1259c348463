"""What the review page shows of a report: the account's (or edit's) text, escaped, invisible characters shown as
code points, and each reason's evidence marked where it stands (from the spans the pipeline found; reports
stored before reasons carried spans are marked from what their sentences name)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import phonenumbers
from markupsafe import Markup, escape

from sb_worker import runtime
from sb_worker.scoring.features import extract
from sb_worker.web.context import Context, record_context

SHOWN_CHARS = 5_000          # of a text on the page; the rest is cut with a note

@dataclass(frozen=True)
class Item:
    """One report as the page shows it."""

    report: dict[str, Any]
    site: str                      # the project the entity is in ("MusicBrainz")
    name: str
    link: str                      # the entity on its site
    fields: list[tuple[str, Markup]]  # (label, text with marks), only the fields that have text
    account: bool = False          # an account (which a ninja may trust), not an edit
    trusted: bool = False          # an account a ninja trusts (reported again only after a profile change)
    context: Context | None = None  # the account's age, activity, recent edits and notes; None: gone from its source


def items(reports: list[dict[str, Any]]) -> list[Item]:
    """The reports with their account's (or edit's) text, loaded from their source in one chunk per kind."""
    rt = runtime.get()
    now = dt.datetime.now(dt.timezone.utc)
    records: dict[tuple[str, int], Any] = {}
    contexts: dict[tuple[str, int], Context] = {}
    trusted: set[tuple[str, int]] = set()
    for kind in dict.fromkeys(r["kind"] for r in reports if r["kind"] in rt.sources):
        source = rt.sources[kind]
        ids = [r["entity_id"] for r in reports if r["kind"] == kind]
        for record in source.load(ids)[0]:
            records[kind, record["id"]] = extract(source.shape, record)
            contexts[kind, record["id"]] = record_context(source.shape, record, now)
        if source.shape == "editor":
            trusted |= {(kind, i) for i in rt.store.verdicts.trusted_ids(kind, ids)}
    items = []
    for report in reports:
        key = (report["kind"], report["entity_id"])
        source, features = rt.sources.get(report["kind"]), records.get(key)
        if features is None:  # gone from its site since it was scored, or its source taken out of SB_SOURCES
            site = source.site if source else "the sources configured (SB_SOURCES)"
            items.append(Item(report, site, f"{report['kind']} {report['entity_id']}", "", []))
            continue
        account = source.shape == "editor"
        texts = [("Website", "website", features.website), ("Bio" if account else "Text", "text", features.text),
                 ("Added URLs", "added_urls", "\n".join(features.added_urls))]
        items.append(Item(report, source.site, features.name, source.entity_url(features.entity_id, features.name),
                          [(label, highlight(text, report["reasons"], field)) for label, field, text in texts if text],
                          account, key in trusted, contexts[key]))
    return items


_QUOTED = re.compile(r"'([^'\n]{2,200})'")
_DOMAIN = re.compile(r"\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}\b", re.IGNORECASE)
_PHONE = re.compile(r"\+\d{7,15}\b")
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z0-9_]{3,32}\b")  # messenger contacts: telegram @name


def evidence(why: str) -> list[re.Pattern]:
    """Patterns for what a reason names: quoted phrases, domains, @handles and phone numbers (digits in any
    grouping)."""
    patterns = [r"\s+".join(map(re.escape, q.split())) for q in _QUOTED.findall(why) if q.strip()]
    patterns += [re.escape(d) for d in _DOMAIN.findall(why)]
    patterns += [phone_pattern(p) for p in _PHONE.findall(why)]
    patterns += [r"(?<![\w.])" + re.escape(h) + r"\b" for h in _HANDLE.findall(why)]
    return [re.compile(p, re.IGNORECASE) for p in patterns if p]


def phone_pattern(e164: str) -> str:
    """A number as written: with or without its country code or trunk 0, its digits grouped in any way."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return ""
    gap = r"[\s().-]*"
    return rf"(?:\+?{number.country_code}{gap}|0{gap})?" + gap.join(str(number.national_number))


def points(value: float) -> str:
    """A reason's points with their sign: "+20", "−20" (a minus sign), "0"."""
    rounded = round(value)
    return f"+{rounded}" if rounded > 0 else f"\u2212{-rounded}" if rounded < 0 else "0"


def visible(text: str) -> str:
    """Invisible and direction-changing characters (bidi overrides, zero-width joiners, controls) as ⟨U+XXXX⟩."""
    return "".join(f"⟨U+{ord(c):04X}⟩" if c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs")
                   else c for c in text)


def highlight(text: str, reasons: list[dict[str, Any]], field: str = "text") -> Markup:
    """``text`` (the record's ``field``) escaped, with each reason's evidence in it marked: ``<mark>`` titled with
    the detectors, of class "against" where the reason counts against spam (a site honest accounts use)."""
    shown = text[:SHOWN_CHARS]
    spans: list[tuple[int, int, str, bool]] = []
    for reason in reasons:
        against = reason.get("points", 0) < 0
        if "evidence" in reason:
            spans += [(e["start"], min(e["end"], len(shown)), reason["detector"], against) for e in reason["evidence"]
                      if e.get("field") == field and 0 <= e["start"] < min(e["end"], len(shown))]
        else:  # stored before reasons carried spans: what the sentence names
            for pattern in evidence(reason["why"]):
                spans += [(m.start(), m.end(), reason["detector"], against)
                          for m in pattern.finditer(shown) if m.end() > m.start()]
    spans.sort()
    merged: list[list[Any]] = []
    for start, end, detector, against in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if detector not in merged[-1][2]:
                merged[-1][2].append(detector)
            merged[-1][3] = merged[-1][3] and against
        else:
            merged.append([start, end, [detector], against])
    out, at = [], 0
    for start, end, detectors, against in merged:
        out.append(escape(visible(shown[at:start])))
        mark = '<mark class="against" title="{} (against spam)">{}</mark>' if against else '<mark title="{}">{}</mark>'
        out.append(Markup(mark).format(", ".join(detectors), visible(shown[start:end])))
        at = end
    out.append(escape(visible(shown[at:])))
    if len(text) > SHOWN_CHARS:
        out.append(escape(f" … ({len(text) - SHOWN_CHARS:,} more characters not shown)"))
    return Markup("").join(out)
