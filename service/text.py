"""Text normalisation and tokenising shared by the seed loader and the resolver.

Plain functions over strings: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata

# Tokens: words, numbers ("12.5", "0,625"), numbered names ("#3" in "Tylenol #3") and hard
# boundaries that a name never spans. Letters
# and digits are split ("Lasix40mg" -> lasix 40 mg); names with digits ("vitamin B12") are keyed
# the same way, so they still match.
_TOKEN = re.compile(r"#\d+|[a-z][a-z']*|\d+(?:[.,]\d+)?|[/+,;()\[\]|:]")
BOUNDARIES = frozenset("/+,;()[]|:")
# Dotted abbreviations: "b.i.d.", "q.h.s.", "p.o."
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
_MARKS = str.maketrans({"®": " ", "™": " ", "©": " ", "℠": " ", "’": "'", "‘": "'", "´": "'"})


def normalize(text: str) -> str:
    """Lower-case, fold Unicode compatibility forms and drop trademark signs."""
    if text.isascii():  # nearly every name and entry: nothing to fold (and 5x faster)
        return " ".join(text.lower().replace("&", " and ").split())
    text = unicodedata.normalize("NFKC", text.translate(_MARKS)).lower()
    text = text.replace("&", " and ").replace("µ", "u").replace("μ", "u")
    # Accents: "simvastatiné" and "simvastatine" are the same typo.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Split normalised text into word, number and boundary tokens (hyphens join words)."""
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), normalize(text))
    return _TOKEN.findall(text.replace("-", " "))


def name_key(name: str) -> str | None:
    """The lookup key of a name: its word tokens joined by spaces, or None if it holds a boundary."""
    tokens = tokenize(name)
    if not tokens or any(t in BOUNDARIES for t in tokens):
        return None
    return " ".join(tokens)


def is_number(token: str) -> bool:
    """Tell whether a token is a number ("40", "12.5")."""
    return token[0].isdigit()


# Salt and hydrate words that follow an ingredient name ("atorvastatin calcium") and do not
# change which medicine it is.
SALTS = frozenset(
    """
    acetate axetil besilate besylate bicarbonate bisulfate bisulphate bitartrate bromide calcium
    chloride cilexetil citrate decanoate dihydrate dihydrochloride dipropionate disodium
    enanthate fumarate furoate hcl hemifumarate hemihydrate hyclate hydrobromide hydrochloride
    lactate magnesium maleate medoxomil mesilate mesylate monohydrate nitrate phosphate pivoxil
    potassium propionate sesquihydrate sodium succinate sulfate sulphate tartrate trifenatate
    trihydrate valerate xinafoate succ tart hbr tromethamine dimesylate saccharate aspartate pamoate
    cypionate undecanoate acetonide butyrate edisylate erbumine stearate ethylsuccinate estolate
    sodica sodico potasica potasico calcica calcico
    palmitate benzathine diethylamine epolamine kamedoxomil pentahydrate hexahydrate napsylate
    bromide monosodium gluconate besyl calc hycl sulf cl pot sod phos acet fum mal mes na
    """.split()
)


# Metal ions named before their salt ("ferrous gluconate", "zinc acetate"): the salt is the ingredient.
MINERALS = frozenset("ferrous ferric zinc copper lithium aluminum aluminium silver cupric manganese".split())


def strip_salt(name: str) -> str:
    """Drop trailing salt words from an ingredient name ("losartan potassium" -> "losartan")."""
    words = name.split()
    # A mineral salt ("potassium chloride", "calcium carbonate") is itself the ingredient.
    while len(words) > 1 and words[-1] in SALTS and words[-2] not in SALTS and words[-2] not in MINERALS:
        words.pop()
    return " ".join(words)
