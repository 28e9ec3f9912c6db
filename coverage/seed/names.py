"""People's names in bylines, in any script.

A byline line holds one name or several run together (``Anton TroianovskiNataliya
Vasilyeva``). In scripts with capital letters (Latin, Cyrillic, Greek…) a name is
a few capitalised words. Arabic, Hebrew, Chinese, Japanese and Korean have no
capitals, and Chinese and Japanese names have no spaces: there a name is a short
line of letters of one script and the punctuation names use (hyphens, the middle
dots of transliterated names, the Hebrew geresh), with no digit, no sentence
punctuation (``。！？،؟؛`` included) and none of the small words sentences are
made of. Such a line is also what a short heading looks like, so the parser asks
more of it where it stands (see ``parse.parse``); names already known in the
document settle it.
"""

import itertools
import unicodedata

NAME_LENGTH = 200  # Author.name: a longer line is not a name

# After stripping closing quotes and brackets, a line ending in one of these is a sentence
# (see ``is_closing_punctuation`` for the marks of other scripts).
CLOSING_PUNCTUATION = ".!?…:;," + "。．！？，：；、" + "،؛؟۔" + "।॥"
CLOSING_QUOTES = "\"'”’»)]›」』》〉）】〕"
# Unicode names of the punctuation that ends or divides sentences, in every script:
# “GREEK QUESTION MARK”, “ARMENIAN FULL STOP”, “HALFWIDTH IDEOGRAPHIC FULL STOP”…
SENTENCE_MARK_NAMES = (
    "FULL STOP",
    "QUESTION MARK",
    "EXCLAMATION MARK",
    "COMMA",
    "COLON",
    "SEMICOLON",
    "DANDA",
)

# --- names in scripts with capital letters ---------------------------------------------

# Lower-case words that belong inside names (“Ursula von der Leyen”).
NAME_PARTICLES = {
    "al", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "do", "dos",
    "du", "e", "el", "ibn", "la", "le", "ten", "ter", "van", "von", "y", "zu",
}  # fmt: skip
# Capitalised words that start headings and short paragraphs but never names.
NOT_NAME_WORDS = {
    "a", "an", "and", "are", "at", "breaking", "by", "for", "from", "he", "her", "here",
    "his", "how", "i", "in", "is", "it", "its", "key", "latest", "live", "more", "news",
    "of", "on", "or", "our", "she", "summary", "that", "the", "their", "there", "they",
    "this", "to", "update", "updates", "was", "we", "what", "when", "where", "who",
    "why", "with", "you", "your",
}  # fmt: skip
# Pieces that begin a capitalised surname: “McCarthy”, “DeSantis”, “MacArthur”.
SURNAME_PREFIXES = {
    "mc",
    "mac",
    "de",
    "di",
    "da",
    "du",
    "la",
    "le",
    "van",
    "von",
    "o",
    "fitz",
    "st",
    "d",
    "l",
}
NAME_CHARACTERS = set("'’-‐.")
MAX_NAME_WORDS = 12

# --- names in scripts without capital letters -------------------------------------------

# Punctuation inside such names: hyphens and apostrophes, the middle dots between the parts
# of a transliterated name (Chinese ·, Japanese ・, ‧), the Hebrew maqaf and geresh, and the
# zero-width (non-)joiners of Persian and Indic spelling.
UNCASED_NAME_PUNCTUATION = set("-‐'’·・‧־׳״\u200c\u200d")
# Scripts whose names are written without spaces: a name is a few letters in a row.
UNSPACED_SCRIPTS = {"CJK", "HANGUL"}
UNSPACED_NAME_LETTERS = (2, 5)  # 王毅, 山田太郎, 长谷川博己; longer runs are words or phrases
UNSPACED_PART_LETTERS = 10  # a part of a name written with spaces or dots: ドナルド・トランプ
NAME_PART_SEPARATORS = set("·・‧")
MAX_UNCASED_NAME_WORDS = 6  # محمد بن راشد آل مكتوم
MAX_UNCASED_WORD_LETTERS = 20
# Words that sentences and headings are made of but names are not, by script.
NOT_NAME_WORDS_UNCASED = {
    # Arabic: prepositions, pronouns, demonstratives, common verbs; and heading words.
    "في", "من", "على", "إلى", "الى", "عن", "مع", "أن", "إن", "ان", "هذا", "هذه", "ذلك", "تلك",
    "التي", "الذي", "الذين", "كان", "كانت", "قال", "قالت", "يقول", "تقول", "لا", "لم", "لن",
    "ما", "هو", "هي", "هم", "نحن", "أو", "ثم", "قد", "كل", "بعد", "قبل", "حتى", "عند", "بين",
    "منذ", "ضد", "خلال", "حول", "أمام", "إلا", "ليس", "و", "يا", "عاجل", "تحديث", "ملخص",
    # Hebrew
    "של", "את", "על", "עם", "אל", "זה", "זו", "זאת", "הוא", "היא", "הם", "הן", "לא", "כי",
    "גם", "אבל", "או", "יש", "אין", "היה", "הייתה", "אמר", "אמרה", "כל", "רק", "עוד",
    "אחרי", "לפני", "עדכון", "מבזק",
}  # fmt: skip
# Headings of Chinese and Japanese live pages, as whole lines.
NOT_NAME_LINES_UNSPACED = {
    "最新", "最新消息", "最新进展", "最新進展", "更新", "直播", "快讯", "快訊", "背景", "回顾",
    "回顧", "总结", "總結", "要点", "要點", "分析", "评论", "評論", "视频", "視頻", "图集",
    "現場", "现场", "详情", "詳情", "速報", "最新情報", "解説", "概要", "まとめ", "動画", "写真",
}  # fmt: skip
# Characters that make a Chinese or Japanese line a sentence, not a name: Chinese
# function words, and Japanese particles between two kanji (東京は晴れ).
CHINESE_FUNCTION_CHARACTERS = set("的了是与對对被把从從这這那就还還而但并並或着吗嗎呢吧")
JAPANESE_PARTICLES = set("をがにではのもとへや")


