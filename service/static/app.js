// CrampCheck page: talks to the same JSON API as every other client. No framework, no build step.
"use strict";

(function () {
  const TIMEOUT_MS = 20000;
  const $ = (id) => document.getElementById(id);
  // The page's language and its texts in it: the server hands them over with the page (English: none).
  const LANG = document.documentElement.lang || "en";
  const TEXTS = JSON.parse(($("page-texts") || {}).textContent || "{}");

  // A text of the page in the page's language; "{name}" in it takes params[name].
  function t(text, params) {
    const found = TEXTS[text] || text;
    return params ? found.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole)) : found;
  }

  const TIERS = {
    strong: [t("Strong evidence"), t("from a population study, or placebo-controlled trials in the drug's label.")],
    moderate: [t("Moderate evidence"), t("named by reviews, guidelines, regulators or the label, without a placebo comparison.")],
    weak: [t("Weak evidence"), t("named only in secondary lists or case reports, or because a related drug is linked.")],
  };
  const TIER_WORDS = { strong: t("strong evidence"), moderate: t("moderate evidence"), weak: t("weak evidence") };
  const GROUPS = [
    ["flagged", t("May be contributing: associated with muscle cramps")],
    ["not_flagged", t("Not associated with muscle cramps in our sources")],
    ["unresolved", t("Please check these: not recognised, or the form (tablet, cream, patch...) is needed")],
  ];
  // The list as it was when last checked, with where each entry sits in it, so a suggestion can fix
  // one entry in place.
  let lastCheck = null;

  // A problem told in plain words: what is wrong, and what to do about it.
  class ProblemError extends Error {
    constructor(what, todo, field) {
      super(what + (todo ? " " + todo : ""));
      this.what = what;
      this.todo = todo || "";
      this.field = field || null;
    }
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // Entries are separated by line breaks, commas, semicolons or "|"; a comma with a digit on both
  // sides belongs to a number ("1,000 mg", "50,000 IU"). The same rule as batch files (written
  // without a look-behind, which older Safari cannot parse).
  const SEPARATOR = /\r\n|\r|\n|[;|,]/g;
  const DIGIT = /\d/;

  function entriesOf(text) {
    const entries = [];
    const push = (from, to) => {
      const raw = text.slice(from, to);
      const trimmed = raw.trim();
      if (!trimmed) return;
      const start = from + raw.length - raw.trimStart().length;
      entries.push({ text: trimmed, start, end: start + trimmed.length });
    };
    let from = 0;
    for (const match of text.matchAll(SEPARATOR)) {
      if (match[0] === "," && DIGIT.test(text.charAt(match.index - 1)) && DIGIT.test(text.charAt(match.index + 1))) continue;
      push(from, match.index);
      from = match.index + match[0].length;
    }
    push(from, text.length);
    return entries;
  }

  function splitList(text) {
    return entriesOf(text).map((e) => e.text);
  }

  async function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch(url, { ...options, signal: controller.signal });
    } catch (error) {
      throw error.name === "AbortError"
        ? new ProblemError(t("CrampCheck took too long to answer."), t("Please try again in a moment."))
        : new ProblemError(t("We could not reach CrampCheck."), t("Check your internet connection and try again."));
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok && response.status !== 202) {
      let body = null;
      try { body = await response.json(); } catch (_) { /* not JSON */ }
      throw plainProblem(response.status, body);
    }
    return response;
  }

  // ---- Problems in plain words -----------------------------------------------------------

  const FIELD_WORDS = {
    medications: {
      many: (count, limit) => t("You entered {count} medicines; CrampCheck checks at most {limit} at a time.", { count, limit }),
      split: (limit) => t("Split your list into parts of {limit} or fewer and check each part.", { limit }),
      none: [t("There is no medicine to check."), t("Enter at least one medicine.")],
      unread: t("CrampCheck could not read your list."),
      entry: (number) => t("Medicine {number}", { number }),
      splitEntry: t("Shorten it to the name, strength and how often it is taken, or split it into separate medicines."),
    },
    conditions: {
      many: (count, limit) => t("You entered {count} conditions; CrampCheck checks at most {limit} at a time.", { count, limit }),
      split: (limit) => t("Split the conditions into parts of {limit} or fewer and check each part.", { limit }),
      none: [t("There is no condition to check."), t("Enter at least one condition.")],
      unread: t("CrampCheck could not read the conditions."),
      entry: (number) => t("Condition {number}", { number }),
      splitEntry: t("Shorten it, or split it into separate conditions."),
    },
  };

  function firstMessage(value) {
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.map(firstMessage).find(Boolean) || "";
    if (value && typeof value === "object") return Object.values(value).map(firstMessage).find(Boolean) || "";
    return "";
  }

  function fieldProblem(field, errors) {
    const words = FIELD_WORDS[field];
    if (Array.isArray(errors)) {  // about the list as a whole
      const message = firstMessage(errors);
      const count = /At most (\d+) items.*?got (\d+)/.exec(message);
      if (count) return new ProblemError(words.many(count[2], count[1]), words.split(count[1]), field);
      if (/at least one/i.test(message)) return new ProblemError(words.none[0], words.none[1], field);
      return new ProblemError(words.unread, t("Check it and try again."), field);
    }
    const [index, messages] = Object.entries(errors)[0];
    const message = firstMessage(messages);
    const entry = words.entry(Number(index) + 1);
    const long = /At most (\d+) characters.*?got (\d+)/.exec(message);
    if (long) {
      return new ProblemError(t("{entry} is {length} characters long; the most is {limit}.",
        { entry, length: long[2], limit: long[1] }), words.splitEntry, field);
    }
    if (/blank/i.test(message)) {
      return new ProblemError(t("{entry} is empty.", { entry }), t("Remove the empty entry and check again."), field);
    }
    return new ProblemError(t("{entry} could not be read.", { entry }), t("Check how it is written and try again."), field);
  }

  function plainProblem(status, body) {
    if (status >= 500 || !body) {
      return new ProblemError(t("Something went wrong on our side (error {status}).", { status }), t("Please try again later."));
    }
    const errors = body.errors && typeof body.errors === "object" ? body.errors : {};
    for (const field of Object.keys(FIELD_WORDS)) {
      if (errors[field]) return fieldProblem(field, errors[field]);
    }
    if (errors.onset) {
      return new ProblemError(t("CrampCheck could not read when the cramps started."),
        t("Write it as a number of days, weeks, months or years ago (“2 weeks ago”, “N weeks ago”) or as a date such as 2026-10-01, or leave it empty."), "onset");
    }
    if (status === 413) {
      return new ProblemError(t("This is more than CrampCheck accepts in one go."),
        t("Check a shorter list, or split the file into smaller files and upload each."));
    }
    if (status === 429) {
      return new ProblemError(t("Too many requests in a short time."), t("Wait a minute, then try again."));
    }
    if (status === 404) {
      return new ProblemError(t("These results are no longer available: they were deleted or have expired."),
        t("Upload the file again to check it."));
    }
    if (Object.keys(errors).length || !body.detail || /failed validation/.test(body.detail)) {
      return new ProblemError(t("The page sent something CrampCheck could not use."), t("Reload the page and try again."));
    }
    // Batch file problems are written for people already: what is wrong and how to fix the file.
    return new ProblemError(body.detail, "");
  }

  function showError(target, error, kept) {
    const box = el("div", { className: "error-box" }, el("p", { className: "error", textContent: error.what || error.message }));
    const todo = [error.todo, kept].filter(Boolean).join(" ");
    if (todo) box.append(el("p", { className: "todo", textContent: todo }));
    target.replaceChildren(box);
  }

  // ---- Checking a list -------------------------------------------------------------------

  async function runCheck(event) {
    if (event) event.preventDefault();
    const textarea = $("medications");
    const medications = splitList(textarea.value);
    const fieldError = $("medications-error");
    const status = $("check-status");
    if (medications.length === 0) {
      fieldError.textContent = t("Enter at least one medicine.");
      fieldError.hidden = false;
      textarea.setAttribute("aria-invalid", "true");
      textarea.focus();
      return;
    }
    fieldError.hidden = true;
    textarea.removeAttribute("aria-invalid");
    $("conditions").removeAttribute("aria-invalid");
    $("onset").removeAttribute("aria-invalid");
    $("onset-error").hidden = true;
    const onset = $("onset").value.trim();
    const sent = { text: textarea.value, entries: entriesOf(textarea.value) };
    const conditions = splitList($("conditions").value);
    const button = $("check-button");
    button.disabled = true;
    status.textContent = medications.length === 1 ? t("Checking 1 medicine…")
      : t("Checking {count} medicines…", { count: medications.length });
    try {
      const response = await request("/api/v1/check", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(onset ? { medications, conditions, onset, lang: LANG } : { medications, conditions, lang: LANG }),
      });
      lastCheck = sent;
      renderResult(await response.json());
      status.textContent = "";
      $("results").hidden = false;
      $("results-heading").focus();
    } catch (error) {
      showError(status, error, t("Your list has been kept."));
      if (error.field === "medications") {
        fieldError.textContent = error.what;
        fieldError.hidden = false;
        textarea.setAttribute("aria-invalid", "true");
      } else if (error.field === "conditions") {
        $("conditions").setAttribute("aria-invalid", "true");
      } else if (error.field === "onset") {
        $("onset-error").textContent = error.what + " " + error.todo;
        $("onset-error").hidden = false;
        $("onset").setAttribute("aria-invalid", "true");
      }
    } finally {
      button.disabled = false;
    }
  }

  function renderResult(result) {
    const body = $("results-body");
    const s = result.summary;
    const parts = [el("p", { className: "summary", textContent: s.total === 1
      ? t("{flagged} of 1 medicine is associated with muscle cramps; {not_flagged} not associated; {unresolved} not recognised.", s)
      : t("{flagged} of {total} medicines are associated with muscle cramps; {not_flagged} not associated; {unresolved} not recognised.", s) })];
    for (const warning of result.warnings) {
      const box = el("div", { className: "warning", role: "alert", id: "warning-" + warning.code, tabIndex: -1 },
        el("p", {}, el("strong", { textContent: t("Important:") + " " }), warning.message), referenceList(warning.references));
      parts.push(box);
    }
    const ranked = result.attribution ? result.attribution.items : [];
    if (ranked.length > 1) parts.push(renderAttribution(result.attribution));
    const warningCodes = new Set(result.warnings.map((w) => w.code));
    for (const [status, title] of GROUPS) {
      const entries = result.medications.map((m, index) => [m, index]).filter(([m]) => m.status === status);
      if (entries.length === 0) continue;
      const list = el("ul", { className: "entries" });
      for (const [entry, index] of entries) list.append(renderEntry(entry, index, warningCodes));
      parts.push(el("section", { className: "group group-" + status },
        el("h3", { textContent: title + " (" + entries.length + ")" }), list));
    }
    if (result.amplifiers && result.amplifiers.length) {
      const list = el("ul", { className: "entries" });
      for (const a of result.amplifiers) {
        const [first, second] = a.medicines;
        list.append(el("li", { className: "entry amplifier" },
          el("p", {}, el("strong", { textContent: t("{first} with {second}", { first: first.input, second: second.input }) }),
            " (" + TIER_WORDS[a.evidence_tier] + ")"),
          el("p", { textContent: a.why }),
          a.dose_note ? el("p", { className: "notes", textContent: a.dose_note }) : "",
          referenceList(a.references)));
      }
      parts.push(el("section", { className: "group group-amplifiers" },
        el("h3", { textContent: t("Combinations that raise the risk") + " (" + result.amplifiers.length + ")" }),
        el("p", { textContent: t("These medicines together are linked to a higher risk of muscle problems or of losing potassium or magnesium. Show this to your prescriber or pharmacist; do not change anything on your own.") }),
        list));
    }
    if (result.conditions.length) {
      const list = el("ul");
      for (const c of result.conditions) list.append(el("li", {}, el("strong", { textContent: c.name + ": " }), c.note));
      parts.push(el("section", { className: "group" }, el("h3", { textContent: t("Conditions linked to cramps") }), list));
    }
    if (result.unmatched_conditions && result.unmatched_conditions.length) {
      const list = el("ul");
      for (const c of result.unmatched_conditions) list.append(el("li", { textContent: c }));
      parts.push(el("section", { className: "group group-unmatched-conditions" },
        el("h3", { textContent: t("Conditions not recognised") + " (" + result.unmatched_conditions.length + ")" }),
        el("p", { textContent: t("These were not used in this check; your medicines were still checked.") }),
        list,
        el("p", { className: "hint", textContent: t("Check the spelling, or write a common name such as “kidney disease”, “diabetes”, “thyroid disease”, “liver disease”, “pregnancy” or “Parkinson's disease”, then check again.") })));
    }
    if (result.other_causes && result.other_causes.length) parts.push(renderOtherCauses(result.other_causes));
    if (result.self_care && result.self_care.length) parts.push(renderSelfCare(result.self_care));
    parts.push(renderAdvice(result));
    if (result.openfda) parts.push(el("p", { className: "notes", textContent: openfdaText(result.openfda) }));
    parts.push(el("p", { className: "disclaimer", textContent: result.disclaimer }));
    parts.push(el("p", { className: "notes", textContent: t("Seed version {version}", { version: result.seed_version }) }));
    body.replaceChildren(...parts);
  }

  function renderEntry(entry, index, warningCodes) {
    const item = $("entry-template").content.firstElementChild.cloneNode(true);
    item.querySelector(".entry-name").textContent = entry.input;
    const names = entry.ingredients.map((i) => i.name + (i.match === "fuzzy" ? " (" + t("read as {name}", { name: i.via }) + ")" : ""));
    item.querySelector(".entry-resolved").textContent = names.length ? t("Read as:") + " " + names.join(", ") : "";
    const flags = item.querySelector(".entry-flags");
    for (const flag of entry.flags) flags.append(renderFlag(flag));
    const notes = item.querySelector(".entry-notes");
    for (const note of entry.notes) notes.append(el("p", { className: "notes", textContent: note }));
    if (warningCodes.has("quinine-for-cramps") && entry.ingredients.some((i) => i.name === "quinine")) {
      const link = el("a", { href: "#warning-quinine-for-cramps", textContent: t("Go to the quinine warning") });
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const warning = $("warning-quinine-for-cramps");
        warning.scrollIntoView({ block: "start" });
        warning.focus();
      });
      notes.append(el("p", { className: "notes" }, link));
    }
    const evidence = item.querySelector(".entry-evidence");
    for (const e of entry.evidence || []) {
      const text = evidenceText(e);
      if (text) evidence.append(el("div", { className: "evidence" }, el("p", { textContent: text }),
        e.url ? el("p", {}, el("a", { href: e.url, textContent: t("The label on DailyMed"), target: "_blank", rel: "noopener" })) : null));
    }
    if (entry.status === "unresolved" && entry.suggestions.length) {
      const box = item.querySelector(".entry-suggestions");
      box.append(el("p", { textContent: t("Did you mean:") }));
      for (const suggestion of entry.suggestions) {
        const fix = fixEntry(entry.input, entry.unrecognised, suggestion.name);
        const button = el("button", { type: "button", className: "suggestion", textContent: suggestion.name });
        button.setAttribute("aria-label", t("Use {name} instead of {replaced} and check again", { name: suggestion.name, replaced: fix.replaced }));
        button.addEventListener("click", () => useSuggestion(index, entry, suggestion.name));
        box.append(button);
      }
    }
    return item;
  }

  function renderFlag(flag) {
    const [label, explanation] = TIERS[flag.evidence_tier];
    const heading = el("h5", {}, flag.class_name, el("span", { className: "tier", textContent: label }));
    return el("div", { className: "flag tier-" + flag.evidence_tier },
      heading,
      el("p", { textContent: flag.association + " " + label + ": " + explanation }),
      el("p", {}, el("strong", { textContent: t("Possible reason:") + " " }), flag.mechanism),
      flag.key_figure ? el("p", {}, el("strong", { textContent: t("Key figure:") + " " }), flag.key_figure) : null,
      flag.note ? el("p", { className: "notes", textContent: flag.note }) : null,
      referenceList(flag.references));
  }

  function referenceList(references) {
    if (!references || !references.length) return null;
    const list = el("ul", { className: "refs" });
    for (const ref of references) {
      list.append(el("li", {}, el("a", { href: ref.url, textContent: ref.citation, target: "_blank", rel: "noopener" })));
    }
    return el("div", {}, el("p", { className: "notes", textContent: t("Sources:") }), list);
  }

  function evidenceText(e) {
    if (e.source === "label" && e.found) {
      return e.mentions_cramps ? t("US label (openFDA): mentions muscle cramps or spasms:") + " " + e.snippet
        : t("US label (openFDA): no muscle cramp wording found.");
    }
    if (e.source === "faers" && e.prr !== null && e.prr !== undefined) {
      const counts = { count: e.reports_with_drug_and_reaction, prr: e.prr };
      return (e.signal ? t("FDA adverse event reports: muscle spasms reported {count} times; reporting ratio {prr} (a reporting signal).", counts)
        : t("FDA adverse event reports: muscle spasms reported {count} times; reporting ratio {prr}.", counts)) + " " + e.caveat;
    }
    if (e.source === "class" && e.matched_class_id) return t("FDA drug class:") + " " + e.pharm_classes.join(", ");
    return "";
  }

  function openfdaText(openfda) {
    const text = {
      ok: t("openFDA label and adverse-event data were checked."),
      partial: t("openFDA was checked for some medicines only."),
      unavailable: t("openFDA could not be reached; results come from our reviewed sources only."),
      disabled: t("openFDA was not consulted."),
    }[openfda.status];
    return text + (openfda.not_checked.length ? " " + t("Not checked: {names}.", { names: openfda.not_checked.join(", ") }) : "");
  }

  function rankLabel(item) {
    return t("Rank {rank}: {input}", { rank: item.rank, input: item.input }) + " (" + TIER_WORDS[item.evidence_tier] + ")";
  }

  function renderAttribution(attribution) {
    const list = el("ol", { className: "entries attribution" });
    for (const item of attribution.items) {
      const reasons = el("ul", { className: "reasons" });
      for (const reason of item.reasons) reasons.append(el("li", { textContent: reason }));
      list.append(el("li", { className: "entry" }, el("p", {}, el("strong", { textContent: rankLabel(item) })),
        reasons, referenceList(item.references)));
    }
    return el("section", { className: "group group-attribution" },
      el("h3", { textContent: t("Which of your medicines could be behind the cramps") }),
      el("p", { textContent: attribution.note }), list);
  }

  function renderOtherCauses(causes) {
    const list = el("ul", { className: "entries" });
    for (const cause of causes) {
      const title = cause.title + (cause.relevant ? " (" + t("this may apply to you: {because}", { because: cause.because.join(", ") }) + ")" : "");
      list.append(el("li", { className: "entry" + (cause.relevant ? " relevant" : "") },
        el("p", {}, el("strong", { textContent: title })), el("p", { textContent: cause.text }),
        el("p", {}, el("strong", { textContent: t("What you can do:") + " " }), cause.what_you_can_do),
        referenceList(cause.references)));
    }
    return el("section", { className: "group group-other-causes" },
      el("h3", { textContent: t("Other possible causes of cramps") }), list);
  }

  function renderSelfCare(items) {
    const list = el("ul", { className: "entries" });
    for (const item of items) {
      list.append(el("li", { className: "entry" }, el("p", {}, el("strong", { textContent: item.title })),
        el("p", { textContent: item.text }),
        el("p", { className: "notes" }, el("strong", { textContent: t("Evidence:") + " " }), item.evidence),
        referenceList(item.references)));
    }
    return el("section", { className: "group group-self-care" },
      el("h3", { textContent: t("Things that may help, and how good the evidence is") }), list);
  }

  // The note to print for the prescriber: attribution, combinations and checks, in professional words.
  function prescriberNote(result) {
    const note = el("div", { className: "prescriber-note" },
      el("h4", { textContent: t("Note for your prescriber or pharmacist") }),
      el("p", { textContent: result.advice.professional }));
    const ranked = result.attribution ? result.attribution.items : [];
    if (ranked.length) {
      const list = el("ol", { className: "note-attribution" });
      for (const item of ranked) {
        const f = item.factors;
        const details = [f.quantified_effect, f.dose_above_limit ? t("dose above the high-dose limit") : "",
          f.amplifiers.length ? t("combination:") + " " + f.amplifiers.join(", ") : "",
          f.timing && f.timing !== "not_given" ? t("timing:") + " " + f.timing.replace("_", " ") : ""].filter(Boolean);
        list.append(el("li", { textContent: rankLabel(item) + (details.length ? "; " + details.join("; ") : "") }));
      }
      note.append(el("h5", { textContent: t("Attribution (most plausible first)") }), list);
    }
    if (result.amplifiers && result.amplifiers.length) {
      const list = el("ul", { className: "note-amplifiers" });
      for (const a of result.amplifiers) {
        list.append(el("li", { textContent: t("{first} with {second}", { first: a.medicines[0].input, second: a.medicines[1].input }) +
          " (" + a.effect + ", " + TIER_WORDS[a.evidence_tier] + ")" + (a.dose_note ? ": " + a.dose_note : "") }));
      }
      note.append(el("h5", { textContent: t("Combinations that raise the risk") }), list);
    }
    if (result.checks && result.checks.items.length) {
      const list = el("ul", { className: "note-checks" });
      for (const check of result.checks.items) {
        const by = check.suggested_by.map((s) => s.input || (s.medicines ? s.medicines.join(" + ") : s.name));
        list.append(el("li", {}, el("strong", { textContent: check.name }),
          " (" + t("suggested by {by}", { by: by.join("; ") }) + "): " + check.why));
      }
      note.append(el("h5", { textContent: t("Checks to consider") }), el("p", { className: "notes", textContent: result.checks.note }),
        list);
    }
    return note;
  }

  function renderAdvice(result) {
    const printButton = el("button", { type: "button", className: "secondary", textContent: t("Print a note for your prescriber") });
    printButton.addEventListener("click", () => window.print());
    return el("section", { className: "advice" },
      el("h3", { textContent: t("What to do next") }),
      el("p", { textContent: result.advice.patient }),
      prescriberNote(result),
      printButton);
  }

  // ---- Suggestions: fix only the words that were not recognised -------------------------

  const WORD = /\p{L}[\p{L}\p{M}']*|\d+(?:[.,]\d+)?/gu;
  const fold = (word) => word.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

  function distance(a, b) {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      row = next;
    }
    return row[b.length];
  }

  // The entry with the unrecognised words (as the API reports them, normalised) replaced by the
  // suggestion; dose, form and frequency stay. When several parts were not recognised, the one
  // closest to the suggestion is replaced.
  function fixEntry(text, unrecognised, name) {
    const words = Array.from(text.matchAll(WORD), (m) => ({ folded: fold(m[0]), start: m.index, end: m.index + m[0].length }));
    const parts = unrecognised.slice().sort((a, b) => distance(a, fold(name)) - distance(b, fold(name)));
    for (const part of parts) {
      const tokens = part.split(" ");
      for (let i = 0; i + tokens.length <= words.length; i++) {
        if (tokens.every((t, k) => words[i + k].folded === t)) {
          const start = words[i].start;
          const end = words[i + tokens.length - 1].end;
          return { text: text.slice(0, start) + name + text.slice(end), replaced: text.slice(start, end) };
        }
      }
    }
    return { text: name, replaced: text };
  }

  function useSuggestion(index, entry, name) {
    const textarea = $("medications");
    const current = textarea.value;
    const entries = lastCheck && current === lastCheck.text ? lastCheck.entries : entriesOf(current);
    const place = entries[index] && entries[index].text === entry.input ? entries[index]
      : entries.find((e) => e.text === entry.input);
    if (!place) {
      showError($("check-status"), new ProblemError(t("Your list has changed since it was checked."),
        t("Correct “{input}” by hand, then check again.", { input: entry.input })));
      return;
    }
    const fixed = fixEntry(place.text, entry.unrecognised, name).text;
    textarea.value = current.slice(0, place.start) + fixed + current.slice(place.end);
    runCheck();
  }

  // ---- Autocomplete (ARIA combobox) ------------------------------------------------------

  function setupCombobox() {
    const input = $("add-input");
    const listbox = $("add-options");
    let active = -1;
    let timer = null;
    let sequence = 0;

    function close() {
      listbox.hidden = true;
      listbox.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = listbox.querySelectorAll("[role=option]");
      options.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function add(name) {
      const textarea = $("medications");
      const current = textarea.value.replace(/\s+$/, "");
      textarea.value = current ? current + "\n" + name : name;
      input.value = "";
      close();
      $("check-status").textContent = t("{name} added to your list.", { name });
      input.focus();
    }

    async function load() {
      const query = input.value.trim();
      const mine = ++sequence;
      if (query.length < 2) { close(); return; }
      let body;
      try {
        const response = await request("/api/v1/medications/suggest?q=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" } });
        body = await response.json();
      } catch (_) { close(); return; }
      if (mine !== sequence) return;
      listbox.replaceChildren();
      body.suggestions.forEach((s, i) => {
        const option = el("li", { id: "add-option-" + i, role: "option" },
          s.name, " ", el("span", { className: "ingredients", textContent: "(" + s.ingredients.join(", ") + ")" }));
        option.setAttribute("aria-selected", "false");
        option.addEventListener("mousedown", (e) => { e.preventDefault(); add(s.name); });
        listbox.append(option);
      });
      const any = body.suggestions.length > 0;
      listbox.hidden = !any;
      input.setAttribute("aria-expanded", String(any));
      active = -1;
    }

    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 150); });
    input.addEventListener("keydown", (event) => {
      const count = listbox.querySelectorAll("[role=option]").length;
      if (event.key === "ArrowDown" && count) { event.preventDefault(); highlight((active + 1) % count); }
      else if (event.key === "ArrowUp" && count) { event.preventDefault(); highlight((active - 1 + count) % count); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter") {
        event.preventDefault();
        const options = listbox.querySelectorAll("[role=option]");
        if (active >= 0 && options[active]) add(options[active].firstChild.textContent);
        else if (input.value.trim()) add(input.value.trim());
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
    $("add-button").addEventListener("click", () => { if (input.value.trim()) add(input.value.trim()); });
  }

  // ---- Batch upload ----------------------------------------------------------------------

  async function runBatch(event) {
    event.preventDefault();
    const file = $("batch-file").files[0];
    const status = $("batch-status");
    const links = $("batch-links");
    const progress = $("batch-progress");
    links.replaceChildren();
    progress.hidden = true;
    if (!file) {
      showError(status, new ProblemError(t("No file was chosen."), t("Choose a CSV file or an Excel workbook first.")));
      $("batch-file").focus();
      return;
    }
    const json = $("batch-format-json").checked;
    const button = $("batch-button");
    button.disabled = true;
    status.textContent = t("Uploading {name}…", { name: file.name });
    try {
      const form = new FormData();
      form.append("file", file);
      form.append("lang", LANG);
      const response = await request("/api/v1/batch", { method: "POST", body: form,
        headers: { Accept: json ? "application/json" : "text/csv" } });
      if (response.status === 202) {
        await followJob(response.headers.get("Location"));
      } else {
        const blob = await response.blob();
        links.append(json
          ? downloadLink(URL.createObjectURL(blob), "crampcheck-results.json", t("Download the results (JSON)"))
          : downloadLink(URL.createObjectURL(blob), "crampcheck-results.csv", t("Download the results (CSV)")));
        status.textContent = t("Done: your results are ready to download.");
      }
    } catch (error) {
      showError(status, error);
    } finally {
      button.disabled = false;
    }
  }

  async function followJob(location) {
    const status = $("batch-status");
    const progress = $("batch-progress");
    progress.hidden = false;
    for (;;) {
      const job = await (await request(location, { headers: { Accept: "application/json" } })).json();
      progress.value = job.progress.percent;
      status.textContent = t("Large file: checking in the background, {done} of {total} rows done.",
        { done: job.progress.rows_done, total: job.progress.total_rows });
      if (job.status === "done") {
        $("batch-links").append(
          downloadLink(job.links.results_csv, "", t("Download the results (CSV)")),
          downloadLink(job.links.summary_csv, "", t("Download the per-patient summary (CSV)")),
          downloadLink(job.links.results_json, "", t("Results as JSON")));
        const [before, after] = t("Done: {total} rows checked. Results are kept until {date}, then deleted.",
          { total: job.progress.total_rows }).split("{date}");
        status.replaceChildren(before,
          el("time", { dateTime: job.expires_at, textContent: dateWithZone(job.expires_at) }), after);
        return;
      }
      if (job.status === "failed") {
        throw new ProblemError(job.error || t("The batch job failed."), t("Check the file and upload it again."));
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  // A date and time in the reader's own time zone, with the zone named ("28 Nov 2026, 16:30 GMT+1").
  function dateWithZone(iso) {
    return new Intl.DateTimeFormat(LANG === "en" ? undefined : LANG, { year: "numeric", month: "short", day: "numeric", hour: "2-digit",
      minute: "2-digit", timeZoneName: "short" }).format(new Date(iso));
  }

  function downloadLink(href, filename, text) {
    const link = el("a", { href, textContent: text });
    if (filename) link.download = filename;
    return el("li", {}, link);
  }

  // A list handed over in the address's fragment ("#list=..."), as CDS Hooks cards link here: the
  // fragment never reaches the server, so the list is not in any server log.
  function listFromAddress() {
    const match = /^#list=(.*)$/.exec(window.location.hash);
    if (!match) return;
    try {
      $("medications").value = decodeURIComponent(match[1]);
    } catch (error) {
      return;
    }
    history.replaceState(null, "", window.location.pathname);
    runCheck();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("check-form").addEventListener("submit", runCheck);
    $("batch-form").addEventListener("submit", runBatch);
    setupCombobox();
    listFromAddress();
  });
})();
