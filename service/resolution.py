"""Resolve a medication entry as people write it to its ingredients.

"Lasix 40mg daily", "Hyzaar 50/12.5", "fluticasone/salmeterol 250/50 Diskus", "simvastatine",
and RxNorm names as pharmacy systems send them ("losartan potassium 50 MG / hydrochlorothiazide
12.5 MG Oral Tablet [Hyzaar]", "{21 (...) / 7 (inert ingredients 1 MG Oral Tablet) } Pack"):
strengths, dose forms (each naming a route), container, route and frequency words are set aside,
names are matched longest first (brand, generic, UK name, synonym, salt form), and anything left
is tried as a misspelling. A misspelling is accepted only when exactly one medicine is close;
otherwise the entry stays unresolved with suggestions. A combination marker or strength with
fewer ingredients read than it names leaves the entry unresolved with a note. A wrong drug is
worse than no answer.
"""

from __future__ import annotations

import csv
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from english_words import get_english_words_set
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .lexicon import Lexicon, NameEntry
from .messages import (
    CHECK_BUDGET_NOTE,
    ENTRY_BUDGET_NOTE,
    KIND_IN_ENTRY_NOTE,
    MARKER_NOTE,
    STRENGTHS_NOTE,
    TOO_LONG_NOTE,
)
from .text import BOUNDARIES, SALTS, is_number, normalize, tokenize

# Entries longer than this are not read (RxNorm pack names reach about 300 characters).
MAX_INPUT_CHARS = 2000
DOSE_FORMS_FILE = Path(__file__).resolve().parent.parent / "seed" / "dose_forms.csv"
# Looking an unknown word up as a misspelling, with suggestions, is the costly part of reading an
# entry (about 2 ms a word): it has a budget per entry and per check, counted in words so that the
# same list always gets the same answer whatever the machine's load. Words over it stay unrecognised,
# with a note saying why; never guessed.
FUZZY_WORDS_PER_ENTRY = 6
FUZZY_WORDS_PER_CHECK = 200

ROUTE_WORDS = {
    **dict.fromkeys("po oral orally mouth tablet tablets tab tabs capsule capsules cap caps caplet caplets pill pills chewable lozenge lozenges gum".split(), "oral"),
    **dict.fromkeys(
        """iv intravenous intravenously infusion injection injections inj injectable im intramuscular sc sq subq
        subcut subcutaneous subcutaneously vial vials ampoule ampoules ampule ampules ampul amp amps ivpb ivp
        piggyback premix premixed bag bags drip bolus push flush syringe syringes carpuject cartridge
        cartridges intrathecal epidural""".split(),
        "injection",
    ),
    **dict.fromkeys("shot shots jab pca".split(), "injection"),
    # Spanish forms, written without accents as entries are read ("inyección" reads "inyeccion").
    **dict.fromkeys("pastilla pastillas comprimido comprimidos tableta tabletas capsula capsulas gragea grageas boca orales".split(), "oral"),
    **dict.fromkeys(
        "inyeccion inyecciones inyectable inyectables ampolla ampollas intravenosa intravenoso subcutanea subcutaneo".split(),
        "injection",
    ),
    **dict.fromkeys("inhalador inhaladores inhalado inhalada inhalacion".split(), "inhaled"),
    **dict.fromkeys("crema cremas pomada pomadas unguento piel".split(), "topical"),
    **dict.fromkeys("colirio colirios ojo ojos oftalmico oftalmica".split(), "ophthalmic"),
    **dict.fromkeys("oido oidos".split(), "otic"),
    **dict.fromkeys("parche parches".split(), "transdermal"),
    **dict.fromkeys("ovulo ovulos".split(), "vaginal"),
    **dict.fromkeys("supositorio supositorios".split(), "rectal"),
    **dict.fromkeys("implant implants implanted".split(), "implant"),
    **dict.fromkeys("iud ius coil".split(), "intrauterine"),
    **dict.fromkeys("inhaler inhalers inhaled inhalation inh puff puffs hfa mdi dpi diskus ellipta respimat turbohaler accuhaler evohaler easyhaler inhub breezhaler aerosphere spiromax handihaler respiclick nebulizer nebuliser neb nebs ih".split(), "inhaled"),
    **dict.fromkeys("nasal intranasal nose".split(), "nasal"),
    **dict.fromkeys("topical cream creams ointment gel lotion skin".split(), "topical"),
    **dict.fromkeys("eye eyes ophthalmic ophth opth ou os".split(), "ophthalmic"),
    **dict.fromkeys("ear otic".split(), "otic"),
    **dict.fromkeys("patch patches transdermal".split(), "transdermal"),
    **dict.fromkeys("vaginal pessary".split(), "vaginal"),
    **dict.fromkeys("rectal rectally pr suppository suppositories enema".split(), "rectal"),
    **dict.fromkeys("ng nasogastric peg".split(), "oral"),
    **dict.fromkeys("sublingual sl buccal".split(), "sublingual"),
}

