// @ts-check
// The router: every URL goes through the API's resolve endpoint; `?token=` means preview mode,
// `?release_token=` a release preview, which follows the reader across the whole site.

import * as api from "./api.js";
import { esc, renderItem, searchPage } from "./render.js";

/** @typedef {import("./render.js").Rendered} Rendered */

/**
 * An element index.html always has.
 * @param {string} id
 */
function element(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found;
}

const main = element("main");
const banner = element("preview-banner");
const SITE = "ISECG";
// The not-found page: index.html's, which frontend/serve.py also sends (with a 404) when the
// API says there is no page at the address.
const NOT_FOUND = element("not-found").innerHTML;

/** @type {Record<string, [string, string]>} */
const PREVIEW_ERRORS = {
  expired: ["This preview link has expired", "Preview links stop working after a while. Ask the editor or reviewer for a new one."],
  revoked: ["This preview link was revoked", "Someone withdrew this link. Ask the editor or reviewer for a new one."],
  invalid: ["This preview link is not valid", "The link may be incomplete or mistyped. Copy it again, in full."],
  wrong_page: ["This preview link is for another page", "Open the link exactly as you received it."],
  missing: ["This preview link is incomplete", "The link has no token. Copy it again, in full."],
  wrong_release: ["This preview link is for another release", "Open the link exactly as you received it."],
  closed: ["This release is no longer in preview", "It was published or cancelled: the site below is the live one."],
};

/** @param {Rendered} page */
function show({ title, html, status = 200 }) {
  main.innerHTML = html;
  keepRelease(main);
  main.dataset.status = String(status);
  main.setAttribute("aria-busy", "false");
  document.title = `${title} · ${SITE}`;
}

// In a release preview, every link of the site keeps the token (also opened in a new tab).
/** @param {string} href */
function withReleaseToken(href) {
  const token = api.releaseToken();
  const url = new URL(href, location.href);
  if (!token || url.origin !== location.origin || url.searchParams.has(api.RELEASE_TOKEN)) return href;
  url.searchParams.set(api.RELEASE_TOKEN, token);
  return url.pathname + url.search + url.hash;
}

/** @param {ParentNode | null} root */
function keepRelease(root) {
  if (!api.releaseToken() || !root) return;
  for (const link of root.querySelectorAll("a[href]")) {
    const href = link.getAttribute("href") || "";
    if (!href.startsWith("#")) link.setAttribute("href", withReleaseToken(href));
  }
  for (const form of root.querySelectorAll("form[method=get]")) {
    if (!form.querySelector(`input[name=${api.RELEASE_TOKEN}]`)) {
      form.insertAdjacentHTML("beforeend", `<input type="hidden" name="${api.RELEASE_TOKEN}" value="${esc(api.releaseToken())}">`);
    }
  }
}

// The API could not be asked at all: say which API, and what to check, in words (the browser
// only says "TypeError: Failed to fetch", for an API that is down and for one refusing the origin).
/** @param {api.ApiError} error */
function unreachablePage(error) {
  const here = location.origin;
  const refused = error.problem.reason === "cors";
  const heading = refused ? "The content API refused this site" : "The content API cannot be reached";
  const explanation = refused
    ? `<p>The API at <code class="api-url">${esc(api.API)}</code> answered, but does not allow pages from
        <code>${esc(here)}</code> to read it (CORS). Add <code>${esc(here)}</code> to the API's
        <code>CORS_ALLOWED_ORIGINS</code> setting and restart it.</p>`
    : `<p>This site's content comes from the CMS API at <code class="api-url">${esc(api.API)}</code>,
        which did not answer. Check that the API is running (<code>make run</code> starts it), that
        the frontend points at it (<code>serve.py --api</code> or <code>API_URL</code>), and that its
        <code>CORS_ALLOWED_ORIGINS</code> setting includes <code>${esc(here)}</code>.</p>`;
  return {
    title: heading,
    status: 503,
    html: `<div class="api-error" role="alert" data-reason="${refused ? "cors" : "unreachable"}">
      <h1>${heading}</h1>${explanation}<p><a href="${esc(location.pathname + location.search)}">Try again</a></p></div>`,
  };
}

/**
 * @param {unknown} error
 * @returns {Rendered}
 */
