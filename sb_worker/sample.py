"""A realistic, deterministic sample of MusicBrainz for the demo and the tests (`sb sample-db`).

Spam follows what MusicBrainz sees (DESIGN.md): advertising bios in the usual families, a website, almost no
edits, waves of accounts registered together; field distributions follow the 2018 statistics. Honest and spam
text comes partly from the real YouTube and SMS collections in ``sb_worker/data`` and partly from the
templates below. Every spammer carries MB's SPAMMER flag: the ground truth the demo measures against.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import psycopg2
from psycopg2.extras import Json, execute_values

UTC = dt.timezone.utc
#: "Now" inside the sample, fixed so that the same seed gives the same database on any day.
SAMPLE_NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BEGINNER, SPAMMER, BOT = 8192, 4096, 2
SPECIAL_EDITORS = ((1, "Anonymous", 0), (2, "FreeDB", 0), (4, "ModBot", BOT))
HOMEPAGE, SOCIAL, YOUTUBE, BLOG, SOUNDCLOUD, BANDCAMP = 183, 192, 193, 199, 291, 718

CITIES = ["delhi", "mumbai", "goa", "dubai", "jaipur", "pune", "lahore", "karachi", "bangalore", "chennai",
          "kolkata", "hyderabad", "istanbul", "london", "paris", "manchester", "singapore", "bangkok"]
SOFTWARE = ["Adobe Photoshop 2026", "Windows 11 Pro", "FL Studio 24", "IDM 6.42", "Microsoft Office 2024",
            "Ableton Live 12", "Wondershare Filmora", "CorelDRAW", "AutoCAD 2026", "Avast Premium"]
BRANDS = ["HP Printer", "Norton", "QuickBooks", "Coinbase", "Netgear Router", "Epson", "McAfee", "Brother Printer",
          "Roku", "Cash App"]
PILLS = ["Viagra", "Cialis", "Tramadol", "Xanax", "Adderall", "Oxycodone", "Levitra", "Modafinil"]

# Sentence templates by spam family; {city} {phone} {url} {software} {brand} {pill} {n} are filled in.
SPAM_FAMILIES: dict[str, list[str]] = {
    "escorts": [
        "Hot and sexy {city} escorts available 24/7, call {phone} for booking.",
        "Independent call girls in {city}, incall and outcall, 100% real photos and genuine profiles.",
        "Book VIP escort service in {city} at cheap rates: {url}",
        "Russian, college and housewife escorts in {city}. WhatsApp {phone}, cash payment only.",
        "Looking for a night of fun? Meet beautiful {city} call girls tonight at {url}",
    ],
    "essays": [
        "Need help with your essay? Our professional writers deliver plagiarism-free papers before your deadline.",
        "Buy college essays online at {url} and get {n}% off your first order.",
        "Do my assignment for me cheap: PhD writers for dissertation, thesis and coursework help.",
        "Best essay writing service in the UK and USA, 24/7 support, money-back guarantee: {url}",
    ],
    "seo": [
        "We offer affordable SEO services, high DA backlinks and guest posting. Rank #1 on Google: {url}",
        "Buy {n} dofollow backlinks, PBN links and link building packages at {url}",
        "Digital marketing agency in {city}: SEO, SMM, PPC and web design at the lowest price. Call {phone}.",
    ],
    "pharma": [
        "Buy {pill} online without prescription, overnight delivery: {url}",
        "Cheap generic {pill} 100mg at the best price, discreet shipping worldwide.",
        "Order {pill} and {pill2} from our trusted online pharmacy {url} - no prescription needed.",
    ],
    "loans": [
        "Instant payday loans with no credit check, approval in 5 minutes: {url}",
        "Need cash fast? Personal loans up to ${n}00, bad credit OK. Call {phone} today.",
        "Get a quick loan online with the lowest interest rates in {city}: {url}",
    ],
    "casinos": [
        "Play online casino and win real money! Free spins and {n}% welcome bonus at {url}",
        "Best sports betting site in {city}, live odds and instant withdrawal: {url}",
        "Slot online gacor hari ini, daftar sekarang dan dapatkan bonus new member {n}% di {url}",
    ],
    "cracked": [
        "Download {software} crack with serial key, full version free: {url}",
        "{software} keygen + license key working 100%, direct download link: {url}",
        "{software} activator patch free download for Windows and Mac.",
    ],
    "techsupport": [
        "{brand} customer support phone number {phone} toll free, 24/7 help for every problem.",
        "Call the {brand} helpline {phone} for instant help with setup, errors and login issues.",
        "{brand} support number {phone}: our certified technicians fix it remotely in minutes.",
    ],
    "crypto": [
        "Earn $3000 weekly with bitcoin trading, contact my account manager on WhatsApp {phone}.",
        "Best crypto investment platform, recover lost funds and get daily forex signals: {url}",
        "I made {n}k in one month with this trading bot, message me on Telegram @cryptoking{n}.",
    ],
}
SPAM_DOMAIN_WORDS = {
    "escorts": ["escorts", "callgirls", "vipescort"], "essays": ["essaywriter", "paperhelp", "assignmenthelp"],
    "seo": ["seoexpert", "backlinkpro", "rankfast"], "pharma": ["pillsshop", "rxstore", "medsonline"],
    "loans": ["quickloan", "paydaycash", "easycredit"], "casinos": ["casino", "betwin", "slotgacor"],
    "cracked": ["crackfree", "keygenpro", "fullsoft"], "techsupport": ["helpdesk", "support-number", "fixit"],
    "crypto": ["cryptoprofit", "btcinvest", "forexking"],
}
SPAM_TLDS = [".com", ".in", ".net", ".org", ".xyz", ".online", ".co.uk", ".info", ".site"]

GENRES = ["jazz", "krautrock", "metal", "J-pop", "folk", "hip hop", "classical", "shoegaze", "techno", "bossa nova",
          "punk", "soul", "ambient", "reggae", "tango", "city pop"]
# Honest bios, in many languages and scripts; {genre} {decade} are filled in.
HAM_BIOS = [
    "I mostly edit {genre} releases from my own collection.",
    "Collector of {genre} vinyl from the {decade}s. I add tracklists and credits from the sleeves.",
    "Music librarian. Fixing artist credits one release at a time.",
    "Hi! I tag my music with Picard and add whatever is missing.",
    "Ich sammle {genre}-Platten und ergänze fehlende Tracklisten.",
    "Passionné de {genre}, j'ajoute surtout des sorties de labels indépendants.",
    "Me encanta el {genre}; añado lanzamientos de mi colección de CDs.",
    "Adoro il {genre} degli anni {decade}, inserisco le mie edizioni in vinile.",
    "Verzamelaar van {genre} op cassette en vinyl.",
    "Kolekcjoner płyt, głównie {genre}. Poprawiam daty wydań.",
    "Gosto de {genre} e cadastro os discos que tenho em casa.",
    "{genre}が好きです。手持ちのCDを登録しています。",
    "Люблю {genre}, добавляю релизы из своей коллекции пластинок.",
    "喜欢{genre}音乐，主要添加自己收藏的专辑。",
    "{genre} 음반을 모으고 있어요. 트랙리스트를 추가합니다.",
    "أحب موسيقى {genre} وأضيف الألبومات من مجموعتي.",
    "אוהב {genre}, מוסיף תקליטים מהאוסף שלי.",
    "Συλλέγω δίσκους {genre} από τη δεκαετία του {decade}.",
    "मुझे {genre} संगीत पसंद है, मैं अपने संग्रह से एल्बम जोड़ता हूँ।",
    "{genre} plakları topluyorum, eksik bilgileri ekliyorum.",
    "Tykkään {genre}-musiikista ja lisään levyjä kokoelmastani.",
    "Jag samlar på {genre}-skivor och rättar upp kreditering.",
]
HAM_LINK_BIOS = [
    "My band's music is on https://{name}.bandcamp.com",
    "I scrobble everything: https://www.last.fm/user/{name}",
    "Also on Discogs as {name}: https://www.discogs.com/user/{name}",
]
HAM_NOTES = ["Source: the back cover of my copy.", "Tracklist from the booklet.", "Per the label's website.",
             "Release date from the catalogue: https://www.discogs.com/release/{n}",
             "Same barcode as the existing release, merging.", "Fixed the artist credit per the liner notes.",
             "Thanks for adding this!", "Is there a source for the date?"]
FIRST = ["anna", "ben", "carlos", "dmitri", "emma", "felix", "greta", "hiro", "ines", "jonas", "kai", "lena",
         "marco", "nadia", "oskar", "paula", "quinn", "rafa", "sofia", "tomas", "uma", "vera", "wei", "yusuf"]
WORDS = ["vinyl", "tape", "groove", "echo", "static", "velvet", "neon", "ghost", "lunar", "paper", "delta",
         "owl", "fjord", "cobalt", "amber", "moss", "sonic", "drift", "hollow", "kite"]
FREE_MAIL = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "gmx.de", "web.de", "mail.ru", "yandex.ru",
             "icloud.com", "protonmail.com", "orange.fr", "libero.it"]
SPAM_MAIL = ["gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "mail.ru",
             "yopmail.com", "mailinator.com", "guerrillamail.com", "sharklasers.com", "tempmail.net"]


@dataclass(frozen=True)
class SampleSummary:
    """What a sample database holds."""

    editors: int
    spammers: int
    edits: int


#: The real text collections bundled in ``sb_worker/data`` (see its SOURCES.md).
COLLECTIONS = ("youtube", "sms")


@lru_cache(maxsize=None)
def collection_texts(name: str) -> dict[str, tuple[str, ...]]:
    """The de-duplicated texts of one bundled collection ("youtube" or "sms"), by label ("spam" or "ham")."""
    texts: dict[str, dict[str, None]] = {"spam": {}, "ham": {}}
    data = resources.files("sb_worker.data")
    if name == "youtube":
        for entry in sorted(data.iterdir(), key=lambda e: e.name):
            if entry.name.startswith("Youtube") and entry.name.endswith(".csv"):
                for row in csv.DictReader(entry.read_text(encoding="utf-8").splitlines()):
                    texts["spam" if row["label"] == "1" else "ham"][row["CONTENT"].strip()] = None
    elif name == "sms":
        for line in data.joinpath("SMSSpamCollection.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            label, _, text = line.partition("\t")
            texts["spam" if label == "spam" else "ham"][text.strip()] = None
    else:
        raise ValueError(f"unknown text collection {name!r}; bundled: {', '.join(COLLECTIONS)}")
    return {label: tuple(t for t in found if t) for label, found in texts.items()}


def real_texts(collections: Sequence[str] = COLLECTIONS) -> dict[str, list[str]]:
    """The de-duplicated real texts of the given bundled collections, by label ("spam" or "ham")."""
    merged: dict[str, dict[str, None]] = {"spam": {}, "ham": {}}
    for name in collections:
        for label, texts in collection_texts(name).items():
            merged[label].update(dict.fromkeys(texts))
    return {label: list(found) for label, found in merged.items()}


@lru_cache(maxsize=1)
def written_bios() -> dict[str, tuple[str, ...]]:
    """SpamBrainz's own profile texts in many languages (``data/bios.tsv``, label, language, text), by label."""
    found: dict[str, list[str]] = {"spam": [], "ham": []}
    text = resources.files("sb_worker.data").joinpath("bios.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            label, _language, bio = line.split("\t")
            found[label].append(bio)
    return {label: tuple(bios) for label, bios in found.items()}


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


class _Generator:
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
        if roll < 0.3:  # adverts in other languages: a language is not a sign of honesty either
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
            p["website"] = f"https://{r.choice(['', 'www.'])}{domain}/" if r.random() < 0.7 else None
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
            p["gender"] = r.choice([1, 2, 3, 5]) if r.random() < 0.27 else None
            p["area"] = r.choice([81, 222, 73, 150, 107]) if r.random() < 0.0196 else None
            p["birth_date"] = dt.date(r.randint(1950, 2008), r.randint(1, 12), r.randint(1, 28)) if r.random() < 0.15 else None
            p["email_confirm_date"] = since + dt.timedelta(hours=r.uniform(0.05, 72)) if r.random() < 0.9 else None
            p["last_updated"] = min(SAMPLE_NOW, since + dt.timedelta(days=r.uniform(0, 400)))
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


_COLUMNS = {
    "editor": "id, name, privs, email, website, bio, member_since, email_confirm_date, last_login_date, last_updated, "
              "birth_date, gender, area, password, ha1, deleted",
    "artist": "id, gid, name, sort_name, comment, last_updated",
    "url": "id, gid, url, last_updated",
    "edit": "id, editor, type, status, open_time, close_time, expire_time",
    "edit_data": "edit, data",
    "edit_note": "id, editor, edit, text, post_time",
    "vote": "id, editor, edit, vote, vote_time",
    "annotation": "id, editor, text, changelog, created",
    "artist_annotation": "artist, annotation",
    "link": "id, link_type, created",
    "l_artist_url": "id, link, entity0, entity1, last_updated",
    "editor_collection": "id, gid, editor, name, public, description, type",
}
_SEQUENCES = ["editor", "artist", "url", "edit", "edit_note", "vote", "annotation", "link", "l_artist_url", "editor_collection"]


def _generate(editors: int, seed: int, spam_share: float, collections: Sequence[str] = COLLECTIONS,
              ) -> tuple[_Generator, list[dict[str, Any]], list[dict[str, Any]]]:
    if editors < 1:
        raise ValueError("a sample needs at least one editor")
    gen = _Generator(seed, collections)
    people = gen.editors(editors, spam_share)
    edits = gen.edits(people)
    accepted: dict[int, int] = {}
    for edit in edits:
        expire = edit["open_time"] + dt.timedelta(days=7)
        closed = expire if edit["status"] != 1 else None
        gen.rows["edit"].append((edit["id"], edit["editor"], edit["type"], edit["status"], edit["open_time"], closed, expire))
        gen.rows["edit_data"].append((edit["id"], Json(edit["data"])))
        accepted[edit["editor"]] = accepted.get(edit["editor"], 0) + (edit["status"] == 2)
    gen.votes_and_collections(people, edits)
    gen.editor_rows(people, accepted)
    return gen, people, edits


def sample_records(editors: int, seed: int, spam_share: float = 0.07,
                   collections: Sequence[str] = COLLECTIONS) -> list[dict[str, Any]]:
    """The sample's editors as labelled records (DESIGN.md's format), without a database: a training corpus.
    Their bios draw on the real text ``collections`` named (none: the generator's own texts only)."""
    gen, people, _ = _generate(editors, seed, spam_share, collections)
    columns = [c.strip() for c in _COLUMNS["editor"].split(",")]
    counts: dict[str, dict[int, int]] = {key: {} for key in ("edits", "accepted_edits", "votes", "notes", "collections")}
    for row in gen.rows["edit"]:
        counts["edits"][row[1]] = counts["edits"].get(row[1], 0) + 1
        counts["accepted_edits"][row[1]] = counts["accepted_edits"].get(row[1], 0) + (row[3] == 2)
    for table, key in (("vote", "votes"), ("edit_note", "notes"), ("editor_collection", "collections")):
        column = 2 if table == "editor_collection" else 1
        for row in gen.rows[table]:
            counts[key][row[column]] = counts[key].get(row[column], 0) + 1
    records = []
    for row, person in zip(gen.rows["editor"], people):
        record = {c: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for c, v in zip(columns, row)}
        del record["password"], record["ha1"]
        record["privs"] &= ~SPAMMER  # the label travels as "label", not as MB's flag
        record["counts"] = {key: found.get(person["id"], 0) for key, found in counts.items()}
        record["label"] = "spam" if person["spam"] else "ham"
        records.append(record)
    return records


def build_sample(dsn: str, editors: int = 5000, seed: int = 1, spam_share: float = 0.07) -> SampleSummary:
    """(Re)create schema ``musicbrainz`` in the database at ``dsn`` and fill it; the same seed gives the same rows."""
    gen, people, edits = _generate(editors, seed, spam_share)
    for editor_id, name, privs in SPECIAL_EDITORS:
        gen.rows["editor"].insert(0, (editor_id, name, privs, None, None, None, SAMPLE_NOW - dt.timedelta(days=9000), None,
                                      None, SAMPLE_NOW - dt.timedelta(days=9000), None, None, None, "{CLEARTEXT}x", "0" * 32, False))
    with fresh_schema(dsn, "musicbrainz", resources.files("sb_worker").joinpath("mb_schema.sql")) as cur:
        for table, columns in _COLUMNS.items():
            execute_values(cur, f"INSERT INTO musicbrainz.{table} ({columns}) VALUES %s", gen.rows[table], page_size=2000)
        for table in _SEQUENCES:
            cur.execute(f"SELECT setval('musicbrainz.{table}_id_seq', coalesce((SELECT max(id) FROM musicbrainz.{table}), 0) + 1, false)")
        cur.execute("ANALYZE")
    return SampleSummary(editors=editors, spammers=sum(p["spam"] for p in people), edits=len(edits))


@contextmanager
def fresh_schema(dsn: str, name: str, sql: Traversable) -> Iterator[Any]:
    """A cursor in one transaction on ``dsn`` in which schema ``name`` was just dropped and created by ``sql``."""
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            cur.execute(sql.read_text(encoding="utf-8"))
            yield cur
    finally:
        conn.close()
