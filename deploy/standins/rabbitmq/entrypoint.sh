#!/bin/sh
# The official image's contract: RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS make the
# first user, listeners on every interface, logs on standard output.
set -eu
cat > /etc/rabbitmq/rabbitmq.conf <<CONF
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
loopback_users = none
log.console = true
log.file = false
CONF
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
exec "$@"
