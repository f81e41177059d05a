"""The words the service says to people. Kept in one place so they can be reviewed together.

Rules they follow: never tell anyone to stop, start or change a medicine; a flag says
"associated with", never "causes"; never suggest quinine for cramps.
"""

DISCLAIMER = (
    "CrampCheck gives general information from published studies, reviews and drug labels. It is "
    "not a diagnosis and not medical advice, and it does not know your full health history. An "
    "association does not mean that a medicine is causing your cramps. Do not stop, start or change "
    "any medicine because of this result; talk to your prescriber or pharmacist first."
)

ADVICE_FLAGGED = (
    "{count} of your medicines {verb} associated with muscle cramps in published evidence. This does "
    "not mean {pronoun} causing your cramps. Do not stop or change any medicine on your own: talk "
    "to your prescriber or pharmacist first. They can look at the whole picture, including other "
    "causes of cramps. See a doctor soon if cramps "
    "disturb your sleep or come with numbness, weakness or swelling, and get urgent help if a cramp "
    "lasts more than 10 minutes despite stretching."
)

ADVICE_NONE_FLAGGED = (
    "None of the medicines we recognised is associated with muscle cramps in the sources we use. "
    "Cramps have many other causes, so if they trouble you, talk to your doctor, prescriber or "
    "pharmacist. Do not change any medicine without talking to them first."
)

ADVICE_UNRESOLVED = (
    " We could not fully check {count} {entries} (a name we did not recognise, or a form we need to "
    "know); check the entry or ask your pharmacist, because we cannot say anything about {them} yet."
)

PROFESSIONAL_NOTE = (
    "Medicines on this list with a published association with muscle cramps: {items}. Evidence tiers "
    "follow the CrampCheck seed rules (strong: population study or placebo-controlled label data; "
    "moderate: review, guideline, regulator or label without a usable placebo comparison; weak: "
    "secondary lists, case reports or class extrapolation). Please review whether any of these may "
    "be contributing, alongside other causes, before any change to therapy."
)

PROFESSIONAL_NOTE_NONE = (
    "No medicine on this list matched a cramp-associated class in the CrampCheck seed. Consider "
    "other causes of cramps (conditions, electrolytes, exercise) as clinically appropriate."
)

QUININE_WARNING = (
    "Quinine (including quinine in tonic water taken as a remedy) should not be used for leg "
    "cramps: the US FDA has warned that this use can cause serious and life-threatening blood "
    "reactions and kidney damage, and that its risks outweigh any benefit. If you take quinine, "
    "talk to your prescriber or pharmacist."
)

ASSOCIATION = "{ingredient} is associated with muscle cramps ({tier} evidence)."
OPENFDA_DISCLAIMER = (
    "openFDA data are unvalidated; FDA asks that they not be relied on alone for decisions about "
    "medical care. Label wording and FAERS reports are shown as evidence, not as a diagnosis."
)
QUININE_NOTE = "Quinine is not a treatment for leg cramps: read the quinine warning in this result."
CHECKED_NOT_ASSOCIATED_NOTE = (
    "Checked: not associated with muscle cramps in the sources CrampCheck reviewed for this medicine."
)
NOT_FOUND_NOTE = (
    "No association with muscle cramps found in our sources. This medicine has not been specifically "
    "reviewed, so this is not a statement that it is never linked to cramps."
)
# The usual "not flagged" note (batch files leave it out of their notes column).
NOT_FLAGGED_NOTE = NOT_FOUND_NOTE
BORDERLINE_NOTE = "{ingredient}: {note}"
FORM_NEEDED_NOTE = (
    "The form decides for {ingredient}: it is associated with cramps only in these forms: {routes}; "
    "not, for example, as a cream, eye or ear drops, an inhaler or a patch. Please say which form is "
    "taken (for example 'tablet', 'injection', 'cream', 'eye drops') to check it."
)
FUZZY_NOTE = "Matched a likely misspelling: '{text}' was read as {name}. Please check this is the medicine you meant."
UNRESOLVED_NOTE = "Could not recognise: {parts}. Check the spelling."
ROUTE_NOTE = "The association applies only to these forms: {routes}."
ROUTE_EXCLUDED_NOTE = (
    "{ingredient} is associated with cramps only in these forms: {routes}; the form written here is "
    "not one of them (or was not stated)."
)
NO_NAME_NOTE = "No medicine name was found in this entry."
DUPLICATE_NOTE = (
    "Medicine {number} of this list ({input}) also holds {ingredients}: the same medicine may be listed twice."
)
KIND_FLAGGED_NOTE = (
    "This names a kind of medicine, {kind}, not the medicine itself. Medicines of this kind are associated "
    "with muscle cramps ({tier} evidence for the kind). Please add the medicine's name so that it, its "
    "dose and its combinations with your other medicines can be checked."
)
KIND_UNRESOLVED_NOTE = (
    "This names a kind of medicine, {kind}, not the medicine itself. {note} Please write the medicine's "
    "name (and its form) so that it can be checked."
)
BATCH_ADVICE = (
    "Flags say a medicine is associated with muscle cramps in published evidence, with its evidence "
    "tier and sources; they are not a diagnosis. Nobody should stop, start or change a medicine "
    "because of this file: talk to the prescriber or pharmacist first."
)

