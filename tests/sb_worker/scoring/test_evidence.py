"""No evidence, no report: through the real pipeline with the real default model, trained on the bundled corpus."""

from __future__ import annotations

import ast
import itertools
import re

import pytest

from benchmarks import own_sites
from sb_worker.model.corpus import account_records, language_records, text_records
from sb_worker.scoring.evidence import fields
from sb_worker.scoring.features import extract
from sb_worker.scoring.pipeline import MODEL_REASON, Score, build_pipeline
from sb_worker.settings import Settings

pytestmark = pytest.mark.integration
REVIEW = Settings().review_threshold
SINCE, NEW_ACCOUNT = own_sites.SINCE, own_sites.NEW_ACCOUNT  # a beginner, bio written at once, confirmed in 3 minutes


@pytest.fixture(scope="module")
def pipeline(default_model):
    from sb_worker.model.neural import NeuralModel

    return build_pipeline(model=NeuralModel.load(default_model), cache_dir=Settings().cache_dir)


def metadata_grid():
    """Every combination of account metadata, on accounts that show nothing."""
    confirmations = [None, "2026-11-01T10:02:00+00:00", "2026-11-01T11:00:00+00:00", "2026-11-04T10:00:00+00:00"]
    names = ["user100", "newuser", "anna_k", "x9283746", "bestseo2026"]
    for i, (privs, confirmed, name, gender) in enumerate(itertools.product((8192, 0, None), confirmations, names,
                                                                          (None, 1))):
        record = {"id": i + 1, "name": name, "member_since": SINCE, "email_confirm_date": confirmed,
                  "last_updated": "2026-11-01T10:01:00+00:00", "gender": gender, "email": f"{name}@gmail.com",
                  "counts": {"edits": 0, "accepted_edits": 0, "votes": 0, "notes": 0}}
        if privs is not None:
            record["privs"] = privs
        yield record


def test_accounts_with_no_payload_stay_below_review_for_every_combination_of_metadata(pipeline):
    records = list(metadata_grid())
    scores = pipeline.score("editor", records)
    assert len(scores) == len(records) == 120
    worst = max(scores, key=lambda s: s.score)
    assert worst.score < REVIEW, worst


@pytest.mark.parametrize("network", [False, True])
def test_edits_with_no_text_and_no_urls_stay_below_review_whatever_their_editor(pipeline, network):
    edits = [{"id": 1000 + r["id"], "type": t, "status": 1, "data": {}, "editor_record": r}
             for r, t in itertools.product(metadata_grid(), (1, 90, 101))]
    edits.append({"id": 12})  # an edit record with nothing in it at all
    scores = pipeline.score("edit", edits, by_network=network)
    worst = max(scores, key=lambda s: s.score)
    assert worst.score < REVIEW, worst


def test_every_record_at_or_above_review_says_why_and_marks_where_its_evidence_stands(pipeline):
    records = (text_records("test")[::4] + account_records("test", editors=400)
               + language_records("cyrillic", per_language=40) + language_records("east-asian", per_language=40))
    scores = pipeline.score("editor", records)
    reported = [(r, s) for r, s in zip(records, scores) if isinstance(s, Score) and s.score >= REVIEW]
    assert len(reported) > 50  # the set holds enough spam for this to mean something
    for record, score in reported:
        assert score.reasons, (record, score)
        assert all(r.why.strip() for r in score.reasons), score
        features = extract("editor", record)
        values, spans = fields(features), [e for r in score.reasons for e in r.evidence]
        assert spans, score  # the page can mark something: the evidence stands somewhere in the record
        assert all(0 <= e["start"] < e["end"] <= len(values[e["field"]])
                   and values[e["field"]][e["start"]:e["end"]] == e["text"] for e in spans), score
        words = features.skeleton.split()
        for reason in score.reasons:
            if reason.detector == MODEL_REASON:  # each word it names is a word of the text, pairs as pairs
                phrases = [ast.literal_eval(q) for q in re.findall(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") \(\+",
                                                                    reason.why)]
                pairs = set(zip(words, words[1:]))
                assert phrases and all(p in words or tuple(p.split(" ")) in pairs for p in phrases), (reason, words)


def test_one_honest_sentence_in_six_languages_is_not_reported(pipeline):
    sentences = ["I collect old records and add them here.", "Ich sammle alte Schallplatten und füge sie hier hinzu.",
                 "Συλλέγω παλιούς δίσκους και τους προσθέτω εδώ.", "我收集老唱片并把它们添加到这里。",
                 "古いレコードを集めて、ここに追加しています。", "Я собираю старые пластинки и добавляю их сюда."]
    scores = pipeline.score("editor", [{**NEW_ACCOUNT, "id": i, "bio": s} for i, s in enumerate(sentences)])
    assert all(s.score < REVIEW for s in scores), [(s.score, s.reasons) for s in scores]


def test_honest_musicians_who_link_their_own_site_on_a_new_account_are_not_reported(pipeline):
    """The account does what spam does (a bio written at once, a link to its own site, which is also its website),
    and the text is a musician's: a ninja would dismiss every one of these reports."""
    records = own_sites.records(NEW_ACCOUNT)  # bios written after the generator's
    scores = pipeline.score("editor", records)
    assert all(s.score < REVIEW for s in scores), [(s.score, s.reasons) for s in scores]
    weights_alone = build_pipeline(cache_dir=Settings().cache_dir).score("editor", records)
    assert all(s.score < REVIEW for s in weights_alone), [(s.score, s.reasons) for s in weights_alone]


def test_honest_bios_that_link_their_pages_on_music_sites_are_not_reported(pipeline):
    bios = ["Our string quartet's recordings: https://soundcloud.com/elbe-quartett",
            "Ich spiele Bass in einer Punkband aus Bremen. Unsere Platten: https://krachkombinat.bandcamp.com/music",
            "Je poste mes concerts sur https://www.youtube.com/@mikalive et j'ajoute les setlists ici."]
    scores = pipeline.score("editor", [{**NEW_ACCOUNT, "id": i, "bio": b} for i, b in enumerate(bios)])
    assert all(s.score < REVIEW for s in scores), [(s.score, s.reasons) for s in scores]
