"""Signals from the account itself rather than from what it wrote."""

from __future__ import annotations

import re
from collections.abc import Sequence

from detectors import data
from detectors.base import Detector, Features, Verdict
from detectors.matcher import PatternSet


class BeginnerProfile(Detector):
    """MusicBrainz's own spam heuristic: a beginner account with a bio or a website."""

    name = "beginner_profile"
    evidence = False

    def __init__(self, points: float = 15.0, no_edits: float = 5.0):
        self.points = points
        self.no_edits = no_edits

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            filled = [what for what, value in (("bio", f.kind == "editor" and f.text), ("website", f.website)) if value]
            if not (f.is_beginner and filled):
                verdicts.append(Verdict(self.name, 0.0))
                continue
            points = self.points
            reasons = [f"beginner account with a {' and a '.join(filled)}"]
            if f.edit_count == 0:
                points += self.no_edits
                reasons.append("and no edits at all")
            verdicts.append(Verdict(self.name, points, (" ".join(reasons),)))
        return verdicts


class AccountProfile(Detector):
    """How the account behaves: spam accounts fill in a profile at once and then never edit (DESIGN.md, 2018)."""

    name = "account_profile"
    evidence = False

    def __init__(self, quick_profile: float = 8.0, quick_confirm: float = 4.0, gender_no_area: float = 5.0,
                 birth_date: float = 2.0,
                 long_bio: float = 6.0, huge_text: float = 10.0, listed_name: float = 20.0, digit_name: float = 3.0,
                 established: float = -25.0, voter: float = -8.0, area: float = -10.0, cache_dir: str | None = None):
        self.quick_profile = quick_profile
        self.quick_confirm = quick_confirm
        self.gender_no_area = gender_no_area
        self.birth_date = birth_date
        self.long_bio = long_bio
        self.huge_text = huge_text
        self.listed_name = listed_name
        self.digit_name = digit_name
        self.established = established
        self.voter = voter
        self.area = area
        self.cache_dir = cache_dir

    def fit(self) -> AccountProfile:
        self.usernames_ = PatternSet(data.smokedetector("blacklisted_usernames"), words=False,
                                     cache_dir=self.cache_dir).prepare()
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            found: list[tuple[float, str]] = []
            profile = bool(f.text if f.kind == "editor" else False) or bool(f.website)
            if profile and f.hours_to_update is not None and f.hours_to_update <= 2 and not f.edit_count:
                found.append((self.quick_profile, "bio or website added within two hours of registering"))
            if f.hours_to_confirm is not None and 0 <= f.hours_to_confirm <= 0.25:
                found.append((self.quick_confirm, "email confirmed within 15 minutes of registering"))
            if f.gender_set and f.area_set is False:
                found.append((self.gender_no_area, "gender set but no area"))
            if f.birth_date_set and not f.edit_count:
                found.append((self.birth_date, "birth date set on an account with no edits"))
            if f.kind == "editor" and 2500 <= f.text_length <= 20_000:
                found.append((self.long_bio, f"long bio ({f.text_length:,} characters)"))
            if f.text_length > 20_000:
                found.append((self.huge_text, f"huge text ({f.text_length:,} characters)"))
            name = f.name.casefold()
            listed = self.usernames_.search(name) if name else []
            if listed:
                found.append((self.listed_name, f"name matches SmokeDetector's /{self.usernames_.patterns[listed[0][0]]}/"))
            elif _DIGIT_SUFFIX.search(name):
                found.append((self.digit_name, "name ends in a run of digits"))
            if f.accepted_edit_count is not None and f.accepted_edit_count >= 10:
                found.append((self.established, f"established editor ({f.accepted_edit_count:,} accepted edits)"))
            if f.vote_count:
                found.append((self.voter, f"votes on edits ({f.vote_count:,})"))
            if f.area_set:
                found.append((self.area, "area set (rare for spam accounts)"))
            found = [(p, why) for p, why in found if p]
            verdicts.append(Verdict(self.name, sum(p for p, _ in found), tuple(why for _, why in found)))
        return verdicts


_DIGIT_SUFFIX = re.compile(r"[a-z]\d{3,}$")
