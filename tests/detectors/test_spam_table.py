"""The table that guards every detector change: real spam, real honest text, and spam in every disguise."""

from __future__ import annotations

import pytest

from sb_worker.model.corpus import text_records
from sb_worker.scoring.pipeline import Score, build_pipeline
from sb_worker.settings import Settings

REVIEW = Settings().review_threshold


@pytest.fixture(scope="module", params=["weights", "model"])
def pipeline(request):
    """Each test runs on the weights alone and on the default trained model, as ``sb score`` scores."""
    if request.param == "weights":
        return build_pipeline(cache_dir=Settings().cache_dir)
    from sb_worker.model.neural import NeuralModel

    return build_pipeline(cache_dir=Settings().cache_dir,
                          model=NeuralModel.load(request.getfixturevalue("default_model")))


def score(pipeline, bio: str, **fields) -> Score:
    [result] = pipeline.score("editor", [{"id": 1, "bio": bio, **fields}])
    assert isinstance(result, Score)
    return result


# One advert per family of MusicBrainz spam, as spammers write them, and the text a ninja should see matched.
ADVERTS = [
    ("Hot and sexy escorts in Delhi, VIP call girls available tonight", "call girls"),
    ("Best essay writing service: buy cheap essays online, plagiarism free", "cheap essays"),
    ("Buy viagra online without prescription, overnight delivery", "without prescription"),
    ("Instant payday loans with no credit check, apply today", "no credit check"),
    ("Work from home and make money online: earn $500 per day with our system", "make money online"),
    ("Dear friend, you are the next of kin to a dormant account of our late client; reply to claim it", "next of kin"),
    ("Professional hackers for hire: we recover hacked Instagram accounts and passwords", "hackers for hire"),
    ("Watch the latest movies online free in HD, no sign up needed", "movies online free"),
    ("Swiss replica watches and designer handbags, AAA quality, worldwide shipping", "replica watches"),
    ("Buy weed and MDMA online, stealth shipping to every country", "buy weed"),
    ("Play at the best online casino, free spins and a welcome bonus", "online casino"),
    ("Photoshop crack download with keygen and serial key, full version free", "keygen"),
    ("Get your ex back with black magic from a famous astrologer", "black magic"),
    ("Buy instagram followers and cheap likes at the best smm panel", "smm panel"),
]

# Adverts in other languages and scripts, as MusicBrainz gets them (written for these tests, unlike the generator's
# own adverts in sb_worker/data/bios.tsv), and the text a ninja should see matched.
ADVERTS_ABROAD = [
    ("Хотите купить диплом о высшем образовании недорого? Доставка по всей России", "купить диплом"),
    ("Zuverlässiger Schlüsseldienst in Berlin, 24 Stunden Notdienst, faire Preise", "Schlüsseldienst"),
    ("Nhà cái uy tín hàng đầu Việt Nam, cá cược bóng đá mỗi ngày", "Nhà cái uy tín"),
    ("Bocoran RTP tertinggi hari ini, pola maxwin setiap hari", "Bocoran RTP"),
    ("Canlı bahis siteleri ve deneme bonusu veren siteler listesi", "Canlı bahis"),
    ("최고의 토토사이트 추천, 검증 완료", "토토사이트"),
    ("شركة تنظيف بالرياض مع الضمان، اتصل الآن للحصول على أفضل الأسعار", "شركة تنظيف"),
    ("专业代写论文，价格优惠，欢迎咨询", "代写论文"),
    ("Préstamos rápidos sin aval, aprobación en 24 horas", "Préstamos rápidos"),
    ("Накрутка подписчиков и лайков в Инстаграм недорого", "Накрутка подписчиков"),
    ("บาคาร่าออนไลน์ ฝากถอนไม่มีขั้นต่ำ", "บาคาร่า"),
    ("Packers and movers in Bangalore at the best price", "Packers and movers"),
]


