// @ts-check
// One renderer per API `type`: each takes the item exactly as the API delivers it (typed by the
// API's schema, see api.js). Text fields are escaped; rich-text fields are HTML the CMS already
// cleaned and resolved.

import * as api from "./api.js";

/** @typedef {api.Schemas} Schemas */
/** @typedef {Schemas["Item"] | Schemas["PreviewItem"]} AnyItem */
/** @typedef {Schemas["HomePage"] | Schemas["PreviewHomePage"]} HomeItem */
/** @typedef {Schemas["StandardPage"] | Schemas["PreviewStandardPage"]} StandardItem */
/** @typedef {Schemas["IndexPage"] | Schemas["PreviewIndexPage"]} IndexItem */
/** @typedef {Schemas["FAQ"] | Schemas["PreviewFAQ"]} FaqItem */
/** @typedef {Schemas["Member"] | Schemas["PreviewMember"]} MemberItem */
/** @typedef {Schemas["RoadmapRelease"] | Schemas["PreviewRoadmapRelease"]} ReleaseItem */
/** @typedef {{ query: URLSearchParams, preview?: boolean }} Context */
/** @typedef {{ title: string, html: string, status?: number }} Rendered */
// StreamField block values: the schema types them as unknown (their shape depends on `type`).
/** @typedef {{ image: Schemas["Image"] | null, caption?: string }} ImageBlock */
/** @typedef {{ document: Schemas["Document"] | null, label?: string }} DocumentBlock */
/** @typedef {{ text: string, attribution?: string }} QuoteBlock */

