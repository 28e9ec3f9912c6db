"""The seed parser on bylines in any script: Cyrillic, Greek, Arabic, Hebrew, Chinese, Japanese.

Plain functions, no database: ``parse`` reads text into plain data (a database
access here would fail the test, pytest-django allowing none without the
``django_db`` mark). The whole document in other scripts going through the
``seed`` command and onto every page is in ``tests/test_scripts.py``.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage import markup
from coverage.seed.parse import parse


def document(*blocks, title, slug, lead):
    return "\n\n".join([title, slug, lead, *blocks]) + "\n"


# Per script: two names, a headline (no closing punctuation), a paragraph, and a paragraph
# that begins with the first name. Scripts without capitals include names without spaces.
SCRIPTS = {
    "cyrillic": (
        ["Иван Нечепуренко", "Анна-Мария Смирнова"],
        "Делегации прибыли в Каир",
        "Переговоры продолжаются второй день.",
        "Иван Нечепуренко сообщил, что встреча продлится до вечера.",
    ),
    "greek": (
        ["Γιώργος Παπαδόπουλος", "Ελένη Κωνσταντίνου"],
        "Οι αντιπροσωπείες έφτασαν στο Κάιρο",
        "Οι συνομιλίες συνεχίζονται;",
        "Γιώργος Παπαδόπουλος είπε ότι η συνάντηση θα διαρκέσει.",
    ),
    "arabic": (
        ["محمد عبد الله", "ليلى بنت أحمد الحداد"],
        "وصول الوفود إلى القاهرة",
        "تستمر المحادثات لليوم الثاني.",
        "محمد عبد الله قال إن الاجتماع سيستمر حتى المساء؟",
    ),
    "hebrew": (
        ["דוד כהן", "א. ב. יהושע"],
        "המשלחות הגיעו לקהיר",
        "השיחות נמשכות זה היום השני.",
        "דוד כהן אמר שהפגישה תימשך עד הערב.",
    ),
    "chinese": (
        ["王小明", "唐纳德·特朗普"],
        "谈判代表团抵达开罗",
        "会谈进入第二天。",
        "王小明表示，会议将持续到晚上！",
    ),
    "japanese": (
        ["山田太郎", "佐藤 花子"],
        "代表団がカイロに到着",
        "協議は二日目に入った。",
        "山田太郎氏は、会議は夜まで続くと述べた。",
    ),
}


def script_document(script, *, lead=None):
    (first, second), headline, paragraph, about_first = SCRIPTS[script]
    return document(
        paragraph,
        first,
        headline,
        paragraph,
        about_first,
        second,
        paragraph,
        first,
        "#TBT",
        title=f"Live {script}",
        slug=f"live-{script}",
        lead=lead or second,
    )


@pytest.mark.parametrize("script", SCRIPTS)
def test_bylines_in_every_script_open_updates(script):
    (first, second), headline, paragraph, about_first = SCRIPTS[script]
    doc = parse(script_document(script), f"{script}.txt")
    assert doc.lead_author == second
    assert [update.authors for update in doc.updates] == [[first], [second], [first]]
    assert [update.headline for update in doc.updates] == [headline, "", ""]
    newest = doc.updates[0]
    assert [markup.unescape(block) for block in newest.text.blocks] == [paragraph, about_first]
    assert doc.updates[2].text.blocks == ["\\#TBT"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_lead_author_in_any_script_is_accepted(script):
    (first, _), *_ = SCRIPTS[script]
    assert parse(script_document(script, lead=first), f"{script}.txt").lead_author == first


def test_arabic_and_chinese_bylines_are_not_swallowed_by_the_update_before():
    doc = document(
        "Summary paragraph.",
        "Lead Writer",
        "Newest update text.",
        "محمد عبد الله",
        "نص التحديث باللغة العربية.",
        "王小明",
        "这是中文的更新。",
        "Иван Нечепуренко",
        "Текст обновления.",
        "Lead Writer",
        "Oldest update.",
        title="Talks in Cairo",
        slug="talks-in-cairo",
        lead="Lead Writer",
    )
    updates = parse(doc, "issue.txt").updates
    assert [update.authors for update in updates] == [
        ["Lead Writer"],
        ["محمد عبد الله"],
        ["王小明"],
        ["Иван Нечепуренко"],
        ["Lead Writer"],
    ]
    assert [update.text.blocks for update in updates][1:3] == [
        ["نص التحديث باللغة العربية."],
        ["这是中文的更新。"],
    ]


def test_paragraphs_that_begin_with_a_name_in_any_script_are_not_bylines():
    doc = document(
        "Summary.",
        "דוד כהן",
        "Body.",
        "דוד כהן הגיע לקהיר",  # a known name and more words, no punctuation: a paragraph
        "王小明抵达开罗",  # a name and more characters
        "山田太郎が到着",  # a Japanese particle between kanji: a sentence
        "محمد عبد الله يصل إلى القاهرة",  # "to": a sentence
        "最新进展",  # a heading
        "More.",
        "王小明",
        "Last.",
        title="T",
        slug="t",
        lead="王小明",
    )
    updates = parse(doc, "t.txt").updates
    assert [update.authors for update in updates] == [["דוד כהן"], ["王小明"]]
    assert len(updates[0].text.blocks) == 7


def test_names_without_capitals_run_together_are_split_by_the_names_the_document_knows():
    doc = document(
        "Summary.",
        "王小明李华",
        "Together.",
        "محمد عبد اللهليلى حداد",
        "Together too.",
        "王小明Иван Нечепуренко",  # two scripts: no capital marks the cut
        "Across scripts.",
        "Иван Нечепуренко",
        "Alone in Cyrillic.",
        "李华",
        "Alone.",
        "ليلى حداد",
        "Alone too.",
        "محمد عبد الله",
        "Alone as well.",
        title="T",
        slug="t",
        lead="王小明",
    )
    doc = parse(doc, "t.txt")
    # The lead and the later bylines name each of them alone.
    assert [update.authors for update in doc.updates][:3] == [
        ["王小明", "李华"],
        ["محمد عبد الله", "ليلى حداد"],
        ["王小明", "Иван Нечепуренко"],
    ]


def test_an_uncased_name_named_twice_is_a_byline_even_after_an_unfinished_line():
    doc = document(
        "Summary.",
        "محمد عبد الله",
        "#TBT",
        "ليلى حداد",
        "Body.",
        "ليلى حداد",
        "Again.",
        title="T",
        slug="t",
        lead="Lead Writer",
    )
    assert [update.authors for update in parse(doc, "t.txt").updates] == [
        ["محمد عبد الله"],
        ["ليلى حداد"],
        ["ليلى حداد"],
    ]


# A document of updates in every script, newest first, as hypothesis draws it.
ALL_NAMES = [name for names, *_ in SCRIPTS.values() for name in names]


@st.composite
def documents_in_every_script(draw):
    updates = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(SCRIPTS)),  # the byline's script
                st.integers(0, 1),  # which name
                st.booleans(),  # a headline
                st.lists(st.sampled_from(sorted(SCRIPTS)), min_size=1, max_size=3),  # paragraphs
                st.booleans(),  # an image after the first paragraph
                st.booleans(),  # a list at the end
            ),
            min_size=1,
            max_size=12,
        )
    )
    blocks, expected = [SCRIPTS[draw(st.sampled_from(sorted(SCRIPTS)))][2]], []
    for script, which, headline, paragraphs, image, bullets in updates:
        names, title, *_ = SCRIPTS[script]
        blocks.append(names[which])
        if headline:
            blocks.append(title)
        for index, paragraph_script in enumerate(paragraphs):
            _, _, paragraph, about_name = SCRIPTS[paragraph_script]
            blocks.append(about_name if index % 2 else paragraph)
            if image and index == 0:
                blocks += ["Image", f"{SCRIPTS[paragraph_script][1]}Credit…{names[1 - which]}"]
        if bullets:
            blocks += ["Что известно:", "  • первое.\n  • 第二。"]
        expected.append(([names[which]], title if headline else ""))
    return document(*blocks, title="Live", slug="live", lead="Lead Writer"), expected


@settings(deadline=None)
@given(documents_in_every_script())
def test_documents_in_every_script_parse_into_their_updates(drawn):
    text, expected = drawn
    doc = parse(text, "drawn.txt")
    assert [(update.authors, update.headline) for update in doc.updates] == expected


def test_a_whole_update_in_cyrillic_arabic_names_with_vowel_marks_and_chinese_names_run_together():
    """Run-together Cyrillic names cut at the capital; a headline, a picture credited in Cyrillic
    and a contributor line in the same update; Arabic with its vowel marks; Chinese names run
    together, settled by the bylines that name each of them alone."""
    doc = document(
        "Сводка.",
        "Иван НечепуренкоАнна Смирнова",
        "Делегации прибыли в Каир",
        "Переговоры продолжаются.",
        "Image",
        "Подпись к фото.Credit…Мария Иванова/ТАСС",
        "Мария Иванова contributed reporting.",
        "مُحَمَّد عَلِي",
        "نص التحديث.",
        "الساعة ١٠",  # after a finished paragraph, but digits: a paragraph, not a byline
        "المزيد.",
        "王小明李华",
        "两位记者的更新。",
        "王小明",
        "这是中文的更新。",
        "李华",
        "更新。",
        title="Переговоры",
        slug="переговоры",
        lead="Ольга Петрова",
    )
    updates = parse(doc, "mixed.txt").updates
    assert [update.authors for update in updates] == [
        ["Иван Нечепуренко", "Анна Смирнова"],
        ["مُحَمَّد عَلِي"],
        ["王小明", "李华"],
        ["王小明"],
        ["李华"],
    ]
    first = updates[0]
    assert (first.headline, first.contributor_line) == (
        "Делегации прибыли в Каир",
        "Мария Иванова contributed reporting.",
    )
    assert first.text.blocks == ["Переговоры продолжаются."]
    assert [(i.caption, i.credit, i.position) for i in first.text.images] == [
        ("Подпись к фото.", "Мария Иванова/ТАСС", 1)
    ]
    assert [markup.unescape(block) for block in updates[1].text.blocks] == [
        "نص التحديث.",
        "الساعة ١٠",
        "المزيد.",
    ]
    assert updates[1].headline == ""
    assert [update.text.blocks for update in updates[2:]] == [
        ["两位记者的更新。"],
        ["这是中文的更新。"],
        ["更新。"],
    ]