# Order abbreviations that are also parts of names ("Os-Cal"): a route only when written on their own.
_SHORT_ROUTE_WORDS = frozenset("os ou pr ng peg ih amp amps push bag bags drip flush sc im iv".split())

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
    otc rx generic brand name tabs caps daily' as needed required directed when if only ago
    empezo comenzo inicio desde hace el semana semanas dia dias mes meses ano anos
    continue continued current currently also still now today started start new stopped held hold
    pack dosepak dose-pack nostril nostrils sliding scale low u tab. inj ud sig disp refill refills
    qty quantity supply taper tapering om
    reason indicated cholesterol bp pressure blood swelling oedema edema pain pains sleep insomnia
    heartburn reflux indigestion nausea constipation allergies allergy hayfever anxiety depression
    mood gout prostate bladder wheeze wheezing breathing cramps cramp legs leg water min diabetes
    hypertension htn lipids afib heart arthritis osteoporosis bones stomach high mins minute minutes wk wks mo yr yrs extra actuation actuations actuat act base metered aerosol
    system injector auto unt mcg/act device kit each nightly weekly biweekly fortnightly as
    needed directions instructions sig
    usp nf porcine bovine human recombinant micronized pmdd abuse deterrent reformulated breath actuated
    inert ingredients ingredient nda anda bla macrocrystals macrocrystal anhydrous pellets granules
    tube via feeding gtt gtts bottle bottles container stat loading maintenance continuous rate titrate
    premixed lock both left right dibasic monobasic live strain tice forte mite chrono retard continus
    solostar flextouch sureclick kwikpen inhub twisthaler pressair genuair penfill innolet tempo inpen
    redihaler autohaler clickhaler novolizer nexthaler forspiro digihaler aerolizer rotahaler neohaler
    flexhaler diskhaler turbuhaler sensimist reditabs ultra oint ung crm lotn supp syr liq elix conc pwd
    rinse swish swallow gargle viscous ac pc achs wash iso osmotic isoosmotic hypertonic hypotonic isotonic
    neonatal pediatric paediatric picc port pump jelly vac polyvalent toxoids isophane drug drugs micro
    since until till dated filled expires expiry exp last respules depot inactive glycolate starch carnauba
    shellac pregelatinized oka merck
    product products containing precisely conventional clinical medicinal prolonged gastro resistant
    orodispersible concentrate cfc dissolve milligram milligrams microgram micrograms
    teva accord sandoz mylan zentiva actavis aurobindo almus wockhardt apotex lupin cipla zydus
    glenmark amneal hikma viatris rugby kirkland equate walgreens
    sugar free sugarfree extra strength original children's childrens children child kids kid's infant
    infants infants' baby junior jr adult adults women's womens men's mens gentle fast rapid quick
    acting action formula flavor flavour flavored flavoured cherry grape orange lemon mint berry
    vanilla strawberry fruit honey natural relief liquigels liquigel liqui gels softgel softgels
    gelcap gelcaps geltab geltabs value size count ct new improved
    my your his her our their some its
    mi mis tu tus su sus un una unos unas los las del de al por sin cada vez veces diario diaria diarios
    diarias noche noches manana tarde desayuno almuerzo comida comidas cena antes despues dormir
    acostarse toma tomo tomar tomando tomas uso usar media medio cuarto hora horas necesario segun
    indicado indicada dosis semanal mensual jarabe gotas sobre sobres solucion
    colesterol tension presion arterial corazon dolor azucar sueno ansiedad depresion calambres calambre
    piernas pierna agua asma en ayunas ayuno si hoy ayer siempre ahora tambien actualmente lunes martes
    miercoles jueves viernes sabado domingo alternos dos tres cucharada cucharadas cucharadita mitad
    entera entero gramos miligramos microgramos mililitros unidades ui efg recubiertos pelicula
    liberacion prolongada modificada retardada gastrorresistentes bucodispersables efervescentes
    masticables dispersables duras blandas blister envase caja frasco marca generico cinfa normon kern
    stada ratiopharm precisa precise necesita necesite inhalaciones pulverizaciones pulverizacion
    aplicar aplicaciones
    january february march april june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec enero febrero marzo abril mayo junio julio agosto septiembre setiembre
    octubre noviembre diciembre ene abr dic yesterday began begun pasado pasada roughly approximately
    aproximadamente casi comenzo inicio may year years ano anos para medicamento medicamentos medicina
    medicinas farmaco farmacos remedio
    """.split()
)
# Words that follow a brand to name a combination ("Diovan HCT", "Claritin-D", "Tylenol #3"). When
# one follows a name and only one ingredient is recognised, the entry says an ingredient was not read.
COMBINATION_MARKERS = frozenset({"plus", "ds", "hct", "d", "dm", "comp", "duo", "#1", "#2", "#3", "#4"})
# Modified-release suffixes: an unknown brand followed by one is not offered a fuzzy look-alike.
MR_SUFFIXES = frozenset("la xl sr cd er xr cr mr dr ec sa xt cc".split())
# Words on labels and packets that name no medicine and are never read as a misspelt one; they
# are not ignored either, because they often mean more ingredients ("Tylenol Cold").
NEVER_FUZZY = frozenset(
    """
    cold flu sinus cough coughs congestion severe multi symptom symptoms headache migraine sore
    throat chest nighttime daytime non drowsy sleep aid fever arthritis back muscle period
    menstrual acid stool softener laxative fiber vitamin vitamins mineral minerals energy
    complete balance daily healthy health care cream water salt sugar sweet fresh clear
    """.split()
)
CONNECTORS = frozenset({"and", "with", "plus", "w", "combined", "combination", "combo", "also", "con", "mas"})
# Everything after these words is the reason or the prescriber, not the medicine.
CLAUSE_ENDS = frozenset({"for", "because", "prescribed", "prn", "indication", "re", "porque"})
# Words that end the entry only once a name has been read: "furosemida para la tensión", but
# "pastilla para el colesterol (simvastatina)" and "para-aminosalicylic acid" are read on.
LATE_CLAUSE_ENDS = frozenset({"para"})


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
    notes: tuple[str, ...] = ()
    kind: str | None = None  # a kind of medicine written instead of a name ("a water pill"): its id

    @property
    def complete(self) -> bool:
        """True when every medicine-like word of the entry was recognised."""
        return bool(self.ingredients) and not self.unrecognised


class FuzzyBudget:
    """How many unknown words may still be looked up as misspellings (and for suggestions).

    One budget per check (or per batch row): `per_entry` words for each entry, `remaining` for the
    whole list; a `parent` (a whole batch file's budget) is spent too and stops lookups when empty.
    `cut` turns true once the list's (or the parent's) budget, not the entry's, left a word out.
    """

    __slots__ = ("per_entry", "per_check", "remaining", "cut", "parent")

    def __init__(self, per_check: int | None = FUZZY_WORDS_PER_CHECK, per_entry: int = FUZZY_WORDS_PER_ENTRY,
                 parent: FuzzyBudget | None = None):
        self.per_entry = per_entry
        self.per_check = per_check
        self.remaining = per_check if per_check is not None else 1 << 62
        self.cut = False
        self.parent = parent

    def can(self, words: int, cached: bool = False) -> bool:
        """Whether this many words may still be looked up (`cached`: their answer is already known,
        which costs the list as much, so that its answer never depends on what came before, and
        the parent nothing)."""
        return self.remaining >= words and (cached or self.parent is None or self.parent.can(words))

    def spend(self, words: int, cached: bool = False) -> None:
        self.remaining -= words
        if self.parent is not None and not cached:
            self.parent.spend(words)

    def mark_cut(self) -> None:
        self.cut = True
        if self.parent is not None and not self.parent.can(1):
            self.parent.mark_cut()


@cache
def dose_forms() -> dict[tuple[str, ...], str]:
    """RxNorm dose forms (and their groups) as token tuples, each with the route it names."""
    with DOSE_FORMS_FILE.open(newline="", encoding="utf-8") as handle:
        return {tuple(tokenize(row["dose_form"])): row["route"] for row in csv.DictReader(handle)}


@cache
def _dose_form_lengths() -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for key in dose_forms():
        lengths.setdefault(key[0], set()).add(len(key))
    return {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}


# Words that may follow a comma in an inverted USP name ("estrogens, conjugated", "heparin sodium,
# porcine", "insulin, regular, human"): the comma does not end the name there.
_INVERTED = frozenset(
    "conjugated esterified porcine bovine human regular isophane nph macrocrystals monohydrate usp "
    "synthetic purified anhydrous recombinant dibasic monobasic live".split()
)
# IV fluids written as the vehicle of another medicine ("vancomycin 1 g in NS 250 mL") are not a
# second medicine.
_VEHICLES = frozenset({("sodium chloride",), ("glucose",), ("glucose", "sodium chloride"), ("water",)})


def resolve(text: str, lexicon: Lexicon, budget: FuzzyBudget | None = None) -> Resolution:
    """Resolve one medication entry to its ingredients.

    Unknown words are looked up as misspellings within `budget` (default: the per-entry limit only);
    the budget is spent by the words looked up.
    """
    budget = budget or FuzzyBudget(per_check=None)
    if len(text) > MAX_INPUT_CHARS:
        return Resolution(text, (), frozenset(), (), (), (TOO_LONG_NOTE.format(limit=f"{MAX_INPUT_CHARS:,}"),))
    written = _uninvert(tokenize(text))
    tokens = _clause(written)
    # A kind of medicine is read before any name in it: "calcium channel blocker" is not calcium, nor
    # "thyroid pill" desiccated thyroid. "pastilla para el agua" is a kind as written, "water pill for
    # my ankles" less its reason.
    if (kind := kind_written(written, lexicon) or kind_written(tokens, lexicon)) is not None:
        return Resolution(text, (), frozenset(ROUTE_WORDS[t] for t in tokens if t in ROUTE_WORDS), (), (), (), kind=kind)
    routes: set[str] = set()
    # Each found name: (entry, matched text, match kind, inside [brackets], after "in", next token)
    found: list[tuple[NameEntry, str, str, bool, bool, str]] = []
    # Each run of unknown words: (words, inside [brackets], the token after it)
    unknown_spans: list[tuple[list[str], bool, str]] = []
    current: list[str] = []
    depth = 0
    after_in = False
    markers: list[tuple[str, str, bool]] = []
    plus_after = -1  # the last "+" after a name, when nothing is read after it it joins nothing
    last_content = -1
    lengths = _dose_form_lengths()
    forms = dose_forms()

    def close_span(next_token: str) -> None:
        nonlocal current
        if current:
            unknown_spans.append((current, depth > 0, next_token))
            current = []

    form_at = [
        next((n for n in lengths.get(token, ()) if tuple(tokens[i:i + n]) in forms), 0)
        for i, token in enumerate(tokens)
    ]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        form_length = form_at[i]
        entry, length = _longest_name(tokens, i, lexicon)
        if token in LATE_CLAUSE_ENDS and found and entry is None:
            break
        # A name never ends inside a dose form ("mitomycin Pyelocalyceal Product").
        while entry is not None and length > 1 and any(
            form_at[p] and p + form_at[p] > i + length for p in range(i + 1, i + length)
        ):
            entry, length = _longest_name(tokens, i, lexicon, length - 1)
        if form_length and form_length >= length:
            close_span(token)
            route = forms[tuple(tokens[i:i + form_length])]
            if route:
                routes.add(route)
            i += form_length
            continue
        if entry is not None:
            close_span(token)
            last_content = i
            end = i + length
            following = tokens[end] if end < len(tokens) else ""
            found.append((entry, " ".join(tokens[i:end]), entry.kind, depth > 0, after_in, following))
            # A form written into the name ("estradiol patch") still names the route.
            routes.update(ROUTE_WORDS[t] for t in tokens[i:end] if t in ROUTE_WORDS and t not in _SHORT_ROUTE_WORDS)
            after_in = False
            i = _skip_salts(tokens, end, lexicon)
            continue
        if token == "[":
            close_span(token)
            depth += 1
        elif token == "]":
            close_span(token)
            depth = max(0, depth - 1)
        elif token == "in":
            close_span(token)
            after_in = bool(found)
        elif _is_filler(token):
            close_span(token)
            if token in ROUTE_WORDS:
                routes.add(ROUTE_WORDS[token])
        else:
            current.append(token)
            last_content = i
        if token == "+" and found and not {tokens[i - 1], tokens[i + 1] if i + 1 < len(tokens) else ""} & _TIMES:
            plus_after = i
        if token in COMBINATION_MARKERS and found and (
            tokens[i - 1] == found[-1][1].split()[-1]
            # "Calcium + D": a letter after a joining word names a second medicine.
            or (len(token) == 1 and tokens[i - 1] in ("+", "and", "with", "plus"))
        ):
            markers.append((found[-1][1], token, depth > 0))
        i += 1
    close_span("")
    if plus_after > last_content:  # "Sudafed PE Pressure + Pain": the partner after "+" was not read
        markers.append((found[-1][1], "+", depth > 0))
    # A [bracketed] brand only stands in for the clinical drug it follows when that names nothing.
    outside = any(not bracketed for _, _, _, bracketed, _, _ in found)
    outside = outside or any(not bracketed for _, bracketed, _ in unknown_spans)
    unrecognised: list[str] = []
    suggestions: list[Suggestion] = []
    kind_notes: list[str] = []
    allowance = _Allowance(budget)
    not_looked_up: list[str] = []
    for span, bracketed, next_token in unknown_spans:
        if bracketed and outside:
            continue
        if (kind := lexicon.rules.class_words.get(" ".join(span))) is not None:
            # "Statin (atorvastatin)": the name says which; "statin and water pill": never a look-alike.
            if not found:
                unrecognised.append(" ".join(span))
                kind_notes.append(KIND_IN_ENTRY_NOTE.format(text=" ".join(span), kind=kind.name))
            continue
        for part, entry, looked_up in _fuzzy_parts(span, lexicon, allowance):
            if entry is not None:
                found.append((entry, part, "fuzzy", bracketed, False, next_token))
                continue
            shown = part if len(part) <= 80 else part[:77] + "..."
            unrecognised.append(shown)
            if not looked_up:
                not_looked_up.append(shown)
            elif len({s.ingredients for s in suggestions}) < 5:  # only five are shown, first parts first
                close = suggest(part[:80], lexicon, limit=5)
                if next_token in MR_SUFFIXES:
                    # "Tildiem LA": a look-alike of another kind is worse than no suggestion.
                    close = [s for s in close if fuzz.ratio(part, s.name.lower()) >= 85]
                suggestions.extend(close)
    kept = [
        (entry, text_, kind) for entry, text_, kind, bracketed, vehicle, _ in found
        if not (bracketed and outside) and not (vehicle and entry.ingredients in _VEHICLES)
    ]
    ingredients = _ingredients(kept)
    markers = [(name, marker) for name, marker, bracketed in markers if not (bracketed and outside)]
    notes = kind_notes + _combination_notes(tokens, ingredients, markers, unrecognised)
    if not_looked_up:
        notes.append(allowance.note(not_looked_up))
    return Resolution(
        input=text,
        ingredients=ingredients,
        # A product that implies a form (eye drops, a patch) states it, unless the entry says the form.
        routes=frozenset(routes) or frozenset(r for entry, _, _ in kept for r in entry.routes),
        unrecognised=tuple(unrecognised),
        suggestions=tuple(_dedupe_suggestions(suggestions))[:5],
        notes=tuple(notes),
    )


# Words around a kind of medicine that do not change which kind it is ("some kind of water pill");
# "my", "a", "mi" and the like are NOISE for every entry.
_KIND_FILLERS = frozenset("kind type sort".split())


def kind_written(tokens: list[str], lexicon: Lexicon) -> str | None:
    """The kind of medicine an entry names instead of a medicine ("a water pill" -> diuretics), if any.

    The entry must be one kind's words with only doses, forms, times and words like "my" around
    them: "water pill 40 mg daily", "blood pressure water pill" and "mi pastilla para el agua" are
    kinds; "water pill and statin" (two kinds) and "water pill for my ankles" (read without its
    reason by the caller) are not.
    """
    words = lexicon.rules.class_words
    kinds: set[str] = set()
    i = 0
    while i < len(tokens):
        length = next((n for n in range(min(lexicon.rules.longest_word, len(tokens) - i), 0, -1)
                       if " ".join(tokens[i:i + n]) in words), 0)
        if length:
            kinds.add(words[" ".join(tokens[i:i + length])].id)
            i += length
        elif tokens[i] in _KIND_FILLERS or _is_filler(tokens[i]):
            i += 1
        else:
            return None
    return kinds.pop() if len(kinds) == 1 else None


def _uninvert(tokens: list[str]) -> list[str]:
    """Drop the comma of inverted USP names ("estrogens, conjugated" reads "estrogens conjugated")."""
    return [
        t for index, t in enumerate(tokens)
        if not (t == "," and index + 1 < len(tokens) and tokens[index + 1] in _INVERTED)
    ]


# "AC+HS" (before meals and at bedtime) joins two times, not two medicines.
_TIMES = frozenset("ac pc hs qhs am pm bid tid qid daily breakfast lunch dinner meals bedtime morning night".split())
_DATE_WORDS = frozenset("started start since from until till on date dated filled last exp expires expiry".split())
_FRACTIONS = frozenset({("1", "2"), ("1", "3"), ("2", "3"), ("1", "4"), ("3", "4")})


def _strength_runs(tokens: list[str]) -> list[list[str]]:
    """Runs of strengths joined by slashes ("50/12.5", "5/325"), fractions and release ratios aside."""
    runs: list[list[str]] = []
    i = 0
    while i < len(tokens):
        if not is_number(tokens[i]) or tokens[i].startswith("#"):
            i += 1
            continue
        run = [tokens[i]]
        j = i + 1
        while j + 1 < len(tokens) and tokens[j] == "/" and is_number(tokens[j + 1]):
            run.append(tokens[j + 1])
            j += 2
        following = tokens[j] if j < len(tokens) else ""
        before = tokens[i - 1] if i else ""
        is_date = before in _DATE_WORDS or any(n.isdigit() and 1900 <= int(n) <= 2100 for n in run)
        if len(run) > 1 and tuple(run) not in _FRACTIONS and following != "release" and not is_date:
            runs.append(run)
        i = j
    return runs


def _combination_notes(tokens: list[str], ingredients: tuple[MatchedIngredient, ...],
                       markers: list[tuple[str, str]], unrecognised: list[str]) -> list[str]:
    """Say so when an entry names a combination but fewer ingredients were read (never drop one silently)."""
    if unrecognised or not ingredients:
        return []
    found = " and ".join(i.name for i in ingredients)
    for name, marker in markers:
        if marker == "plus" and tokens and tokens[-1] != marker:
            continue  # "losartan plus HCTZ" joins two names
        # "Alka-Seltzer Plus", "Claritin D", "Robitussin DM": another product than the brand alone.
        if marker in ("plus", "d", "dm", "+") or len(ingredients) == 1:
            unrecognised.append(marker)
            return [MARKER_NOTE.format(marker=f"{name} {marker}", found=found)]
    if len(ingredients) != 1 or found.startswith("insulin"):  # "70/30" mixes two forms of insulin
        return []
    for run in _strength_runs(tokens):
        unrecognised.append("/".join(run))
        return [STRENGTHS_NOTE.format(strengths="/".join(run), count=len(run), found=found)]
    return []


# "for" inside a dose form ("Powder for Oral Suspension", "Gas for Inhalation") ends no clause.
_FORM_BEFORE_FOR = frozenset({"powder", "gas", "tablet", "granules", "tablets"})


def _clause(tokens: list[str]) -> list[str]:
    for index, token in enumerate(tokens):
        if token in CLAUSE_ENDS and not (token == "for" and index and tokens[index - 1] in _FORM_BEFORE_FOR):
            return tokens[:index]
    return tokens


def _is_filler(token: str) -> bool:
    return (
        len(token) == 1 or token in BOUNDARIES or is_number(token) or token in NOISE or token in CONNECTORS
        or token in ROUTE_WORDS or token[0] == "#"
    )


def _longest_name(tokens: list[str], start: int, lexicon: Lexicon,
                  limit: int | None = None) -> tuple[NameEntry | None, int]:
    if tokens[start] not in lexicon.first_words:
        return None, 0
    longest = min(lexicon.longest_name, len(tokens) - start, limit or lexicon.longest_name)
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
        # "potassium chloride" after a name is another medicine unless every word is a salt word
        # of the name before it ("dexamethasone sodium phosphate").
        if entry is not None and length > 1 and not all(t in SALTS for t in tokens[index:index + length]):
            break
        index += 1
    return index


@cache
def english_words() -> frozenset[str]:
    """Ordinary English words (GCIDE), lower case: never read as a misspelt medicine."""
    return frozenset(get_english_words_set(["gcide"], alpha=True, lower=True))


@cache
def spanish_words() -> frozenset[str]:
    """Ordinary Spanish words (pyspellchecker's list, each seen 50 times or more), written as entries
    are read (lower case, no accents): "ayunas" (fasting) is never read as the brand Ayuna."""
    from spellchecker import SpellChecker

    return frozenset(normalize(word) for word in SpellChecker(language="es", distance=1).word_frequency.keys())


def ordinary_words() -> tuple[frozenset[str], frozenset[str]]:
    """The English and the Spanish word lists (loaded on first use)."""
    return english_words(), spanish_words()


def is_ordinary_word(word: str) -> bool:
    """Tell whether a word is an ordinary English or Spanish word, or an inflection of one
    ("avoiding", "lyrics", "ayunas")."""
    english, spanish = ordinary_words()
    word = word.replace("'", "")
    if word in english or word in spanish or word in NEVER_FUZZY:
        return True
    for suffix, replacement in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                                ("ies", "y"), ("ied", "y"), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and word[: -len(suffix)] + replacement in english:
            return True
    return any(word.endswith(suffix) and len(word) - len(suffix) >= 3 and word[: -len(suffix)] in spanish
               for suffix in ("s", "es"))


class _Allowance:
    """One entry's share of a budget: a word is looked up only while the entry and the list have budget."""

    __slots__ = ("budget", "used", "by_list")

    def __init__(self, budget: FuzzyBudget):
        self.budget = budget
        self.used = 0
        self.by_list = False  # the list's budget (not the entry's) stopped a word

    def take(self) -> bool:
        budget = self.budget
        if self.used >= budget.per_entry:
            return False
        if not budget.can(1):
            self.by_list = True
            budget.mark_cut()
            return False
        self.used += 1
        budget.spend(1)
        return True

    def note(self, parts: list[str]) -> str:
        shown = ", ".join(f"'{p}'" for p in parts[:5]) + (f" and {len(parts) - 5} more" if len(parts) > 5 else "")
        if self.by_list:
            return CHECK_BUDGET_NOTE.format(parts=shown, limit=f"{self.budget.per_check:,}")
        return ENTRY_BUDGET_NOTE.format(parts=shown, limit=self.budget.per_entry)


def _fuzzy_parts(span: list[str], lexicon: Lexicon,
                 allowance: _Allowance) -> list[tuple[str, NameEntry | None, bool]]:
    """Split a run of unknown words into parts, each with the medicine it is a misspelling of (or None)
    and whether it was looked up at all (within the allowance).

    A run that is one name once its spaces go ("hydrochloro thiazide") or that is close to a
    name as a whole is taken whole; otherwise word by word.
    """
    if 1 < len(span) <= 3 and not all(is_ordinary_word(word) for word in span) and allowance.take():
        joined = " ".join(span)
        entry = fuzzy_match(joined, lexicon)
        if entry is not None:
            return [(joined, entry, True)]
    parts = []
    for word in span:
        if not allowance.take():
            parts.append((word, None, False))
        else:
            parts.append((word, None if is_ordinary_word(word) else fuzzy_match(word, lexicon), True))
    return parts


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
    # People rarely get the first letter wrong; sound-alike drugs often differ only there: only names
    # with the same first letter are candidates (and only they are compared, which is much cheaper).
    candidates = process.extract(
        text, lexicon.fuzzy_by_initial.get(text[0], ()), scorer=OSA.distance, score_cutoff=limit + 1, limit=25
    )
    candidates = [(key, distance) for key, distance, _ in candidates]
    if not candidates:
        return None
    best = min(distance for _, distance in candidates)
    if best > limit:
        return None
    # A rival counts when the text is almost as close to it; beside a one-edit match, only when the
    # text could be a misspelling of it too ("asprin" is two edits from Afrin, more than a five-letter
    # name allows).
    closest = {
        lexicon.names[key].ingredients for key, distance in candidates
        if distance <= best + 1 and (best > 1 or distance <= max(1, _max_distance(len(key))))
    }
    if len(closest) != 1:
        return None
    # A shortened name ("sulfameth" for sulfamethoxazole) is the start of another medicine's name:
    # it is not a misspelling of a look-alike ("sulfameter").
    (chosen,) = closest
    if any(not set(chosen) <= set(lexicon.names[key].ingredients) for key in _prefix_matches(text, lexicon, 5)):
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