@pytest.mark.parametrize("advert, word", ADVERTS_ABROAD)
def test_adverts_in_other_languages_and_scripts_are_reported_naming_what_matched(pipeline, advert, word):
    result = score(pipeline, advert)
    assert result.score >= REVIEW
    [rule] = [r for r in result.reasons if r.detector == "spam_phrases"]
    assert any(e["text"].casefold() == word.casefold() for e in rule.evidence), rule.evidence


HOMOGLYPH = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "i": "і"})


def zero_width(text: str) -> str:
    return "\u200b".join(text)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def math_bold(text: str) -> str:
    return "".join(chr(0x1D41A + ord(c) - 97) if "a" <= c <= "z" else c for c in text)


def spaced(text: str, word: str) -> str:
    longest = max(word.split(), key=len)  # spammers spell out their trigger words, not "no" or "at"
    return text.replace(longest, " ".join(longest))


def leet(text: str) -> str:
    return text.translate(str.maketrans({"e": "3", "o": "0", "i": "1", "a": "4"}))


def accents(text: str) -> str:
    return text.translate(str.maketrans({"a": "á", "e": "é", "o": "ö", "i": "ï", "u": "ü"}))


DISGUISES = {
    "homoglyphs": lambda text, word: text.translate(HOMOGLYPH),
    "zero-width": lambda text, word: text.replace(word, zero_width(word)),
    "fullwidth": lambda text, word: fullwidth(text),
    "mathematical": lambda text, word: math_bold(text.lower()),
    "spacing": spaced,
    "leetspeak": lambda text, word: text.replace(word, leet(word)),
    "accents": lambda text, word: accents(text),
}


@pytest.mark.parametrize("advert, word", ADVERTS)
def test_plain_adverts_are_reported_naming_what_matched(pipeline, advert, word):
    result = score(pipeline, advert)
    assert result.score >= REVIEW
    assert any(word in reason.why for reason in result.reasons), result.reasons


@pytest.mark.parametrize("disguise", DISGUISES)
@pytest.mark.parametrize("advert, word", ADVERTS)
def test_a_disguised_advert_scores_like_the_plain_one_and_shows_the_normalised_match(pipeline, advert, word, disguise):
    plain = score(pipeline, advert)
    disguised = score(pipeline, DISGUISES[disguise](advert, word))
    assert disguised.score >= plain.score - 5, (disguise, disguised.reasons)
    rules = [r for r in disguised.reasons if r.detector in ("spam_phrases", "smokedetector_keywords")]
    assert rules and any(word.split()[-1] in r.why for r in rules), disguised.reasons


