"""The ninjas' review page: sign-in, CSRF, escaping of hostile text, highlighting, verdicts; and a real browser."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest

from detectors.reputation import Reputation
from sb_worker import runtime, service
from sb_worker.web.app import create_app
from sb_worker.web.marks import evidence, highlight, points, visible

from tests.helpers import add_token, query, wait_until

HOSTILE_BIO = ("<script>alert('x')</script> Cheap viagra online at pillshop.example.ru "
               "\u202egnp.evil\u202c <img src=x onerror=alert(1)> call +44 7911 123456")
HOSTILE_WEBSITE = "javascript:alert(document.cookie)"


# -- pure parts ----------------------------------------------------------------------------------------------------
def test_highlight_marks_quoted_phrases_domains_and_phone_numbers_in_any_grouping():
    reasons = [{"detector": "spam_phrases", "points": 60, "why": "pharma: 'cheap viagra'"},
               {"detector": "text_links", "points": 20, "why": "1 link in the text (pillshop.example.ru)"},
               {"detector": "contact_details", "points": 20, "why": "phone number +447911123456"}]
    shown = str(highlight("Cheap  Viagra at pillshop.example.ru, call +44 7911 123456 now", reasons))
    assert shown == ('<mark title="spam_phrases">Cheap  Viagra</mark> at <mark title="text_links">'
                     'pillshop.example.ru</mark>, call <mark title="contact_details">+44 7911 123456</mark> now')


def test_a_messenger_handle_is_marked_but_not_inside_an_email_address():
    reasons = [{"detector": "contact_details", "points": 20, "why": "messenger contact telegram @cryptoking10"}]
    assert str(highlight("me@cryptoking10.com or Telegram @cryptoking10.", reasons)) == (
        'me@cryptoking10.com or Telegram <mark title="contact_details">@cryptoking10</mark>.')


def test_a_phone_number_is_found_in_its_national_form():
    reasons = [{"detector": "contact_details", "points": 20, "why": "phone numbers +917732584351, +918000930705"}]
    assert str(highlight("07732584351 - call now 080 0093 0705", reasons)) == (
        '<mark title="contact_details">07732584351</mark> - call now <mark title="contact_details">080 0093 0705</mark>')


def test_evidence_against_spam_is_marked_as_such_unless_other_evidence_shares_it():
    text = "My music: https://someband.org, and a friend's https://friend.org"
    site, friend = text.index("someband.org"), text.index("friend.org")
    reasons = [{"detector": "domain_reputation", "points": -10, "why": "links to sites known from honest accounts",
                "evidence": [{"field": "text", "start": site, "end": site + 12},
                             {"field": "text", "start": friend, "end": friend + 10}]},
               {"detector": "text_links", "points": 20, "why": "1 link in the bio (friend.org)",
                "evidence": [{"field": "text", "start": friend, "end": friend + 10}]}]
    assert str(highlight(text, reasons)) == (
        'My music: https://<mark class="against" title="domain_reputation (against spam)">someband.org</mark>, and a '
        'friend&#39;s https://<mark title="domain_reputation, text_links">friend.org</mark>')


def test_highlight_escapes_everything_it_does_not_mark_and_merges_overlaps():
    reasons = [{"detector": "a", "points": 1, "why": "'buy <b>now'"}, {"detector": "b", "points": 1, "why": "'<b>now</b>'"}]
    shown = str(highlight("please buy <b>now</b> & <i>save</i>", reasons))
    assert shown == 'please <mark title="a, b">buy &lt;b&gt;now&lt;/b&gt;</mark> &amp; &lt;i&gt;save&lt;/i&gt;'
    assert str(highlight("<script>x</script>", [])) == "&lt;script&gt;x&lt;/script&gt;"


def test_invisible_and_bidi_characters_are_shown_as_code_points():
    assert visible("a\u202eb\u200bc\u2066d\x07e\nf") == "a⟨U+202E⟩b⟨U+200B⟩c⟨U+2066⟩d⟨U+0007⟩e\nf"


def test_evidence_ignores_reasons_that_name_nothing_to_find():
    assert evidence("email address looks machine-made") == []
    assert [p.pattern for p in evidence("seo: 'digital marketing agency'")] == [r"digital\s+marketing\s+agency"]


# -- the page, through Flask's test client -------------------------------------------------------------------------
@pytest.fixture
def page(settings, rt):
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)
    app = create_app(settings)
    app.testing = True
    tokens = {}
    for scope in ("submit", "feedback"):
        token = add_token(rt.store, f"ninja {scope}", [scope])
        tokens[scope] = token
    client = app.test_client()
    client.tokens = tokens
    return client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client, token: str):
    form = client.get("/review/signin")
    return client.post("/review/signin", data={"token": token, "csrf": csrf_of(form.text)})


def sign_in_browser(browser, served: str, token: str) -> None:
    """Sign in through the form in a real browser, and wait for the report list: until the form's POST has set its
    cookie, the next page asked for is the sign-in form again."""
    from selenium.webdriver.common.by import By

    browser.get(f"{served}/review")
    assert browser.current_url.endswith("/review/signin")  # not signed in: to the sign-in form
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.ID, "signin").click()
    wait_until(lambda: browser.current_url.endswith("/review"), 10, "the report list after signing in")


def test_signing_in_needs_the_forms_csrf_secret_and_a_feedback_token(page):
    assert page.get("/review").status_code == 303  # not signed in: to the sign-in form
    unsigned = page.post("/review/reports/1/verdict", data={"verdict": "spam", "csrf": "x"})
    assert unsigned.status_code == 303 and unsigned.headers["Location"].endswith("/review/signin")
    page.get("/review/signin")
    forged = page.post("/review/signin", data={"token": page.tokens["feedback"], "csrf": "guessed"})
    assert forged.status_code == 403 and "expired" in forged.text
    assert sign_in(page, "sb_nonsense").status_code == 401
    wrong = sign_in(page, page.tokens["submit"])
    assert wrong.status_code == 403 and "lacks the feedback scope" in wrong.text
    good = sign_in(page, page.tokens["feedback"])
    assert good.status_code == 303 and good.headers["Location"].endswith("/review")
    cookie = next(c for c in good.headers.getlist("Set-Cookie") if c.startswith("sb_review="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/review" in cookie
    listed = page.get("/review")
    assert listed.status_code == 200 and "signed in as ninja feedback" in listed.text
    assert listed.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<script" not in listed.text.lower()  # the page itself runs no JavaScript


def test_the_list_is_sorted_filtered_and_shows_model_and_thresholds(page, rt):
    sign_in(page, page.tokens["feedback"])
    html = page.get("/review").text
    scores = [int(s) for s in re.findall(r'<span class="score">(\d+)</span>', html)]
    assert scores and scores == sorted(scores, reverse=True) and min(scores) >= 50
    assert "model <strong>heuristic-3</strong>" in html and "review at <strong>50</strong>" in html
    total = int(re.search(r'id="count">([\d,]+) open', html).group(1).replace(",", ""))
    assert total == len(rt.store.reports.open())
    band = page.get("/review?band=90-100").text
    assert all(int(s) >= 90 for s in re.findall(r'<span class="score">(\d+)</span>', band))
    phrases = page.get("/review?detector=spam_phrases").text
    blocks = phrases.split("<article")[1:]
    assert blocks and all("<strong>spam_phrases</strong>" in b for b in blocks)
    assert page.get("/review?band=evil").status_code == 400
    assert page.get("/review?detector=<script>").status_code == 400


def test_a_verdict_needs_the_sessions_csrf_secret_and_closes_the_report(page, rt, settings):
    sign_in(page, page.tokens["feedback"])
    html = page.get("/review").text
    first = int(re.search(r'id="report-(\d+)"', html).group(1))
    refused = page.post(f"/review/reports/{first}/verdict", data={"verdict": "spam", "csrf": "forged"})
    assert refused.status_code == 403 and query(settings.dsn, "SELECT count(*) FROM verdict") == [(0,)]
    done = page.post(f"/review/reports/{first}/verdict", data={"verdict": "spam", "csrf": csrf_of(html)})
    assert done.status_code == 303 and f"done={first}" in done.headers["Location"]
    assert query(settings.dsn, "SELECT report_id, verdict, ninja FROM verdict") == [(first, "spam", "ninja feedback")]
    after = page.get(done.headers["Location"]).text
    assert f'id="report-{first}"' not in after and f"Report {first} recorded as spam" in after
    assert page.post("/review/reports/99999999/verdict", data={"verdict": "ham", "csrf": csrf_of(html)}).status_code == 404
    linked = page.get(f"/review?report={first}").text  # the link a sink sends, after the verdict
    assert f'id="report-{first}"' in linked and "judged spam" in linked and linked.count("<article") == 1


def test_a_form_field_that_cannot_be_stored_is_a_400_naming_it(page, settings):
    sign_in(page, page.tokens["feedback"])
    csrf = csrf_of(page.get("/review").text)
    refused = page.post("/review/trusted/1/revoke", data={"kind": "a\x00b", "csrf": csrf})
    assert refused.status_code == 400 and "the form field &#39;kind&#39; contains a NUL character" in refused.text
    assert "<!doctype html>" in refused.text.lower()  # the page's own error page, not the API's JSON


def test_a_revoked_token_ends_its_sessions(page, rt):
    sign_in(page, page.tokens["feedback"])
    assert page.get("/review").status_code == 200
    [token_id] = [t["id"] for t in rt.store.access.tokens() if t["name"] == "ninja feedback"]
    rt.store.access.revoke_token(token_id)
    assert page.get("/review").status_code == 303


def test_hostile_bios_are_shown_as_inert_text(page, rt, settings):
    [(hostile,)] = query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, website, bio, password, ha1)
                                            VALUES (%s, %s, %s, 'x', repeat('0', 32)) RETURNING id""",
                         ("pill<b>shop</b>\u202egpj.exe", HOSTILE_WEBSITE, HOSTILE_BIO))
    service.scan_chunk(rt, "editor", [hostile])
    [report] = [r for r in rt.store.reports.open() if r["entity_id"] == hostile]
    sign_in(page, page.tokens["feedback"])
    html = page.get("/review").text
    block = html.split(f'id="report-{report["id"]}"')[1].split("</article>")[0]
    shown = re.sub(r"</?mark[^>]*>", "", block)  # the text as a ninja reads it, without the evidence marks
    assert "<script>" not in block and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in shown
    assert "<img" not in block and "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "javascript:" in block and 'href="javascript:' not in html
    assert "⟨U+202E⟩gnp.evil⟨U+202C⟩" in shown and "shop&lt;/b&gt;⟨U+202E⟩gpj.exe" in shown
    assert "\u202e" not in html  # the name in the heading too, where it would reorder the rest of the line
    assert "pill&lt;b&gt;shop&lt;/b&gt;" in block and "/user/pill%3Cb%3Eshop%3C%2Fb%3E" in block
    assert "<mark" in block


