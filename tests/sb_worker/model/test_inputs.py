"""What the network reads of a record: links to music sites are left to the link detectors."""

from __future__ import annotations

from sb_worker.model.inputs import META, PAYLOAD_META, meta_row, network_text
from sb_worker.scoring.features import extract


def editor(bio: str, website: str = "") -> dict:
    return {"id": 1, "name": "lowtides", "bio": bio, "website": website}


def payload(features) -> dict[str, float]:
    return dict(zip(PAYLOAD_META, meta_row(features)[:len(PAYLOAD_META)]))


def test_links_to_music_sites_are_not_read_as_words_or_counted_as_links():
    f = extract("editor", editor("Our band page: https://www.facebook.com/thelowtides and our records at "
                                 "https://lowtides.bandcamp.com/music", website="https://soundcloud.com/lowtides"))
    assert network_text(f) == "our band page: and our records at"
    assert payload(f)["own_text_links"] == 0 and payload(f)["own_website"] == 0.0


def test_a_link_to_a_site_of_its_own_is_read_and_counted():
    f = extract("editor", editor("Cheap essays, order now at https://best-essays-online.com/order or on "
                                 "https://www.youtube.com/@essays", website="https://best-essays-online.com"))
    assert network_text(f) == "cheap essays, order now at https://best-essays-online.com/order or on"
    assert payload(f)["own_text_links"] == 1 and payload(f)["own_website"] == 1.0


def test_text_without_music_site_links_is_read_as_it_is():
    f = extract("editor", editor("I collect old records and add them here: www.kettle-records.org"))
    assert network_text(f) is f.skeleton
    assert payload(f)["own_text_links"] == 1
    assert len(meta_row(f)) == len(META)