def is_closing_punctuation(char):
    """Whether ``char`` ends or divides a sentence (``.``, ``。``, ``؟``, ``;``…), in any script."""
    if char in CLOSING_PUNCTUATION:
        return True
    if unicodedata.category(char) != "Po":
        return False
    name = unicodedata.name(char, "")
    return any(mark in name for mark in SENTENCE_MARK_NAMES)


def script_of(char):
    """The script of a letter, by the first word of its Unicode name ("ARABIC", "CYRILLIC"…).

    Han, hiragana and katakana are one script here, "CJK": Japanese names mix them.
    """
    words = unicodedata.name(char, "").split()
    if words and words[0] in {"HALFWIDTH", "FULLWIDTH"}:
        words = words[1:]
    first = words[0] if words else ""
    if first in {"CJK", "IDEOGRAPHIC", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"}:
        return "CJK"
    return first


def _is_letter(char):
    return unicodedata.category(char).startswith("L")


def _is_mark(char):
    return unicodedata.category(char).startswith("M")


def is_uncased(line):
    """Whether ``line`` has letters, all of them from scripts without capital letters."""
    letters = [char for char in line if _is_letter(char)]
    return bool(letters) and all(unicodedata.category(char) in {"Lo", "Lm"} for char in letters)


def _uncased_name(line, *, strict):
    """Whether ``line`` (uncased letters, see ``is_uncased``) has the shape of a name."""
    words = line.split()
    if not words:
        return False
    scripts = {script_of(char) for char in line if _is_letter(char)}
    if len(scripts) != 1:
        return False
    (script,) = scripts
    previous = " "
    for char in line:
        allowed = (
            _is_letter(char)
            or char.isspace()
            or char in UNCASED_NAME_PUNCTUATION
            or (_is_mark(char) and (_is_letter(previous) or _is_mark(previous)))
            or (char == "." and _is_letter(previous))  # an initial: “א. ב. יהושע”
        )
        if not allowed:
            return False
        previous = char
    if script in UNSPACED_SCRIPTS:
        return _unspaced_name(line, strict=strict)
    if len(words) > MAX_UNCASED_NAME_WORDS or (strict and len(words) < 2):
        return False  # one word alone is a name only when known
    if any(len(word) > MAX_UNCASED_WORD_LETTERS for word in words):
        return False  # a phrase written without spaces (Thai), not a name
    return not any(word in NOT_NAME_WORDS_UNCASED for word in words)


def _unspaced_name(line, *, strict):
    compact = "".join(line.split())
    if compact in NOT_NAME_LINES_UNSPACED or any(char in CHINESE_FUNCTION_CHARACTERS for char in compact):
        return False
    for before, char, after in zip(compact, compact[1:], compact[2:], strict=False):
        if char in JAPANESE_PARTICLES and _is_han(before) and _is_han(after):
            return False
    parts = "".join(" " if char in NAME_PART_SEPARATORS else char for char in line).split()
    if len(parts) == 1:
        low, high = UNSPACED_NAME_LETTERS
        return (low if strict else 1) <= len(compact) <= high
    return len(parts) <= 4 and all(len(part) <= UNSPACED_PART_LETTERS for part in parts)


def _is_han(char):
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))


# --- is this a name? ------------------------------------------------------------------


