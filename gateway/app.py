"""The gateway's Flask application: the one HTTP interface of the platform."""
import logging
import re
import time

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import api as _routes  # noqa: F401  (declares the routes)
from gateway import funding_routes as _funding_routes  # noqa: F401
from gateway import problems
from gateway import report_routes as _report_routes  # noqa: F401
from gateway.auth import Tokens
from gateway.health import health
from gateway.metrics import REQUEST_SECONDS, REQUESTS, metrics
from gateway.openapi import documentation
from gateway.routing import api
from gateway.rpc import RpcPool
from gateway.web import register as register_pages
from shared import logs
from shared.config import Settings

access_log = logging.getLogger("gateway.access")
CLIENT_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings | None = None, pool_size: int = 8) -> Flask:
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(AMQP_URI=settings.amqp_uri, MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["rpc_pool"] = RpcPool(settings.amqp_uri, pool_size, settings.rpc_timeout)
    app.extensions["tokens"] = Tokens(settings.jwt_secret, settings.access_token_seconds)
    for blueprint in (api, documentation, health, metrics):
        app.register_blueprint(blueprint)
    register_pages(app, settings)  # the French pages at /
    problems.register(app)
    if settings.trusted_proxies:
        # Behind N proxies the client is the address the nearest of them wrote in
        # X-Forwarded-For: the login limit and the access log key on it. Without, the
        # header is anyone's to write, and is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)

    @app.before_request
    def start_request():
        g.started_at = time.perf_counter()
        offered = request.headers.get("X-Correlation-ID", "")
        g.correlation_id = offered if CLIENT_CORRELATION_ID.match(offered) \
            else logs.new_correlation_id()
        logs.correlation_id.set(g.correlation_id)

    @app.after_request
    def finish_request(response):
        elapsed = time.perf_counter() - g.started_at
        route = request.url_rule.rule if request.url_rule else "unmatched"
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(request.method, route).observe(elapsed)
        response.headers["X-Correlation-ID"] = g.correlation_id
        access_log.info("request", extra={
            "method": request.method, "path": request.path, "route": route,
            "status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
            "client": request.remote_addr,
        })
        return response

    return app