/** @param {unknown} value */
export const esc = (value) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => /** @type {Record<string, string>} */ ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** @param {{ release_date?: string, release_date_precision?: string }} item */
export function releaseDate(item) {
  const [year, month, day] = (item.release_date || "").split("-").map(Number);
  if (!year) return "";
  if (item.release_date_precision === "year") return String(year);
  if (item.release_date_precision === "month") return `${MONTHS[month - 1]} ${year}`;
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/** @param {number | null} bytes */
function fileSize(bytes) {
  if (!bytes) return "";
  return bytes > 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

/**
 * @param {Schemas["Image"] | null | undefined} img
 * @param {string} rendition one of the API's rendition names (API_IMAGE_RENDITIONS)
 * @param {string} extra more attributes
 */
export function image(img, rendition = "medium", extra = "") {
  if (!img) return "";
  const r = img.renditions?.[rendition] || img;
  return `<img src="${esc(r.url)}" width="${esc(r.width)}" height="${esc(r.height)}" alt="${esc(img.alt)}" ${extra} loading="lazy">`;
}

/**
 * @param {Schemas["Document"] | null | undefined} doc
 * @param {string} [label]
 */
export function documentLink(doc, label) {
  if (!doc) return "";
  const kind = (doc.content_type || "").includes("pdf") ? "PDF" : "file";
  return `<a class="document-link" href="${esc(doc.url)}">${esc(label || doc.title)} <span class="meta">(${kind}${doc.file_size ? `, ${fileSize(doc.file_size)}` : ""})</span></a>`;
}

/** @param {Schemas["StreamBlock"][]} [blocks] */
function stream(blocks = []) {
  return blocks
    .map((block) => {
      const v = block.value;
      switch (block.type) {
        case "heading":
          return `<h2>${esc(v)}</h2>`;
        case "paragraph":
          return `<div class="rich-text">${v}</div>`;
        case "image": {
          const { image: img, caption } = /** @type {ImageBlock} */ (v);
          return `<figure>${image(img, "large")}${caption ? `<figcaption>${esc(caption)}</figcaption>` : ""}</figure>`;
        }
        case "document": {
          const { document, label } = /** @type {DocumentBlock} */ (v);
          return `<p>${documentLink(document, label)}</p>`;
        }
        case "quote": {
          const { text, attribution } = /** @type {QuoteBlock} */ (v);
          return `<blockquote><p>${esc(text)}</p>${attribution ? `<footer>${esc(attribution)}</footer>` : ""}</blockquote>`;
        }
        default:
          return "";
      }
    })
    .join("");
}

/**
 * @param {{ title?: string }} item
 * @param {string} [lead]
 */
const header = (item, lead = "") =>
  `<header class="page-header"><h1>${esc(item.title)}</h1>${lead}</header>`;

// Renderers ---------------------------------------------------------------------------------

/** @param {HomeItem} item */
async function home(item) {
  /** @type {{ results: { title?: string, url_path?: string }[] }} */
  const sections = item.id === null ? { results: [] } : await api.children(item.id).catch(() => ({ results: [] }));
  return `${header(item)}
    <div class="rich-text intro">${item.intro || ""}</div>
    ${stream(item.body)}
    ${sections.results.length ? `<nav aria-label="Sections"><ul class="cards">${sections.results
      .map((s) => `<li><a href="${esc(s.url_path)}">${esc(s.title)}</a></li>`)
      .join("")}</ul></nav>` : ""}`;
}

/** @param {StandardItem} item */
function page(item) {
  return `${header(item, item.intro ? `<p class="lead">${esc(item.intro)}</p>` : "")}${stream(item.body)}`;
}

/** @param {IndexItem} item */
async function faqIndex(item) {
  const sections = await api.faqs();
  return `${header(item)}<div class="rich-text intro">${item.intro || ""}</div>
    ${sections.results
      .map(
        (s) => `<section class="faq-section" aria-labelledby="section-${s.id}">
          <h2 id="section-${s.id}"><a href="${esc(s.url_path)}">${esc(s.title)}</a></h2>
          <ul>${(s.questions ?? []).map((q) => `<li><a href="${esc(s.url_path)}#${esc(q.id)}">${esc(q.question)}</a></li>`).join("")}</ul>
        </section>`,
      )
      .join("")}`;
}

/** @param {FaqItem} item */
function faq(item) {
  const toc = (item.questions ?? [])
    .map((q) => `<li><a href="#${esc(q.id)}">${esc(q.question)}</a></li>`)
    .join("");
  const questions = (item.questions ?? [])
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

/**
 * @param {IndexItem} item
 * @param {Context} context
 */
async function membersIndex(item, { query }) {
  const country = query.get("country") || "";
  const iss = query.get("iss_partner") || "";
  /** @type {api.Query<"/api/v1/members/">} */
  const filters = {
    // The API checks the values (a 400 says which is wrong); the types only name the parameters.
    country: /** @type {api.Query<"/api/v1/members/">["country"]} */ (country || undefined),
    iss_partner: iss === "" ? undefined : iss === "true",
  };
  const [all, shown] = await Promise.all([api.members(), api.members(filters)]);
  /** @type {Map<string, string>} */
  const countries = new Map();
  for (const m of all.results) if (m.country) countries.set(m.country, m.country_name || m.country);
  const options = [...countries]
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([code, name]) => `<option value="${esc(code)}"${code === country ? " selected" : ""}>${esc(name)}</option>`)
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
        <option value="true"${iss === "true" ? " selected" : ""}>ISS partners</option>
        <option value="false"${iss === "false" ? " selected" : ""}>Not ISS partners</option>
      </select>
      <button type="submit">Apply filters</button>
    </form>
    <p class="count" role="status">${shown.count} member${shown.count === 1 ? "" : "s"}</p>
    <ul class="member-list">${cards}</ul>`;
}

/** @param {MemberItem} item */
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

/** @param {IndexItem} item */
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

/**
 * Which edition a release is, in words: editions share a title ("Edition 2, August 2013").
 * @param {Schemas["PreviousRelease"]} release
 */
export function editionOf(release) {
  const label = release.edition_label || (release.edition_number ? `Edition ${release.edition_number}` : "");
  return [label, releaseDate(release)].filter(Boolean).join(", ");
}

/** @param {ReleaseItem} item */
function roadmapRelease(item) {
  const before = item.previous_release;
  const previous = before
    ? `<p class="previous-release">${before.relation === "updates" ? "Updates" : "Supersedes"} <a href="${esc(before.url_path)}">${esc(before.title)}</a>${editionOf(before) ? ` <span class="edition">(${esc(editionOf(before))})</span>` : ""}</p>`
    : "";
  const contributors = item.contributing_agencies ?? [];
  const agencies = contributors.length
    ? `<h2>Contributing agencies</h2><ul class="inline-list">${contributors
        .map((a) => `<li><a href="${esc(a.url_path)}">${esc(a.acronym)}</a></li>`)
        .join("")}</ul>`
    : "";
  return `${header(item, `<p class="meta">${esc(item.edition_label || item.kind)} · <time datetime="${esc(item.release_date)}">${esc(releaseDate(item))}</time></p>`)}
    ${item.cover_image ? image(item.cover_image, "small", 'class="cover"') : ""}
    <p class="lead">${esc(item.summary)}</p>
    ${item.document ? `<p>${documentLink(item.document, "Download the PDF")}</p>` : ""}
    ${previous}${stream(item.body)}${agencies}`;
}

/**
 * @param {URLSearchParams} query
 * @returns {Promise<Rendered>}
 */
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

/**
 * @param {AnyItem} item
 * @param {Context} context
 * @returns {Promise<string>}
 */
async function render(item, context) {
  switch (item.type) {
    case "home":
      return home(item);
    case "faq":
      return faq(item);
    case "member":
      return member(item);
    case "roadmap_release":
      return roadmapRelease(item);
    case "faq_index":
      return faqIndex(item);
    case "members_index":
      return membersIndex(item, context);
    case "roadmap_index":
      return roadmapIndex(item);
    default:
      return page(item);
  }
}

/**
 * @param {AnyItem} item
 * @param {Context} context
 * @returns {Promise<Rendered>}
 */
export async function renderItem(item, context) {
  return { title: item.title ?? "", html: await render(item, context) };
}
