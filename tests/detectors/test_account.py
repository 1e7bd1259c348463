from detectors.account import BeginnerProfile
from detectors.base import Features


def test_beginner_with_bio_or_website_is_mbs_own_signal():
    d = BeginnerProfile(points=15, no_edits=5)
    with_bio, with_site, both_no_edits, veteran, empty = d.score([
        Features("editor", 1, text="hello", is_beginner=True, edit_count=3),
        Features("editor", 2, website="https://x.example", is_beginner=True, edit_count=1),
        Features("editor", 3, text="hello", website="https://x.example", is_beginner=True, edit_count=0),
        Features("editor", 4, text="hello", website="https://x.example", is_beginner=False, edit_count=0),
        Features("editor", 5, is_beginner=True, edit_count=0),
    ])
    assert (with_bio.points, with_site.points, both_no_edits.points) == (15, 15, 20)
    assert with_bio.reasons == ("beginner account with a bio",)
    assert both_no_edits.reasons == ("beginner account with a bio and a website and no edits at all",)
    assert veteran.points == 0 and empty.points == 0


def test_an_edits_text_is_not_a_bio():
    [v] = BeginnerProfile().score([Features("edit", 1, text="Tracklist from the booklet.", is_beginner=True)])
    assert v.points == 0
