// The router: every URL goes through the API's resolve endpoint; `?token=` means preview mode,
// `?release_token=` a release preview, which follows the reader across the whole site.

import * as api from "./api.js";
import { esc, renderItem, searchPage } from "./render.js";

const main = document.getElementById("main");
const banner = document.getElementById("preview-banner");
const SITE = "ISECG";

const PREVIEW_ERRORS = {
  expired: ["This preview link has expired", "Preview links stop working after a while. Ask the editor or reviewer for a new one."],
  revoked: ["This preview link was revoked", "Someone withdrew this link. Ask the editor or reviewer for a new one."],
  invalid: ["This preview link is not valid", "The link may be incomplete or mistyped. Copy it again, in full."],
  wrong_page: ["This preview link is for another page", "Open the link exactly as you received it."],
  missing: ["This preview link is incomplete", "The link has no token. Copy it again, in full."],
  wrong_release: ["This preview link is for another release", "Open the link exactly as you received it."],
  closed: ["This release is no longer in preview", "It was published or cancelled: the site below is the live one."],
};

function show({ title, html, status = 200 }) {
  main.innerHTML = html;
  keepRelease(main);
  main.dataset.status = String(status);
  main.setAttribute("aria-busy", "false");
  document.title = `${title} · ${SITE}`;
}

// In a release preview, every link of the site keeps the token (also opened in a new tab).
function withReleaseToken(href) {
  const token = api.releaseToken();
  const url = new URL(href, location.href);
  if (!token || url.origin !== location.origin || url.searchParams.has(api.RELEASE_TOKEN)) return href;
  url.searchParams.set(api.RELEASE_TOKEN, token);
  return url.pathname + url.search + url.hash;
}

function keepRelease(root) {
  if (!api.releaseToken()) return;
  for (const link of root.querySelectorAll("a[href]")) {
    if (!link.getAttribute("href").startsWith("#")) link.setAttribute("href", withReleaseToken(link.getAttribute("href")));
  }
  for (const form of root.querySelectorAll("form[method=get]")) {
    if (!form.querySelector(`input[name=${api.RELEASE_TOKEN}]`)) {
      form.insertAdjacentHTML("beforeend", `<input type="hidden" name="${api.RELEASE_TOKEN}" value="${esc(api.releaseToken())}">`);
    }
  }
}

function errorPage(error) {
  if (error.status === 404) {
    return { title: "Page not found", status: 404, html: `<h1>Page not found</h1><p>There is no page at this address. <a href="/">Go to the home page</a>.</p>` };
  }
  return {
    title: "Something went wrong",
    status: error.status || 500,
    html: `<h1>Something went wrong</h1><p>${esc(error.message)}</p><p><a href="/">Go to the home page</a>.</p>`,
  };
}

function previewErrorPage(error) {
  const reason = error.problem?.reason;
  const [heading, advice] = PREVIEW_ERRORS[reason] || ["This preview cannot be shown", ""];
  return {
    title: heading,
    status: error.status,
    html: `<div class="preview-error" role="alert" data-reason="${esc(reason || "error")}">
      <h1>${esc(heading)}</h1><p>${esc(advice)}</p>
      <p class="meta">${esc(error.problem?.detail || error.message)}</p>
      <p><a href="${esc(location.pathname)}">See the published page instead</a></p></div>`,
  };
}

function showReleaseBanner(preview) {
  const expires = new Date(preview.expires_at);
  const kind = preview.kind === "share" ? "Share link" : "Live preview";
  banner.innerHTML = `<strong>Release preview</strong> · the site as
    <q data-release="${esc(preview.release.id)}">${esc(preview.release.title)}</q> would publish it ·
    ${esc(preview.status.replace("_", " "))} · ${esc(kind)} · expires
    <time datetime="${esc(preview.expires_at)}">${esc(expires.toLocaleString())}</time>`;
  banner.dataset.kind = "release";
  banner.hidden = false;
}

function showBanner(meta) {
  const expires = new Date(meta.expires_at);
  const kind = meta.kind === "share" ? "Share link" : "Live preview";
  banner.innerHTML = `<strong>Preview</strong> · draft, not published · ${esc(kind)} · revision
    <span data-revision>${esc(meta.revision_id ?? "unsaved")}</span> · expires
    <time datetime="${esc(meta.expires_at)}">${esc(expires.toLocaleString())}</time>`;
  banner.hidden = false;
}

function noindex() {
  const tag = document.createElement("meta");
  tag.name = "robots";
  tag.content = "noindex";
  document.head.append(tag);
}

async function route() {
  const url = new URL(location.href);
  const token = url.searchParams.get("token");
  const release = api.releaseToken();
  main.setAttribute("aria-busy", "true");
  banner.hidden = true;
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
    const previewing = (token !== null || release !== null) && error.problem?.reason;
    show(previewing ? previewErrorPage(error) : errorPage(error));
  }
  redirects = 0;
  markCurrentNav();
  landOnTarget();
}

// A redirect editors set up (the API's resolve answers it when no page is at the path; the
// frontend server already answers such URLs with a 301/302, this covers in-app navigation).
let redirects = 0;
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
  const nav = document.getElementById("site-nav");
  try {
    const home = await api.resolve("/");
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
    const path = new URL(link.getAttribute("href"), location.href).pathname;
    const current = path === "/" ? location.pathname === "/" : location.pathname.startsWith(path);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function navigate(href) {
  history.pushState({}, "", withReleaseToken(href));
  route().then(() => {
    if (!location.hash) main.focus();
  });
}

// Same-origin links and GET forms navigate without reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || link.target) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method !== "get") return;
  event.preventDefault();
  const url = new URL(form.action, location.href);
  for (const [name, value] of new FormData(form)) if (value) url.searchParams.set(name, value);
  navigate(url.pathname + url.search);
});

window.addEventListener("popstate", route);
window.addEventListener("hashchange", landOnTarget);

// Inside the admin's live preview panel: keep the scroll position while the editor types
// (Wagtail's cross-origin preview protocol).
if (window.top !== window) {
  window.addEventListener("message", (event) => {
    if (event.origin !== api.apiOrigin) return;
    const message = event.data?.wagtail;
    if (message?.type === "w-preview:get-scroll-position") {
      window.top.postMessage({ wagtail: { type: "w-preview:set-scroll-position", x: scrollX, y: scrollY, origin: location.origin } }, api.apiOrigin);
    } else if (message?.type === "w-preview:set-scroll-position") {
      window.scrollTo({ top: message.y, left: message.x, behavior: "instant" });
    }
  });
  window.addEventListener("load", () => {
    window.top.postMessage({ wagtail: { type: "w-preview:request-scroll", origin: location.origin } }, api.apiOrigin);
  });
}

keepRelease(document.querySelector(".site-header"));
buildNav();
route();
