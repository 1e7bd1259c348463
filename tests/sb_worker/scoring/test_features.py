import pytest

from sb_worker.errors import BadInput
from sb_worker.scoring.features import extract
from sb_worker.scoring.urls import host_of, urls_in


def test_editor_features_from_an_mb_shaped_record():
    f = extract("editor", {
        "id": 42, "name": "x", "privs": 8192 | 4096, "website": " https://www.Shop.co.uk/a ",
        "bio": "Cheap pills at https://pills.com/buy, www.more.net and cheap-meds.in/order; me@mail.ru",
        "email": "Some.One@GMX.de", "gender": 1, "area": None, "member_since": "2024-01-01T00:00:00+00:00",
        "last_updated": "2024-01-01T01:30:00Z", "email_confirm_date": "2024-01-01T00:06:00",
        "counts": {"edits": 0, "accepted_edits": 0, "votes": 2}, "unknown_key": [1, 2],
    })
    assert f.entity_id == 42 and f.kind == "editor" and f.name == "x"
    assert f.website == "https://www.Shop.co.uk/a" and f.website_domain == "shop.co.uk"
    assert f.text_urls == ("https://pills.com/buy", "www.more.net", "cheap-meds.in/order")
    assert f.text_domains == ("cheap-meds.in", "more.net", "pills.com")
    assert f.hosts == ("pills.com", "more.net", "cheap-meds.in", "shop.co.uk")
    assert f.text_email_domains == ("mail.ru",) and f.email_domain == "gmx.de" and f.email_local == "Some.One"
    assert f.is_beginner is True and f.edit_count == 0 and f.vote_count == 2
    assert (f.gender_set, f.area_set, f.birth_date_set) == (True, False, None)
    assert f.hours_to_update == 1.5 and f.hours_to_confirm == 0.1


def test_missing_keys_mean_unknown():
    f = extract("editor", {"id": 1})
    assert (f.text, f.website, f.is_beginner, f.edit_count, f.hours_to_update) == ("", "", None, None, None)


@pytest.mark.parametrize("record, message", [
    ({"bio": "x"}, "field 'id' is missing"),
    ({"id": "7"}, "field 'id' must be an integer, got str"),
    ({"id": True}, "field 'id' must be an integer, got bool"),
    ({"id": 1, "bio": 12}, "field 'bio' must be a string, got int"),
    ({"id": 1, "privs": "8192"}, "field 'privs' must be an integer, got str"),
    ({"id": 1, "counts": [1]}, "field 'counts' must be an object, got list"),
    ({"id": 1, "member_since": "yesterday"}, "field 'member_since' is not an ISO 8601 timestamp: 'yesterday'"),
    ({"id": 1, "last_updated": 5}, "field 'last_updated' must be an ISO 8601 timestamp, got int"),
])
def test_wrong_types_name_the_field(record, message):
    with pytest.raises(BadInput, match=message):
        extract("editor", record)


def test_not_an_object():
    with pytest.raises(BadInput, match="a record must be a JSON object, got list"):
        extract("editor", [1])


def test_lone_surrogates_are_replaced_so_the_text_can_be_stored():
    f = extract("editor", {"id": 1, "bio": "bad \ud800 text"})
    f.text.encode("utf-8")  # would raise on a lone surrogate
    assert f.text == "bad ? text"


def test_edit_features_read_names_annotation_text_notes_and_added_urls():
    f = extract("edit", {
        "id": 9, "editor": 5, "type": 90,
        "data": {"name": "Best Escorts https://esc.com", "new": {"comment": "call now"}, "link_type": {"id": 718}},
        "notes": [{"text": "see www.notes.org"}, {"text": None}],
        "urls": ["https://rel.blogspot.com/"],
        "editor_record": {"id": 5, "name": "ed", "privs": 8192, "counts": {"edits": 3}, "website": "https://x.com"},
    })
    assert "Best Escorts" in f.text and "call now" in f.text and "see www.notes.org" in f.text
    assert f.text_domains == ("esc.com", "notes.org") and f.website == ""  # the editor's website is not the edit's
    assert f.added_urls == ("https://rel.blogspot.com/",) and f.added_domains == ("rel.blogspot.com",)
    assert f.free_hosts == ("rel.blogspot.com",) and f.link_types == (718,) and f.edit_type == 90
    assert f.is_beginner is True and f.edit_count == 3 and f.name == "ed"


def test_unknown_kind():
    with pytest.raises(BadInput, match="unknown kind 'user'"):
        extract("user", {"id": 1})


def test_disguised_text_is_normalised_and_the_disguise_recorded():
    f = extract("editor", {"id": 1, "bio": "Cаll g\u200birls, WhatsApp +91 98765 43210, visit hot-girls [dot] in"})
    assert "call girls" in f.skeleton and {"homoglyph", "invisible"} <= set(f.disguises)
    assert f.phones == ("+919876543210",) and f.text_domains == ("hot-girls.in",)
    assert f.text.startswith("Cаll")  # the original is kept for display


def test_host_and_urls_helpers_survive_odd_input():
    assert host_of("http://[::1") == ""
    assert host_of("www.Example.com/path") == "example.com"
    assert urls_in("(see https://a.com/x).") == ("https://a.com/x",)
    assert urls_in("e.g. node.js, U.S.A., mail me@x.com") == ()


def test_a_bare_name_of_one_letter_is_an_abbreviation_unless_a_path_follows():
    assert urls_in("Född omkring år 50 f.Kr. och död 20 e.Kr. i Rom") == ()  # Swedish: BC and AD, not Korea
    assert urls_in("Nato, U.S.A. og 1.it") == ()
    assert urls_in("see t.co/x7Yq2 and cheapessays.com, or shop.example.co.uk") == (
        "t.co/x7Yq2", "cheapessays.com", "shop.example.co.uk")


def test_names_in_code_are_not_links_but_links_in_code_and_domains_between_backticks_are():
    code = "```\nclass Node:\n    def __init__(self, data):\n        self.data = data\n```\nand `users.name = 1`"
    assert urls_in(code) == ()
    assert urls_in(code + " at cheapessays.com") == ("cheapessays.com",)
    assert urls_in("run `fetch('https://spam.example.com/x')`") == ("https://spam.example.com/x",)
    assert urls_in("```cheapessays.com``` or `buy-essays.net`") == ("cheapessays.com", "buy-essays.net")
