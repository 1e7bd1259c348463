import pytest

from sb_worker.scoring.contacts import email_domains_in, messengers_in, phones_in
from sb_worker.scoring.text import normalise


@pytest.mark.parametrize("text, phones", [
    ("Call +91 98765 43210 now", ("+919876543210",)),
    ("call 9 8 7 6 5 4 3 2 1 0 today", ("+919876543210",)),
    ("HP printer support 1-800-555-0199 toll free", ("+18005550199",)),
    ("Released in 1994, 2003 and 2011.", ()),
    ("barcode 5099902988016, ISBN 978-3-16-148410-0", ()),
])
def test_phone_numbers(text, phones):
    assert phones_in(normalise(text).skeleton) == phones


def test_messengers_and_email_domains():
    norm = normalise("WhatsApp: +44 7700 900123, telegram @cryptoking100. Or write to bob@Gmail.com")
    assert messengers_in(norm.clean) == ("whatsapp +447700900123", "telegram @cryptoking100")
    assert email_domains_in(norm.clean) == ("gmail.com",)
    assert messengers_in(normalise("I use Skype and Telegram").clean) == ()


def test_an_address_at_a_domain_reserved_for_examples_is_no_contact():
    text = "e.g. name@example.com, a@mail.example.org, b@host.test, but write to me@exampleshop.com"
    assert email_domains_in(normalise(text).clean) == ("exampleshop.com",)


def test_a_word_after_an_apps_name_is_not_a_handle_but_a_marked_one_is():
    assert messengers_in(normalise("Spotify, Uber and Snapchat will attend; ask on Skype later.").clean) == ()
    assert messengers_in(normalise("kik: pander26, snapchat melissa_x, telegram @hotmelissa, skype: lola").clean) == \
        ("kik pander26", "snapchat melissa_x", "telegram @hotmelissa", "skype lola")