def test_a_disguised_phrase_is_marked_where_it_stands_from_its_span(page, rt, settings):
    bio = "Best оnlinе саsіno: frее spins every day, join now at 1xbet-bonus.example.com"  # Cyrillic о е а і
    [(disguised,)] = query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, bio, password, ha1)
                                               VALUES ('luckyspin', %s, 'x', repeat('0', 32)) RETURNING id""", (bio,))
    service.scan_chunk(rt, "editor", [disguised])
    [report] = [r for r in rt.store.reports.open() if r["entity_id"] == disguised]
    phrases = next(r for r in report["reasons"] if r["detector"] == "spam_phrases")
    assert "online casino" in phrases["why"]  # the rule read the skeleton ...
    [span] = [e for e in phrases["evidence"] if e["text"] == "оnlinе саsіno"]  # ... the span is the bio as written
    assert bio[span["start"]:span["end"]] == "оnlinе саsіno" and span["field"] == "text"
    sign_in(page, page.tokens["feedback"])
    block = page.get(f"/review?report={report['id']}").text.split(f'id="report-{report["id"]}"')[1]
    assert re.search(r'<mark title="[^"]*spam_phrases[^"]*">оnlinе саsіno</mark>', block), block[:3000]


# -- a real browser (the served and browser fixtures are in tests/conftest.py) ---------------------------------
def test_a_ninja_signs_in_sees_the_top_report_and_marks_it_spam_in_a_browser(settings, rt, served, browser):
    from selenium.webdriver.common.by import By

    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)
    token = add_token(rt.store, "reosarevok", ["feedback"])
    top = rt.store.reports.open(limit=1)[0]

    sign_in_browser(browser, served, token)

    first = browser.find_elements(By.TAG_NAME, "article")[0]
    assert first.get_attribute("id") == f"report-{top['id']}"
    marks = first.find_elements(By.TAG_NAME, "mark")
    assert marks and marks[0].get_attribute("title") in {r["detector"] for r in top["reasons"]}
    assert marks[0].value_of_css_property("background-color") == "rgba(255, 224, 102, 1)"  # visibly highlighted
    assert browser.get_cookie("sb_review")["httpOnly"] is True

    first.find_element(By.CSS_SELECTOR, "button.spam").click()
    wait_until(lambda: "done=" in browser.current_url, 10, "the list after the verdict")
    done = browser.find_element(By.ID, "done")
    assert done.text.splitlines() == [f"Report {top['id']} recorded as spam.", "Undo"]  # and it can be undone
    assert done.find_element(By.ID, "undo").is_displayed()
    assert not browser.find_elements(By.ID, f"report-{top['id']}")
    assert query(settings.dsn, "SELECT verdict, ninja FROM verdict WHERE report_id = %s", (top["id"],)) == [
        ("spam", "reosarevok")]
    assert query(settings.dsn, "SELECT status FROM report WHERE id = %s", (top["id"],)) == [("spam",)]


# -- the card: the account in context, signed points, marks for and against, an account with no text ------------------
SPAM_WITH_AN_HONEST_SITE = ("Cheap viagra online at pillshop.example.ru, discreet delivery, call +44 7911 123456. "
                            "My music: https://someband.org/album/first")


def add_active_spammer(settings, edits: int = 5) -> int:
    """An account made two days ago, its email confirmed three minutes later, with ``edits`` relationship edits
    that add URLs, and (with any edits) an edit note on the newest."""
    [(editor,)] = query(settings.mb_dsn, """
        INSERT INTO musicbrainz.editor (name, bio, website, password, ha1, member_since, email_confirm_date)
        VALUES ('pillseller', %s, 'https://someband.org', 'x', repeat('0', 32), now() - interval '2 days',
                now() - interval '2 days' + interval '3 minutes') RETURNING id""", (SPAM_WITH_AN_HONEST_SITE,))
    for n in range(edits):
        [(edit,)] = query(settings.mb_dsn, """INSERT INTO musicbrainz.edit (editor, type, status, open_time, expire_time)
                                             VALUES (%s, 90, 1, now() - interval '1 hour', now() + interval '7 days')
                                             RETURNING id""", (editor,))
        data = {"type0": "artist", "type1": "url", "entity0": {"id": 1, "name": "Someone"},
                "entity1": {"id": 100 + n, "name": f"https://pillshop.example.ru/offer/{n}"}}
        query(settings.mb_dsn, "INSERT INTO musicbrainz.edit_data (edit, data) VALUES (%s, %s)", (edit, json.dumps(data)))
    if edits:
        query(settings.mb_dsn, "INSERT INTO musicbrainz.edit_note (editor, edit, text) VALUES (%s, %s, "
                               "'best pills here')", (editor, edit))
    return editor


def card(page, report_id: int) -> str:
    return page.get(f"/review?report={report_id}").text.split(f'id="report-{report_id}"')[1].split("</article>")[0]


def test_points_are_shown_with_their_sign():
    assert (points(20), points(-20), points(0.4), points(-7.6)) == ("+20", "\u221220", "0", "\u22128")


def test_a_card_shows_the_account_in_context_and_marks_honest_sites_as_against(page, settings, tmp_path):
    table = tmp_path / "reputation.json"  # someband.org known from 40 honest accounts: a link to it counts against spam
    table.write_text(Reputation({"someband.org": (0, 40)}).to_json())
    runtime.configure(settings.replace(reputation_file=str(table)))
    rt = runtime.get()
    editor = add_active_spammer(settings)
    service.scan_chunk(rt, "editor", [editor])
    [report] = [r for r in rt.store.reports.open() if r["entity_id"] == editor]
    sign_in(page, page.tokens["feedback"])
    block = card(page, report["id"])
    assert re.search(r"<dt>Member since</dt><dd><time datetime=\"[^\"]+\">\d{4}-\d\d-\d\d \d\d:\d\d UTC</time> "
                     r"<span class=\"ago\">\(2 days ago\)</span>", block), block
    assert "confirmed 3 minutes after registering" in block
    assert "5 edits (0 accepted) · 0 votes · 1 edit notes" in block
    assert "Recent edits (5)" in block and block.count("add relationship, open") == 5
    assert "<code>https://pillshop.example.ru/offer/4</code>" in block and "/edit/" in block
    assert block.index("offer/4") < block.index("<details><summary>2 more edits</summary>") < block.index("offer/1")
    assert "Edit notes (1)" in block and "<q>best pills here</q>" in block
    [against] = [r for r in report["reasons"] if r["points"] < 0]
    assert against["detector"] == "domain_reputation" and "someband.org" in against["why"]
    assert "+-" not in block and f"<strong>domain_reputation</strong> {points(against['points'])}:" in block
    assert '<li class="against"><strong>domain_reputation</strong> \u2212' in block
    # the link is evidence both ways (a link, to a site honest accounts use): marked with both, not as "against"
    assert re.search(r'<mark title="domain_reputation, text_links">someband\.org</mark>', block)
    assert re.search(r'<mark title="[^"]*spam_phrases[^"]*">viagra</mark>', block, re.I)  # spam evidence as before


def test_an_account_that_emptied_its_profile_is_not_said_to_be_gone(page, rt, settings):
    editor = add_active_spammer(settings, edits=1)
    service.scan_chunk(rt, "editor", [editor])
    [report] = [r for r in rt.store.reports.open() if r["entity_id"] == editor]
    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET bio = '', website = '' WHERE id = %s", (editor,))
    sign_in(page, page.tokens["feedback"])
    block = card(page, report["id"])
    assert "This account has no website and no bio." in block and "no longer exists" not in block
    assert "Member since" in block  # the context is still there to judge by
    query(settings.mb_dsn, "DELETE FROM musicbrainz.edit_note WHERE editor = %s", (editor,))
    query(settings.mb_dsn, "DELETE FROM musicbrainz.edit_data WHERE edit IN (SELECT id FROM musicbrainz.edit "
                           "WHERE editor = %s)", (editor,))
    query(settings.mb_dsn, "DELETE FROM musicbrainz.edit WHERE editor = %s", (editor,))
    query(settings.mb_dsn, "DELETE FROM musicbrainz.editor WHERE id = %s", (editor,))
    assert "This editor no longer exists in MusicBrainz." in card(page, report["id"])


def test_trusting_an_account_is_apart_from_not_spam_confirmed_and_can_be_undone(page, rt, settings):
    editor = add_active_spammer(settings, edits=0)
    service.scan_chunk(rt, "editor", [editor])
    [report] = [r for r in rt.store.reports.open() if r["entity_id"] == editor]
    sign_in(page, page.tokens["feedback"])
    block = card(page, report["id"])
    plain = block.split("<details class=\"trust\">")[0]
    assert 'value="ham-trust"' not in plain  # not beside "Spam" and "Not spam" ...
    assert re.search(r'<details class="trust"><summary>Not spam, and trust this account…</summary>.*'
                     r'<button class="trust" name="verdict" value="ham-trust"', block, re.S)  # ... but a step away
    done = page.post(f"/review/reports/{report['id']}/verdict",
                     data={"verdict": "ham-trust", "note": "  a real band, I checked  ", "csrf": csrf_of(block)})
    assert done.status_code == 303 and "trusted=1" in done.headers["Location"]
    assert query(settings.dsn, "SELECT verdict, note FROM verdict WHERE report_id = %s", (report["id"],)) == [
        ("ham", "a real band, I checked")]
    after = page.get(done.headers["Location"]).text
    assert "recorded as not spam, and its account is trusted" in after and 'id="undo-trust"' in after
    assert set(rt.store.verdicts.trusted_ids("editor", [editor])) == {editor}
    undo = page.post(f"/review/trusted/{editor}/revoke", data={"kind": "editor", "csrf": csrf_of(after)})
    assert undo.status_code == 303 and not rt.store.verdicts.trusted_ids("editor", [editor])


def test_the_sign_in_page_gives_a_command_that_works(page):
    from sb_worker.cli import _parser

    command = re.search(r"<code>(sb token create [^<]+)</code>", page.get("/review/signin").text).group(1)
    args = _parser().parse_args(command.replace("NAME", "someone").split()[1:])
    assert args.name == "someone" and args.scope == ["feedback"]


# -- campaigns judged together -------------------------------------------------------------------------------------
def add_campaign(settings, size: int = 4) -> list[int]:
    """``size`` accounts of one wave: cracked software on the same site, each with its own wording."""
    ids = []
    for n in range(size):
        bio = (f"Download {['Photoshop', 'Office', 'Windows 11', 'AutoCAD', 'FL Studio'][n % 5]} crack full version "
               f"free with keygen, serial key and activation code at https://bestcrackfree1.site/get/{n}")
        [(i,)] = query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, bio, password, ha1)
                                           VALUES (%s, %s, 'x', repeat('0', 32)) RETURNING id""", (f"crack{n}", bio))
        ids.append(i)
    return ids


