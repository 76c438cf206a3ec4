// The query side of search, kept apart from the page so a browser test can call it directly.
// Pagefind folds tones and marks (ky finds kỷ) but not đ, which has no decomposition: each "d" a
// reader types is also tried as "đ". Pagefind drops a word that matches nothing and searches the
// rest, so every spelling is first looked up alone; a word with no spelling in the index means no
// story holds the whole query, and the search finds nothing instead of everything else.

export const LIMIT = 32; // spellings of a whole query searched at most

// The words of a query as the index holds them: NFC (a query typed in NFD would match nothing),
// lower case, split on anything that is not a letter or a digit.
export function words(query) {
  return query.normalize("NFC").toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
}

// A word's spellings with each "d" as "d" or "đ" (all of them when it has one or two; else the word
// as typed and with every "d" as "đ"), the word as typed first.
export function variants(word) {
  const chars = [...word];
  const at = chars.flatMap((c, i) => (c === "d" ? [i] : []));
  const masks = at.length <= 2 ? [...Array(1 << at.length).keys()] : [0, (1 << at.length) - 1];
  return masks.map((mask) => chars.map((c, i) => {
    const k = at.indexOf(i);
    return k >= 0 && (mask >> k) & 1 ? "đ" : c;
  }).join(""));
}

// Every way to pick one spelling per word, at most ``limit`` of them, the query as typed first.
export function combinations(lists, limit = LIMIT) {
  let out = [[]];
  for (const list of lists) {
    out = out.flatMap((head) => list.map((spelling) => [...head, spelling])).slice(0, limit);
  }
  return out;
}

// The longest run of consecutive word positions in a page (the words read as a phrase), as
// [first position, length]; the earliest of equally long runs.
export function phrase(locations) {
  const sorted = [...new Set(locations)].sort((a, b) => a - b);
  let best = [0, 0];
  let start = 0;
  sorted.forEach((at, i) => {
    if (i === 0 || at !== sorted[i - 1] + 1) start = at;
    if (at - start + 1 > best[1]) best = [start, at - start + 1];
  });
  return best;
}

export function longestRun(locations) {
  return phrase(locations)[1];
}

// An excerpt around the phrase (Pagefind's own picks the densest matches, which for "dun day" can
// be "đứng … đẩy" far from "đùn đẩy"), with the phrase's words marked. ``content`` is the page's
// text as the index holds it (HTML-escaped), its words counted as Pagefind counts them.
export function phraseExcerpt(content, start, length, size = 30) {
  const all = content.split(/[\r\n\s]+/g);
  const from = Math.max(0, Math.min(start - Math.floor((size - length) / 2), all.length - size));
  return all.slice(from, from + size)
    .map((word, i) => (from + i >= start && from + i < start + length ? `<mark>${word}</mark>` : word))
    .join(" ");
}

// One list of pages from the results of each spelling: a page once, with its best showing; pages
// that hold the query's words side by side first, then by Pagefind's score.
export function merge(lists, wordCount) {
  const best = new Map();
  for (const results of lists) {
    for (const result of results) {
      const run = Math.min(longestRun(result.words || []), wordCount);
      const seen = best.get(result.id);
      if (!seen || run > seen.run || (run === seen.run && result.score > seen.result.score)) {
        best.set(result.id, { result, run });
      }
    }
  }
  return [...best.values()]
    .sort((a, b) => b.run - a.run || b.result.score - a.result.score || (a.result.id < b.result.id ? -1 : 1))
    .map((entry) => entry.result);
}

// The pages that hold every word of ``query`` (each in one of its spellings), best first.
export async function find(pagefind, query, filters = {}, limit = LIMIT) {
  const terms = words(query);
  if (!terms.length) return [];
  const known = new Map();
  const lists = [];
  for (const term of terms) {
    const kept = [];
    for (const spelling of variants(term)) {
      if (!known.has(spelling)) {
        known.set(spelling, (await pagefind.search(spelling, { filters })).results.length > 0);
      }
      if (known.get(spelling)) kept.push(spelling);
    }
    if (!kept.length) return [];
    lists.push(kept);
  }
  const found = [];
  for (const spelling of combinations(lists, limit)) {
    found.push((await pagefind.search(spelling.join(" "), { filters })).results);
  }
  return merge(found, terms.length);
}
