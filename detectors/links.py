"""Links written into free text, and the account's website field."""

from __future__ import annotations

from collections.abc import Sequence

from detectors import data
from detectors.base import Detector, Features, Match, Verdict
from detectors.matcher import PatternSet
from detectors.reputation import Reputation


class TextLinks(Detector):
    """Links in a bio or edit text, and a website: spam accounts exist to publish them.

    Links to the music platforms MusicBrainz itself links to (Bandcamp, SoundCloud, Discogs, …) are what
    musicians and fans write, so they are named but not counted.
    """

    name = "text_links"

    def __init__(self, first_link: float = 20.0, each_more: float = 8.0, most: float = 50.0,
                 website: float = 10.0):
        self.first_link = first_link
        self.each_more = each_more
        self.most = most
        self.website = website

    def fit(self) -> TextLinks:
        self.music_sites_ = data.music_sites()
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            points, reasons, evidence = 0.0, [], []
            domains = f.text_url_domains if len(f.text_url_domains) == len(f.text_urls) else ("",) * len(f.text_urls)
            counted = [d or u for u, d in zip(f.text_urls, domains) if d not in self.music_sites_]
            if counted:
                n = len(counted)
                points += min(self.most, self.first_link + self.each_more * (n - 1))
                shown = sorted(set(counted))
                where = "bio" if f.kind == "editor" else "edit text"
                reasons.append(f"{n} link{'s' if n > 1 else ''} in the {where} ("
                               f"{', '.join(shown[:5])}{', …' if len(shown) > 5 else ''})")
                evidence += [Match("links", link) for link in shown[:5]]
            if f.website and f.website_domain not in self.music_sites_:
                points += self.website
                reasons.append(f"website set ({f.website_domain or f.website[:80]})")
                evidence.append(Match("links", f.website_domain or f.website[:80]))
            verdicts.append(Verdict(self.name, points, tuple(reasons), tuple(evidence)))
        return verdicts


class LinkReputation(Detector):
    """Where links lead, by maintained lists: listed spam sites, shorteners, free hosting, advertising words."""

    name = "link_reputation"

    def __init__(self, listed: float = 30.0, referrer_spam: float = 30.0, shortener: float = 15.0,
                 free_hosting: float = 10.0, spam_words: float = 15.0, cache_dir: str | None = None):
        self.listed = listed
        self.referrer_spam = referrer_spam
        self.shortener = shortener
        self.free_hosting = free_hosting
        self.spam_words = spam_words
        self.cache_dir = cache_dir

    def fit(self) -> LinkReputation:
        self.websites_ = PatternSet(data.smokedetector("blacklisted_websites"), words=False,
                                    cache_dir=self.cache_dir).prepare()
        self.shorteners_ = data.shorteners()
        self.referrer_spam_ = data.word_list("referrer_spam_domains")
        self.document_hosts_ = data.word_list("document_hosts")
        self.url_words_ = sorted(data.word_list("spam_url_words"))
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            urls = [u.lower() for u in (f.website, *f.text_urls, *f.added_urls) if u]
            if not urls:
                verdicts.append(Verdict(self.name, 0.0))
                continue
            points, reasons, evidence = 0.0, [], []
            listed = self.websites_.search("\n".join(urls))
            if listed:
                points += self.listed
                reasons.append("SmokeDetector lists the site: " + ", ".join(
                    f"/{self.websites_.patterns[i]}/ matched {text!r}" for i, text in listed[:3]))
                evidence += [Match("links", text) for _, text in listed[:3]]
            spammy = [d for d in dict.fromkeys([*f.domains, *f.hosts]) if d in self.referrer_spam_]
            if spammy:
                points += self.referrer_spam
                reasons.append(f"Matomo's referrer-spam list names the site: {', '.join(spammy[:3])}")
            short = [h for h in f.hosts if h in self.shorteners_]
            if short:
                points += self.shortener
                reasons.append(f"links through URL shortener {', '.join(short[:3])}")
            hosted = [h for h in f.hosts if h in self.document_hosts_ or _parent(h) in self.document_hosts_]
            hosted += [h for h in f.free_hosts if h not in hosted]
            if hosted:
                points += self.free_hosting
                reasons.append(f"links to free hosting {', '.join(hosted[:3])}")
            evidence += [Match("links", h) for h in dict.fromkeys([*spammy[:3], *short[:3], *hosted[:3]])]
            places = [_host_and_path(u) for u in urls]
            words = sorted({w for place in places for w in self.url_words_ if w in place})
            if words:
                points += self.spam_words
                reasons.append(f"advertising words in the link: {', '.join(words[:5])}")
            verdicts.append(Verdict(self.name, points, tuple(reasons), tuple(evidence)))
        return verdicts


class DomainReputation(Detector):
    """Domains and email providers known from confirmed spam and ham: what verdicts taught (the reputation table)."""

    name = "domain_reputation"

    def __init__(self, bad_domain: float = 30.0, good_domain: float = -10.0, bad_email: float = 15.0,
                 reputation: Reputation | None = None):
        self.bad_domain = bad_domain
        self.good_domain = good_domain
        self.bad_email = bad_email
        self.reputation = reputation

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        reputation = self.reputation or Reputation()
        verdicts = []
        for f in batch:
            points, reasons = 0.0, []
            known = [(d, *Reputation.spam_share(reputation.domains.get(d))) for d in f.domains]
            bad = [(d, share, n) for d, share, n in known if n >= 2 and share >= 0.8]
            good = [d for d, share, n in known if n >= 5 and share <= 0.05]
            if bad:
                points += self.bad_domain
                reasons.append("domain known from confirmed spam: " + ", ".join(
                    f"{d} ({share:.0%} of {n} accounts)" for d, share, n in bad[:3]))
            elif good:  # each link to a site honest accounts use weighs against the links counted as evidence
                points += self.good_domain * min(len(good), 2)
                reasons.append(f"links to sites known from honest accounts: {', '.join(good[:3])}")
            evidence = tuple(Match("links", d) for d in ([d for d, _, _ in bad] or good)[:3])
            share, n = Reputation.spam_share(reputation.email_domains.get(f.email_domain))
            if f.email_domain and n >= 5 and share >= 0.8:
                points += self.bad_email
                reasons.append(f"email provider {f.email_domain} is used mostly by spam ({share:.0%} of {n} accounts)")
            verdicts.append(Verdict(self.name, points, tuple(reasons), evidence))
        return verdicts


def _parent(host: str) -> str:
    return host.split(".", 1)[1] if "." in host else ""


def _host_and_path(url: str) -> str:
    """The host and path of a URL, without scheme and query: where advertising words sit."""
    rest = url.split("://", 1)[-1]
    return rest.split("?", 1)[0]
