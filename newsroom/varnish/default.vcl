# A site file for Varnish in front of Newsroom: the app servers, how Varnish knows they are
# up, and who may purge. Copy it, change the addresses, and run
#   varnishd -a :80 -f /etc/varnish/default.vcl -s malloc,1G
# with newsroom.vcl beside it. Each app server sets EDGE_PURGE=varnish and lists every Varnish
# host in EDGE_PURGE_URLS.
vcl 4.1;

import directors;

probe newsroom_ready {
    .url = "/readyz";
    .interval = 2s;
    .timeout = 2s;
    .window = 3;
    .threshold = 2;
}

backend app1 { .host = "10.0.0.11"; .port = "8000"; .probe = newsroom_ready; .first_byte_timeout = 30s; }
backend app2 { .host = "10.0.0.12"; .port = "8000"; .probe = newsroom_ready; .first_byte_timeout = 30s; }

# Who may purge: the app servers (and workers), never readers. Behind a TLS terminator on this
# host that does not speak the PROXY protocol every reader arrives from 127.0.0.1: then leave
# it out and list only the app servers' addresses.
acl newsroom_purgers {
    "10.0.0.0"/24;
}

sub vcl_init {
    new app_servers = directors.round_robin();
    app_servers.add_backend(app1);
    app_servers.add_backend(app2);
}

sub vcl_recv {
    set req.backend_hint = app_servers.backend();  # before newsroom.vcl's vcl_recv, which decides
}

include "newsroom.vcl";
