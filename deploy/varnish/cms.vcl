vcl 4.1;
# Varnish in front of the CMS's app servers: caches anonymous delivery-API GETs as their
# Cache-Control and Vary say, never what a token, a cookie or a preview token asked for, and
# lets only the CMS purge. Publishing sends PURGE for each changed URL and BAN for each changed
# path, which drops the path with every query string (`/api/v1/members/?country=US`); see
# pipeline/frontend_cache.py. Test: tests/test_topology.py runs this file with its own ports.

import directors;
import std;

# --- Edit for your servers ---------------------------------------------------------------
# The app servers (deploy/systemd/cms-web@.service), probed on the health endpoint: one that
# fails 3 of the last 5 probes gets no traffic until it answers again. The probe's Host must be
# in ALLOWED_HOSTS; X-Forwarded-Proto keeps SECURE_SSL_REDIRECT from answering it with a 301.
probe health {
    .request =
        "GET /api/v1/health/ HTTP/1.1"
        "Host: localhost"
        "X-Forwarded-Proto: https"
        "User-Agent: varnish-probe"
        "Connection: close";
    .interval = 2s;
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
    .initial = 3;
}

backend web_a {
    .host = "127.0.0.1";
    .port = "8001";
    .probe = health;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
}

backend web_b {
    .host = "127.0.0.1";
    .port = "8002";
    .probe = health;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
}

# Who may PURGE and BAN: the hosts running the CMS's workers (they send the purges).
acl purgers {
    "127.0.0.1";
    "::1";
}
# -----------------------------------------------------------------------------------------

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(web_a);
    app.add_backend(web_b);
}

sub vcl_recv {
    set req.backend_hint = app.backend();
    unset req.http.X-Cache;

    if (req.method == "PURGE" || req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.method == "PURGE") {
            return (purge);
        }
        # BAN /api/v1/members/: that path with any query string, or none. A plain path only,
        # so the ban expression cannot be bent into another one.
        if (req.url !~ "^/[A-Za-z0-9/_-]*$") {
            return (synth(400, "BAN takes a path without query or special characters"));
        }
        if (std.ban("obj.http.x-cache-host == " + req.http.host +
                    " && obj.http.x-cache-url ~ ^" + req.url + "(\?|$)")) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Only the delivery API is cached; the admin, previews and anything with credentials or a
    # preview token (in any spelling Django would decode to `token`) go to the app every time.
    if (req.url !~ "^/api/v1/" || req.url ~ "^/api/v1/preview/") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie) {
        return (pass);
    }
    if (req.url ~ "(?i)[?&](t|%74)(o|%6f)(k|%6b)(e|%65)(n|%6e)(=|&|$)") {
        return (pass);
    }
    # While an app server answers, serve an expired copy for at most 10 s while it refreshes;
    # when none does, keep serving what is cached for up to an hour.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    # An http:// request is answered with a redirect to https://: never mix the two.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_hit {
    set req.http.X-Cache = "HIT";
}

sub vcl_miss {
    set req.http.X-Cache = "MISS";
}

sub vcl_pass {
    set req.http.X-Cache = "PASS";
}

sub vcl_backend_response {
    # A server that fails (or was stopped) between two probes: try the next one once.
    if (beresp.status >= 500 && bereq.retries < 1 && bereq.method ~ "^(GET|HEAD)$") {
        return (retry);
    }
    # Where the object came from, for bans (lurker-friendly: obj.* only) and for debugging.
    set beresp.http.x-cache-url = bereq.url;
    set beresp.http.x-cache-host = bereq.http.host;
    set beresp.http.X-Backend = beresp.backend.name;
    # Expired copies stay for an hour so Varnish can revalidate them with If-None-Match (the
    # API answers 304 cheaply) instead of fetching the body again.
    set beresp.grace = 1h;
    set beresp.keep = 1h;
    # The builtin VCL then refuses to store private, no-store, no-cache and Set-Cookie answers.
}

sub vcl_backend_error {
    if (bereq.retries < 1 && bereq.method ~ "^(GET|HEAD)$") {
        return (retry);
    }
}

sub vcl_deliver {
    set resp.http.X-Cache = req.http.X-Cache;
    unset resp.http.x-cache-url;
    unset resp.http.x-cache-host;
}

sub vcl_synth {
    if (req.method == "PURGE" || req.method == "BAN" || resp.status >= 400) {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = "" + resp.status + " " + resp.reason + {"
"};
        return (deliver);
    }
}
