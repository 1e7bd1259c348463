"""The public page at /: its sections and live figures, in a real browser, checked on a screenshot."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from PIL import Image

from sb_worker import service
from sb_worker.scoring.pipeline import Thresholds
from sb_worker.web.app import create_app

from tests.helpers import query

pytestmark = pytest.mark.integration

SECTIONS = {"figures": "Right now", "what": "What SpamBrainz is", "data": "What data it reads",
            "scores": "How scores and thresholds work", "humans": "People decide", "appeal": "How to appeal"}


def judged_sample(settings, rt) -> tuple[int, float]:
    """Scan the sample and judge three reports (two spam): returns the reports opened and the precision."""
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)
    reports = [r for (r,) in query(settings.dsn, "SELECT id FROM report ORDER BY score DESC, id")]
    for report_id, verdict in zip(reports, ("spam", "spam", "ham")):
        rt.store.verdicts.add(report_id, verdict, "reosarevok", "")
    return len(reports), 2 / 3


def test_the_page_says_what_matters_with_live_figures(settings, rt):
    opened, precision = judged_sample(settings, rt)
    page = create_app(settings).test_client().get("/")
    assert page.status_code == 200 and page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    html = page.text
    for section, title in SECTIONS.items():
        assert f'<section id="{section}">' in html and f"<h2>{title}</h2>" in html
    assert f'<strong id="reports-week">{opened:,}</strong> reports this week' in html
    assert f'<strong id="precision">{precision * 100:.1f}%</strong>' in html and "3 verdicts" in html
    assert '<strong id="model">heuristic-3</strong>' in html
    assert "a spam ninja, a person, reviews every\n      report" in html and "<script" not in html
    rt.store.config.set_thresholds(Thresholds(50, 95))
    assert "Automatic action is <strong>on</strong> for scores of\n      95" in create_app(settings).test_client().get("/").text


def test_the_page_says_when_its_figures_were_taken_and_whom_to_write_to_for_an_appeal(settings, rt):
    before = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    html = create_app(settings).test_client().get("/").text
    taken = dt.datetime.fromisoformat(re.search(r'<time id="taken" datetime="([^"]+)">', html).group(1))
    assert before <= taken <= dt.datetime.now(dt.timezone.utc)
    assert '<a id="appeal-contact" href="https://metabrainz.org/contact"' in html
    mail = create_app(settings.replace(appeal_contact="support@metabrainz.org")).test_client().get("/").text
    assert '<a id="appeal-contact" href="mailto:support@metabrainz.org"' in mail
    hostile = create_app(settings.replace(appeal_contact="javascript:alert(1)")).test_client().get("/").text
    assert 'href="javascript:' not in hostile and 'href="#appeal"' in hostile


def test_the_page_renders_every_section_in_a_browser(settings, rt, served, browser):
    from selenium.webdriver.common.by import By

    opened, _ = judged_sample(settings, rt)
    browser.get(served + "/")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, height + 200)
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("L")
    scale = shot.width / browser.execute_script("return window.innerWidth")
    for section, title in SECTIONS.items():
        element = browser.find_element(By.ID, section)
        assert element.is_displayed() and element.find_element(By.TAG_NAME, "h2").text == title
        box = element.rect
        crop = shot.crop((int(box["x"] * scale), int(box["y"] * scale), int((box["x"] + box["width"]) * scale),
                          int((box["y"] + box["height"]) * scale)))
        dark = sum(crop.histogram()[:100])  # pixels of text drawn in the section, not an empty box
        assert crop.height > 40 and dark > 500, (section, crop.size, dark)
    assert browser.find_element(By.ID, "reports-week").text == f"{opened:,}"
    assert browser.find_element(By.ID, "model").text == "heuristic-3"
