"""Each detector on records built in the test: the points it gives and the words it says."""

from detectors.account import AccountProfile
from detectors.base import Features, Match
from detectors.contacts import ContactDetails
from detectors.edits import EditContent
from detectors.email import EmailProvider, machine_made
from detectors.links import DomainReputation, LinkReputation
from detectors.reputation import Reputation
from detectors.text_rules import DisguisedText, SmokeDetectorKeywords, SpamPhrases
from sb_worker.scoring.features import extract


def editor(**fields) -> Features:
    return Features("editor", 1, **fields)


def test_spam_phrases_name_the_family_and_the_matched_words():
    [v] = SpamPhrases().fit().score([editor(skeleton="buy cheap essays, plagiarism free, and payday loans")])
    assert v.points == 30 + 12 * 2
    assert v.reasons == ("essays: 'buy cheap essays', 'plagiarism free'", "loans: 'payday loans'")


def test_smokedetector_keywords_name_the_list_entry():
    [v] = SmokeDetectorKeywords().fit().score([editor(skeleton="vip call girls in town")])
    assert v.points == 25 and v.reasons[0].startswith("keyword /call\\W?girls?/ matched 'call girls'")


def test_disguised_text_counts_each_kind_of_disguise():
    [v] = DisguisedText().score([editor(disguises=("homoglyph", "invisible", "leetspeak"))])
    assert v.points == 40 and len(v.reasons) == 2


def test_contact_details():
    [v] = ContactDetails().score([editor(phones=("+919876543210", "+18005550199"), messengers=("telegram @x",),
                                         text_email_domains=("gmail.com",))])
    assert v.points == 20 + 5 + 20 + 8
    assert v.reasons == ("phone numbers +919876543210, +18005550199", "messenger contact telegram @x",
                         "email address in the text (at gmail.com)")


def test_link_reputation_reads_where_links_lead():
    listed, short, hosted, words = LinkReputation().fit().score([
        editor(website="https://powerigfaustralia.com", website_domain="powerigfaustralia.com"),
        editor(text_urls=("https://bit.ly/x",), hosts=("bit.ly",)),
        editor(text_urls=("https://me.blogspot.com",), hosts=("me.blogspot.com",), free_hosts=("me.blogspot.com",)),
        editor(website="https://shop.com/cheap-viagra", website_domain="shop.com"),
    ])
    assert listed.points == 30 and "SmokeDetector lists the site" in listed.reasons[0]
    assert short.reasons == ("links through URL shortener bit.ly",)
    assert hosted.reasons == ("links to free hosting me.blogspot.com",)
    assert words.reasons == ("advertising words in the link: viagra",)


def test_domain_reputation_is_what_verdicts_taught():
    reputation = Reputation(domains={"bestdeals.com": (9, 0), "kettle-records.org": (0, 40)},
                            email_domains={"spammail.net": (20, 1)})
    bad, good, email, unknown = DomainReputation(reputation=reputation).score([
        editor(website="https://bestdeals.com", website_domain="bestdeals.com"),
        editor(text_urls=("https://kettle-records.org",), text_domains=("kettle-records.org",)),
        editor(email_domain="spammail.net"),
        editor(website="https://new.org", website_domain="new.org", email_domain="gmail.com"),
    ])
    assert bad.points == 30 and bad.reasons == ("domain known from confirmed spam: bestdeals.com (95% of 9 accounts)",)
    assert good.points == -10 and good.reasons == ("links to sites known from honest accounts: kettle-records.org",)
    assert email.points == 15 and "spammail.net is used mostly by spam" in email.reasons[0]
    assert unknown.points == 0


def test_email_provider_never_shows_the_address():
    [v] = EmailProvider().fit().score([editor(email_domain="yopmail.com", email_local="xk7q2zp9w4")])
    assert v.points == 30 and "xk7q2zp9w4" not in " ".join(v.reasons)  # 20 disposable + 10 machine-made
    assert v.reasons == ("disposable email provider yopmail.com", "email address looks machine-made")


def test_machine_made_local_parts():
    assert machine_made("xk7q2zp9w4") and machine_made("bcdfghjkl")
    assert not machine_made("anna.schmidt") and not machine_made("jonas1987") and not machine_made("kai")


def test_account_profile_reads_behaviour_both_ways():
    spammy, honest = AccountProfile().fit().score([
        editor(text="bio", hours_to_update=0.5, edit_count=0, hours_to_confirm=0.1, gender_set=True, area_set=False,
               name="bestessays2024"),
        editor(accepted_edit_count=250, vote_count=30, area_set=True, name="anna"),
    ])
    assert spammy.points == 8 + 4 + 5 + 3 and "name ends in a run of digits" in spammy.reasons
    assert honest.points == -25 - 8 - 10 and honest.reasons[0] == "established editor (250 accepted edits)"


def test_edit_content():
    wrong, advert, fine = EditContent().score([
        Features("edit", 1, link_types=(718,), added_domains=("cheap-pills.com",)),
        Features("edit", 2, edit_type=1, skeleton="best escorts in delhi call now for the best rates tonight ok",
                 phones=("+919876543210",)),
        Features("edit", 3, edit_type=1, skeleton="the beatles"),
    ])
    assert wrong.reasons == ("a bandcamp.com relationship that links to cheap-pills.com",)
    assert wrong.evidence == (Match("links", "cheap-pills.com"),)
    assert advert.points == 20 and advert.reasons[0].startswith("new entity named like an advert")
    assert fine.points == 0


def test_an_entity_named_with_a_contact_is_an_advert_but_a_source_cited_in_the_edit_note_is_not():
    def created(name: str, note: str) -> Features:
        return extract("edit", {"id": 1, "type": 1, "data": {"name": name}, "notes": [{"text": note}]})

    phone, link, cited = EditContent().score([
        created("Loans 24h call +91 82497 98617", "new artist"),
        created("Cheap Pills at bestpharma24.online", "new artist"),
        created("Static Tomas", "Release date from the catalogue: https://www.discogs.com/release/1893860 "
                                "or call the label on +44 20 7946 0958"),
    ])
    assert phone.points == link.points == 20 and phone.evidence == (Match("text", "loans 24h call +91 82497 98617"),)
    assert cited.points == 0 and cited.reasons == ()  # an honest editor citing a source, not an advert
