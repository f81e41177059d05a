// CrampCheck page: talks to the same JSON API as every other client. No framework, no build step.
"use strict";

(function () {
  const TIMEOUT_MS = 20000;
  const TIERS = {
    strong: ["Strong evidence", "from a population study, or placebo-controlled trials in the drug's label."],
    moderate: ["Moderate evidence", "named by reviews, guidelines, regulators or the label, without a placebo comparison."],
    weak: ["Weak evidence", "named only in secondary lists or case reports, or because a related drug is linked."],
  };
  const GROUPS = [
    ["flagged", "May be contributing: associated with muscle cramps"],
    ["not_flagged", "Not associated with muscle cramps in our sources"],
    ["unresolved", "Not recognised: please check these"],
  ];
  const $ = (id) => document.getElementById(id);
  let lastList = [];

  class ProblemError extends Error {}

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function splitList(text) {
    // Line breaks always separate; commas too, except inside numbers ("50,000 IU").
    return text.split(/\n|,(?!\d{3}\b)/).map((s) => s.trim()).filter(Boolean);
  }

  async function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch(url, { ...options, signal: controller.signal });
    } catch (error) {
      throw new ProblemError(error.name === "AbortError"
        ? "CrampCheck took too long to answer. Please try again in a moment."
        : "We could not reach CrampCheck. Check your internet connection and try again.");
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok && response.status !== 202) {
      throw new ProblemError(await problemText(response));
    }
    return response;
  }

  async function problemText(response) {
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    if (response.status >= 500 || !body) {
      return "Something went wrong on our side (error " + response.status + "). Please try again later.";
    }
    const parts = [body.detail || body.title || "The request was not accepted."];
    if (body.errors && typeof body.errors === "object") {
      for (const [field, messages] of Object.entries(body.errors)) {
        parts.push(field + ": " + JSON.stringify(messages).replace(/[{}\[\]"]/g, " ").trim());
      }
    }
    return parts.join(" ");
  }

  function showError(target, message) {
    target.replaceChildren(el("div", { className: "error-box" }, el("p", { className: "error", textContent: message })));
  }

  // ---- Checking a list -------------------------------------------------------------------

  async function runCheck(event) {
    if (event) event.preventDefault();
    const textarea = $("medications");
    const medications = splitList(textarea.value);
    const fieldError = $("medications-error");
    const status = $("check-status");
    if (medications.length === 0) {
      fieldError.textContent = "Enter at least one medicine.";
      fieldError.hidden = false;
      textarea.setAttribute("aria-invalid", "true");
      textarea.focus();
      return;
    }
    fieldError.hidden = true;
    textarea.removeAttribute("aria-invalid");
    const conditions = splitList($("conditions").value);
    const button = $("check-button");
    button.disabled = true;
    status.textContent = "Checking " + medications.length + (medications.length === 1 ? " medicine…" : " medicines…");
    try {
      const response = await request("/api/v1/check", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ medications, conditions }),
      });
      lastList = medications;
      renderResult(await response.json());
      status.textContent = "";
      $("results").hidden = false;
      $("results-heading").focus();
    } catch (error) {
      showError(status, error.message + " Your list has been kept.");
    } finally {
      button.disabled = false;
    }
  }

  function renderResult(result) {
    const body = $("results-body");
    const s = result.summary;
    const parts = [el("p", { className: "summary", textContent:
      s.flagged + " of " + s.total + (s.total === 1 ? " medicine is" : " medicines are") +
      " associated with muscle cramps; " + s.not_flagged + " not associated; " + s.unresolved + " not recognised." })];
    for (const warning of result.warnings) {
      parts.push(el("div", { className: "warning", role: "alert" },
        el("p", {}, el("strong", { textContent: "Important: " }), warning.message), referenceList(warning.references)));
    }
    for (const [status, title] of GROUPS) {
      const entries = result.medications.map((m, index) => [m, index]).filter(([m]) => m.status === status);
      if (entries.length === 0) continue;
      const list = el("ul", { className: "entries" });
      for (const [entry, index] of entries) list.append(renderEntry(entry, index));
      parts.push(el("section", { className: "group group-" + status },
        el("h3", { textContent: title + " (" + entries.length + ")" }), list));
    }
    if (result.conditions.length) {
      const list = el("ul");
      for (const c of result.conditions) list.append(el("li", {}, el("strong", { textContent: c.name + ": " }), c.note));
      parts.push(el("section", { className: "group" }, el("h3", { textContent: "Conditions linked to cramps" }), list));
    }
    parts.push(renderAdvice(result));
    if (result.openfda) parts.push(el("p", { className: "notes", textContent: openfdaText(result.openfda) }));
    parts.push(el("p", { className: "disclaimer", textContent: result.disclaimer }));
    parts.push(el("p", { className: "notes", textContent: "Seed version " + result.seed_version }));
    body.replaceChildren(...parts);
  }

  function renderEntry(entry, index) {
    const item = $("entry-template").content.firstElementChild.cloneNode(true);
    item.querySelector(".entry-name").textContent = entry.input;
    const names = entry.ingredients.map((i) => i.name + (i.match === "fuzzy" ? " (read as " + i.via + ")" : ""));
    item.querySelector(".entry-resolved").textContent = names.length ? "Read as: " + names.join(", ") : "";
    const flags = item.querySelector(".entry-flags");
    for (const flag of entry.flags) flags.append(renderFlag(flag));
    const notes = item.querySelector(".entry-notes");
    for (const note of entry.notes) notes.append(el("p", { className: "notes", textContent: note }));
    const evidence = item.querySelector(".entry-evidence");
    for (const e of entry.evidence || []) {
      const text = evidenceText(e);
      if (text) evidence.append(el("div", { className: "evidence" }, el("p", { textContent: text }),
        e.url ? el("p", {}, el("a", { href: e.url, textContent: "The label on DailyMed", target: "_blank", rel: "noopener" })) : null));
    }
    if (entry.status === "unresolved" && entry.suggestions.length) {
      const box = item.querySelector(".entry-suggestions");
      box.append(el("p", { textContent: "Did you mean:" }));
      for (const suggestion of entry.suggestions) {
        const button = el("button", { type: "button", className: "suggestion", textContent: suggestion.name });
        button.setAttribute("aria-label", "Use " + suggestion.name + " instead of " + entry.input + " and check again");
        button.addEventListener("click", () => useSuggestion(index, suggestion.name));
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
      el("p", {}, el("strong", { textContent: "Possible reason: " }), flag.mechanism),
      flag.key_figure ? el("p", {}, el("strong", { textContent: "Key figure: " }), flag.key_figure) : null,
      flag.note ? el("p", { className: "notes", textContent: flag.note }) : null,
      referenceList(flag.references));
  }

  function referenceList(references) {
    if (!references || !references.length) return null;
    const list = el("ul", { className: "refs" });
    for (const ref of references) {
      list.append(el("li", {}, el("a", { href: ref.url, textContent: ref.citation, target: "_blank", rel: "noopener" })));
    }
    return el("div", {}, el("p", { className: "notes", textContent: "Sources:" }), list);
  }

  function evidenceText(e) {
    if (e.source === "label" && e.found) {
      return e.mentions_cramps ? "US label (openFDA): mentions muscle cramps or spasms: " + e.snippet
        : "US label (openFDA): no muscle cramp wording found.";
    }
    if (e.source === "faers" && e.prr !== null && e.prr !== undefined) {
      return "FDA adverse event reports: muscle spasms reported " + e.reports_with_drug_and_reaction +
        " times; reporting ratio " + e.prr + (e.signal ? " (a reporting signal). " : ". ") + e.caveat;
    }
    if (e.source === "class" && e.matched_class_id) return "FDA drug class: " + e.pharm_classes.join(", ");
    return "";
  }

  function openfdaText(openfda) {
    const text = {
      ok: "openFDA label and adverse-event data were checked.",
      partial: "openFDA was checked for some medicines only.",
      unavailable: "openFDA could not be reached; results come from our reviewed sources only.",
      disabled: "openFDA was not consulted.",
    }[openfda.status];
    return text + (openfda.not_checked.length ? " Not checked: " + openfda.not_checked.join(", ") + "." : "");
  }

  function renderAdvice(result) {
    const printButton = el("button", { type: "button", className: "secondary", textContent: "Print a note for your prescriber" });
    printButton.addEventListener("click", () => window.print());
    return el("section", { className: "advice" },
      el("h3", { textContent: "What to do next" }),
      el("p", { textContent: result.advice.patient }),
      el("div", { className: "prescriber-note" },
        el("h4", { textContent: "Note for your prescriber or pharmacist" }),
        el("p", { textContent: result.advice.professional })),
      printButton);
  }

  function useSuggestion(index, name) {
    const list = lastList.slice();
    list[index] = name;
    $("medications").value = list.join("\n");
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
      $("check-status").textContent = name + " added to your list.";
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
    if (!file) { showError(status, "Choose a CSV file first."); $("batch-file").focus(); return; }
    const button = $("batch-button");
    button.disabled = true;
    status.textContent = "Uploading " + file.name + "…";
    try {
      const form = new FormData();
      form.append("file", file);
      const response = await request("/api/v1/batch", { method: "POST", body: form, headers: { Accept: "text/csv" } });
      if (response.status === 202) {
        await followJob(response.headers.get("Location"));
      } else {
        const blob = await response.blob();
        links.append(downloadLink(URL.createObjectURL(blob), "crampcheck-results.csv", "Download the results (CSV)"));
        status.textContent = "Done: your results are ready to download.";
      }
    } catch (error) {
      showError(status, error.message);
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
      status.textContent = "Large file: checking in the background, " + job.progress.rows_done + " of " +
        job.progress.total_rows + " rows done.";
      if (job.status === "done") {
        $("batch-links").append(
          downloadLink(job.links.results_csv, "", "Download the results (CSV)"),
          downloadLink(job.links.summary_csv, "", "Download the per-patient summary (CSV)"),
          downloadLink(job.links.results_json, "", "Results as JSON"));
        status.textContent = "Done: " + job.progress.total_rows + " rows checked. Results are kept until " +
          new Date(job.expires_at).toLocaleString() + ", then deleted.";
        return;
      }
      if (job.status === "failed") throw new ProblemError(job.error || "The batch job failed.");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  function downloadLink(href, filename, text) {
    const link = el("a", { href, textContent: text });
    if (filename) link.download = filename;
    return el("li", {}, link);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("check-form").addEventListener("submit", runCheck);
    $("batch-form").addEventListener("submit", runBatch);
    setupCombobox();
  });
})();
