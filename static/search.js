/* The search page (/soeg/?q=…): Pagefind's search API over the bundles the build wrote to
   <base path>pagefind/ (referater/search): the base bundles and the levels above them (the delta, the
   recent changes) merged with mergeIndex, each level's records of changed or deleted meetings masked.
   A record is a meeting; its agenda items are the sections under its headings (Pagefind's anchors),
   and each item that answers is one result.
   Our own results list, in the site's typography.
   Loaded as a file (no inline script) so it runs under the site's Content-Security-Policy. */

const FILTERS = ["Klynge", "Område", "Forum", "Emne", "År"];
const BATCH = 10; // meetings whose data is loaded at a time: each is one fragment request
const SHOWN = 10;
const WORD = /[\p{L}\p{N}]+/gu;

const root = document.getElementById("search");
const bundle = root ? root.getAttribute("data-bundle") : null;

function words(text) {
  return (text.toLowerCase().match(WORD) || []);
}

/* The query: its words, and the quoted phrases whose words must stand together. */
export function parseQuery(query) {
  const phrases = [];
  const quoted = /["“”»«„]([^"“”»«„]+)["“”»«„]/g;
  let match;
  while ((match = quoted.exec(query)) !== null) {
    const phrase = words(match[1]);
    if (phrase.length) phrases.push(phrase);
  }
  return { terms: [...new Set(words(query))], phrases };
}

function commonPrefix(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/* Does the word in the text answer the query word? Pagefind matches Danish stems, and the stem of
   "demens" is "dem": a stem match counts only when it keeps nearly all of the query word (an ending:
   "kommuner" finds "kommunerne" and "kommune"), never a different short word. */
export function answers(term, word) {
  // A longer word: a compound or an ending ("lægedækningen"), but "kom" is no answer for "kommunikation".
  if (word.startsWith(term)) return term.length >= 5 || word.length <= term.length + 3;
  if (word.length < 4) return false;
  return commonPrefix(term, word) >= Math.max(4, term.length - 2);
}

function tokens(content) {
  return content.split(/\s+/).filter(Boolean).map((text) => ({ text, words: words(text) }));
}

/* The agenda items of a meeting's record: its text split at the items' headings. Pagefind's anchor
   locations count the words of the content split on whitespace. */
export function items(data) {
  const toks = tokens(data.content);
  const heads = data.anchors
    .filter((a) => /^h\d$/.test(a.element) && /^punkt-\d+$/.test(a.id))
    .sort((a, b) => a.location - b.location);
  return heads.map((a, i) => ({
    id: a.id,
    title: a.text || "",
    toks: toks.slice(a.location, i + 1 < heads.length ? heads[i + 1].location : toks.length),
  }));
}

/* How an item answers the query: null if it does not, else whether every word occurs exactly and how
   often the words occur. */
export function judge(toks, query) {
  const flat = toks.flatMap((t) => t.words);
  let exact = true;
  for (const term of query.terms) {
    if (flat.includes(term)) continue;
    if (!flat.some((w) => answers(term, w))) return null;
    exact = false;
  }
  for (const phrase of query.phrases) {
    let found = false;
    for (let i = 0; i + phrase.length <= flat.length && !found; i++) {
      found = phrase.every((term, j) => answers(term, flat[i + j]));
    }
    if (!found) return null;
  }
  const hits = flat.filter((w) => query.terms.some((term) => answers(term, w))).length;
  return { exact, hits };
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

/* A snippet from the item's text (after its title), the matching words marked: built from text nodes,
   never from HTML. */
function excerpt(toks, titleWords, query) {
  const body = toks.slice(titleWords);
  if (!body.length) return null;
  const hit = (t) => t.words.some((w) => query.terms.some((term) => answers(term, w)));
  const phrase = query.phrases[0];
  let first = phrase
    ? body.findIndex((_, i) => phrase.every((term, j) => body[i + j] && body[i + j].words.some((w) => answers(term, w))))
    : -1;
  if (first < 0) first = body.findIndex(hit);
  if (first < 0) first = 0;
  const start = Math.max(0, first - 8);
  const end = Math.min(body.length, start + 32);
  const p = el("p", { class: "excerpt" });
  if (start > 0) p.append("… ");
  body.slice(start, end).forEach((t, i) => {
    if (i) p.append(" ");
    p.append(hit(t) ? el("mark", {}, t.text) : t.text);
  });
  if (end < body.length) p.append(" …");
  return p;
}

function render(entry, query) {
  const { data, item } = entry;
  const meta = data.meta;
  const title = `Punkt ${item.id.slice("punkt-".length)}: ${item.title}`;
  const li = el("li", {}, el("h2", {}, el("a", { href: `${meta.meeting}#${item.id}` }, title)));
  li.append(el("p", { class: "where" }, `${meta.body} · ${meta.forum} · ${meta.date}`));
  const text = excerpt(item.toks, tokens(item.title).length, query);
  if (text) li.append(text);
  return li;
}

/* Emne is a filter of the meeting (any of its items); an item answers it only with a topic of its own. */
function topicsOf(data) {
  try {
    return JSON.parse(data.meta.topics || "{}");
  } catch (error) {
    return {};
  }
}

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = here;
    }
  }
  return row[b.length];
}

/* Topics to try when nothing answers: the topics nearest the query words in spelling, else the
   largest topics. */
export function suggestions(terms, topics) {
  const scored = Object.entries(topics).map(([name, count]) => {
    const parts = words(name);
    const best = Math.min(...terms.flatMap((t) => parts.map((p) => distance(t, p) / Math.max(t.length, p.length))));
    return { name, count, best };
  });
  const near = scored.filter((s) => s.best <= 0.34).sort((a, b) => a.best - b.best);
  const pick = near.length ? near : scored.sort((a, b) => b.count - a.count);
  return { spelling: near.length > 0, names: pick.slice(0, 3).map((s) => s.name) };
}

