"""Honest musicians who link their own site: how many of them each scorer reports.

Run: .venv/bin/python -m benchmarks.own_sites [MODEL_DIR]   (default: the active model in SB_MODEL_DIR)

Such an account does what spam does: it links a domain of its own in its bio and as its website, often on a new
account whose profile was written at once. The ten bios below were written for this measure after the sample
generator's musicians, in other words and with sites named from none of the generator's words, and were scored only
after they were written; `tests/sb_worker/scoring/test_evidence.py` holds the default model to them. Each is scored
as a new account (a beginner, bio written at registration, email confirmed in 3 minutes) and as a settled one (email
confirmed after 5 hours, profile last changed 4 days later), by the model and by the bundled weights alone.
"""

from __future__ import annotations

from benchmarks import cli
from sb_worker.scoring.urls import urls_in
from sb_worker.settings import Settings

OWN_SITES = (
    "Drummer of The Rust Belt Saints, a garage rock band from Detroit. Our two LPs and show dates: "
    "https://rustbeltsaints.com",
    "Soprano and voice teacher in Vienna. Concert calendar and CDs: https://www.mariahuber-sopran.at",
    "Songwriter. My debut album came out this spring; lyrics and the story behind each song at https://tomwilde.net",
    "Gruppo folk dalla Sardegna, cantiamo in lingua sarda. Dischi e concerti su https://tenoresdesuni.it",
    "Somos un dúo de tango de Buenos Aires. Escuchá nuestros discos en https://duoarrabal.com.ar",
    "Organist at St Mary's, Oxford. Recordings of our evensong services: https://stmarysorgan.org.uk",
    "Muzyk sesyjny i producent z Gdańska. Moje nagrania: https://piotrnowak.pl",
    "僕らは札幌のパンクバンドです。CDとライブ日程は https://sapporopunks.jp にあります。",
    "Country singer from Texas, playing dance halls every weekend. Booking: https://www.codyraysings.com",
    "Composer of music for theatre and dance. Works list and audio samples: https://annalindqvist.se",
)
SINCE = "2026-11-01T10:00:00+00:00"
NEW_ACCOUNT = {"name": "recordfan", "privs": 8192, "member_since": SINCE, "last_updated": SINCE,
               "email_confirm_date": "2026-11-01T10:03:00+00:00", "counts": {"edits": 0}}
SETTLED = {**NEW_ACCOUNT, "email_confirm_date": "2026-11-01T15:00:00+00:00", "last_updated": "2026-11-05T10:00:00+00:00"}


def records(account: dict) -> list[dict]:
    """The bios as editor records of ``account``'s metadata, each with its own site as its website."""
    return [{**account, "id": i, "bio": bio, "website": urls_in(bio)[0]} for i, bio in enumerate(OWN_SITES)]


def scorers(doc: str) -> tuple[Settings, dict]:
    """For the benchmark described by ``doc``: the settings, and by name the model its command line gives (or the
    active one) and the bundled weights alone, as `sb score` and `sb score --heuristic` score."""
    model_dir = cli.arguments(doc, model_dir=(str, None, "a model's artifact folder")).model_dir
    from sb_worker.model.registry import offline_model
    from sb_worker.runtime import offline_pipeline

    settings = Settings.from_env()
    model = offline_model(settings, model_dir)
    return settings, {f"model {model.version}": offline_pipeline(settings, model=model),
                      "weights alone": offline_pipeline(settings)}


def main() -> None:
    settings, scored_by = scorers(__doc__)
    print(f"{len(OWN_SITES)} honest musicians linking their own site; reported at {settings.review_threshold}")
    for name, pipeline in scored_by.items():
        for account, metadata in (("new account", NEW_ACCOUNT), ("settled account", SETTLED)):
            scores = [s.score for s in pipeline.score("editor", records(metadata))]
            reported = sum(s >= settings.review_threshold for s in scores)
            print(f"{name:22} {account:16} reported {reported}/{len(scores)}, scores {scores}")


if __name__ == "__main__":
    main()
