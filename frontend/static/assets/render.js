// One renderer per API `type`: each takes the item exactly as the API delivers it.
// Text fields are escaped; rich-text fields are HTML the CMS already cleaned and resolved.

import * as api from "./api.js";

export const esc = (value) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function releaseDate(item) {
  const [year, month, day] = (item.release_date || "").split("-").map(Number);
  if (!year) return "";
  if (item.release_date_precision === "year") return String(year);
  if (item.release_date_precision === "month") return `${MONTHS[month - 1]} ${year}`;
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

function fileSize(bytes) {
  if (!bytes) return "";
  return bytes > 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

export function image(img, rendition = "medium", extra = "") {
  if (!img) return "";
  const r = img.renditions?.[rendition] || img;
  return `<img src="${esc(r.url)}" width="${esc(r.width)}" height="${esc(r.height)}" alt="${esc(img.alt)}" ${extra} loading="lazy">`;
}

export function documentLink(doc, label) {
  if (!doc) return "";
  const kind = (doc.content_type || "").includes("pdf") ? "PDF" : "file";
  return `<a class="document-link" href="${esc(doc.url)}">${esc(label || doc.title)} <span class="meta">(${kind}${doc.file_size ? `, ${fileSize(doc.file_size)}` : ""})</span></a>`;
}

function stream(blocks = []) {
  return blocks
    .map((block) => {
      const v = block.value;
      switch (block.type) {
        case "heading":
          return `<h2>${esc(v)}</h2>`;
        case "paragraph":
          return `<div class="rich-text">${v}</div>`;
        case "image":
          return `<figure>${image(v.image, "large")}${v.caption ? `<figcaption>${esc(v.caption)}</figcaption>` : ""}</figure>`;
        case "document":
          return `<p>${documentLink(v.document, v.label)}</p>`;
        case "quote":
          return `<blockquote><p>${esc(v.text)}</p>${v.attribution ? `<footer>${esc(v.attribution)}</footer>` : ""}</blockquote>`;
        default:
          return "";
      }
    })
    .join("");
}

const header = (item, lead = "") =>
  `<header class="page-header"><h1>${esc(item.title)}</h1>${lead}</header>`;

// Renderers ---------------------------------------------------------------------------------

async function home(item) {
  const sections = await api.children(item.id).catch(() => ({ results: [] }));
  return `${header(item)}
    <div class="rich-text intro">${item.intro || ""}</div>
    ${stream(item.body)}
    ${sections.results.length ? `<nav aria-label="Sections"><ul class="cards">${sections.results
      .map((s) => `<li><a href="${esc(s.url_path)}">${esc(s.title)}</a></li>`)
      .join("")}</ul></nav>` : ""}`;
}

function page(item) {
  return `${header(item, item.intro ? `<p class="lead">${esc(item.intro)}</p>` : "")}${stream(item.body)}`;
}

async function faqIndex(item) {
  const sections = await api.faqs();
  return `${header(item)}<div class="rich-text intro">${item.intro || ""}</div>
    ${sections.results
      .map(
        (s) => `<section class="faq-section" aria-labelledby="section-${s.id}">
          <h2 id="section-${s.id}"><a href="${esc(s.url_path)}">${esc(s.title)}</a></h2>
          <ul>${s.questions.map((q) => `<li><a href="${esc(s.url_path)}#${esc(q.id)}">${esc(q.question)}</a></li>`).join("")}</ul>
        </section>`,
      )
      .join("")}`;
}

function faq(item) {
  const toc = item.questions
    .map((q) => `<li><a href="#${esc(q.id)}">${esc(q.question)}</a></li>`)
    .join("");
  const questions = item.questions
    .map(
      (q) => `<section class="question" id="${esc(q.id)}" tabindex="-1" aria-labelledby="q-${esc(q.id)}">
        <h2 id="q-${esc(q.id)}">${esc(q.question)} <a class="anchor" href="#${esc(q.id)}" aria-label="Link to this question">#</a></h2>
        <div class="rich-text answer">${q.answer}</div>
      </section>`,
    )
    .join("");
  return `${header(item, item.intro ? `<p class="lead">${esc(item.intro)}</p>` : "")}
    <nav aria-label="Questions" class="toc"><ol>${toc}</ol></nav>${questions}`;
}

async function membersIndex(item, { query }) {
  const filters = { country: query.get("country") || "", iss_partner: query.get("iss_partner") || "" };
  const [all, shown] = await Promise.all([api.members(), api.members(filters)]);
  const countries = new Map();
  for (const m of all.results) if (m.country) countries.set(m.country, m.country_name);
  const options = [...countries]
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([code, name]) => `<option value="${esc(code)}"${code === filters.country ? " selected" : ""}>${esc(name)}</option>`)
    .join("");
  const cards = shown.results
    .map(
      (m) => `<li class="member-card">
        ${m.logo ? image(m.logo, "thumbnail", 'class="logo"') : `<span class="logo placeholder" aria-hidden="true">${esc(m.acronym)}</span>`}
        <h2><a href="${esc(m.url_path)}">${esc(m.title)}</a></h2>
        <p class="meta">${esc(m.acronym)} · ${esc(m.country_name || "Intergovernmental")}${m.iss_partner ? " · ISS partner" : ""}</p>
      </li>`,
    )
    .join("");
  return `${header(item)}<div class="rich-text intro">${item.intro || ""}</div>
    <form class="filters" method="get" action="${esc(item.url_path)}" aria-label="Filter members">
      <label for="filter-country">Country</label>
      <select id="filter-country" name="country"><option value="">All countries</option>${options}</select>
      <label for="filter-iss">ISS partner</label>
      <select id="filter-iss" name="iss_partner">
        <option value="">All members</option>
        <option value="true"${filters.iss_partner === "true" ? " selected" : ""}>ISS partners</option>
        <option value="false"${filters.iss_partner === "false" ? " selected" : ""}>Not ISS partners</option>
      </select>
      <button type="submit">Apply filters</button>
    </form>
    <p class="count" role="status">${shown.count} member${shown.count === 1 ? "" : "s"}</p>
    <ul class="member-list">${cards}</ul>`;
}

function member(item) {
  const facts = [
    ["Acronym", esc(item.acronym)],
    ["Country", esc(item.country_name || "Intergovernmental organisation")],
    ["Joined ISECG", esc(item.year_joined || "—")],
    ["ISS partner", item.iss_partner ? "Yes" : "No"],
    ["Website", item.website ? `<a href="${esc(item.website)}">${esc(item.website)}</a>` : "—"],
  ];
  return `${header(item, item.summary ? `<p class="lead">${esc(item.summary)}</p>` : "")}
    <div class="member-profile">
      ${item.logo ? image(item.logo, "small", 'class="logo"') : ""}
      <dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>
    </div>
    <div class="rich-text">${item.body || ""}</div>
    ${item.verification_note ? `<p class="note">${esc(item.verification_note)}</p>` : ""}`;
}

async function roadmapIndex(item) {
  const list = await api.releases();
  const entries = list.results
    .map(
      (r) => `<li class="timeline-entry ${esc(r.kind)}">
        <p class="date"><time datetime="${esc(r.release_date)}">${esc(releaseDate(r))}</time></p>
        <h2><a href="${esc(r.url_path)}">${esc(r.title)}</a></h2>
        <p class="meta">${esc(r.edition_label || r.kind)}</p>
        <p>${esc(r.summary)}</p>
        ${r.document ? `<p>${documentLink(r.document, `Download ${r.edition_label || r.title}`)}</p>` : ""}
      </li>`,
    )
    .join("");
  return `${header(item)}<div class="rich-text intro">${item.intro || ""}</div>
    <ol class="timeline" aria-label="Releases, oldest first">${entries}</ol>`;
}

function roadmapRelease(item) {
  const previous = item.previous_release
    ? `<p>${item.previous_release.relation === "updates" ? "Updates" : "Supersedes"} <a href="${esc(item.previous_release.url_path)}">${esc(item.previous_release.title)}</a></p>`
    : "";
  const agencies = item.contributing_agencies.length
    ? `<h2>Contributing agencies</h2><ul class="inline-list">${item.contributing_agencies
        .map((a) => `<li><a href="${esc(a.url_path)}">${esc(a.acronym)}</a></li>`)
        .join("")}</ul>`
    : "";
  return `${header(item, `<p class="meta">${esc(item.edition_label || item.kind)} · <time datetime="${esc(item.release_date)}">${esc(releaseDate(item))}</time></p>`)}
    ${item.cover_image ? image(item.cover_image, "small", 'class="cover"') : ""}
    <p class="lead">${esc(item.summary)}</p>
    ${item.document ? `<p>${documentLink(item.document, "Download the PDF")}</p>` : ""}
    ${previous}${stream(item.body)}${agencies}`;
}

export async function searchPage(query) {
  const q = query.get("q") || "";
  if (!q.trim()) return { title: "Search", html: `<h1>Search</h1><p>Type words to search for in the search box.</p>` };
  const results = await api.search(q);
  const note = api.releaseToken() ? `<p class="note">Search finds published pages only, not those of the release.</p>` : "";
  const items = results.results
    // snippet_html is the API's escaped text with <mark> around the matches: safe to insert.
    .map(
      (r) => `<li><span class="result-type">${esc(r.type_label)}</span> <a href="${esc(r.url_path)}">${esc(r.title)}</a>
        ${r.subtitle ? `<span class="result-subtitle">${esc(r.subtitle)}</span>` : ""}<p class="snippet">${r.snippet_html}</p></li>`,
    )
    .join("");
  return {
    title: `Search: ${q}`,
    html: `<h1>Search results for “${esc(q)}”</h1>${note}<p role="status">${results.count} result${results.count === 1 ? "" : "s"}</p><ol class="search-results">${items}</ol>`,
  };
}

const RENDERERS = {
  home,
  page,
  faq_index: faqIndex,
  faq,
  members_index: membersIndex,
  member,
  roadmap_index: roadmapIndex,
  roadmap_release: roadmapRelease,
};

export async function renderItem(item, context) {
  const renderer = RENDERERS[item.type] || page;
  return { title: item.title, html: await renderer(item, context) };
}
