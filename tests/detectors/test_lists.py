"""The ninjas' allow and block lists as a detector (pure, fast)."""

import pytest

from detectors.base import Features, Match
from detectors.lists import ListEntry, NinjaLists, clean_value

LISTS = [ListEntry("block", "domain", "bestcrackfree1.site", "reo", "a cracked-software wave"),
         ListEntry("block", "phrase", "activation key generator", "reo"),
         ListEntry("block", "email_domain", "spamhub.example", "reo"),
         ListEntry("allow", "domain", "bandcamp.com", "reo", "musicians' own pages")]


def editor(**fields) -> Features:
    return Features("editor", 1, **fields)


def test_a_blocked_domain_counts_for_spam_with_its_subdomains_and_names_itself():
    detector = NinjaLists(lists=LISTS).fit()
    [verdict] = detector.score([editor(hosts=("dl.bestcrackfree1.site",), text_domains=("bestcrackfree1.site",))])
    assert verdict.points == 60 and verdict.reasons == ("on the ninjas' block list: domain bestcrackfree1.site",)
    assert verdict.evidence == (Match("links", "bestcrackfree1.site"),)
    [other] = detector.score([editor(hosts=("notbestcrackfree1.site",), text_domains=("notbestcrackfree1.site",))])
    assert other.points == 0 and not other.reasons  # a lookalike is not a subdomain


def test_phrases_email_providers_and_the_allow_list():
    detector = NinjaLists(lists=LISTS).fit()
    phrase, mail, honest, both = detector.score([
        editor(skeleton="free activation key generator here"),
        editor(email_domain="spamhub.example"),
        editor(hosts=("someband.bandcamp.com",), website_domain="bandcamp.com"),
        editor(skeleton="activation key generator", website_domain="bandcamp.com")])
    assert phrase.points == 60 and phrase.evidence == (Match("text", "activation key generator"),)
    assert mail.points == 60 and mail.reasons == ("on the ninjas' block list: email provider spamhub.example",)
    assert mail.evidence == ()  # an email address is never shown; the reason names only its domain
    assert honest.points == -40 and honest.reasons == ("on the ninjas' allow list: domain bandcamp.com",)
    assert both.points == 20 and len(both.reasons) == 2


def test_empty_lists_give_nothing():
    [verdict] = NinjaLists().fit().score([editor(skeleton="activation key generator", hosts=("bandcamp.com",))])
    assert verdict.points == 0 and verdict.reasons == () and verdict.evidence == ()


@pytest.mark.parametrize("what, raw, cleaned", [
    ("domain", "https://WWW.Example.RU/path?x=1", "www.example.ru"), ("domain", ".example.ru.", "example.ru"),
    ("email_domain", "someone@SpamHub.example", "spamhub.example"), ("phrase", "  Free   SPINS ", "free spins")])
def test_values_are_stored_as_they_are_matched(what, raw, cleaned):
    assert clean_value(what, raw) == cleaned


@pytest.mark.parametrize("what, raw, message", [
    ("domain", "localhost", "must be a domain such as example.ru"), ("domain", "a b.com", "must be a domain"),
    ("domain", "x" * 300 + ".com", "must be a domain"), ("phrase", "ab", "3 to 200 characters"),
    ("colour", "red", "what must be one of domain, phrase, email_domain")])
def test_bad_values_are_refused_naming_what_is_wrong(what, raw, message):
    with pytest.raises(ValueError, match=message):
        clean_value(what, raw)
