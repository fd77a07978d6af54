// @ts-check
// The CMS's public API, over HTTP only: the one place that knows its URLs. Every request and
// answer is typed by the API's own OpenAPI schema (../../types/api.d.ts, `make types`), and
// `make typecheck` checks this code against it: an API change that breaks the frontend fails CI.

/** @typedef {import("../../types/api").paths} Paths */
/** @typedef {import("../../types/api").components["schemas"]} Schemas */
/** @typedef {{ [P in keyof Paths]: Paths[P] extends { get: any } ? P : never }[keyof Paths]} Endpoint */
/**
 * The query parameters an endpoint documents.
 * @template {Endpoint} P
 * @typedef {NonNullable<Paths[P]["get"]["parameters"]["query"]>} Query
 */
/**
 * What an endpoint answers with 200.
 * @template {Endpoint} P
 * @typedef {Paths[P]["get"]["responses"][200]["content"]["application/json"]} Answer
 */

/** @type {string} */
export const API = (document.querySelector('meta[name="cms-api"]')?.getAttribute("content") || "").replace(/\/$/, "");

export const apiOrigin = new URL(API || location.origin).origin;

// A release preview: `?release_token=` in the page's URL makes every content request answer as
// if that release were published (search and page previews do not take it).
export const RELEASE_TOKEN = "release_token";
export const releaseToken = () => new URL(location.href).searchParams.get(RELEASE_TOKEN);
/**
 * @template {object} T
 * @param {T} params
 * @returns {T}
 */
function withRelease(params) {
  const token = releaseToken();
  return token ? { ...params, [RELEASE_TOKEN]: token } : params;
}

export class ApiError extends Error {
  /**
   * @param {number} status 0 when the API could not be reached at all
   * @param {Partial<Schemas["Problem"]> & { reason?: string } | null} problem
   */
  constructor(status, problem) {
    super(problem?.detail || `The CMS answered ${status}.`);
    this.status = status;
    this.problem = problem || {};
  }
}

/**
 * Why a request failed before any answer: the browser says only "Failed to fetch". An opaque
 * (no-cors) request reaches a running API even when it refuses this origin, so it tells the two
 * apart: "cors" (the API answered but CORS_ALLOWED_ORIGINS does not list this origin) or
 * "unreachable" (nothing answered: down, wrong URL, network).
 * @param {URL} url
 * @returns {Promise<"cors" | "unreachable">}
 */
async function unreachableReason(url) {
  try {
    await fetch(url, { mode: "no-cors", referrerPolicy: "no-referrer" });
    return "cors";
  } catch {
    return "unreachable";
  }
}

/**
 * GET one of the API's documented endpoints.
 * @template {Endpoint} P
 * @param {P} path
 * @param {Query<P>} params
 * @returns {Promise<Answer<P>>}
 */
async function get(path, params) {
  const url = new URL(`${API}${path}`);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    url.searchParams.set(name, Array.isArray(value) ? value.join(",") : String(value));
  }
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, referrerPolicy: "no-referrer" });
  } catch (error) {
    throw new ApiError(0, {
      title: "The CMS cannot be reached",
      detail: `${API || location.origin}: ${String(error)}`,
      reason: await unreachableReason(url),
    });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** @param {string} path */
export const resolve = (path) => get("/api/v1/pages/resolve/", withRelease({ path }));
/** @param {string} token */
export const preview = (token) => get("/api/v1/preview/", { token });
/** @param {number} id */
export const children = (id) =>
  get("/api/v1/pages/", withRelease({ child_of: id, limit: 100, fields: ["title", "url_path"] }));
export const faqs = () => get("/api/v1/faqs/", withRelease({ limit: 100 }));
/** @param {Query<"/api/v1/members/">} filters */
export const members = (filters = {}) =>
  get("/api/v1/members/", withRelease({ limit: 100, ordering: ["title"], ...filters }));
export const releases = () => get("/api/v1/roadmap-releases/", withRelease({ limit: 100, ordering: ["release_date"] }));
/** @param {string} q */
export const search = (q) => get("/api/v1/search/", { q, limit: 50 });
