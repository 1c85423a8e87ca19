#!/bin/sh
# The official image's contract: RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS make the
# first user, listeners on every interface, logs on standard output; the nodes of a
# cluster share RABBITMQ_ERLANG_COOKIE; more settings in /etc/rabbitmq/conf.d/*.conf.
set -eu
cat > /etc/rabbitmq/rabbitmq.conf <<CONF
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
loopback_users = none
log.console = true
log.file = false
CONF
if [ -n "${RABBITMQ_ERLANG_COOKIE:-}" ]; then
    printf '%s' "$RABBITMQ_ERLANG_COOKIE" > /var/lib/rabbitmq/.erlang.cookie
    chmod 600 /var/lib/rabbitmq/.erlang.cookie
fi
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
if [ "$1" = rabbitmq-server ]; then
    # The server's own script as the container's first process, as in the official
    # image: it turns `docker stop`'s SIGTERM into a graceful stop of the node. Debian's
    # /usr/sbin/rabbitmq-server (a shell running `su`) would ignore it, and the node be
    # killed ten seconds later, its clients' connections cut without a word.
    shift
    cd /var/lib/rabbitmq
    HOME=/var/lib/rabbitmq exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
        /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
fi
exec "$@"
