"""Languages: the core speaks English; a Translator turns what it said into another language.

The core (matching, pipeline, reasoning) stays pure and English. Every text it says comes from a
constant of service/messages.py, marked there as a `Template` (a str that remembers its msgid);
formatting one gives a `Message` (a str that remembers its template and placeholders), and joining
messages gives a `Joined`. They are ordinary strings to every other line of code, and the English
output is unchanged. At the edge (API, page, batch), `Translator.text` rebuilds a Message from the
translated template and translated placeholder values; a plain string (seed text: class names,
mechanisms, notes, ...) is looked up as it is.

Translations are gettext catalogs (service/translations/<lang>/LC_MESSAGES/messages.po), read with
Babel at start-up (no compile step). A placeholder's value that is an English word the core chose
("is"/"are", a tier, a form) is looked up with the placeholder's name as msgctxt. `extract()` lists
every msgid (messages.py, the seed's patient-facing texts, the page and its script) for
`flask translations update` and for the test that holds every one translated.
"""

from __future__ import annotations

import csv
import io
import re
import string
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "es")
DEFAULT = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
SEED = Path(__file__).resolve().parent.parent / "seed"
DOMAIN = "messages"
_FORMATTER = string.Formatter()
_CACHE_SIZE = 20000  # translated texts kept per language; cleared when full


def placeholders(text: str) -> set[str]:
    """The named placeholders of a template ("{count} of {total}" -> {"count", "total"})."""
    try:
        return {name for _, name, _, _ in _FORMATTER.parse(text) if name}
    except ValueError:  # a lone brace: no placeholders
        return set()


def fold(text: str) -> str:
    """Whitespace folded: seed texts are looked up the way the seed loader folds YAML text."""
    return " ".join(text.split())


class Template(str):
    """A message constant: a str whose format() remembers what it was made from."""

    __slots__ = ()

    def format(self, *args: Any, **params: Any) -> Message:  # type: ignore[override]
        return Message(str.format(self, *args, **params), self, params)


class Message(str):
    """A formatted message: the English text, its template and its placeholder values."""

    __slots__ = ("template", "params")

    def __new__(cls, text: str, template: str, params: Mapping[str, Any]) -> Message:
        value = super().__new__(cls, text)
        value.template = template
        value.params = params
        return value

    def __add__(self, other: str) -> Joined:  # type: ignore[override]
        return Joined("", (self, other))

    def __radd__(self, other: str) -> Joined:
        return Joined("", (other, self))


class Joined(str):
    """Texts joined by a separator ("; ".join of messages), translated part by part."""

    __slots__ = ("separator", "parts")

    def __new__(cls, separator: str, parts: Iterable[str]) -> Joined:
        parts = tuple(parts)
        value = super().__new__(cls, separator.join(parts))
        value.separator = separator
        value.parts = parts
        return value

    def __add__(self, other: str) -> Joined:  # type: ignore[override]
        return Joined("", (self, other))

    def __radd__(self, other: str) -> Joined:
        return Joined("", (other, self))


def join(separator: str, parts: Iterable[str]) -> Joined:
    """separator.join(parts), keeping the parts so that each is translated."""
    return Joined(separator, parts)


def mark(namespace: dict[str, Any]) -> None:
    """Make every upper-case str constant of a module (and str values of its dicts) a Template."""
    for name, value in list(namespace.items()):
        if not name.isupper():
            continue
        if isinstance(value, str) and not isinstance(value, Template):
            namespace[name] = Template(value)
        elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            namespace[name] = {k: Template(v) for k, v in value.items()}


# JSON members holding what a person wrote or an identifier: never translated.
UNTRANSLATED_KEYS = frozenset({
    "input", "matched_text", "via", "unrecognised", "unmatched_conditions", "citation", "url", "medicines",
    "id", "class_id", "code", "status", "evidence_tier", "highest_tier", "source", "match", "seed_version",
    "ingredient", "ingredients", "classes", "kind", "timing", "started", "onset", "last_updated", "effect",
    "not_checked", "links", "patient_id",
})


