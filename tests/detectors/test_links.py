from detectors.base import Features
from detectors.links import TextLinks


def editor(**fields) -> Features:
    return Features(kind="editor", entity_id=1, **fields)


def test_links_in_the_bio_score_more_with_each_link_up_to_a_cap():
    d = TextLinks(first_link=20, each_more=8, most=50, website=10).fit()
    one, three, many = d.score([
        editor(text_urls=("https://a.example",), text_url_domains=("a.example",)),
        editor(text_urls=("https://a.example", "https://b.example", "https://c.example"),
               text_url_domains=("a.example", "b.example", "c.example")),
        editor(text_urls=tuple(f"https://x{i}.example" for i in range(20)),
               text_url_domains=tuple(f"x{i}.example" for i in range(20))),
    ])
    assert (one.points, three.points, many.points) == (20, 36, 50)
    assert one.reasons == ("1 link in the bio (a.example)",)
    assert three.reasons == ("3 links in the bio (a.example, b.example, c.example)",)
    assert many.reasons[0].startswith("20 links in the bio (x0.example, x1.example") and many.reasons[0].endswith(", …)")


def test_the_website_is_named_in_the_reason():
    [v] = TextLinks().fit().score([editor(website="https://www.shop.example/buy", website_domain="shop.example")])
    assert v.points == 10
    assert v.reasons == ("website set (shop.example)",)


def test_an_edit_says_edit_text():
    [v] = TextLinks().fit().score([Features(kind="edit", entity_id=9, text_urls=("https://a.example/x",))])
    assert v.reasons == ("1 link in the edit text (https://a.example/x)",)


def test_links_to_music_platforms_are_not_evidence():
    [v] = TextLinks().fit().score([editor(text_urls=("https://kettle.bandcamp.com", "https://pills.com"),
                                    text_url_domains=("bandcamp.com", "pills.com"),
                                    website="https://soundcloud.com/kettle", website_domain="soundcloud.com")])
    assert v.points == 20 and v.reasons == ("1 link in the bio (pills.com)",)


def test_no_links_no_points():
    [v] = TextLinks().fit().score([editor(text="I collect jazz records.")])
    assert v.points == 0 and v.reasons == ()