def test_a_campaign_is_one_group_judged_in_one_action_member_by_member(page, rt, settings):
    wave = add_campaign(settings)
    service.scan_chunk(rt, "editor", wave)
    reports = {r["entity_id"]: r["id"] for r in rt.store.reports.open() if r["entity_id"] in wave}
    assert len(reports) == 4
    sign_in(page, page.tokens["feedback"])
    html = page.get("/review").text
    link = re.search(r'<a href="(/review\?campaign=domain:bestcrackfree1\.site)">4 open reports link to '
                     r'bestcrackfree1\.site</a>', html)
    assert link, html.split('id="campaigns"')[1][:1000] if 'id="campaigns"' in html else "no campaigns section"
    group = page.get(link.group(1)).text
    assert "Campaign: 4 open reports link to bestcrackfree1.site" in group
    members = [int(m) for m in re.findall(r'form="campaign-form" name="member" value="(\d+)" checked', group)]
    assert sorted(members) == sorted(reports.values()) and group.count("<article") == 4
    kept_out = reports[wave[-1]]  # a ninja unchecks one member
    done = page.post("/review/campaigns/verdict", data={"csrf": csrf_of(group), "verdict": "spam",
                                                        "note": "one wave", "member": [m for m in members if m != kept_out]})
    assert done.status_code == 303 and "judged=3" in done.headers["Location"]
    rows = query(settings.dsn, "SELECT report_id, verdict, ninja, note FROM verdict ORDER BY report_id")
    assert rows == [(m, "spam", "ninja feedback", "one wave") for m in sorted(members) if m != kept_out]
    assert "3 reports of the campaign recorded as spam." in page.get(done.headers["Location"]).text
    assert [r["id"] for r in rt.store.reports.open() if r["entity_id"] in wave] == [kept_out]
    refused = page.post("/review/campaigns/verdict", data={"csrf": csrf_of(group), "verdict": "spam"})
    assert refused.status_code == 400 and "check from 1 to 500 reports" in refused.text
    assert page.get("/review?campaign=evil%20key").status_code == 400


