// The search page: reads ?q= and ?section=, asks the Pagefind index (through search-query.js) and
// writes the results into #search-results. Pagefind's own UI is not used: the page keeps the theme.
import { find, phrase, phraseExcerpt, words } from "./search-query.js";

const PAGE = 20; // results shown at a time (each loads its excerpt)
const root = document.getElementById("search");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const params = new URLSearchParams(location.search);
const query = (params.get("q") || "").normalize("NFC").trim();
const section = params.get("section") || "";

document.getElementById("search-q").value = query;
const select = document.getElementById("search-section");
if (select) select.value = section;

function say(text) {
  status.textContent = text;
}

// Pagefind's excerpt is HTML with <mark> around the matches: only its text and marks are kept.
function excerpt(html) {
  const parsed = document.createElement("template");
  parsed.innerHTML = html;
  const out = document.createElement("p");
  out.className = "excerpt";
  for (const node of parsed.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(node.textContent);
    }
  }
  return out;
}

function item(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  const title = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  title.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = [data.meta.date, data.meta.section].filter(Boolean).join(" · ");
  const [start, length] = phrase(data.locations || []);
  const wanted = words(query).length;
  const text = wanted > 1 && length >= wanted && data.content ? phraseExcerpt(data.content, start, length) : data.excerpt;
  li.append(title, meta, excerpt(text || ""));
  return li;
}

async function show(results, from) {
  const shown = await Promise.all(results.slice(from, from + PAGE).map((result) => result.data()));
  list.append(...shown.map(item));
  document.getElementById("search-more")?.remove();
  if (from + PAGE < results.length) {
    const more = document.createElement("button");
    more.type = "button";
    more.id = "search-more";
    more.className = "search-more";
    more.textContent = root.dataset.more;
    more.addEventListener("click", () => show(results, from + PAGE));
    list.after(more);
  }
}

async function main() {
  if (!query) {
    say(root.dataset.prompt);
    return;
  }
  if (root.dataset.stories === "0") {
    say(`${root.dataset.noResults} “${query}”`);
    return;
  }
  say(root.dataset.searching);
  let pagefind;
  try {
    pagefind = await import(root.dataset.bundle + "pagefind.js");
    await pagefind.options({ bundlePath: root.dataset.bundle, baseUrl: root.dataset.base, excerptLength: 32 });
  } catch (error) {
    say(root.dataset.error);
    throw error;
  }
  const filters = { lang: root.dataset.lang };
  if (section) filters.section = section;
  const results = await find(pagefind, query, filters);
  if (!results.length) {
    say(`${root.dataset.noResults} “${query}”`);
    return;
  }
  const label = results.length === 1 && root.dataset.result ? root.dataset.result : root.dataset.results;
  say(`${results.length} ${label} “${query}”`);
  await show(results, 0);
  root.dataset.done = "true";
}

main().finally(() => {
  root.dataset.ready = "true"; // for tests and scripts: the page has said what it found
});
