import unicodedata

import pytest

from sb_worker.scoring.text import MAX_CHARS, fold_confusables, fold_disguised, normalise


@pytest.mark.parametrize("text, skeleton, disguise", [
    ("Hot ｅｓｃｏｒｔｓ in Delhi", "hot escorts in delhi", "fullwidth-or-math"),
    ("𝐛𝐮𝐲 𝐯𝐢𝐚𝐠𝐫𝐚", "buy viagra", "fullwidth-or-math"),
    ("е\u200bscоrt sеrvicе", "escort service", "invisible"),
    ("Вuy сhеар еssауs", "buy cheap essays", "homoglyph"),
    ("e s c o r t s near you", "escorts near you", "spaced-letters"),
    ("3sc0rt5 and v1agr@", "escorts and viagra", "leetspeak"),
])
def test_disguises_are_undone_and_named(text, skeleton, disguise):
    result = normalise(text)
    assert result.skeleton == skeleton and disguise in result.disguises


def test_an_exclamation_is_punctuation_and_a_letter_only_inside_a_word():
    assert normalise("Thanks for listening! New songs soon!!").skeleton == "thanks for listening! new songs soon!!"
    assert normalise("Thanks for listening! New songs soon!!").disguises == ()
    disguised = normalise("FR33 v!agra now!")
    assert (disguised.skeleton, disguised.disguises) == ("free viagra now!", ("leetspeak",))


def test_accents_are_folded_without_calling_them_a_disguise():
    assert normalise("éscört sérvïcé").skeleton == "escort service"
    assert normalise("Ich höre gern Schallplatten").disguises == ()


def test_obfuscated_links_and_addresses_are_rebuilt_in_the_clean_text():
    clean = normalise("visit cheap-pills [dot] com or write to sales (at) pills.com").clean
    assert "cheap-pills.com" in clean and "sales@pills.com" in clean


def test_honest_text_in_other_scripts_is_not_a_disguise():
    for text in ("Люблю джаз", "喜欢音乐，专辑。", "به موسیقی علاقه\u200cمندم", "Συλλέγω δίσκους", "hello\ufeff", "don\x92t"):
        assert normalise(text).disguises == (), text


def test_confusables_come_from_unicode_data():
    assert fold_confusables("аеорсху") == "aeopcxy"  # Cyrillic
    assert fold_confusables("Αο") == "ao"  # Greek capital alpha, small omicron


def test_only_the_first_characters_are_read():
    assert len(normalise("x" * (MAX_CHARS + 10)).skeleton) == MAX_CHARS


# Honest phrases in 25 scripts (SpamBrainz's own): each word is wholly in its script, so it is read as itself.
HONEST_SCRIPTS = {
    "Cyrillic": "Я собираю старые пластинки и добавляю их сюда",
    "Greek": "Ελληνική μουσική: συλλέγω παλιούς δίσκους",
    "Armenian": "Ես հին ձայնապնակներ եմ հավաքում",
    "Georgian": "ვაგროვებ ძველ ფირფიტებს",
    "Hebrew": "אני אוסף תקליטים ישנים",
    "Arabic": "أجمع الأسطوانات القديمة وأضيفها هنا",
    "Persian (Arabic)": "من صفحه‌های قدیمی جمع می‌کنم",
    "Ethiopic": "የድሮ ሸክላዎችን እሰበስባለሁ",
    "Devanagari": "मैं पुराने रिकॉर्ड इकट्ठा करता हूँ",
    "Bengali": "আমি পুরনো রেকর্ড সংগ্রহ করি",
    "Gujarati": "હું જૂની રેકોર્ડ ભેગી કરું છું",
    "Gurmukhi": "ਮੈਂ ਪੁਰਾਣੇ ਰਿਕਾਰਡ ਇਕੱਠੇ ਕਰਦਾ ਹਾਂ",
    "Tamil": "நான் பழைய இசைத்தட்டுகளை சேகரிக்கிறேன்",
    "Telugu": "నేను పాత రికార్డులు సేకరిస్తాను",
    "Kannada": "ನಾನು ಹಳೆಯ ದಾಖಲೆಗಳನ್ನು ಸಂಗ್ರಹಿಸುತ್ತೇನೆ",
    "Malayalam": "ഞാൻ പഴയ റെക്കോർഡുകൾ ശേഖരിക്കുന്നു",
    "Sinhala": "මම පැරණි වාර්තා එකතු කරමි",
    "Thai": "ฉันสะสมแผ่นเสียงเก่าและเพิ่มข้อมูลไว้ที่นี่",
    "Lao": "ຂ້ອຍເກັບແຜ່ນສຽງເກົ່າ",
    "Khmer": "ខ្ញុំប្រមូលថាសចាស់ៗ",
    "Myanmar": "ကျွန်တော် ဓာတ်ပြားဟောင်းများ စုဆောင်းသည်",
    "Tibetan": "ང་ལ་རོལ་མོ་དགའ།",
    "Han": "我收集老唱片并把它们添加到这里。",
    "Hiragana and Katakana": "ふるいレコードをあつめています",
    "Hangul": "오래된 음반을 모으고 여기에 추가하고 있습니다",
    "Cherokee": "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ",
}


