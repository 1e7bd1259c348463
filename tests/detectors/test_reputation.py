from detectors.base import Features
from detectors.campaigns import Campaigns
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
        (Features("editor", 2, website_domain="bandcamp.com", text_domains=("pills.com",)), False),
    ])
    assert table.domains == {"bandcamp.com": (0, 1), "pills.com": (1, 1)} and table.email_domains == {"yopmail.com": (1, 0)}
    assert len(table.spam_simhashes) == 1 and Reputation.from_json(table.to_json()) == table


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