HONEST = {
    "English": "I mostly add jazz releases from my own vinyl collection and fix credits from the sleeves.",
    "German": "Ich sammle Krautrock-Platten und ergänze fehlende Tracklisten, Labelcodes und Veröffentlichungsdaten.",
    "French": "Passionné de musique baroque, j'ajoute surtout des enregistrements d'orchestres de chambre.",
    "Spanish": "Me encanta el flamenco; añado lanzamientos de mi colección de CDs y corrijo las fechas.",
    "Russian": "Люблю советский джаз, добавляю релизы из своей коллекции пластинок фирмы «Мелодия».",
    "Greek": "Συλλέγω δίσκους ρεμπέτικου από τη δεκαετία του 1950 και προσθέτω τις πληροφορίες τους.",
    "Chinese": "喜欢华语流行音乐，主要添加自己收藏的专辑，ＣＤ和黑胶都有。",
    "Japanese": "シティポップが好きです。手持ちのＬＰとＣＤを登録しています。よろしく！",
    "Korean": "인디 음악을 좋아해서 제가 가진 음반의 트랙리스트를 추가합니다.",
    "Arabic": "أحب موسيقى الطرب القديمة وأضيف الألبومات من مجموعتي الخاصة.",
    "Hebrew": "אוהב רוק ישראלי משנות השמונים, מוסיף תקליטים מהאוסף שלי.",
    "Persian": "به موسیقی سنتی علاقه\u200cمندم و آلبوم\u200cهای مجموعه\u200cام را اضافه می\u200cکنم.",
    "Hindi": "मुझे हिंदुस्तानी शास्त्रीय संगीत पसंद है, मैं अपने संग्रह से एल्बम जोड़ता हूँ।",
    "Thai": "ชอบเพลงลูกทุ่งมาก เพิ่มอัลบั้มจากคอลเลกชันของตัวเอง",
    "Turkish": "Anadolu rock plaklarını topluyorum, eksik şarkı listelerini ve tarihleri ekliyorum.",
    "Vietnamese": "Tôi thích nhạc Trịnh Công Sơn và thêm các album trong bộ sưu tập của mình.",
    "Emoji": "Metalhead 🤘 from Finland 🇫🇮 👨\u200d👩\u200d👧 tagging everything with Picard",
    "Band with links": "My band's music is on https://kettle.bandcamp.com and https://soundcloud.com/kettle",
    # Honest sentences of the multilingual corpus that the weights reported: a Latin letter slipped into one
    # Russian word, an app named in a sentence, the Indonesian for "site" and "list".
    "Russian with a keyboard slip": "«Полное игнорирование состояния его здоровья», — сказала его жена Алисa.",
    "Snapchat named": "Leaders of companies such as Spotify, Tesla, Uber and Snapchat will attend a private event.",
    "Indonesian": "Situs web Sirkuit Yas Marina mencantumkan waktu persisnya, dan daftar saya sudah panjang.",
    # Words the rules for adverts in other languages must not take for one: "cả cuộc" (a whole life) is "ca cuoc"
    # without its marks, like "cá cược" (betting); Monte Cassino is a place.
    "Vietnamese, a whole life": "Tôi đã kể với đại tướng tất cả cuộc đời tôi, cả cuộc đời gắn với âm nhạc.",
    "Monte Cassino": "Our choir sings at the Monte Cassino memorial every May; the recordings are on our site.",
    # Honest lines of chatterbot-corpus (BSD) that were reported: a casino named, Korean words of one syllable, and
    # the zero-width spaces that Japanese text carries where a line may break (and Thai between its words).
    "A casino named": "Saw them live at the Casino de Paris in 1998, and at a casino in Reno a year later.",
    "Korean, words of one syllable": "저는 항상 누구보다 더 잘 할 수 있다고 생각합니다.",
    "Japanese with line-break hints": "私はもっ\u200b\u200bと頑張っています。機能的に言\u200b\u200bえば、私は不滅です。",
    "Thai with its word separators": "ชอบ\u200bเพลง\u200bลูกทุ่ง\u200bมาก เพิ่ม\u200bอัลบั้ม\u200bจาก\u200bคอลเลกชัน",
}


@pytest.mark.parametrize("language", HONEST)
def test_honest_bios_in_any_language_and_script_stay_unflagged(pipeline, language):
    result = score(pipeline, HONEST[language])
    assert result.score < REVIEW, result.reasons
    assert not any(r.detector in ("disguised_text", "contact_details", "spam_phrases") for r in result.reasons)


# Musicians and labels give an address for bookings and demos: a contact, not an advert.
@pytest.mark.parametrize("bio", [
    "DJ and producer. Bookings: booking@djmarco.de. Listen to my mixes on SoundCloud.",
    "Record label based in Berlin releasing techno and electro since 2009. Demos to demos@label-berlin.de",
])
def test_a_musicians_address_for_bookings_is_not_reported(pipeline, bio):
    assert score(pipeline, bio).score < REVIEW


def real(label: str, containing: str) -> str:
    """A text of the bundled YouTube or SMS collection (held-out split), found by a fragment of it."""
    [text] = [r["bio"] for r in text_records("test") + text_records("train")
              if r["label"] == label and containing in r["bio"]][:1]
    return text


@pytest.mark.parametrize("fragment", ["Subscribe to my channel", "Check out my channel", "CLAIM"])
def test_real_spam_from_the_bundled_collections_is_reported(pipeline, fragment):
    assert score(pipeline, real("spam", fragment)).score >= REVIEW


@pytest.mark.parametrize("fragment", ["Hey what happen de. Are you alright", "U won't get angry", "love this song"])
def test_real_honest_text_from_the_bundled_collections_is_not(pipeline, fragment):
    assert score(pipeline, real("ham", fragment)).score < REVIEW
