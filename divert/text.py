"""What counts as text a person wrote: visible characters, never a NUL.

"Blank" means no visible character at all. Whitespace is blank, and so are characters that
draw nothing: format characters (a zero-width space, a byte-order mark), controls, and the few
letters and symbols that are empty by design (Hangul fillers, the blank Braille pattern). A
name made only of them would show as nothing on every page that lists it.
"""

from __future__ import annotations

import unicodedata

# Categories that never draw anything: format (Cf), control (Cc), separators (Zs, Zl, Zp).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})
# Letters and symbols whose glyph is empty.
_EMPTY_GLYPHS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})

NUL = "\x00"


def is_visible(character: str) -> bool:
    return (
        character not in _EMPTY_GLYPHS
        and unicodedata.category(character) not in _INVISIBLE_CATEGORIES
    )


def is_blank(value: str) -> bool:
    """True when `value` has no visible character."""
    return not any(is_visible(character) for character in value)
