# Newsroom's edge logic for Varnish 7 with varnish-modules (vmod xkey). Included by a site file
# (default.vcl is one) that defines the backend(s), their health probe and the ACL
# `newsroom_purgers` of the app servers allowed to purge.
#
# - Anonymous reader pages are cached for as long as the origin's `s-maxage` says (a day when a
#   purger is configured); the app purges exactly the pages a change touched, by the names
#   they carry (`Surrogate-Key`, kept here as xkey), after each commit.
# - The admin, the probes, signed-in users and anything but GET/HEAD pass to the origin.
# - While the origin is healthy a page past its time is served for a few seconds more as it is
#   fetched again (stale-while-revalidate); while it is down, kept pages are served for up to
#   a day (stale-if-error).

import xkey;
import std;

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ newsroom_purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "PURGE needs an xkey-purge header"));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|healthz|readyz)(/|$|\?)" || req.http.Authorization) {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);  # signed in: pages may show drafts, previews, edit links
    }
    unset req.http.Cookie;  # nothing else a reader sends changes a page
    call newsroom_reader_query;
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;  # healthy origin: only a short stale-while-revalidate
    }
    return (hash);
}

sub newsroom_reader_query {
    # Only the parameters reader pages read make a page of their own (`query_parameters` in
    # articles/public/, and a test holds this list to them): `page` (a number) anywhere, `q` on
    # search, `p` on sitemaps, a live story's `after` (its updates endpoint) and `before` (its
    # older updates). Tracking tags and junk (`?utm_source=`, `?q=` on a list) get the
    # kept page, so they cannot fill the edge. What is left that a page does not read (a page
    # number on a story), and every search, the origin marks private: never kept here.
    if (req.url ~ "\?") {
        if (req.url ~ "^/search/") {
            set req.url = regsuball(req.url, "([?&])(?!(?:page=[0-9]+(?:&|$)|q=))[^&]*", "\1");
        } else if (req.url ~ "^/sitemap") {
            set req.url = regsuball(req.url, "([?&])(?!p=)[^&]*", "\1");
        } else if (req.url ~ "/updates\.json\?") {
            set req.url = regsuball(req.url, "([?&])(?!after=[0-9]+(?:&|$))[^&]*", "\1");
        } else if (req.url ~ "/updates/\?") {
            set req.url = regsuball(req.url, "([?&])(?!before=[0-9]+(?:&|$))[^&]*", "\1");
        } else {
            set req.url = regsuball(req.url, "([?&])(?!page=[0-9]+(?:&|$))[^&]*", "\1");
        }
        set req.url = regsuball(req.url, "([?&]page=)0+(?=[1-9])", "\1");
        set req.url = regsuball(req.url, "([?&])page=1(?=&|$)", "\1");  # the list's own address
        set req.url = regsuball(req.url, "&&+", "&");
        set req.url = regsub(req.url, "\?&", "?");
        set req.url = regsub(req.url, "[?&]$", "");
        set req.url = std.querysort(req.url);
    }
}

sub vcl_backend_response {
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);  # an origin in trouble: keep serving the stale page, not its error
    }
    if (beresp.http.Cache-Control !~ "(s-maxage|public)") {
        # Only what the origin calls shareable is kept: not a 404 for a story about to go
        # live, not a redirect, not an error (Varnish would otherwise keep them two minutes).
        set beresp.uncacheable = true;
        set beresp.ttl = 5s;
        return (deliver);
    }
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Kept past their time for stale-if-error; a healthy origin's requests use a shorter grace.
    set beresp.grace = 24h;
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Edge-Cache = "hit";
    } else {
        set resp.http.X-Edge-Cache = "miss";
    }
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
