"""Who a byline line names (``coverage.seed.names``), in any script: plain functions, no database."""

import pytest

from coverage.seed.names import looks_like_name, split_byline


@pytest.mark.parametrize(
    "line",
    [
        "J. K. Rowling",
        "Ursula von der Leyen",
        "Bashar al-Assad",
        "Иван Нечепуренко",
        "Ілля Ґрищенко",
        "Ольга ДеСантис",
        "Γιώργος Παπαδόπουλος",
        "محمد عبد الله",
        "مُحَمَّد عَلِي",  # Arabic with its vowel marks
        "דוד כהן",
        "א. ב. יהושע",
        "王小明",
        "唐纳德·特朗普",
        "山田太郎",
    ],
)
def test_names_in_every_script_look_like_names(line):
    assert looks_like_name(line)


@pytest.mark.parametrize(
    "line",
    [
        "The Kremlin",  # a heading word
        "Anna",  # one word alone is a name only when the document knows it
        "NATO Summit",  # all capitals
        "Переговоры продолжаются второй день.",  # a sentence
        "محمد عبد الله يصل إلى القاهرة",  # "to": a sentence
        "الساعة ١٠",  # Arabic-Indic digits
        "王小明说。",  # a full stop
        "王小明表示会议将持续",  # too long for a name written without spaces
        "最新进展",  # a heading of Chinese live pages
        "山田太郎が到着",  # a particle between kanji
        "王",  # one character
    ],
)
def test_headings_and_sentences_in_every_script_do_not(line):
    assert not looks_like_name(line)


@pytest.mark.parametrize(
    ("line", "known", "authors"),
    [
        ("Anton TroianovskiNataliya Vasilyeva", set(), ["Anton Troianovski", "Nataliya Vasilyeva"]),
        ("Kevin McCarthy", set(), ["Kevin McCarthy"]),
        ("Kevin McCarthyRon DeSantis", set(), ["Kevin McCarthy", "Ron DeSantis"]),
        ("Mo FarahSam Lee", {"Mo Farah"}, ["Mo Farah", "Sam Lee"]),
        ("Anna FieldAnna Field", set(), ["Anna Field"]),
        # Cyrillic capitals mark the cut as Latin ones do; a Cyrillic “Mac” does not.
        ("Иван НечепуренкоАнна Смирнова", set(), ["Иван Нечепуренко", "Анна Смирнова"]),
        ("Ольга МакКартни", set(), ["Ольга МакКартни"]),
        # Without capitals only the names the document knows settle it.
        ("王小明李华", {"王小明", "李华"}, ["王小明", "李华"]),
        ("王小明李华", set(), ["王小明李华"]),
        ("محمد عبد اللهليلى حداد", {"محمد عبد الله", "ليلى حداد"}, ["محمد عبد الله", "ليلى حداد"]),
        ("王小明Иван Нечепуренко", {"王小明", "Иван Нечепуренко"}, ["王小明", "Иван Нечепуренко"]),
    ],
)
def test_split_byline(line, known, authors):
    assert split_byline(line, known) == authors