function errorPage(error) {
  if (!(error instanceof api.ApiError)) {
    return { title: "Something went wrong", status: 500, html: `<h1>Something went wrong</h1><p>${esc(String(error))}</p><p><a href="/">Go to the home page</a>.</p>` };
  }
  if (error.status === 0) return unreachablePage(error);
  if (error.status === 404) {
    return { title: "Page not found", status: 404, html: NOT_FOUND };
  }
  return {
    title: "Something went wrong",
    status: error.status || 500,
    html: `<h1>Something went wrong</h1><p>${esc(error.message)}</p><p><a href="/">Go to the home page</a>.</p>`,
  };
}

// Moments in the API's messages are ISO 8601 in UTC: show each in the reader's own time zone,
// in words, keeping the exact moment in <time datetime>.
const ISO_MOMENT = /\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g;
/** @type {Intl.DateTimeFormatOptions} */
const MOMENT_FORMAT = { year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" };

/** @param {string} iso */
function localTime(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return esc(iso);
  return `<time datetime="${esc(iso)}">${esc(at.toLocaleString(undefined, MOMENT_FORMAT))}</time>`;
}

/** @param {string} text */
function withLocalTimes(text) {
  let html = "";
  let last = 0;
  for (const match of text.matchAll(ISO_MOMENT)) {
    html += esc(text.slice(last, match.index)) + localTime(match[0]);
    last = match.index + match[0].length;
  }
  return html + esc(text.slice(last));
}

/** @param {api.ApiError} error */
function previewErrorPage(error) {
  const reason = error.problem?.reason;
  const [heading, advice] = (reason && PREVIEW_ERRORS[reason]) || ["This preview cannot be shown", ""];
  return {
    title: heading,
    status: error.status,
    html: `<div class="preview-error" role="alert" data-reason="${esc(reason || "error")}">
      <h1>${esc(heading)}</h1><p>${esc(advice)}</p>
      <p class="meta">${withLocalTimes(error.problem?.detail || error.message)}</p>
      <p><a href="${esc(location.pathname)}">See the published page instead</a></p></div>`,
  };
}

/** @param {api.Schemas["ReleasePreview"]} preview */
function showReleaseBanner(preview) {
  const kind = preview.kind === "share" ? "Share link" : "Live preview";
  banner.innerHTML = `<strong>Release preview</strong> · the site as
    <q data-release="${esc(preview.release.id)}">${esc(preview.release.title)}</q> would publish it ·
    ${esc(preview.status.replace("_", " "))} · ${esc(kind)} · expires
    ${localTime(preview.expires_at)}`;
  banner.dataset.kind = "release";
  banner.hidden = false;
}

/** @param {api.Schemas["PreviewMeta"]} meta */
function showBanner(meta) {
  const kind = meta.kind === "share" ? "Share link" : "Live preview";
  banner.innerHTML = `<strong>Preview</strong> · draft, not published · ${esc(kind)} · revision
    <span data-revision>${esc(meta.revision_id ?? "unsaved")}</span> · expires
    ${localTime(meta.expires_at)}`;
  banner.hidden = false;
}

function noindex() {
  const tag = document.createElement("meta");
  tag.name = "robots";
  tag.content = "noindex";
  document.head.append(tag);
}

/** @returns {Promise<void>} */
async function route() {
  const url = new URL(location.href);
  const token = url.searchParams.get("token");
  const release = api.releaseToken();
  main.setAttribute("aria-busy", "true");
  banner.hidden = true;
  closeMenu();
  try {
    if (token !== null) {
      noindex();
      const item = await api.preview(token);
      showBanner(item.meta);
      show(await renderItem(item, { query: url.searchParams, preview: true }));
    } else if (url.pathname === "/search/") {
      show(await searchPage(url.searchParams));
    } else {
      if (release !== null) noindex();
      const item = await api.resolve(url.pathname);
      if (item.type === "redirect") return followRedirect(item);
      if (item.meta?.preview) showReleaseBanner(item.meta.preview);
      show(await renderItem(item, { query: url.searchParams }));
    }
  } catch (error) {
    const previewing = error instanceof api.ApiError && error.status !== 0 && (token !== null || release !== null) && error.problem?.reason;
    show(previewing && error instanceof api.ApiError ? previewErrorPage(error) : errorPage(error));
  }
  redirects = 0;
  markCurrentNav();
  landOnTarget();
}

// A redirect editors set up (the API's resolve answers it when no page is at the path; the
// frontend server already answers such URLs with a 301/302, this covers in-app navigation).
let redirects = 0;
/**
 * @param {api.Schemas["Redirect"]} redirect
 * @returns {Promise<void> | undefined}
 */
function followRedirect(redirect) {
  if (++redirects > 5) {
    redirects = 0;
    show({ title: "Too many redirects", status: 508, html: `<h1>Too many redirects</h1><p>This address redirects in a loop. <a href="/">Go to the home page</a>.</p>` });
    return;
  }
  const target = new URL(redirect.location, location.href);
  if (target.origin !== location.origin) {
    location.replace(target.href);
    return;
  }
  history.replaceState({}, "", withReleaseToken(target.pathname + target.search + target.hash));
  return route();
}

function landOnTarget() {
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) {
    target.scrollIntoView();
    target.focus({ preventScroll: true });
  }
}

