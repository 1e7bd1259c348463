"""The sample generator: accounts (spam in the usual families, honest ones in many languages), their edits, votes,
notes and collections, as rows of MusicBrainz's tables; deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Sequence
from typing import Any

from detectors.musicbrainz import BANDCAMP, BEGINNER, BLOG, BOT, HOMEPAGE, SOCIAL, SOUNDCLOUD, SPAMMER, YOUTUBE
from sb_worker.samples.texts import COLLECTIONS, real_texts, written_bios
from sb_worker.samples.vocabulary import (BAND_TLDS, BAND_WORDS, BRANDS, CITIES, FIRST, FREE_MAIL, GENRES, HAM_BIOS,
                                          HAM_LINK_BIOS, HAM_NOTES, PILLS, SOFTWARE, SPAM_DOMAIN_WORDS, SPAM_FAMILIES,
                                          SPAM_MAIL, SPAM_TLDS, WORDS)

UTC = dt.timezone.utc


#: The share of honest accounts that are musicians promoting their own site: a link to it in the bio, and the site
#: as their website as often as spam sets its own.
MUSICIAN_SHARE = 0.04

#: "Now" inside the sample, fixed so that the same seed gives the same database on any day.
SAMPLE_NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


SPECIAL_EDITORS = ((1, "Anonymous", 0), (2, "FreeDB", 0), (4, "ModBot", BOT))


def _vary(text: str, rng: random.Random) -> str:
    """A near-copy of a wave's bio: a word dropped or doubled here and there, as spam tools vary their copies."""
    words = text.split(" ")
    for _ in range(max(1, len(words) // 40)):
        i = rng.randrange(len(words))
        words[i:i + 1] = [] if rng.random() < 0.5 else [words[i], words[i]]
    return " ".join(words)


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary: spammers do not cut their links in half."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


class Generator:
    """Builds the rows of every table in memory from one seeded random generator."""

    def __init__(self, seed: int, collections: Sequence[str] = COLLECTIONS):
        self.rng = random.Random(seed)
        self.texts = real_texts(collections)
        self.written = written_bios()
        self.rows: dict[str, list[tuple]] = {t: [] for t in (
            "editor", "edit", "edit_data", "edit_note", "vote", "artist", "annotation", "artist_annotation",
            "url", "link", "l_artist_url", "editor_collection")}
        self.next_id = {t: 1 for t in self.rows}

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] += 1
        return value

    def gid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- text ---------------------------------------------------------------------------------------------------
    def phone(self) -> str:
        r = self.rng
        return r.choice(["+91 ", "+1-", "+44 ", "0", "+971 "]) + "".join(r.choice("0123456789") for _ in range(10))

    def spam_domain(self, family: str) -> str:
        r = self.rng
        word = r.choice(SPAM_DOMAIN_WORDS[family])
        return f"{r.choice(['', r.choice(CITIES) + '-', 'best', 'top', 'cheap'])}{word}{r.choice(['', str(r.randint(1, 99))])}{r.choice(SPAM_TLDS)}"

    def spam_sentence(self, family: str, domain: str) -> str:
        return self.fill(self.rng.choice(SPAM_FAMILIES[family]), family, domain)

    def fill(self, template: str, family: str, domain: str) -> str:
        """A spam template with its city, phone, link and products filled in."""
        r = self.rng
        pill, pill2 = r.sample(PILLS, 2)
        url = r.choice([f"https://{domain}", f"https://www.{domain}/{r.choice(CITIES)}", f"http://{domain}/?ref={r.randint(1, 999)}", domain])
        return template.format(
            city=r.choice(CITIES).title(), phone=self.phone(), url=url, software=r.choice(SOFTWARE),
            brand=r.choice(BRANDS), pill=pill, pill2=pill2, n=r.choice([10, 15, 20, 25, 50, 100, 200, 500]))

    def spam_bio(self, family: str, domain: str) -> str:
        """Short ads (0–300 characters) mostly, and long keyword-stuffed ones (2,500–4,000): DESIGN.md."""
        r = self.rng
        roll = r.random()
        if roll < 0.2 and self.texts["spam"]:
            return r.choice(self.texts["spam"])
        if roll < 0.3:  # adverts of SpamBrainz's own, most in other languages: a language is no sign of honesty
            return self.fill(r.choice(self.written["spam"]), family, domain)
        if r.random() < 0.7:
            return _cut(" ".join(self.spam_sentence(family, domain) for _ in range(r.randint(1, 2))), 300)
        target, parts = r.randint(2500, 4000), []
        while sum(len(p) + 1 for p in parts) < target:
            parts.append(self.spam_sentence(family, domain))
        return _cut(" ".join(parts), target)

    def ham_bio(self, name: str) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.35 and self.texts["ham"]:
            return r.choice(self.texts["ham"])
        if roll < 0.45:
            return r.choice(HAM_LINK_BIOS).format(name=name)
        template = r.choice(self.written["ham"]) if roll < 0.7 else r.choice(HAM_BIOS)
        return template.format(genre=r.choice(GENRES), decade=r.choice([60, 70, 80, 90]))

    def band_domain(self) -> str:
        r = self.rng
        return f"{r.choice(['', 'the'])}{r.choice(WORDS)}{r.choice([*BAND_WORDS, *WORDS])}{r.choice(BAND_TLDS)}"

    def homepage(self, domain: str) -> str:
        """An account's website on its own domain."""
        return f"https://{self.rng.choice(['', 'www.'])}{domain}/"

    def musician_bio(self, domain: str, name: str) -> str:
        r = self.rng
        site = r.choice([f"https://{domain}", f"https://www.{domain}/", f"www.{domain}", domain])
        template = r.choice(self.written["site"])
        if "{email}" not in template:
            return template.format(site=site)
        # Musicians give an address for bookings and demos, on their own domain or at a free mail provider.
        email = (f"{r.choice(['booking', 'info', 'contact', 'demos'])}@{domain}" if r.random() < 0.7
                 else f"{name}.booking@{r.choice(FREE_MAIL)}")
        return template.format(site=site, email=email)

    def ham_website(self, name: str) -> str:
        return self.rng.choice([f"https://{name}.bandcamp.com", f"https://soundcloud.com/{name}",
                                f"https://www.last.fm/user/{name}", f"https://{name}.wordpress.com",
                                f"https://www.{name}.de", f"https://www.discogs.com/user/{name}"])

    # -- editors --------------------------------------------------------------------------------------------------
    def editors(self, n: int, spam_share: float) -> list[dict[str, Any]]:
        r = self.rng
        n_spam = round(n * spam_share)
        # Spammers come in waves: accounts registered together, often advertising one site with copies of one bio.
        waves = []
        for _ in range(max(1, n_spam // 25)):
            family = r.choice(list(SPAM_FAMILIES))
            domain = self.spam_domain(family)
            waves.append({"since": SAMPLE_NOW - dt.timedelta(days=r.uniform(1, 3000)), "family": family,
                          "domain": domain, "bio": self.spam_bio(family, domain)})
        people = []
        for i in range(n):
            spam = i < n_spam
            wave = r.choice(waves) if spam else None
            if spam:
                since = min(wave["since"] + dt.timedelta(hours=r.uniform(-72, 72)), SAMPLE_NOW - dt.timedelta(minutes=5))
            else:
                since = SAMPLE_NOW - dt.timedelta(days=r.uniform(0, 6500))
            people.append({"spam": spam, "member_since": since, "wave": wave})
        people.sort(key=lambda p: p["member_since"])  # MB hands out editor IDs in registration order
        next_id = 5
        for p in people:
            p["id"] = next_id
            next_id += 1 + (r.random() < 0.02)  # deleted rows leave gaps in the IDs
            self._fill_editor(p)
        return people

    def _fill_editor(self, p: dict[str, Any]) -> None:
        r = self.rng
        since = p["member_since"]
        if p["spam"]:
            copy = r.random() < 0.5  # half of a wave's accounts copy its bio and site
            family = p["wave"]["family"] if copy else r.choice(list(SPAM_FAMILIES))
            domain = p["wave"]["domain"] if copy else self.spam_domain(family)
            p["family"] = family
            p["name"] = r.choice([f"{r.choice(SPAM_DOMAIN_WORDS[family])}{r.randint(1, 9999)}",
                                  f"{r.choice(CITIES)}{r.choice(SPAM_DOMAIN_WORDS[family])}",
                                  "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(6, 10))) + str(r.randint(10, 999))])
            if r.random() >= 0.9:
                p["bio"] = None
            elif copy and p["wave"]["bio"]:
                p["bio"] = _vary(p["wave"]["bio"], r)
            else:
                p["bio"] = self.spam_bio(family, domain)
            p["website"] = self.homepage(domain) if r.random() < 0.7 else None
            p["email"] = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(r.randint(8, 14))) + "@" + r.choice(SPAM_MAIL + [domain])
            p["gender"] = r.choice([1, 2, 3]) if r.random() < 0.81 else None
            p["area"] = 222 if r.random() < 0.00015 else None
            p["birth_date"] = dt.date(r.randint(1970, 2004), r.randint(1, 12), r.randint(1, 28)) if r.random() < 0.5 else None
            p["email_confirm_date"] = since + dt.timedelta(minutes=r.uniform(1, 30)) if r.random() < 0.85 else None
            p["last_updated"] = since + dt.timedelta(minutes=r.uniform(2, 60))
            p["n_edits"] = r.randint(1, 4) if r.random() < 0.06 else 0
        else:
            p["name"] = r.choice([f"{r.choice(FIRST)}{r.choice(['', '_', '.'])}{r.choice(WORDS)}",
                                  f"{r.choice(WORDS)}{r.choice(WORDS)}", f"{r.choice(FIRST)}{r.randint(1, 99)}"])
            p["bio"] = self.ham_bio(p["name"]) if r.random() < 0.2 else None
            p["website"] = self.ham_website(p["name"]) if r.random() < 0.12 else None
            p["email"] = (f"{p['name']}{r.randint(1, 999)}@{r.choice(FREE_MAIL)}" if r.random() < 0.97 else None)
            if r.random() < MUSICIAN_SHARE:
                domain = self.band_domain()
                p["bio"] = self.musician_bio(domain, p["name"]) if r.random() < 0.8 else p["bio"]
                p["website"] = self.homepage(domain) if r.random() < 0.7 else p["website"]
                if r.random() < 0.3:
                    p["email"] = f"{r.choice(['info', 'booking', p['name']])}@{domain}"
            p["gender"] = r.choice([1, 2, 3, 5]) if r.random() < 0.27 else None
            p["area"] = r.choice([81, 222, 73, 150, 107]) if r.random() < 0.0196 else None
            p["birth_date"] = dt.date(r.randint(1950, 2008), r.randint(1, 12), r.randint(1, 28)) if r.random() < 0.15 else None
            # People click the confirmation link at once as often as spam tools do, and many write their profile
            # when they register: MusicBrainz's metadata rule ranks at chance on real spam (DESIGN.md).
            confirm = dt.timedelta(minutes=r.uniform(1, 30)) if r.random() < 0.6 else dt.timedelta(hours=r.uniform(0.5, 72))
            p["email_confirm_date"] = since + confirm if r.random() < 0.9 else None
            at_once = (p["bio"] or p["website"]) and r.random() < 0.4
            p["last_updated"] = min(SAMPLE_NOW, since + (dt.timedelta(minutes=r.uniform(2, 120)) if at_once
                                                         else dt.timedelta(days=r.uniform(0, 400))))
            p["n_edits"] = min(400, int(r.paretovariate(1.2))) if r.random() < 0.3 else 0
        p["name"] = f"{p['name']}_{p['id']}"  # editor names are unique in MB
        p["last_login_date"] = min(SAMPLE_NOW, p["last_updated"] + dt.timedelta(days=r.uniform(0, 30)))

    # -- edits ----------------------------------------------------------------------------------------------------
    def artist(self, name: str, when: dt.datetime) -> int:
        artist_id = self.new_id("artist")
        self.rows["artist"].append((artist_id, self.gid(), name, name, "", when))
        return artist_id

    def edits(self, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        r = self.rng
        base_artists = [self.artist(f"{r.choice(WORDS).title()} {r.choice(WORDS).title()}", SAMPLE_NOW - dt.timedelta(days=4000))
                        for _ in range(200)]
        planned = []
        for p in people:
            for _ in range(p["n_edits"]):
                start = p["member_since"] + dt.timedelta(minutes=10)
                when = start + (SAMPLE_NOW - start) * (r.random() ** (3 if p["spam"] else 1))
                planned.append((when, p))
        planned.sort(key=lambda item: item[0])  # MB hands out edit IDs in time order
        edits = []
        for when, p in planned:
            edit = {"id": self.new_id("edit"), "editor": p["id"], "open_time": when, "spam": p["spam"]}
            self._fill_edit(edit, p, base_artists)
            edits.append(edit)
        return edits

    def _fill_edit(self, edit: dict[str, Any], p: dict[str, Any], base_artists: list[int]) -> None:
        r = self.rng
        when = edit["open_time"]
        spam = p["spam"]
        if spam:
            edit["status"] = r.choices([1, 2, 3, 9], weights=[40, 15, 30, 15])[0]
            family = p["family"]
            domain = self.spam_domain(family)
            kind = r.choice(["artist", "relationship", "annotation"])
        else:
            edit["status"] = r.choices([1, 2, 3, 7], weights=[5, 88, 4, 3])[0]
            kind = r.choices(["artist", "release", "relationship", "annotation", "recording", "url"],
                             weights=[15, 25, 30, 10, 15, 5])[0]
        applied = edit["status"] == 2
        if kind == "artist":
            name = self.spam_sentence(family, domain)[:120] if spam else f"{r.choice(WORDS).title()} {r.choice(FIRST).title()}"
            artist_id = self.artist(name, when) if applied else None
            edit["type"], edit["data"] = 1, {"name": name, "sort_name": name, "comment": "", "type_id": 1,
                                             "entity_id": artist_id, "ipi_codes": [], "isni_codes": []}
        elif kind == "release":
            name = f"{r.choice(WORDS).title()} {r.choice(['EP', 'Live', 'Sessions', 'Vol. 2', ''])}".strip()
            edit["type"], edit["data"] = 31, {"name": name, "comment": "", "release_group_id": r.randint(1, 10**6),
                                              "artist_credit": {"names": [{"name": r.choice(FIRST).title(), "join_phrase": ""}]}}
        elif kind == "recording":
            edit["type"], edit["data"] = 71, {"name": f"{r.choice(WORDS).title()} Song", "comment": "", "length": r.randint(90, 600) * 1000}
        elif kind in ("relationship", "url"):
            artist_id = r.choice(base_artists)
            if spam:
                url, link_type = f"https://{domain}/", r.choice([HOMEPAGE, SOCIAL, BLOG])
            else:
                slug = p["name"].split("_")[0]
                url, link_type = r.choice([(f"https://{slug}.bandcamp.com/", BANDCAMP), (f"https://soundcloud.com/{slug}", SOUNDCLOUD),
                                           (f"https://www.youtube.com/@{slug}", YOUTUBE), (f"https://www.{slug}-music.com/", HOMEPAGE)])
            url_id = self.new_id("url")
            self.rows["url"].append((url_id, self.gid(), url, when))
            if kind == "url" and not spam:
                edit["type"], edit["data"] = 101, {"entity": {"id": url_id, "gid": self.rows["url"][-1][1], "name": url},
                                                   "new": {"url": url}, "old": {"url": url.replace("https://", "http://")}}
            else:
                edit["type"], edit["data"] = 90, {
                    "type0": "artist", "type1": "url", "link_type": {"id": link_type},
                    "entity0": {"id": artist_id, "name": "artist"}, "entity1": {"id": url_id, "name": url}, "ended": 0}
                if applied:
                    link_id = self.new_id("link")
                    self.rows["link"].append((link_id, link_type, when))
                    self.rows["l_artist_url"].append((self.new_id("l_artist_url"), link_id, artist_id, url_id, when))
        else:  # annotation
            artist_id = r.choice(base_artists)
            text = (" ".join(self.spam_sentence(family, domain) for _ in range(2)) if spam
                    else r.choice(["Formed in {d}. Split up after two albums.", "Not to be confused with the {d}s band of the same name.",
                                   "Official discography from the band's site."]).format(d=r.choice([1972, 1985, 1991, 2004])))
            edit["type"], edit["data"] = 5, {"entity": {"id": artist_id, "name": "artist"}, "text": text, "changelog": ""}
            if applied:
                annotation_id = self.new_id("annotation")
                self.rows["annotation"].append((annotation_id, p["id"], text, "", when))
                self.rows["artist_annotation"].append((artist_id, annotation_id))
        if r.random() < (0.3 if spam else 0.15):
            note = (self.spam_sentence(family, domain) if spam
                    else r.choice(HAM_NOTES).format(n=r.randint(1000, 9_999_999)))
            self.rows["edit_note"].append((self.new_id("edit_note"), p["id"], edit["id"], note,
                                           when + dt.timedelta(minutes=r.uniform(0, 600))))

    def votes_and_collections(self, people: list[dict[str, Any]], edits: list[dict[str, Any]]) -> None:
        r = self.rng
        voters = [p for p in people if not p["spam"] and p["n_edits"] > 2]
        for p in voters:
            if r.random() < 0.4 and edits:
                for edit in r.sample(edits, min(len(edits), r.randint(1, 30))):
                    if edit["editor"] != p["id"]:
                        self.rows["vote"].append((self.new_id("vote"), p["id"], edit["id"], r.choice([1, 1, 1, 0, -1]),
                                                  edit["open_time"] + dt.timedelta(hours=r.uniform(1, 160))))
        for p in people:
            if not p["spam"] and r.random() < 0.1:
                for k in range(r.randint(1, 3)):
                    self.rows["editor_collection"].append((self.new_id("editor_collection"), self.gid(), p["id"],
                                                           f"My {r.choice(GENRES)} {k + 1}", r.random() < 0.5, "", 1))

    def editor_rows(self, people: list[dict[str, Any]], accepted: dict[int, int]) -> None:
        for p in people:
            privs = 0
            if p["spam"] or accepted.get(p["id"], 0) < 10 or SAMPLE_NOW - p["member_since"] < dt.timedelta(days=14):
                privs |= BEGINNER
            if p["spam"]:
                privs |= SPAMMER
            ha1 = hashlib.md5(p["name"].encode()).hexdigest()
            self.rows["editor"].append((p["id"], p["name"], privs, p["email"], p["website"], p["bio"], p["member_since"],
                                        p["email_confirm_date"], p["last_login_date"], p["last_updated"], p["birth_date"],
                                        p["gender"], p["area"], "{CLEARTEXT}sample", ha1, False))
