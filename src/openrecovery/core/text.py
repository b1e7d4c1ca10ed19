"""Which characters text from outside may hold: the one definition every input checks.

Text people type is letters, digits, punctuation, spaces and line breaks. Refused are
the characters no keyboard types and no record needs (ADR 0009):

- C0 controls U+0000-U+001F, except TAB, LF and CR (text areas send CR LF);
- DEL U+007F and the C1 controls U+0080-U+009F;
- the surrogates U+D800-U+DFFF, which are never characters on their own (a JSON
  ``"\\ud800"`` escape decodes to one, and UTF-8 cannot encode it);
- the noncharacters U+FFFE and U+FFFF.

PostgreSQL's text columns cannot hold U+0000 and no database stores a lone
surrogate, so either one reached the database as a 500. Forms (``core.forms``) and
the API's schemas (``core.api``) both check through ``text_problem``; the message
names the position, never the text, so it cannot echo what was sent.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError

# As a character class in escapes that both Python's re and JSON Schema (ECMA-262) read.
REFUSED_CLASS = (
    r"\u0000-\u0008\u000b\u000c\u000e-\u001f"  # C0, but TAB, LF and CR
    r"\u007f-\u009f"  # DEL and C1
    r"\ud800-\udfff"  # surrogates
    r"\ufffe\uffff"  # noncharacters
)
REFUSED = re.compile(f"[{REFUSED_CLASS}]")
ALLOWED_PATTERN = f"^[^{REFUSED_CLASS}]*$"

ERROR_CONTROL_CHARACTER = "Remove the control character at position %(position)d."
CODE_CONTROL_CHARACTER = "control_character"


def text_problem(value: str) -> str | None:
    """Return why ``value`` may not be stored (the first refused character), or None."""
    found = REFUSED.search(value)
    if found is None:
        return None
    return ERROR_CONTROL_CHARACTER % {"position": found.start() + 1}


def text_refuse_control_characters(value: Any) -> None:
    """Raise a ValidationError when a text value (or a list of them) has a refused character.

    A Django validator: non-text values pass, as other validators judge them.
    """
    values = value if isinstance(value, list | tuple) else [value]
    for item in values:
        if isinstance(item, str) and (problem := text_problem(item)) is not None:
            raise ValidationError(problem, code=CODE_CONTROL_CHARACTER)
