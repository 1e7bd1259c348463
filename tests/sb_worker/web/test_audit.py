"""The audit sample: accounts drawn from those not reported, judged by the ninjas on the review page, estimate recall
on the public page, in /v1/stats and in `sb thresholds suggest` (real PostgreSQL, a real browser)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from sb_worker import service
from sb_worker.model import audit
from sb_worker.web.app import create_app

from tests.helpers import add_token, query
from tests.sb_worker.web.test_review import csrf_of, sign_in, sign_in_browser

pytestmark = pytest.mark.integration
RATES = (0.05, 0.2, 0.5, 1.0)  # more than the default, so the 300 accounts of the sample give every band some


@pytest.fixture
def audited(settings, rt):
    """The sample scanned with an audit sample drawn; a signed-in review page."""
    rt.settings = settings = settings.replace(audit_rates=RATES)
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    scanned = service.scan_chunk(rt, "editor", ids)
    client = create_app(settings).test_client()
    client.tokens = {"feedback": add_token(rt.store, "reosarevok", ["feedback"])}
    sign_in(client, client.tokens["feedback"])
    return client, ids, scanned


def spammers(settings) -> set[int]:
    return {i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE privs & 4096 <> 0")}


def test_accounts_below_review_are_drawn_at_their_bands_rate_and_never_delivered(settings, rt, audited):
    _, ids, scanned = audited
    items = query(settings.dsn, "SELECT id, entity_id, score, sample_rate FROM report WHERE action = 'audit'")
    scores = dict(query(settings.dsn, "SELECT entity_id, score FROM score WHERE kind = 'editor'"))
    expected = audit.drawn([("editor", i, scores[i]) for i in ids], 50, RATES)
    assert sorted((e, rate) for _, e, _, rate in items) == sorted((e, pytest.approx(r)) for _, e, r in expected)
    assert items and all(score < 50 for _, _, score, _ in items)
    assert not {i for i, *_ in items} & set(scanned.to_deliver)  # no sink gets an audit item
    service.scan_chunk(rt, "editor", ids)  # a rescan draws the same accounts: nothing new
    assert query(settings.dsn, "SELECT count(*) FROM report WHERE action = 'audit'") == [(len(items),)]
    api = create_app(settings).test_client()
    token = {"Authorization": f"Bearer {add_token(rt.store, 'bot', ['feedback'])}"}
    listed = api.get("/v1/reports", headers=token).json["reports"]
    assert listed and all(r["action"] != "audit" for r in listed)  # a client acting on reports never sees them
    only = api.get("/v1/reports?item=audit&per_page=200", headers=token).json["reports"]
    assert sorted(r["id"] for r in only) == sorted(i for i, *_ in items)
    assert api.get("/v1/reports?item=everything", headers=token).status_code == 400


def test_ninjas_judge_audit_items_on_the_review_page_and_recall_is_estimated(settings, rt, audited, tmp_path):
    page, ids, _ = audited
    public = create_app(settings).test_client()
    assert 'id="recall">recall not estimated yet' in public.get("/").text
    html = page.get("/review?item=audit").text
    shown = [int(i) for i in re.findall(r'id="report-(\d+)"', html)]
    assert shown and html.count('<span class="audit">audit sample</span>') == len(shown)
    assert re.search(r'id="count">\d+ open audit items?<', html)
    assert "below the review threshold, and did not report it" in html and re.search(r"1 in\s+\d+ of its score", html)
    reports_only = page.get("/review?item=report").text
    assert not any(f'id="report-{i}"' in reports_only for i in shown)
    # Every item judged as MusicBrainz knows it: audit items through the page, reports through the store.
    spam = spammers(settings)
    entity = dict(query(settings.dsn, "SELECT id, entity_id FROM report"))
    audit_items = [i for (i,) in query(settings.dsn, "SELECT id FROM report WHERE action = 'audit' ORDER BY id")]
    for report_id in audit_items:
        done = page.post(f"/review/reports/{report_id}/verdict",
                         data={"verdict": "spam" if entity[report_id] in spam else "ham", "csrf": csrf_of(html)})
        assert done.status_code == 303
    for report_id in (i for i in entity if i not in audit_items):
        rt.store.verdicts.add(report_id, "spam" if entity[report_id] in spam else "ham", "reosarevok", "")

    figures = service.audit_figures(rt, rt.store.verdicts.judged_reports(), 50)
    estimate = figures["recall"]
    scores = dict(query(settings.dsn, "SELECT entity_id, score FROM score WHERE kind = 'editor'"))
    true_recall = sum(scores[i] >= 50 for i in spam if i in scores) / len(spam & set(scores))
    low, high = estimate["interval"]
    print(f"true recall {true_recall:.3f}; estimated {estimate['recall']:.3f} ({low:.3f}-{high:.3f}) from "
          f"{estimate['audit_verdicts']} audit verdicts")
    assert low <= true_recall <= high and estimate["audit_verdicts"] == len(audit_items)
    home = public.get("/").text
    assert f'<strong id="recall">{estimate["recall"] * 100:.1f}%</strong>' in home
    assert f'{estimate["audit_verdicts"]:,} verdicts on an audit sample' in home
    stats = page.application.test_client().get(
        "/v1/stats", headers={"Authorization": f"Bearer {page.tokens['feedback']}"}).json
    assert stats["recall"]["recall"] == estimate["recall"] and stats["suggested"]["0.99"]["audit_verdicts"]
    assert [b["band"] for b in stats["audit_bands"]] == audit.bands(50)
    assert sum(b["judged"] for b in stats["audit_bands"][:-1]) == len(audit_items)


def test_the_audit_item_and_the_new_figures_in_a_browser(settings, rt, audited, served, browser):
    """Screenshots of an audit item on the review page and of the public page's figures, checked for drawn text;
    kept in SB_SCREENSHOTS when that names a folder."""
    from selenium.webdriver.common.by import By

    page, ids, _ = audited
    scores = dict(query(settings.dsn, "SELECT entity_id, score FROM score WHERE kind = 'editor'"))
    flagged = spammers(settings)
    missed = next(i for i in ids if i > 4 and i not in flagged and scores[i] < 50)
    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET privs = privs | 4096 WHERE id = %s", (missed,))
    spam = sorted((flagged | {missed}) & set(ids))
    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET last_updated = now() WHERE id = ANY(%s)", (spam,))
    service.harvest(rt)  # the sample's spammers and one SpamBrainz scored below review, flagged: a miss at least
    sign_in_browser(browser, served, page.tokens["feedback"])
    browser.get(served + "/review?item=audit")
    card = browser.find_element(By.CSS_SELECTOR, "article.audit")
    assert "Audit sample: SpamBrainz scored this editor" in card.find_element(By.CLASS_NAME, "audit-note").text
    shots = {"review-audit-item.png": card.screenshot_as_png}
    browser.get(served + "/")
    shots["public-figures.png"] = browser.find_element(By.ID, "figures").screenshot_as_png
    assert browser.find_element(By.ID, "misses-week").text.isdigit()
    shots["public-misses.png"] = browser.find_element(By.ID, "misses").screenshot_as_png
    keep = os.environ.get("SB_SCREENSHOTS")
    for name, png in shots.items():
        shot = Image.open(io.BytesIO(png)).convert("L")
        assert shot.height > 40 and sum(shot.histogram()[:100]) > 500, name  # text is drawn, not an empty box
        if keep:
            shot.save(Path(keep) / name)
    if keep:
        browser.set_window_size(1280, browser.execute_script("return document.documentElement.scrollHeight") + 100)
        browser.save_screenshot(str(Path(keep) / "public-page.png"))
