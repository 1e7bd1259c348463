from detectors.base import Features
from detectors.campaigns import Campaigns
from detectors.links import DomainReputation
from detectors.reputation import Reputation, build_reputation, simhash
from sb_worker.scoring.text import normalise

SPAM_BIO = ("Hot and sexy escorts available in Delhi all night, call our agency for VIP call girls, "
            "college girls and models, incall and outcall service at the best rates in the city")


def test_simhash_is_close_for_near_copies_and_far_for_other_texts():
    a = simhash(normalise(SPAM_BIO).skeleton)
    b = simhash(normalise(SPAM_BIO.replace("night", "night long")).skeleton)
    c = simhash(normalise("I collect jazz records from the sixties and add their tracklists and credits here").skeleton)
    assert (a ^ b).bit_count() <= 8 and (a ^ c).bit_count() > 16
    assert simhash("too short") is None


def test_reputation_counts_and_round_trips():
    table = build_reputation([
        (Features("editor", 1, website_domain="pills.com", email_domain="yopmail.com", skeleton=SPAM_BIO), True),
        (Features("editor", 2, website_domain="kettle-records.org", text_domains=("pills.com",)), False),
    ])
    assert table.domains == {"kettle-records.org": (0, 1), "pills.com": (1, 1)}
    assert table.email_domains == {"yopmail.com": (1, 0)}
    assert len(table.spam_simhashes) == 1 and Reputation.from_json(table.to_json()) == table


def test_sites_where_anyone_has_a_page_are_never_rated():
    """YouTube comments that link Facebook pages once made facebook.com "known from confirmed spam" (98% of 27), and
    an honest bassist linking his own page scored 100. Tables built before the rule lose such domains when loaded."""
    spam = [(Features("editor", i, website_domain="facebook.com", text_domains=("facebook.com", "pills.com"),
                      skeleton=SPAM_BIO), True) for i in range(27)]
    table = build_reputation(spam)
    assert table.domains == {"pills.com": (27, 0)}
    old = '{"domains": {"facebook.com": [27, 0], "bandcamp.com": [0, 78], "pills.com": [27, 0]}, ' \
          '"email_domains": {}, "spam_simhashes": []}'
    assert Reputation.from_json(old).domains == {"pills.com": (27, 0)}
    bassist = Features("editor", 99, website="https://www.facebook.com/sessionbassmike", website_domain="facebook.com",
                       skeleton="bass player session musician credits on 40 albums")
    assert DomainReputation(reputation=table).score([bassist])[0].points == 0
    assert Campaigns(reputation=table).fit().score([bassist])[0].points == 0


def test_campaigns_recognise_the_next_account_of_a_wave():
    table = build_reputation([(Features("editor", 1, skeleton=normalise(SPAM_BIO).skeleton,
                                        website_domain="hot-escorts.in"), True)])
    detector = Campaigns(reputation=table).fit()
    copy, other = detector.score([
        Features("editor", 2, skeleton=normalise(SPAM_BIO.replace("best", "very best")).skeleton),
        Features("editor", 3, skeleton="i collect jazz records and add tracklists from the sleeves of my copies",
                 website_domain="hot-escorts.in"),
    ])
    assert copy.points == 35 and "near-copy of known spam" in copy.reasons[0]
    assert other.points == 25 and other.reasons == ("website on hot-escorts.in, a domain of confirmed spam accounts",)
