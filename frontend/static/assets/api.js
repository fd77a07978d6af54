// The CMS's public API, over HTTP only: the one place that knows its URLs.

const API = (document.querySelector('meta[name="cms-api"]')?.content || "").replace(/\/$/, "");

export const apiOrigin = new URL(API || location.origin).origin;

// A release preview: `?release_token=` in the page's URL makes every content request answer as
// if that release were published (search and page previews do not take it).
export const RELEASE_TOKEN = "release_token";
export const releaseToken = () => new URL(location.href).searchParams.get(RELEASE_TOKEN);
const withRelease = (params) => {
  const token = releaseToken();
  return token ? { ...params, [RELEASE_TOKEN]: token } : params;
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `The CMS answered ${status}.`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function get(path, params = {}) {
  const url = new URL(`${API}/api/v1/${path}`);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, referrerPolicy: "no-referrer" });
  } catch (error) {
    throw new ApiError(0, { title: "The CMS cannot be reached", detail: String(error) });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const resolve = (path) => get("pages/resolve/", withRelease({ path }));
export const preview = (token) => get("preview/", { token });
export const children = (id) => get("pages/", withRelease({ child_of: id, limit: 100, fields: "title,url_path" }));
export const faqs = () => get("faqs/", withRelease({ limit: 100 }));
export const members = (filters = {}) => get("members/", withRelease({ limit: 100, ordering: "title", ...filters }));
export const releases = () => get("roadmap-releases/", withRelease({ limit: 100, ordering: "release_date" }));
export const search = (q) => get("search/", { q, limit: 50 });