class Translator:
    """Texts in one language, from gettext Translations; English (no catalog) leaves them as they are."""

    def __init__(self, lang: str, translations: NullTranslations | None = None):
        self.lang = lang
        self.translations = translations or NullTranslations()
        self.identity = translations is None
        self._texts: dict[str, str] = {}
        self._messages: dict[str, str] = {}
        self.missing: set[str] = set()  # msgids asked for and not found (for tests and review)

    def gettext(self, msgid: str, context: str | None = None) -> str | None:
        """The translation of a msgid, or None when the catalog has none."""
        if self.identity:
            return msgid
        key = fold(msgid)
        found = self.translations.pgettext(context, key) if context else self.translations.gettext(key)
        return None if found == key and not self._same(key, context) else found

    def _same(self, key: str, context: str | None) -> bool:
        """Whether the catalog translates a msgid to itself ("oral" is "oral")."""
        catalog = getattr(self.translations, "_catalog", {})
        return (f"{context}\x04{key}" if context else key) in catalog

    def __call__(self, text: str, **params: Any) -> str:
        """A text of the page or the batch files: its translation, formatted with params."""
        found = self.gettext(text)
        if found is None:
            self.missing.add(text)
            found = text
        return found.format(**params) if params else found

    def text(self, value: Any) -> Any:
        """A text the core said, in this language (non-strings unchanged; spaces around it kept)."""
        if self.identity or not isinstance(value, str):
            return value
        found = self._text(value)
        if found is not value and (value[:1].isspace() or value[-1:].isspace()):
            found = value[:len(value) - len(value.lstrip())] + found.strip() + value[len(value.rstrip()):]
        return found

    def _text(self, value: str) -> str:
        if isinstance(value, Message | Joined):
            cache = self._messages
            found = cache.get(value)
            if found is None:
                if len(cache) > _CACHE_SIZE:
                    cache.clear()
                found = cache[value] = self._message(value) if isinstance(value, Message) else \
                    value.separator.join(self.text(part) for part in value.parts)
            return found
        cache = self._texts
        found = cache.get(value)
        if found is None:
            if len(cache) > _CACHE_SIZE:
                cache.clear()
            found = cache[value] = self.gettext(value) or value
        return found

    def _message(self, message: Message) -> str:
        template = self.gettext(message.template)
        if template is None:
            self.missing.add(str(message.template))
            return str(message)
        params = {name: self._value(name, value) for name, value in message.params.items()}
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):  # a broken translation never breaks a check
            self.missing.add(str(message.template))
            return str(message)

    def _value(self, name: str, value: Any) -> Any:
        """A placeholder's value: a message translated, an English word looked up in its placeholder's context."""
        if isinstance(value, Message | Joined):
            return self.text(value)
        if not isinstance(value, str) or not value:
            return value
        found = self.gettext(value, name) or self.gettext(value)
        if found is not None:
            return found
        for separator in ("; ", ", ", " / "):  # a list of words: each one
            if separator in value:
                return separator.join(self._value(name, part) for part in value.split(separator))
        return value

    def json(self, value: Any, key: str | None = None) -> Any:
        """A JSON document with every text the core said translated (what people wrote and ids kept)."""
        if self.identity or key in UNTRANSLATED_KEYS:
            return value
        if isinstance(value, dict):
            return {k: self.json(v, k) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(v, key) for v in value]
        return self.text(value)


def read_catalog(lang: str) -> Catalog:
    """The gettext catalog of a language, read from its .po file."""
    path = TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as file:
        return read_po(file, locale=lang, domain=DOMAIN)


@cache
def translator(lang: str) -> Translator:
    """The shared translator of a language (English: the identity). Built once per process."""
    if lang not in LANGUAGES or lang == DEFAULT:
        return Translator(DEFAULT)
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(lang))  # fuzzy and empty entries are left out, as gettext does
    buffer.seek(0)
    return Translator(lang, Translations(buffer, domain=DOMAIN))


def choose(explicit: str | None, accept_language: Any = None) -> str:
    """The language of a request: an explicit choice (`lang`), else the best of Accept-Language, else English.

    `accept_language` is werkzeug's LanguageAccept (request.accept_languages) or None.
    """
    if explicit:
        code = explicit.strip().lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES:
            return code
    # The most preferred language CrampCheck speaks, a regional tag counting as its language ("es-MX" is
    # Spanish even when "en" is accepted with a lower weight); entries are sorted by weight.
    for tag, quality in accept_language or ():
        code = tag.lower().replace("_", "-").split("-")[0]
        if quality > 0 and code in LANGUAGES:
            return code
    return DEFAULT


# ---- What is translated: the msgids of the catalog ------------------------------------------------

# Seed fields shown to people, in any seed YAML file (a new file's fields with these names count too).
SEED_TEXT_FIELDS = frozenset({
    "name", "mechanism", "key_figure", "note", "why", "title", "text", "what_you_can_do", "evidence",
    "some_note", "measure", "figure",
})
# Seed fields with these names in any YAML file are ids or word lists, not texts.
SEED_CSV_TEXTS = {"members.csv": ("note",), "negatives.csv": ("note",)}
_SEED_SKIP_FILES = frozenset({"references.yaml"})
_PAGE_CALL = re.compile(r"""\bt\(\s*(["'])((?:\\.|(?!\1).)*)\1""")


