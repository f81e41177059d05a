"""Resolve a medication entry as people write it to its ingredients.

"Lasix 40mg daily", "Hyzaar 50/12.5", "fluticasone/salmeterol 250/50 Diskus", "simvastatine":
strengths, forms, routes and frequency words are set aside, names are matched longest first
(brand, generic, UK name, synonym, salt form), and anything left is tried as a misspelling. A
misspelling is accepted only when exactly one medicine is close; otherwise the entry stays
unresolved with suggestions. A wrong drug is worse than no answer.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .lexicon import Lexicon, NameEntry
from .text import BOUNDARIES, SALTS, is_number, tokenize

MAX_INPUT_CHARS = 500

ROUTE_WORDS = {
    **dict.fromkeys("po oral orally mouth tablet tablets tab tabs capsule capsules cap caps caplet caplets pill pills chewable lozenge lozenges gum".split(), "oral"),
    **dict.fromkeys("iv intravenous intravenously infusion injection injections inj injectable im intramuscular sc sq subq subcutaneous vial ampoule".split(), "injection"),
    **dict.fromkeys("inhaler inhalers inhaled inhalation inh puff puffs hfa mdi dpi diskus ellipta respimat turbohaler accuhaler evohaler easyhaler inhub breezhaler aerosphere spiromax handihaler respiclick nebulizer nebuliser neb nebs".split(), "inhaled"),
    **dict.fromkeys("nasal intranasal nose".split(), "nasal"),
    **dict.fromkeys("topical cream creams ointment gel lotion skin".split(), "topical"),
    **dict.fromkeys("eye ophthalmic".split(), "ophthalmic"),
    **dict.fromkeys("ear otic".split(), "otic"),
    **dict.fromkeys("patch patches transdermal".split(), "transdermal"),
    **dict.fromkeys("vaginal pessary".split(), "vaginal"),
    **dict.fromkeys("rectal suppository suppositories enema".split(), "rectal"),
    **dict.fromkeys("sublingual sl buccal".split(), "sublingual"),
}

# Words that say how much, how, when or why, and never which medicine.
NOISE = frozenset(
    """
    mg mgs mcg ug g gm gms gram grams ml mls l iu units unit meq mmol microgram micrograms milligram
    milligrams milligramme milligrammes mg/ml percent strength dose doses dosage
    spray sprays drop drops solution soln suspension susp syrup liquid elixir powder sachet sachets
    pen pens autoinjector flexpen kwikpen prefilled syringe dispersible effervescent soluble film
    coated enteric release extended delayed sustained modified controlled immediate orally
    disintegrating er xr xl sr cr la dr ec odt ir mr sa xt cd ds xls
    daily once twice thrice times time a an day days week weeks weekly month months monthly
    every each other alternate bid tid qid qd od bd tds qds qhs hs qam qpm qod am pm mane nocte
    nightly night nights bedtime morning mornings evening evenings noon lunch breakfast dinner
    supper meals meal food empty stomach before after with without at in on of the to by per
    take takes taking took use uses using used apply applied one two three four half quarter
    x hrs hr hours hour h approx about around up maximum max regular regularly usual usually
    otc rx generic brand name tabs caps daily' as needed required directed when if only
    continue continued current currently also still now today started start new stopped held hold
    pack dosepak dose-pack nostril nostrils sliding scale low u tab. inj ud sig disp refill refills
    qty quantity supply taper tapering om
    reason indicated cholesterol bp pressure blood swelling oedema edema pain pains sleep insomnia
    heartburn reflux indigestion nausea constipation allergies allergy hayfever anxiety depression
    mood gout prostate bladder wheeze wheezing breathing cramps cramp legs leg water min diabetes
    hypertension htn lipids afib heart arthritis osteoporosis bones stomach high mins minute minutes wk wks mo yr yrs extra actuation actuations actuat act base metered aerosol
    system injector auto unt mcg/act device kit each nightly weekly biweekly fortnightly as
    needed directions instructions sig
    """.split()
)
CONNECTORS = frozenset({"and", "with", "plus", "w", "combined", "combination", "combo", "also"})
# Everything after these words is the reason or the prescriber, not the medicine.
CLAUSE_ENDS = frozenset({"for", "because", "prescribed", "prn", "indication", "re"})


@dataclass(frozen=True)
class MatchedIngredient:
    """An ingredient found in an entry and how it was found."""

    name: str
    match: str  # exact, brand, synonym or fuzzy
    matched_text: str
    via: str


@dataclass(frozen=True)
class Suggestion:
    name: str
    ingredients: tuple[str, ...]


@dataclass(frozen=True)
class Resolution:
    """What an entry was resolved to."""

    input: str
    ingredients: tuple[MatchedIngredient, ...]
    routes: frozenset[str]
    unrecognised: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]

    @property
    def complete(self) -> bool:
        """True when every medicine-like word of the entry was recognised."""
        return bool(self.ingredients) and not self.unrecognised


def resolve(text: str, lexicon: Lexicon) -> Resolution:
    """Resolve one medication entry to its ingredients."""
    tokens = _clause(tokenize(text[:MAX_INPUT_CHARS]))
    routes = frozenset(ROUTE_WORDS[t] for t in tokens if t in ROUTE_WORDS)
    found: list[tuple[NameEntry, str, str]] = []
    unknown_spans: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        entry, length = _longest_name(tokens, i, lexicon)
        if entry is not None:
            found.append((entry, " ".join(tokens[i:i + length]), entry.kind))
            i = _skip_salts(tokens, i + length, lexicon)
            unknown_spans.append([])
            continue
        token = tokens[i]
        if _is_filler(token):
            unknown_spans.append([])
        else:
            unknown_spans[-1].append(token)
        i += 1
    unrecognised: list[str] = []
    suggestions: list[Suggestion] = []
    for span in filter(None, unknown_spans):
        for part, entry in _fuzzy_parts(span, lexicon):
            if entry is not None:
                found.append((entry, part, "fuzzy"))
            else:
                unrecognised.append(part)
                suggestions.extend(suggest(part, lexicon, limit=5))
    return Resolution(
        input=text,
        ingredients=_ingredients(found),
        # A product that implies a form (eye drops, a patch) states it, unless the entry says the form.
        routes=routes or frozenset(r for entry, _, _ in found for r in entry.routes),
        unrecognised=tuple(unrecognised),
        suggestions=tuple(_dedupe_suggestions(suggestions))[:5],
    )


def _clause(tokens: list[str]) -> list[str]:
    for index, token in enumerate(tokens):
        if token in CLAUSE_ENDS:
            return tokens[:index]
    return tokens


def _is_filler(token: str) -> bool:
    return (
        len(token) == 1 or token in BOUNDARIES or is_number(token) or token in NOISE or token in CONNECTORS
        or token in ROUTE_WORDS
    )


def _longest_name(tokens: list[str], start: int, lexicon: Lexicon) -> tuple[NameEntry | None, int]:
    longest = min(lexicon.longest_name, len(tokens) - start)
    for length in range(longest, 0, -1):
        window = tokens[start:start + length]
        if any(t in BOUNDARIES for t in window):
            continue
        if length == 1 and _is_filler(window[0]):
            return None, 0
        entry = lexicon.names.get(" ".join(window))
        if entry is not None:
            return entry, length
    return None, 0


def _skip_salts(tokens: list[str], index: int, lexicon: Lexicon) -> int:
    """Step over salt words after a name ("atorvastatin calcium") unless they start a name of their own."""
    while index < len(tokens) and tokens[index] in SALTS:
        entry, length = _longest_name(tokens, index, lexicon)
        if entry is not None and length > 1:
            break
        index += 1
    return index


def _fuzzy_parts(span: list[str], lexicon: Lexicon) -> list[tuple[str, NameEntry | None]]:
    """Split a run of unknown words into parts, each with the medicine it is a misspelling of (or None).

    A run that is one name once its spaces go ("hydrochloro thiazide") or that is close to a
    name as a whole is taken whole; otherwise word by word.
    """
    if 1 < len(span) <= 3:
        joined = " ".join(span)
        entry = fuzzy_match(joined, lexicon)
        if entry is not None:
            return [(joined, entry)]
    return [(word, fuzzy_match(word, lexicon)) for word in span]


def _max_distance(length: int) -> int:
    if length < 5:
        return 0
    if length <= 7:
        return 1
    if length <= 14:
        return 2
    return 3


def fuzzy_match(text: str, lexicon: Lexicon) -> NameEntry | None:
    """The one medicine a misspelling can only mean, or None when it is not close or not unique."""
    squashed = lexicon.names.get(text.replace(" ", ""))
    if squashed is not None:
        return squashed
    limit = _max_distance(len(text))
    if limit == 0:
        return None
    candidates = process.extract(
        text, lexicon.fuzzy_keys, scorer=OSA.distance, score_cutoff=limit + 1, limit=25
    )
    # People rarely get the first letter wrong; sound-alike drugs often differ only there.
    candidates = [(key, distance) for key, distance, _ in candidates if key[0] == text[0]]
    if not candidates:
        return None
    best = min(distance for _, distance in candidates)
    if best > limit:
        return None
    closest = {lexicon.names[key].ingredients for key, distance in candidates if distance <= best + 1}
    if len(closest) != 1:
        return None
    return next(lexicon.names[key] for key, distance in candidates if distance == best)


def suggest(text: str, lexicon: Lexicon, limit: int = 10) -> list[Suggestion]:
    """Names close to a text, best first, one per medicine."""
    query = " ".join(tokenize(text))
    if len(query) < 2:
        return []
    prefixed = _prefix_matches(query, lexicon, limit * 3)
    close = process.extract(query, lexicon.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=72, limit=limit * 3)
    suggestions = [_suggestion(lexicon.names[key], by_prefix=True) for key in prefixed]
    suggestions += [_suggestion(lexicon.names[key], by_prefix=False) for key, _, _ in close]
    return _dedupe_suggestions(suggestions)[:limit]


def _suggestion(entry: NameEntry, by_prefix: bool) -> Suggestion:
    # A close foreign spelling from the general vocabulary is shown by its US generic name;
    # a completion keeps the name being typed.
    plain = by_prefix or entry.curated or entry.kind != "synonym"
    return Suggestion(entry.name if plain else " / ".join(entry.ingredients), entry.ingredients)


def _prefix_matches(query: str, lexicon: Lexicon, limit: int) -> list[str]:
    keys = lexicon.sorted_keys
    start = bisect_left(keys, query)
    matches = []
    for key in keys[start:start + 400]:
        if not key.startswith(query):
            break
        matches.append(key)
    # Curated names and short names first: "lasix" before "lasix special".
    matches.sort(key=lambda k: (not lexicon.names[k].curated, len(k)))
    return matches[:limit]


def _dedupe_suggestions(suggestions) -> list[Suggestion]:
    seen: set[tuple[str, ...]] = set()
    result = []
    for suggestion in suggestions:
        if suggestion.ingredients in seen:
            continue
        seen.add(suggestion.ingredients)
        result.append(suggestion)
    return result


def _ingredients(found: list[tuple[NameEntry, str, str]]) -> tuple[MatchedIngredient, ...]:
    result: dict[str, MatchedIngredient] = {}
    for entry, matched_text, match in found:
        for ingredient in entry.ingredients:
            if ingredient not in result:
                result[ingredient] = MatchedIngredient(ingredient, match, matched_text, entry.name)
    return tuple(result.values())
