import pytest

from sb_worker.errors import BadInput
from sb_worker.features import extract, host_of, urls_in


def test_editor_features_from_an_mb_shaped_record():
    f = extract("editor", {
        "id": 42, "name": "x", "privs": 8192 | 4096, "website": " https://www.Shop.example/a ",
        "bio": "Cheap pills at https://pills.example/buy, and www.more.example.",
        "counts": {"edits": 0, "accepted_edits": 0}, "unknown_key": [1, 2],
    })
    assert f.entity_id == 42 and f.kind == "editor"
    assert f.website == "https://www.Shop.example/a" and f.website_domain == "shop.example"
    assert f.text_urls == ("https://pills.example/buy", "www.more.example")
    assert f.text_domains == ("more.example", "pills.example")
    assert f.is_beginner is True and f.edit_count == 0


def test_missing_keys_mean_unknown():
    f = extract("editor", {"id": 1})
    assert (f.text, f.website, f.is_beginner, f.edit_count) == ("", "", None, None)


@pytest.mark.parametrize("record, message", [
    ({"bio": "x"}, "field 'id' is missing"),
    ({"id": "7"}, "field 'id' must be an integer, got str"),
    ({"id": True}, "field 'id' must be an integer, got bool"),
    ({"id": 1, "bio": 12}, "field 'bio' must be a string, got int"),
    ({"id": 1, "privs": "8192"}, "field 'privs' must be an integer, got str"),
    ({"id": 1, "counts": [1]}, "field 'counts' must be an object, got list"),
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
        "data": {"name": "Best Escorts https://esc.example", "new": {"comment": "call now"}},
        "notes": [{"text": "see www.notes.example"}, {"text": None}],
        "urls": ["https://rel.example/"],
        "editor_record": {"id": 5, "privs": 8192, "counts": {"edits": 3}},
    })
    assert "Best Escorts" in f.text and "call now" in f.text and "see www.notes.example" in f.text
    assert f.text_domains == ("esc.example", "notes.example")
    assert f.added_urls == ("https://rel.example/",)
    assert f.is_beginner is True and f.edit_count == 3


def test_unknown_kind():
    with pytest.raises(BadInput, match="unknown kind 'user'"):
        extract("user", {"id": 1})


def test_host_and_urls_helpers_survive_odd_input():
    assert host_of("http://[::1") == ""
    assert host_of("www.Example.com/path") == "example.com"
    assert urls_in("(see https://a.example/x).") == ("https://a.example/x",)