def seed_texts(seed: Path = SEED) -> dict[str, str]:
    """Every patient-facing text of the seed, with where it comes from."""
    texts: dict[str, str] = {}

    def walk(node: Any, where: str, field: str | None) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}:{key}", str(key))
        elif isinstance(node, list):
            for value in node:
                walk(value, where, field)
        elif isinstance(node, str) and field in SEED_TEXT_FIELDS and fold(node):
            texts.setdefault(fold(node), where)

    for path in sorted(seed.glob("*.yaml")):
        if path.name not in _SEED_SKIP_FILES:
            walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name, None)
    for name, fields in SEED_CSV_TEXTS.items():
        with (seed / name).open(encoding="utf-8", newline="") as file:
            for number, row in enumerate(csv.DictReader(file), start=2):
                for field in fields:
                    if fold(row.get(field) or ""):
                        texts.setdefault(fold(row[field]), f"{name}:{number}")
    return texts


def message_texts() -> dict[str, str]:
    """Every message constant of service/messages.py (and the words its placeholders take), with its name."""
    from . import messages

    texts: dict[str, str] = {}
    for name, value in vars(messages).items():
        if isinstance(value, Template):
            texts.setdefault(fold(value), name)
        elif isinstance(value, dict) and name != "PLACEHOLDER_WORDS":
            for key, item in value.items():
                if isinstance(item, Template):
                    texts.setdefault(fold(item), f"{name}[{key}]")
    return texts


_TEMPLATE_CALL = re.compile(r"""\b_\(\s*(["'])((?:\\.|(?!\1).)*)\1""")
_HERE = Path(__file__).resolve().parent
PAGE_SOURCES = ((_HERE / "static" / "app.js", _PAGE_CALL), (_HERE / "templates" / "index.html", _TEMPLATE_CALL))


def page_texts(sources: Iterable[tuple[Path, re.Pattern[str]]] = PAGE_SOURCES) -> dict[str, str]:
    """The texts of the page: t("...") calls in app.js and _("...") in the template, with where each is."""
    texts: dict[str, str] = {}
    for path, call in sources:
        source = path.read_text(encoding="utf-8")
        for match in call.finditer(source):
            text = match[2].encode().decode("unicode_escape").encode("latin-1").decode("utf-8") \
                if "\\" in match[2] else match[2]
            line = source.count("\n", 0, match.start()) + 1
            texts.setdefault(text, f"{path.parent.name}/{path.name}:{line}")
    return texts


@cache
def script_texts(lang: str) -> dict[str, str]:
    """The page script's texts in a language ({English: translated}), handed to app.js with the page."""
    texts = page_texts(PAGE_SOURCES[:1])
    translate = translator(lang)
    return {text: translate(text) for text in texts} if lang != DEFAULT else {}


def extract() -> Catalog:
    """The catalog template (.pot): every msgid CrampCheck may show, with where it comes from."""
    from . import messages

    catalog = Catalog(domain=DOMAIN, project="CrampCheck", charset="utf-8")
    for text, where in message_texts().items():
        catalog.add(text, auto_comments=[f"service/messages.py {where}"])
    for context, words in messages.PLACEHOLDER_WORDS.items():
        for word in words:
            catalog.add(word, context=context, auto_comments=[f"a value of the {{{context}}} placeholder"])
    for text, where in seed_texts().items():
        if text not in catalog:
            catalog.add(text, auto_comments=[f"seed {where}"])
    for text, where in page_texts().items():
        if text not in catalog:
            catalog.add(text, auto_comments=[f"page {where}"])
    return catalog


def update_catalogs() -> dict[str, tuple[int, int]]:
    """Write the template (messages.pot) and bring each language's .po up to date with it.

    New msgids are added untranslated, changed ones kept as fuzzy suggestions, gone ones dropped.
    Returns, per language, (msgids, untranslated).
    """
    from babel.messages.pofile import write_po

    template = extract()
    with (TRANSLATIONS / f"{DOMAIN}.pot").open("wb") as file:
        write_po(file, template, width=100, omit_header=False, sort_output=False)
    counts = {}
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        path = TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_catalog(lang) if path.exists() else Catalog(locale=lang, domain=DOMAIN, project="CrampCheck")
        catalog.fuzzy = False  # the header: reviewed
        catalog.update(template, no_fuzzy_matching=True)  # a guessed translation is worse than none
        catalog.obsolete.clear()
        with path.open("wb") as file:
            write_po(file, catalog, width=100, sort_output=False, include_previous=True)
        counts[lang] = (len(template), sum(1 for m in catalog if m.id and not m.string))
    return counts