def _is_name_word(word, *, strict):
    if word in NAME_PARTICLES:
        return True
    head, _, rest = word.partition("-")
    if rest and head in NAME_PARTICLES:  # “al-Assad”
        word = rest
    core = word.rstrip(".")
    if not core or not core[0].isupper():
        return False
    if not all(char.isalpha() or char in NAME_CHARACTERS or _is_mark(char) for char in core):
        return False
    if strict:
        letters = "".join(char for char in core if char.isalpha())
        if core.lower() in NOT_NAME_WORDS or (len(letters) > 1 and letters.isupper() and "." not in core):
            return False
    return True


def looks_like_name(line, *, strict=True):
    """Whether a line could be a byline: a name and nothing else, in any script.

    In scripts with capitals: capitalised name words. In scripts without: see
    ``_uncased_name``. ``strict`` also refuses one word alone (a name only when
    known), lines with words like “The” or “Update”, and all-capital words, which
    appear in short headings but not in names.
    """
    words = line.split()
    if not words or len(words) > MAX_NAME_WORDS or words[0] in NAME_PARTICLES or len(line) > NAME_LENGTH:
        return False
    last = words[-1]
    if is_closing_punctuation(last[-1]) and not (last.endswith(".") and len(last.rstrip(".")) <= 3):
        return False
    if is_uncased(line):
        return _uncased_name(line, strict=strict)
    if len(words) == 1 and strict:  # one word alone is a name only when known
        return False
    return all(_is_name_word(word, strict=strict) for word in words)


# --- several names in one line --------------------------------------------------------


def boundaries(line):
    """Indexes where a lower-case letter meets an upper-case one inside a word."""
    return [
        index
        for index in range(1, len(line))
        if line[index].isupper() and line[index - 1].isalpha() and line[index - 1].islower()
    ]


def word_prefix(line, index):
    start = line.rfind(" ", 0, index) + 1
    return line[start:index]


def known_names_in(line, known):
    """``line`` as two or more names of ``known`` written one after the other, or None.

    Without capitals nothing marks where one name ends and the next begins
    (``王毅李强``): only names the document already holds can settle it.
    """
    names = sorted((name for name in known if name != line and len(name) > 1 and name in line), key=len)
    if not names:
        return None
    names.reverse()  # the longest first
    found = {len(line): []}  # position -> the names that cover line[position:]

    for start in range(len(line) - 1, -1, -1):
        if line[start].isspace():
            if start + 1 in found:
                found[start] = found[start + 1]
            continue
        for name in names:
            end = start + len(name)
            if line.startswith(name, start) and end in found:
                found[start] = [name, *found[end]]
                break
    parts = found.get(0)
    return parts if parts and len(parts) > 1 else None


def names_run_together(line, known):
    """Whether ``line`` is two or more names of ``known`` written one after the other."""
    if not line or len(line) > NAME_LENGTH or is_closing_punctuation(line[-1]):
        return False  # most lines: sentences
    return known_names_in(line, known) is not None


def starts_with_a_name(line, known):
    """Whether ``line`` (without capitals) is a name of ``known`` followed by more text:
    a paragraph or heading about that person (``דוד כהן הגיע לקהיר``), not a byline."""
    return any(line.startswith(name) and len(line) > len(name) for name in known if is_uncased(name))


def split_byline(line, known):
    """The authors of a byline line, settling run-together names.

    ``Anton TroianovskiNataliya Vasilyeva`` is two names; ``Kevin McCarthy`` is
    one. Names already known from the document (the lead author, other bylines)
    win; otherwise every part should be a name of two or more words, and a cut
    after a surname prefix such as “Mc” or “De” is unlikely. Where there are no
    capitals to cut at (王毅李强, or names of two scripts: 王毅Anna Field), only
    names known from the document settle it.
    """
    if together := known_names_in(line, known):
        return list(dict.fromkeys(together))
    cuts = boundaries(line)[:10]
    best, best_score = [line], None
    for count in range(len(cuts) + 1):
        for chosen in itertools.combinations(cuts, count):
            edges = [0, *chosen, len(line)]
            parts = [line[a:b].strip() for a, b in itertools.pairwise(edges)]
            score = -len(parts) * 0.1
            for part in parts:
                if part in known:
                    score += 10
                elif len(part.split()) < 2:
                    score -= 5
            for cut in cuts:
                prefix = word_prefix(line, cut).lower()
                natural = prefix in SURNAME_PREFIXES or len(prefix) <= 2
                if cut in chosen:
                    score -= 6 if natural else 0
                else:
                    score -= 0 if natural else 3
            if best_score is None or score > best_score:
                best, best_score = parts, score
    return list(dict.fromkeys(best))  # a name run together with itself is one author