# Codes (RxNorm RXCUI, NDC) sent with or instead of a name
CODE_READ = "Read from {code}: {ingredients}."
CODE_AGREES = "The {code} agrees with the name."
CODE_DISAGREES = (
    "The {code} stands for {by_code}, but the name reads as {by_text}. CrampCheck does not choose between "
    "them: check which medicine is meant and send it again."
)
CODE_NOT_FOUND = (
    "The {code} is not in CrampCheck's table of ingredient codes. Send the medicine's name as text, "
    "or use a service where openFDA lookups are enabled."
)
CODE_NOT_USED = "The answer is read from the name only. {why}"
CODE_TEXT_UNREAD = "The name given with the {code} was not recognised; the answer is read from the code."
CODE_LOOKUP_UNAVAILABLE = (
    "The {code} could not be looked up in openFDA just now. Send the medicine's name as text, or try again later."
)
CODE_NOT_IN_OPENFDA = "openFDA has no product with the {code}. Check the code, or send the medicine's name as text."
CODE_AMBIGUOUS = (
    "The {code} matches products with different ingredients ({readings}): write it with its hyphens "
    "(4-4-2, 5-3-2 or 5-4-1), or send the medicine's name as text."
)

# CDS Hooks cards (professional wording)
CDS_ADVICE = (
    "An association is not a diagnosis: other causes of cramps are common. Weigh it with the patient's "
    "history; CrampCheck does not recommend starting, stopping or changing any medicine."
)

# Attribution: why each flagged medicine sits where it does (the rule: service/reasoning/attribution.py)
ATTRIBUTION_STRONG = "Strong evidence: a population study or placebo-controlled data link it with cramps."
ATTRIBUTION_MODERATE = "Moderate evidence: named by a clinical review, guideline, regulator or label."
ATTRIBUTION_WEAK = "Weak evidence: named only in secondary lists or case reports, or by its class."
ATTRIBUTION_TIER = {"strong": ATTRIBUTION_STRONG, "moderate": ATTRIBUTION_MODERATE, "weak": ATTRIBUTION_WEAK}
ATTRIBUTION_EFFECT = "Size of the association ({measure}): {figure}."
ATTRIBUTION_NO_EFFECT = "No size of the association is published for it in our sources."
ATTRIBUTION_EFFECT_EXTRAPOLATED = (
    "Its class's published size of the association ({measure}: {figure}) was measured on other medicines "
    "of the class; it is included by extrapolation, so the figure is not counted for it."
)
ATTRIBUTION_SOURCES = "Named by {count} {sources}."
ATTRIBUTION_HIGH_DOSE = "The dose written, {ingredient} {dose} mg a day, is above {limit} mg: {why}."
ATTRIBUTION_DOSE_UNSTATED = "No dose was written; the risk is higher above {limit} mg of {ingredient}."
ATTRIBUTION_DOSE_UNREAD = (
    "The dose of {ingredient} written could not be read for sure; the risk is higher above {limit} mg a day."
)
ATTRIBUTION_AMPLIFIER = "It is on the list with {other}, a combination that raises the risk of {effect} ({tier} evidence)."
ATTRIBUTION_NO_START = "No start date was given, so timing was not weighed."
ATTRIBUTION_TIMING_UNWEIGHED = "When it was started would matter: {note}"
ATTRIBUTION_PARTNER_START = (
    "{other}, which raises its risk of muscle problems, was started {before} before the cramps began, "
    "within {window}: starting an interacting medicine counts like starting this one, so that supports "
    "it. {note}"
)
ATTRIBUTION_AFTER_ONSET = (
    "It was started {after} after the cramps began, so it is unlikely to explain how they began; it is "
    "placed below the medicines started before."
)
ATTRIBUTION_NO_WINDOW = (
    "It was started {before} before the cramps began; our sources give no onset window for it, so "
    "timing was not weighed."
)
ATTRIBUTION_TIMING_NOT_INFORMATIVE = "It was started {before} before the cramps began. {note}"
ATTRIBUTION_TIMING_AGAINST = (
    "It was started {before} before the cramps began, more than {window} before: that counts against it. {note}"
)
ATTRIBUTION_TIMING_SUPPORTS = "It was started {before} before the cramps began, within {window}: that supports it. {note}"
ATTRIBUTION_TIMING_OUTSIDE = (
    "It was started {before} before the cramps began, longer ago than the window our sources describe; "
    "timing was not weighed."
)
GARRISON_WINDOW = (
    "The population study behind this counted new cramp treatment in the year after a start; it cannot "
    "tell an onset in week 2 from one in month 11, and onset timing alone is weak evidence."
)
ATTRIBUTION_TIED = "It shares its rank with {others}: the evidence does not separate them."
ATTRIBUTION_NOTE = (
    "Ordered by how plausibly each flagged medicine explains cramps, from the strength and size of the "
    "evidence, the number of sources, the dose, risk-raising combinations and timing when given. "
    "Medicines with equal evidence share a rank. This is not a diagnosis: any of them, or none, may be "
    "involved, and other causes are common."
)