async function start() {
  if (!root || !bundle) return;
  const form = root.querySelector("form");
  const input = root.querySelector("#q");
  const status = root.querySelector("#search-status");
  const list = root.querySelector("#search-results");
  const more = root.querySelector("#search-more");
  const details = root.querySelector("#filters");
  const groups = root.querySelector(".filter-groups");
  const say = (...parts) => {
    status.replaceChildren(...parts);
  };

  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  const top = document.getElementById("q-top");
  if (top) top.value = input.value;

  let manifest;
  let pagefind;
  try {
    manifest = await (await fetch(`${bundle}manifest.json`, { cache: "no-cache" })).json();
    const names = [...manifest.bundles, ...manifest.levels];
    if (!names.length) {
      say("Der er endnu ingen referater at søge i.");
      return;
    }
    pagefind = await import(`${bundle}${names[0]}/pagefind.js`);
    await pagefind.options({ baseUrl: "/", excerptLength: 30 });
    for (const name of names.slice(1)) await pagefind.mergeIndex(`${bundle}${name}/`);
  } catch (error) {
    say("Søgningen kunne ikke indlæses. Prøv at genindlæse siden.");
    return;
  }
  // Per level (a base record names none), the meetings whose records there are not their newest.
  const masks = new Map(Object.entries(manifest.mask).map(([level, ids]) => [level, new Set(ids)]));
  const masked = (data) => {
    const mask = masks.get(data.meta.level || "base");
    return !mask || mask.has(data.meta.meeting);
  };

  const available = await pagefind.filters();
  for (const name of FILTERS) {
    const values = Object.keys(available[name] || {}).sort((a, b) => (name === "År" ? b.localeCompare(a) : a.localeCompare(b, "da")));
    if (!values.length) continue;
    const wanted = params.getAll(name);
    const options = el("div", { class: "options" });
    for (const value of values) {
      const box = el("input", { type: "checkbox", name, value });
      box.checked = wanted.includes(value);
      options.append(el("label", {}, box, " " + value));
    }
    groups.append(el("fieldset", {}, el("legend", {}, name), options));
  }
  details.hidden = !groups.children.length;
  details.open = window.matchMedia("(min-width: 50rem)").matches || params.getAll("Klynge").length > 0;

  let run = 0;
  async function search() {
    const mine = ++run;
    const text = input.value.trim();
    const query = parseQuery(text);
    const filters = {};
    for (const box of groups.querySelectorAll("input:checked")) (filters[box.name] ||= []).push(box.value);
    const url = new URLSearchParams(text ? { q: text } : {});
    for (const [name, values] of Object.entries(filters)) values.forEach((v) => url.append(name, v));
    history.replaceState(null, "", url.toString() ? `?${url}` : window.location.pathname);
    list.replaceChildren();
    more.hidden = true;
    if (!query.terms.length) {
      say("");
      return;
    }
    say("Søger …");
    const found = await pagefind.search(query.terms.join(" "), { filters });
    if (mine !== run) return;
    const pending = found.results.slice();
    const accepted = [];
    let shown = 0;
    async function fill(count) {
      while (accepted.length < shown + count && pending.length) {
        const batch = pending.splice(0, BATCH);
        const datas = await Promise.all(batch.map((r) => r.data()));
        if (mine !== run) return false;
        const fresh = [];
        datas.forEach((data, rank) => {
          if (masked(data)) return;
          const topics = filters.Emne ? topicsOf(data) : null;
          for (const item of items(data)) {
            if (topics && !(topics[item.id] || []).some((t) => filters.Emne.includes(t))) continue;
            const verdict = judge(item.toks, query);
            if (verdict) fresh.push({ data, item, verdict, rank });
          }
        });
        // Exact words before stem matches, then Pagefind's order of the meetings, then the items with
        // the most matching words.
        fresh.sort(
          (a, b) => (b.verdict.exact - a.verdict.exact) || (a.rank - b.rank) || (b.verdict.hits - a.verdict.hits),
        );
        accepted.push(...fresh);
      }
      return true;
    }
    async function show() {
      if (!(await fill(SHOWN))) return;
      for (const entry of accepted.slice(shown, shown + SHOWN)) list.append(render(entry, query));
      shown = Math.min(accepted.length, shown + SHOWN);
      more.hidden = shown >= accepted.length && !pending.length;
      if (!accepted.length) {
        noResult(text, query);
      } else {
        const rest = pending.length || shown < accepted.length ? " Der er flere." : "";
        say(`Viser ${shown} ${shown === 1 ? "dagsordenspunkt" : "dagsordenspunkter"} for »${text}«.${rest}`);
      }
    }
    more.onclick = show;
    await show();
  }

  function noResult(text, query) {
    const tip = suggestions(query.terms, available.Emne || {});
    const links = tip.names.map((name) => el("a", { href: `?q=${encodeURIComponent(name)}` }, name));
    const line = el("span", { class: "suggest" }, tip.spelling ? " Mente du emnet " : " Prøv et emne: ");
    links.forEach((link, i) => line.append(...(i ? [", ", link] : [link])));
    line.append(tip.spelling ? "? Tjek også stavningen, eller " : ". Tjek stavningen, eller ");
    line.append(el("a", { href: root.getAttribute("data-topics") }, "se alle emner"), ".");
    say(`Ingen dagsordenspunkter nævner »${text}«.`, line);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (top) top.value = input.value;
    search();
  });
  groups.addEventListener("change", search);
  if (input.value) await search();
}

if (root) start();