def shown_reports(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article id="report-(\d+)"', html)]


def test_search_by_domain_phone_text_name_kind_status_and_date(page, rt, settings):
    wave = add_campaign(settings, size=3)
    pills = add_active_spammer(settings, edits=0)
    service.scan_chunk(rt, "editor", [*wave, pills])
    by_entity = {r["entity_id"]: r["id"] for r in rt.store.reports.open()}
    sign_in(page, page.tokens["feedback"])
    search = lambda **q: page.get("/review", query_string=q)  # noqa: E731
    assert sorted(shown_reports(search(q="bestcrackfree1.site").text)) == sorted(by_entity[i] for i in wave)
    assert shown_reports(search(q="+447911123456").text) == [by_entity[pills]]  # the number as a reason names it
    assert shown_reports(search(q="VIAGRA").text) == [by_entity[pills]]  # a phrase, any case
    assert shown_reports(search(name="PILLSELL").text) == [by_entity[pills]]  # the name, asked of MusicBrainz
    assert shown_reports(search(name="pillsell", kind="edit").text) == []
    assert shown_reports(search(name="%").text) == []  # a LIKE wildcard is a character like any other
    today = dt.date.today()
    assert by_entity[pills] in shown_reports(search(q="viagra", since=today.isoformat()).text)
    assert shown_reports(search(q="viagra", until=(today - dt.timedelta(days=1)).isoformat()).text) == []
    html = search(q="viagra").text
    page.post(f"/review/reports/{by_entity[pills]}/verdict", data={"verdict": "spam", "csrf": csrf_of(html)})
    assert shown_reports(search(q="viagra").text) == []  # judged: no longer open ...
    judged = search(q="viagra", status="spam").text
    assert shown_reports(judged) == [by_entity[pills]] and "1 judged spam report" in judged  # ... but found
    assert by_entity[pills] in shown_reports(search(q="viagra", status="all").text)
    empty = search(q="no such thing anywhere").text
    assert "No open reports match this search." in empty and 'id="campaigns"' not in empty
    for bad, message in (({"status": "maybe"}, "unknown status"), ({"since": "yesterday"}, "since must be a date"),
                         ({"kind": "artist"}, "unknown kind"), ({"q": "x" * 201}, "q must be at most 200")):
        refused = search(**bad)
        assert refused.status_code == 400 and message in refused.text, bad


def test_pages_keep_the_search(page, rt, settings):
    add_campaign(settings, size=10)  # with the sample's own, more reports than one page shows
    service.scan_chunk(rt, "editor", [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor")])
    sign_in(page, page.tokens["feedback"])
    first = page.get("/review", query_string={"kind": "editor", "status": "open"}).text
    total = int(re.search(r'id="count">([\d,]+) open', first).group(1).replace(",", ""))
    assert total == len(rt.store.reports.open()) > 25  # more than a page
    next_link = re.search(r'<a href="([^"]+)" rel="next"[^>]*>', first).group(1).replace("&amp;", "&")
    assert "kind=editor" in next_link and "page=2" in next_link and "status" not in next_link  # open is the default
    second = page.get(next_link).text
    assert 'rel="prev"' in second and not set(shown_reports(first)) & set(shown_reports(second))


# -- the allow and block lists -------------------------------------------------------------------------------------
def test_admins_change_the_lists_on_a_page_that_keeps_who_when_and_why(page, rt, settings):
    sign_in(page, page.tokens["feedback"])
    shown = page.get("/review/lists").text
    assert "Changing the lists needs a token with the <code>admin</code> scope." in shown and 'id="add-entry"' not in shown
    refused = page.post("/review/lists", data={"csrf": csrf_of(page.get("/review").text), "list": "block",
                                               "what": "domain", "value": "x.ru"})
    assert refused.status_code == 403 and rt.store.lists.entries() == []
    admin = create_app(settings).test_client()
    sign_in(admin, add_token(rt.store, "reosarevok", ["admin"]))
    form = admin.get("/review/lists").text
    added = admin.post("/review/lists", data={"csrf": csrf_of(form), "list": "block", "what": "domain",
                                              "value": "https://BestCrackFree1.site/get", "reason": "cracks"})
    assert added.status_code == 303
    after = admin.get(added.headers["Location"]).text
    assert "Added bestcrackfree1.site to the block list." in after
    [entry] = rt.store.lists.entries()
    assert (entry.list, entry.what, entry.value, entry.added_by, entry.reason) == (
        "block", "domain", "bestcrackfree1.site", "reosarevok", "cracks")
    again = admin.post("/review/lists", data={"csrf": csrf_of(after), "list": "allow", "what": "domain",
                                              "value": "bestcrackfree1.site"})
    assert again.status_code == 400 and "domain bestcrackfree1.site is on the block list already" in again.text
    [entry_id] = [int(i) for i in re.findall(r'<tr id="entry-(\d+)">', after)]
    removed = admin.post(f"/review/lists/{entry_id}/remove", data={"csrf": csrf_of(after), "reason": "a mistake"})
    assert removed.status_code == 303 and rt.store.lists.entries() == []
    audit = admin.get("/review/lists").text.split('id="audit"')[1]
    assert re.search(r"reosarevok added domain <code>bestcrackfree1.site</code> to the block list: cracks;\s+"
                     r"\d{4}-\d\d-\d\d \d\d:\d\d UTC reosarevok removed it: a mistake", audit), audit


def test_a_ninja_undoes_their_own_verdict_and_neither_is_learned(page, rt, settings):
    wave = add_campaign(settings, size=2)
    service.scan_chunk(rt, "editor", wave)
    first, second = [r["id"] for r in rt.store.reports.open() if r["entity_id"] in wave]
    sign_in(page, page.tokens["feedback"])
    html = page.get("/review").text
    done = page.post(f"/review/reports/{first}/verdict", data={"verdict": "spam", "csrf": csrf_of(html)})
    after = page.get(done.headers["Location"]).text
    assert 'id="undo"' in after
    undone = page.post(f"/review/reports/{first}/undo", data={"csrf": csrf_of(after)})
    assert undone.status_code == 303
    assert "Your verdict on report" in page.get(undone.headers["Location"]).text
    assert query(settings.dsn, "SELECT status FROM report WHERE id = %s", (first,)) == [("open",)]
    events = query(settings.dsn, "SELECT verdict, applied_at IS NOT NULL FROM verdict WHERE report_id = %s ORDER BY id",
                   (first,))
    assert events == [("spam", True), ("undo", True)]  # both marked applied: the trainer learns neither
    assert rt.store.verdicts.unapplied() == [] and all(r["id"] != first for r in rt.store.verdicts.judged_reports())
    again = page.post(f"/review/reports/{first}/undo", data={"csrf": csrf_of(after)})
    assert again.status_code == 409 and "no verdict to undo" in again.text
    other = create_app(settings).test_client()  # another ninja cannot undo this one's verdict
    sign_in(other, add_token(rt.store, "another ninja", ["feedback"]))
    page.post(f"/review/reports/{second}/verdict", data={"verdict": "ham", "csrf": csrf_of(after)})
    refused = other.post(f"/review/reports/{second}/undo", data={"csrf": csrf_of(other.get("/review").text)})
    assert refused.status_code == 409 and "only the ninja who gave it can undo" in refused.text
    query(settings.dsn, "UPDATE verdict SET created_at = now() - interval '11 minutes' WHERE report_id = %s", (second,))
    late = page.post(f"/review/reports/{second}/undo", data={"csrf": csrf_of(after)})
    assert late.status_code == 409 and "only for 10 minutes" in late.text


def test_a_ninja_judges_a_campaign_undoes_one_searches_and_blocks_a_phrase_a_worker_applies(
        settings, rt, served, browser, start_worker, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from sb_worker import broker

    worker = start_worker(settings.replace(model_check_s=1), queues=("scan",), concurrency=1)
    wave = add_campaign(settings, size=4)
    service.scan_chunk(rt, "editor", wave)
    members = {r["id"] for r in rt.store.reports.open() if r["entity_id"] in wave}
    token = add_token(rt.store, "reosarevok", ["feedback", "admin"])

    sign_in_browser(browser, served, token)
    browser.save_screenshot(str(tmp_path / "list.png"))
    browser.find_element(By.LINK_TEXT, "4 open reports link to bestcrackfree1.site").click()
    wait_until(lambda: "campaign=" in browser.current_url, 10, "the campaign group")
    checked = browser.find_elements(By.CSS_SELECTOR, 'input[form="campaign-form"][name="member"]')
    assert {int(c.get_attribute("value")) for c in checked} == members and all(c.is_selected() for c in checked)
    browser.save_screenshot(str(tmp_path / "campaign.png"))
    browser.find_element(By.CSS_SELECTOR, "#campaign-form input[name=note]").send_keys("one cracked-software wave")
    browser.find_element(By.ID, "campaign-spam").click()
    wait_until(lambda: browser.find_elements(By.ID, "judged"), 10, "the campaign's verdicts")
    assert browser.find_element(By.ID, "judged").text == "4 reports of the campaign recorded as spam."

    search = browser.find_element(By.ID, "q")  # the judged members, found by their domain
    search.send_keys("bestcrackfree1.site")
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=status]")).select_by_value("spam")
    browser.find_element(By.CSS_SELECTOR, "#search button[type=submit]").click()
    wait_until(lambda: "q=bestcrackfree1.site" in browser.current_url, 10, "the search")
    found = browser.find_elements(By.TAG_NAME, "article")
    assert {int(a.get_attribute("id").removeprefix("report-")) for a in found} == members
    undone = int(found[0].get_attribute("id").removeprefix("report-"))
    found[0].find_element(By.CSS_SELECTOR, "button.undo").click()
    wait_until(lambda: browser.find_elements(By.ID, "undone"), 10, "the undo")
    assert query(settings.dsn, "SELECT status FROM report WHERE id = %s", (undone,)) == [("open",)]
    verdicts = query(settings.dsn, "SELECT report_id, verdict, note FROM verdict ORDER BY id")
    assert sorted(r for r, v, n in verdicts if v == "spam" and n == "one cracked-software wave") == sorted(members)
    assert [(r, v) for r, v, _ in verdicts if v == "undo"] == [(undone, "undo")]

    browser.find_element(By.ID, "lists").click()
    wait_until(lambda: browser.current_url.endswith("/review/lists"), 10, "the lists page")
    Select(browser.find_element(By.ID, "entry-what")).select_by_value("phrase")
    browser.find_element(By.ID, "entry-value").send_keys("TuneShareHub invite code")
    browser.find_element(By.ID, "entry-reason").send_keys("fake mix pages")
    browser.find_element(By.ID, "entry-add").click()
    wait_until(lambda: browser.find_elements(By.ID, "done"), 10, "the entry to be added")
    assert "Added tunesharehub invite code to the block list." in browser.find_element(By.ID, "done").text
    browser.save_screenshot(str(tmp_path / "lists.png"))

    [(editor,)] = query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, bio, password, ha1) VALUES
        ('djmixes', 'I share my DJ mixes every Friday. Ask me for the tunesharehub invite code', 'x', repeat('0', 32))
        RETURNING id""")
    time.sleep(1.5)  # past the worker's SB_MODEL_CHECK_S
    broker.publish_scan(settings, [editor], [])
    wait_until(lambda: query(settings.dsn, "SELECT 1 FROM report WHERE entity_id = %s AND reasons @> %s",
                             (editor, json.dumps([{"detector": "ninja_lists"}]))), 60, "the worker to apply the list")
    assert worker.process.poll() is None and "Warm shutdown" not in worker.log()  # the same worker, never restarted
    browser.get(f"{served}/review?q=tunesharehub")
    card = browser.find_element(By.TAG_NAME, "article")
    assert "on the ninjas' block list: phrase 'tunesharehub invite code'" in card.text
    assert card.find_element(By.TAG_NAME, "mark").text == "tunesharehub invite code"
    browser.save_screenshot(str(tmp_path / "card.png"))
    browser.get(f"{served}/review/score")
    browser.find_element(By.ID, "score-bio").send_keys("Cheap viagra online, call +44 7911 123456")
    browser.find_element(By.ID, "score-submit").click()
    wait_until(lambda: browser.find_elements(By.ID, "score-result"), 30, "the scorer's answer")
    browser.save_screenshot(str(tmp_path / "scorer.png"))
    assert browser.find_element(By.CSS_SELECTOR, "#score-result mark").text.lower() == "viagra"


def test_each_ninjas_history_and_how_often_two_ninjas_agree(page, rt, settings):
    wave = add_campaign(settings, size=3)
    service.scan_chunk(rt, "editor", wave)
    one, two, three = [r["id"] for r in rt.store.reports.open() if r["entity_id"] in wave]
    for report, ninja, verdict in ((one, "ana", "spam"), (one, "ben", "ham"), (two, "ana", "spam"),
                                   (two, "ben", "spam"), (three, "ana", "spam")):
        rt.store.verdicts.add(report, verdict, ninja, "")
    sign_in(page, page.tokens["feedback"])
    shown = page.get("/review/ninjas").text
    rows = re.findall(r'<tr><td><a href="[^"]+">(\w+)</a></td><td>(\d+)</td><td>(\d+)</td>\s*<td>(\d+)</td><td>[^<]+</td>'
                      r'\s*<td class="agreement">([^<]+)</td>', shown)
    assert rows == [("ana", "3", "0", "0", "50% of 2"), ("ben", "1", "1", "0", "50% of 2")]
    history = page.get("/review/ninjas?ninja=ben").text.split('id="history"')[1]
    assert history.count("<li>") == 2 and f"report {one}</a>" in history and "<strong>not spam</strong>" in history


def test_a_claim_tells_other_ninjas_someone_is_looking_and_ends_with_the_verdict_or_its_time(page, rt, settings):
    wave = add_campaign(settings, size=1)
    service.scan_chunk(rt, "editor", wave)
    [report] = [r["id"] for r in rt.store.reports.open() if r["entity_id"] in wave]
    sign_in(page, page.tokens["feedback"])
    html = page.get("/review").text
    claimed = page.post(f"/review/reports/{report}/claim", data={"csrf": csrf_of(html)})
    assert claimed.status_code == 303
    mine = card(page, report)
    assert re.search(r'<span class="claimed mine">yours until \d\d:\d\d UTC</span>', mine)
    other = create_app(settings).test_client()
    sign_in(other, add_token(rt.store, "ben", ["feedback"]))
    theirs = card(other, report)
    assert re.search(r"ninja feedback is looking at this until \d\d:\d\d UTC", theirs) and "I'm looking at this" not in theirs
    taken = other.post(f"/review/reports/{report}/claim", data={"csrf": csrf_of(other.get("/review").text)})
    assert taken.status_code == 409 and "another ninja is looking at it" in taken.text
    query(settings.dsn, "UPDATE report SET claimed_until = now() - interval '1 second' WHERE id = %s", (report,))
    assert "I'm looking at this" in card(other, report)  # the claim timed out
    page.post(f"/review/reports/{report}/claim", data={"csrf": csrf_of(html)})
    page.post(f"/review/reports/{report}/verdict", data={"verdict": "spam", "csrf": csrf_of(html)})
    assert query(settings.dsn, "SELECT claimed_by FROM report WHERE id = %s", (report,)) == [(None,)]  # the verdict ends it


def test_the_first_report_is_judged_from_the_keyboard_without_a_script(page, rt, settings):
    add_campaign(settings, size=10)
    service.scan_chunk(rt, "editor", [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor")])
    sign_in(page, page.tokens["feedback"])
    html = page.get("/review").text
    first, *rest = html.split("<article")[1:]
    for key in ("s", "n", "e", "o"):
        assert f'accesskey="{key}"' in first and all(f'accesskey="{key}"' not in r.split("</article>")[0] for r in rest)
    assert 'rel="next" accesskey="j"' in html and "<script" not in html.lower()
    assert 'rel="prev" accesskey="k"' in page.get("/review?page=2").text


NEAR_COPY = ("Best online casino with free spins and a huge jackpot bonus every single day for all new players who "
             "join our club tonight and win real money fast")


def test_near_copies_of_one_text_are_a_campaign_without_a_shared_link(page, rt, settings):
    bios = [NEAR_COPY, NEAR_COPY.replace("tonight", "today"), NEAR_COPY + " now"]
    ids = [query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, bio, password, ha1)
                                     VALUES (%s, %s, 'x', repeat('0', 32)) RETURNING id""", (f"lucky{n}", bio))[0][0]
           for n, bio in enumerate(bios)]
    service.scan_chunk(rt, "editor", ids)
    reports = sorted(r["id"] for r in rt.store.reports.open() if r["entity_id"] in ids)
    assert len(reports) == 3
    sign_in(page, page.tokens["feedback"])
    link = re.search(r'<a href="(/review\?campaign=text:\d+)">3 open reports have near-identical text</a>',
                     page.get("/review").text)
    assert link and link.group(1).endswith(f"text:{reports[0]}")  # named after its first report
    group = page.get(link.group(1)).text
    assert "Campaign: 3 open reports have near-identical text" in group
    assert sorted(int(m) for m in re.findall(r'name="member" value="(\d+)" checked', group)) == reports
    assert page.get("/review?campaign=text:999999").text.count("<article") == 0
