"""paysim's Flask application: the API, the payer page, /healthz."""
from flask import Flask, request
from werkzeug.exceptions import HTTPException

from paysim.api import api, error
from paysim.payer import page, payer
from paysim.settings import PaysimSettings
from paysim.simulator import Simulator

MAX_BODY_BYTES = 64 * 1024


def create_app(settings: PaysimSettings | None = None, **webhook_options) -> Flask:
    """`webhook_options` reach paysim.webhooks.Webhooks (the tests shorten the retries)."""
    settings = settings or PaysimSettings.from_env()
    settings.check()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["paysim"] = Simulator.build(settings, **webhook_options)
    app.register_blueprint(api)
    app.register_blueprint(payer)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.errorhandler(HTTPException)
    def http_error(exc):
        # Routes nobody declared: the payer's browser gets French, API clients get JSON.
        if request.path.startswith("/pay/") and exc.code == 404:
            return page("not_found.html", 404)
        return error(exc.code, exc.name.lower().replace(" ", "_"), exc.description)

    return app
