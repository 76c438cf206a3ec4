"""The order of the site's lists of names (tags, bylines): ICU's collation, in pure Python.

``sort_key(text, lang)`` gives a three-level key, compared the way ICU compares: every base letter of
the whole string first (primary), then the accents — for Vietnamese the tones (secondary), then case
(tertiary). For ``vi`` it follows CLDR's Vietnamese tailoring::

    [normalization on] &̀<<̉<<̃<<́<<̣ &a<ă<â &d<đ &e<ê &o<ô<ơ &u<ư

so a < ă < â < b … d < đ … o < ô < ơ … u < ư …, tones ngang < huyền < hỏi < ngã < sắc < nặng, lower
case before upper. Other languages get the root order (English: accents and case only break ties,
``đ`` is a ``d`` with a stroke). The weights below are ICU 77's; tests/test_collation.py compares the
key with ICU itself on thousands of strings, so the build needs no compiled library.

Two deliberate differences from ICU: the old and the new tone placement (*hòa*/*hoà*, *thủy*/*thuỷ*)
give the same key (ICU tells them apart by the mark's position), and characters outside Latin,
digits and common punctuation are ordered by code point after (letters) or among (symbols) ICU's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

Key = tuple[tuple[float, ...], tuple[int, ...], tuple[int, ...]]

COMMON = 5  # ICU's "common" secondary and tertiary weight: an unaccented, lower-case letter
UPPER = 156  # tertiary weight of an upper-case letter (any value above COMMON orders the same)
LETTER_BASE = 11_000  # primaries of letters start here, after every space, punctuation mark and digit
OTHER_LETTER = 40_000  # letters of other scripts: after Latin, by code point
DIGIT_BASE = 4_608  # ICU's primary of "0"; each next digit is 512 higher
SYMBOL_BASE = 4_000  # an unlisted symbol: between the listed ones and the digits, by code point

# Space and punctuation: (primary, secondary, tertiary) as ICU's root (and vi) collation gives them.
# They are not ignorable (CLDR's default), so "an toàn" sorts before "anh", as a dictionary has it.
_PUNCTUATION: dict[str, tuple[int, int, int]] = {
    "\t": (772, 5, 5),
    "\n": (774, 5, 5),
    " ": (1024, 5, 5),
    "\u3000": (1024, 5, 16),
    "\xa0": (1024, 5, 40),
    "_": (1290, 5, 5),
    "-": (1294, 5, 5),
    "\u2010": (1300, 5, 5),
    "\u2011": (1300, 5, 32),
    "\u2012": (1302, 5, 5),
    "\u2013": (1304, 5, 5),
    "\u2014": (1306, 5, 5),
    ",": (1536, 5, 5),
    ";": (1834, 5, 5),
    ":": (1846, 5, 5),
    "!": (1882, 5, 5),
    "¡": (1884, 5, 5),
    "?": (1892, 5, 5),
    "¿": (1894, 5, 5),
    ".": (2048, 5, 5),
    "·": (2330, 5, 5),
    "'": (2414, 5, 5),
    "\u2018": (2414, 112, 5),
    "\u2019": (2414, 115, 5),
    '"': (2420, 5, 5),
    "\u201c": (2420, 112, 5),
    "\u201d": (2420, 114, 5),
    "«": (2422, 5, 5),
    "»": (2424, 5, 5),
    "(": (2426, 5, 5),
    ")": (2428, 5, 5),
    "[": (2430, 5, 5),
    "]": (2432, 5, 5),
    "{": (2434, 5, 5),
    "}": (2436, 5, 5),
    "§": (2670, 5, 5),
    "¶": (2674, 5, 5),
    "@": (2682, 5, 5),
    "*": (2684, 5, 5),
    "/": (2694, 5, 5),
    "\\": (2696, 5, 5),
    "&": (2700, 5, 5),
    "#": (2706, 5, 5),
    "%": (2708, 5, 5),
    "\u2022": (2732, 5, 5),
    "\u2032": (2744, 5, 5),
    "`": (3076, 5, 5),
    "^": (3082, 5, 5),
    "°": (3155, 5, 5),
    "©": (3164, 5, 5),
    "®": (3168, 5, 5),
    "+": (3194, 5, 5),
    "±": (3198, 5, 5),
    "÷": (3200, 5, 5),
    "×": (3202, 5, 5),
    "<": (3204, 5, 5),
    "=": (3206, 5, 5),
    ">": (3208, 5, 5),
    "|": (3212, 5, 5),
    "~": (3216, 5, 5),
    "$": (3494, 5, 5),
    "\u20ab": (3550, 5, 5),
    "\u20ac": (3552, 5, 5),
}

# Secondary weights of combining marks in the root collation (the rest of U+0300–U+036F weigh 168).
_MARKS = {
    0x300: (138,),
    0x301: (136,),
    0x302: (142,),
    0x303: (154,),
    0x304: (164,),
    0x306: (140,),
    0x307: (156,),
    0x308: (150,),
    0x309: (182,),
    0x30A: (146,),
    0x30B: (152,),
    0x30C: (144,),
    0x313: (132,),
    0x314: (134,),
    0x31B: (190,),
    0x323: (196,),
    0x324: (198,),
    0x325: (200,),
    0x326: (202,),
    0x327: (160,),
    0x328: (162,),
    0x32D: (204,),
    0x32E: (206,),
    0x330: (208,),
    0x331: (210,),
    0x332: (130,),
    0x335: (178,),
    0x338: (158,),
}
# vi: the tones after the grave, in the order huyền < hỏi < ngã < sắc < nặng (ICU writes them as a
# weight with a continuation, which is what these pairs are).
_VI_TONES = {0x300: (138,), 0x309: (139, 2), 0x303: (139, 3), 0x301: (139, 4), 0x323: (139, 5)}
_ETH = 112

_ROOT_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_VI_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# vi: a base letter and the mark that makes it another letter of the alphabet (NFD keeps them apart).
_VI_LETTERS = {("a", 0x306): "ă", ("a", 0x302): "â", ("e", 0x302): "ê", ("o", 0x302): "ô", ("o", 0x31B): "ơ", ("u", 0x31B): "ư"}

_TONE = "\u0300\u0301\u0303\u0309\u0323"
# The old placement puts the tone of an open "oa", "oe", "uy" on its first vowel (hòa, thủy); the
# new one on the second (hoà, thuỷ). Both are in use, so the key sees one: the new.
_OLD_PLACEMENT = re.compile(f"([oO])([{_TONE}])([aAeE])(?![\u0300-\u036f])|([uU])([{_TONE}])([yY])(?![\u0300-\u036f])")


def _new_placement(match: re.Match[str]) -> str:
    first, tone, second = (match.group(1), match.group(2), match.group(3)) if match.group(1) else match.groups()[3:]
    return first + second + tone


@lru_cache(maxsize=65536)
def sort_key(text: str, lang: str) -> Key:
    """The collation key of ``text`` in ``lang``: ``sorted(names, key=lambda n: sort_key(n, "vi"))``.
    NFC and NFD spellings, and the two tone placements, give the same key."""
    vi = lang.split("-")[0] == "vi"
    decomposed = _OLD_PLACEMENT.sub(_new_placement, unicodedata.normalize("NFD", text))
    alphabet = {ch: LETTER_BASE + 512 * i for i, ch in enumerate(_VI_ALPHABET if vi else _ROOT_ALPHABET)}
    tones = _VI_TONES if vi else {}
    primary: list[float] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for base, marks in _clusters(decomposed):
        lower = base.lower()[:1]
        if not base:
            pass
        elif base in _PUNCTUATION:
            p, s, t = _PUNCTUATION[base]
            primary.append(p), secondary.append(s), tertiary.append(t)
        elif lower in alphabet or lower == "đ":
            if vi:
                letter = next((_VI_LETTERS[(lower, m)] for m in marks if (lower, m) in _VI_LETTERS), lower)
                if letter != lower:  # the mark is part of the letter, not an accent
                    marks = list(marks)
                    marks.remove(next(m for m in marks if _VI_LETTERS.get((lower, m)) == letter))
                lower = letter
            elif lower == "đ":
                lower, marks = "d", [0x335, *marks]
            primary.append(alphabet[lower])
            secondary.append(COMMON)
            tertiary.append(UPPER if base != base.lower() else COMMON)
        elif lower == "ð":  # the Icelandic eth that old Vietnamese encodings left for Đ: a d with an accent
            primary.append(alphabet["d"]), secondary.append(_ETH), tertiary.append(160 if base == "Ð" else COMMON)
        elif base.isdigit() and unicodedata.digit(base, None) is not None:
            primary.append(DIGIT_BASE + 512 * unicodedata.digit(base))
            secondary.append(COMMON)
            tertiary.append(COMMON)
        elif base.isspace():
            primary.append(_PUNCTUATION[" "][0]), secondary.append(COMMON), tertiary.append(COMMON)
        elif unicodedata.category(base)[0] in "LN":
            primary.append(OTHER_LETTER + ord(lower or base))
            secondary.append(COMMON)
            tertiary.append(UPPER if base != lower else COMMON)
        elif unicodedata.category(base)[0] in "PS":
            primary.append(SYMBOL_BASE + ord(base) / 2_000_000)
            secondary.append(COMMON)
            tertiary.append(COMMON)
        # anything else (control and format characters) is ignorable, as in ICU
        for mark in marks:
            secondary.extend(tones.get(mark) or _MARKS.get(mark, (168,)))
            tertiary.append(COMMON)
    return tuple(primary), tuple(secondary), tuple(tertiary)


def _clusters(decomposed: str) -> list[tuple[str, list[int]]]:
    """Each base character with the combining marks that follow it (a mark with no base stands alone)."""
    clusters: list[tuple[str, list[int]]] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and clusters:
            clusters[-1][1].append(ord(ch))
        elif unicodedata.combining(ch):
            clusters.append(("", [ord(ch)]))
        else:
            clusters.append((ch, []))
    return clusters


def initial(text: str, lang: str) -> str:
    """The letter a name is filed under in an index: ``Đà Nẵng`` under Đ, ``ấp`` under Â, ``Ô tô``
    under Ô; ``# `` for a name that starts with no letter (digits, punctuation)."""
    decomposed = unicodedata.normalize("NFD", text.strip())
    for base, marks in _clusters(decomposed):
        if not base or not base.isalpha():
            if base and (base.isdigit() or unicodedata.category(base)[0] in "PS"):
                return "#"
            continue
        lower = base.lower()
        if lang.split("-")[0] == "vi":
            lower = next((_VI_LETTERS[(lower, m)] for m in marks if (lower, m) in _VI_LETTERS), lower)
            return "D" if lower == "ð" else lower.upper()
        return unicodedata.normalize("NFD", "d" if lower in "đð" else lower)[0].upper()
    return "#"