@pytest.mark.parametrize("script", sorted(HONEST_SCRIPTS))
def test_honest_text_in_every_script_comes_through_unchanged_apart_from_case(script):
    text = HONEST_SCRIPTS[script]
    result = normalise(text)
    assert result.skeleton == unicodedata.normalize("NFKC", text).casefold()
    assert result.disguises == ()


def test_latin_text_only_loses_its_accents():
    assert normalise("Col·lecciono discos antics; Ich höre Schallplatten").skeleton == \
        "col·lecciono discos antics; ich hore schallplatten"


@pytest.mark.parametrize("text, skeleton", [
    ("Best саsіnо bonus", "best casino bonus"),          # Cyrillic letters inside Latin words
    ("cаsino online", "casino online"),                  # one lone Cyrillic letter in a Latin word
    ("free ѕріnѕ today", "free spins today"),
    ("Cheap ѕео backlinks and more", "cheap seo backlinks and more"),  # a word wholly of look-alikes amid Latin
    ("Вuy Vιagra now", "buy viagra now"),               # Greek iota in a Latin word
])
def test_look_alike_letters_that_disguise_a_word_are_folded(text, skeleton):
    result = normalise(text)
    assert result.skeleton == skeleton and "homoglyph" in result.disguises


def test_a_word_of_look_alikes_in_its_own_scripts_text_is_read_as_itself():
    # "сео" (Cyrillic) in a Russian sentence is Russian, not a disguised "ceo"
    result = normalise("Лучшие сео услуги в городе")
    assert result.skeleton == "лучшие сео услуги в городе" and result.disguises == ()


def test_one_latin_letter_slipped_into_a_word_of_another_script_is_a_slip_and_two_words_a_disguise():
    slip = "Конечно, сказала его жена Алисa, доступ к Wi-Fi важен."  # a Latin "a" typed in a Russian name
    assert normalise(slip).skeleton == slip.casefold() and normalise(slip).disguises == ()
    assert normalise("Купить кaзинo oнлайн").disguises == ("mixed-script", "homoglyph")  # two: a pattern
    assert normalise("Я люблю Вuy стиль").disguises == ("mixed-script", "homoglyph")  # folds to a Latin word


def test_only_words_around_the_rarer_scripts_letters_are_looked_at_and_symbols_are_not_letters():
    # Amid Cyrillic, a Latin word is a word; a word mixing both is the disguise (found from its Latin letters).
    assert fold_disguised("Я люблю Beatles и Вuy стиль") == ("Я люблю Beatles и buy стиль", True, True)
    # A symbol of the Greek script (U+1D216) between Latin words joins no word, so nothing is mixed.
    assert fold_disguised("too much\U0001d216i have") == ("too much\U0001d216i have", False, False)
    # Amid Latin, a word wholly of look-alikes is folded (ΑΒΕ), one with a letter that imitates nothing is Greek.
    assert fold_disguised("Greek ΑΒΕ and ΑΒΓ") == ("Greek abe and ΑΒΓ", False, True)


