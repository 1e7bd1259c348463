import pytest

from sb_worker.text import MAX_CHARS, fold_confusables, normalise


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