async function buildNav() {
  const nav = element("site-nav");
  try {
    const home = await api.resolve("/");
    if (home.type === "redirect") throw new Error("the home page redirects");
    const sections = await api.children(home.id);
    nav.innerHTML = [{ title: "Home", url_path: "/" }, ...sections.results]
      .map((s) => `<li><a href="${esc(s.url_path)}">${esc(s.title)}</a></li>`)
      .join("");
    keepRelease(nav);
    markCurrentNav();
  } catch {
    nav.innerHTML = `<li><a href="/">Home</a></li>`;
  }
}

function markCurrentNav() {
  for (const link of document.querySelectorAll("#site-nav a")) {
    const path = new URL(link.getAttribute("href") || "", location.href).pathname;
    const current = path === "/" ? location.pathname === "/" : location.pathname.startsWith(path);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** @param {string} href */
function navigate(href) {
  history.pushState({}, "", withReleaseToken(href));
  route().then(() => {
    if (!location.hash) main.focus();
  });
}

// Same-origin links and GET forms navigate without reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!(link instanceof HTMLAnchorElement) || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || link.target) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method !== "get") return;
  event.preventDefault();
  const url = new URL(form.action, location.href);
  for (const [name, value] of new FormData(form)) if (typeof value === "string" && value) url.searchParams.set(name, value);
  navigate(url.pathname + url.search);
});

window.addEventListener("popstate", route);
window.addEventListener("hashchange", landOnTarget);

// Inside the admin's live preview panel: keep the scroll position while the editor types
// (Wagtail's cross-origin preview protocol).
const parentWindow = window.top;
if (parentWindow && parentWindow !== window) {
  window.addEventListener("message", (event) => {
    if (event.origin !== api.apiOrigin) return;
    const message = event.data?.wagtail;
    if (message?.type === "w-preview:get-scroll-position") {
      parentWindow.postMessage({ wagtail: { type: "w-preview:set-scroll-position", x: scrollX, y: scrollY, origin: location.origin } }, api.apiOrigin);
    } else if (message?.type === "w-preview:set-scroll-position") {
      window.scrollTo({ top: message.y, left: message.x, behavior: "instant" });
    }
  });
  window.addEventListener("load", () => {
    parentWindow.postMessage({ wagtail: { type: "w-preview:request-scroll", origin: location.origin } }, api.apiOrigin);
  });
}

// The menu button (narrow screens, see styles.css): the navigation and search stay folded away
// until it is pressed; wide screens never show the button.
const menuButton = element("menu-button");
const menu = element("site-menu");

/** @param {boolean} open */
function setMenu(open) {
  menuButton.setAttribute("aria-expanded", String(open));
  menu.classList.toggle("open", open);
}

function closeMenu() {
  setMenu(false);
}

menuButton.addEventListener("click", () => setMenu(menuButton.getAttribute("aria-expanded") !== "true"));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && menuButton.getAttribute("aria-expanded") === "true") {
    closeMenu();
    menuButton.focus();
  }
});

keepRelease(document.querySelector(".site-header"));
buildNav();
route();