def test_locate_maps_every_skeleton_character_back_to_what_was_written():
    from sb_worker.scoring.located import locate

    written = "Best саsіno ｆｒｅｅ spins: c4sino [dot] com, e s c o r t s, fr\u200bee"
    located = locate(written)
    skeleton = located.skeleton.text
    assert skeleton == normalise(written).skeleton
    for start, found, expected in [(skeleton.index("casino"), "casino", "саsіno"), (skeleton.index("free"), "free", "ｆｒｅｅ"),
                                   (skeleton.index("casino.com"), "casino.com", "c4sino [dot] com"),
                                   (skeleton.index("escorts"), "escorts", "e s c o r t s"),
                                   (skeleton.rindex("free"), "free", "fr\u200bee")]:
        a, b = located.span("skeleton", start, start + len(found))
        assert written[a:b] == expected, found


def test_locate_maps_a_long_text_back_word_by_word_with_each_accent_kept_with_its_letter():
    from sb_worker.scoring.located import locate

    # A long text where a few words change (NFKC, accents) amid many that do not, some of them with marks of
    # their own script (Thai, Hindi) and one mark standing after a space: each word found in the skeleton maps
    # back to exactly the word as written, its combining accents included.
    filler = "honest words about records and the bands who made them " * 40
    written = (filler + "Cafe\u0301 ｆｒｅｅ ภาษาไทย " + filler + "naïve हिन्दी \u0301x ﬁne " + filler + "RÉSUMÉ")
    located = locate(written)
    skeleton = located.skeleton.text
    assert skeleton == normalise(written).skeleton
    for found, expected in [("cafe", "Cafe\u0301"), ("free", "ｆｒｅｅ"), ("ภาษาไทย", "ภาษาไทย"), ("naive", "naïve"),
                            ("हिन्दी", "हिन्दी"), ("fine", "ﬁne"), ("resume", "RÉSUMÉ"), ("bands", "bands")]:
        start = skeleton.index(found)
        a, b = located.span("skeleton", start, start + len(found))
        assert written[a:b] == expected, found
    start = skeleton.rindex("bands")
    assert written[slice(*located.span("skeleton", start, start + 5))] == "bands"


def test_every_character_locate_does_not_look_at_comes_through_its_rewrites_as_it_was():
    # locate rewrites only the runs that hold a character its patterns name and keeps the rest as it is: right
    # only if no other code point, alone, is changed by the rewrite (NFKC; then Latin accents stripped).
    import unicodedata

    from sb_worker.scoring.located import _MAY_CHANGE_NFKC, _MAY_CHANGE_UNMARKED
    from sb_worker.scoring.text import strip_latin_marks

    for pattern, rewrite in ((_MAY_CHANGE_NFKC, lambda s: unicodedata.normalize("NFKC", s)),
                             (_MAY_CHANGE_UNMARKED, strip_latin_marks)):
        kept = [c for c in map(chr, range(0x110000)) if not 0xD800 <= ord(c) <= 0xDFFF and not pattern.match(c)]
        assert len(kept) > 1_000_000 and [c for c in kept if rewrite(c) != c or unicodedata.combining(c)] == []


def test_locate_gives_every_text_of_the_corpus_the_skeleton_normalise_gives():
    from sb_worker.model.corpus import labelled
    from sb_worker.scoring.located import locate

    texts = [r["bio"] for r in labelled("test") if r.get("bio")]
    assert len(texts) > 1000 and all(locate(t) is not None for t in texts)  # None when the skeletons differ


def test_the_disguises_normalise_undid_are_found_where_they_stand():
    from sb_worker.scoring.located import disguised, locate

    written = "Best саsіno tonight, fr\u200bee b o n u s, ｆｒｅｅ credits. Я люблю джаз."
    located = locate(written)
    assert set(normalise(written).disguises) >= {"homoglyph", "invisible", "spaced-letters", "fullwidth-or-math"}

    def shown(kind: str) -> list[str]:
        return [written[a:b] for a, b in disguised(located, kind)]

    assert shown("homoglyph") == ["саsіno"]  # the Russian words are Russian, not a disguise
    assert shown("invisible") == ["fr\u200bee"]
    assert shown("spaced-letters") == ["b o n u s"]
    assert shown("fullwidth-or-math") == ["ｆｒｅｅ"]