# Checks for the professional (never an order; never in the patient text)
CHECKS_NOTE = (
    "For the prescriber's judgement: laboratory checks that the mechanisms of the flagged medicines "
    "and combinations may make relevant. They are not orders, and normal results are common."
)

# Kinds of medicine and names the resolver could not read whole (service/resolution.py)
TOO_LONG_NOTE = "This entry is longer than {limit} characters, so it was not read. Write one medicine per entry."
MARKER_NOTE = (
    "'{marker}' usually names a combination with another medicine, but only {found} was "
    "recognised: an ingredient was not read."
)
STRENGTHS_NOTE = (
    "'{strengths}' gives {count} strengths but only {found} was recognised: the other ingredient "
    "was not read."
)
ENTRY_BUDGET_NOTE = (
    "Not looked up as possible misspellings: {parts}. This entry has more than {limit} words CrampCheck did "
    "not recognise, so the rest were not compared with medicine names. Check the spelling, and write one "
    "medicine per entry."
)
CHECK_BUDGET_NOTE = (
    "Not looked up as possible misspellings: {parts}. This list has more than {limit} words CrampCheck did "
    "not recognise in all, so the rest were not compared with medicine names. Check the spelling, or send "
    "fewer entries at a time."
)
KIND_IN_ENTRY_NOTE = (
    "'{text}' names a kind of medicine ({kind}), not one medicine: write the medicine's name, one per entry, "
    "to check it."
)
UNRESOLVED_SUGGESTIONS_NOTE = "Could not recognise: {parts}. Check the spelling or choose one of the suggestions."

# The professional note's items: "Lasix 40mg (Loop diuretics, moderate evidence)"
PROFESSIONAL_ITEM = "{input} ({classes})"
PROFESSIONAL_CLASS = "{name}, {tier} evidence"

# Combinations (service/amplifiers.py)
AMPLIFIER_DOSE_ABOVE = "{ingredient} {dose} mg a day is above the {limit} mg limit for this combination."
AMPLIFIER_DOSE_UNSTATED = "Counts when the {ingredient} dose is above {limit} mg a day; the list does not say the dose."
AMPLIFIER_DOSE_UNREAD = (
    "Counts when the {ingredient} dose is above {limit} mg a day; the dose written could not be read for sure."
)

# openFDA: a drug outside the seed whose FDA class matches a seeded class
OPENFDA_CLASS_NOTE = (
    "Not in the CrampCheck seed; its FDA pharmacologic class ({classes}) matches this class, so the association "
    "is extrapolated."
)

# Durations in the attribution's reasons (service/reasoning/timing.py)
DURATION_DAY = "{count} day"
DURATION_DAYS = "{count} days"
DURATION_WEEK = "{count} week"
DURATION_WEEKS = "{count} weeks"
DURATION_MONTHS = "{count} months"
DURATION_YEAR = "a year"
START_UNREAD_NOTE = (
    "The start date written here ('{written}') could not be used, so timing is not weighed for this medicine. "
    "Write a past date such as 2026-10-01, or how long ago, such as 'started 3 weeks ago'."
)

# Batch files
BATCH_PATIENT_ADVICE = "Talk to the prescriber or pharmacist before changing any medicine."
BATCH_ENTRY_TOO_LONG = "The medication is longer than {limit} characters."
BATCH_AMPLIFIER = "{first} with {second} ({effect}, {tier} evidence)"

# English words the core puts into placeholders, by placeholder name: translated with that name as
# the gettext context ("is"/"are" for {verb}). A new placeholder taking words needs its words here.
PLACEHOLDER_WORDS = {
    "tier": ("strong", "moderate", "weak"),
    "verb": ("is", "are"),
    "pronoun": ("it is", "they are"),
    "entries": ("entry", "entries"),
    "them": ("it", "them"),
    "words": ("word", "words"),
    "sources": ("source", "independent sources"),
    "effect": ("muscle", "potassium", "magnesium", "muscle toxicity", "potassium loss", "magnesium loss"),
    "routes": ("oral", "injection", "inhaled", "nasal", "topical", "ophthalmic", "otic", "rectal", "vaginal",
               "transdermal", "sublingual", "intrauterine", "implant"),
}

# Every constant above is a Template: formatting one remembers its msgid, so that the edge can say it
# in the reader's language (service/i18n.py). Constants added above are included automatically.
from .i18n import mark  # noqa: E402 - after the constants it marks

mark(globals())
