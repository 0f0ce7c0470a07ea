"""The application factory: configuration, extensions, blueprints, security headers."""

from pathlib import Path

from flask import Flask, abort, has_request_context, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from voting.config import load_config
from voting.errors import Refusal, answer_refusal, http_error, too_many_requests
from voting.extensions import (
    MAX_ID,
    babel,
    create_sqlite_file_private,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
    serialise_sqlite_writes,
)
from voting.transactions import finish_request

PROJECT_ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested deeper than the parser recurses is invalid JSON
    like any other (request.get_json answers 400, or None when silent), not a crash."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


class IdConverter(IntegerConverter):
    """<int:…> in a URL: a number beyond the database's integer ids names nothing (404) rather
    than overflowing the query (SQLite raises on integers past 64 bits)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


def select_locale() -> str:
    if not has_request_context():  # command line, jobs: the default language
        return "zh_CN"
    choice = session.get("lang") or request.accept_languages.best_match(["zh_CN", "zh", "en"])
    return "en" if choice == "en" else "zh_CN"


class Gongzhi(Flask):
    def dispatch_request(self):
        """The one place a request's changes are committed (voting.transactions)."""
        response = self.make_response(super().dispatch_request())
        finish_request(response.status_code)
        return response


def build_app(overrides: dict | None = None) -> Flask:
    app = Gongzhi(
        __name__,
        static_folder="static",
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.json = JSONProvider(app)
    app.url_map.converters["int"] = IdConverter
    app.config.update(load_config(Path(app.instance_path), overrides))
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx the client's address is in X-Forwarded-For; without this every owner
        # would share the proxy's address, and with it one rate limit.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            create_sqlite_file_private(db.engine)
            serialise_sqlite_writes(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Flask-Login flashes this through localize_callback, in the reader's language.
    login_manager.login_message = N_("Please log in to open this page.")
    login_manager.localize_callback = _

    from voting import models  # noqa: F401  (every table registered before migrations run)
    from voting.api.views import blueprint as api_blueprint
    from voting.audit.views import blueprint as audit_blueprint
    from voting.auth.access import register_template_predicates
    from voting.auth.views import blueprint as auth_blueprint
    from voting.board.views import blueprint as board_blueprint
    from voting.board.views import public_blueprint as board_public_blueprint
    from voting.candidates.views import blueprint as candidates_blueprint
    from voting.candidates.views import public_blueprint as candidates_public_blueprint
    from voting.certification.views import blueprint as certification_blueprint
    from voting.cli import register_cli
    from voting.credentials.views import blueprint as credentials_blueprint
    from voting.elections.views import blueprint as elections_blueprint
    from voting.estates.views import blueprint as estates_blueprint
    from voting.extend.views import blueprint as extend_blueprint
    from voting.notices.views import blueprint as notices_blueprint
    from voting.paper.views import blueprint as paper_blueprint
    from voting.prep.views import blueprint as prep_blueprint
    from voting.prep.views import public_blueprint as prep_public_blueprint
    from voting.public.views import blueprint as public_blueprint
    from voting.roster.views import blueprint as roster_blueprint
    from voting.tally.views import blueprint as tally_blueprint
    from voting.templating import register_filters
    from voting.vote.views import blueprint as vote_blueprint

    for blueprint in (
        auth_blueprint,
        estates_blueprint,
        roster_blueprint,
        audit_blueprint,
        public_blueprint,
        elections_blueprint,
        notices_blueprint,
        credentials_blueprint,
        extend_blueprint,
        paper_blueprint,
        vote_blueprint,
        tally_blueprint,
        certification_blueprint,
        board_blueprint,
        board_public_blueprint,
        prep_blueprint,
        prep_public_blueprint,
        candidates_blueprint,
        candidates_public_blueprint,
        api_blueprint,
    ):
        app.register_blueprint(blueprint)
    # A script whose session has ended is answered 401 in JSON, not sent to the login page.
    login_manager.blueprint_login_views.update({name: None for name in app.blueprints if name.split(".")[0] == "api"})
    register_cli(app)
    register_filters(app)
    app.register_error_handler(Refusal, answer_refusal)
    app.register_error_handler(429, too_many_requests)
    app.register_error_handler(HTTPException, http_error)

    app.jinja_env.globals["current_locale"] = get_locale
    register_template_predicates(app)

    @app.before_request
    def choose_locale_afresh():
        # Flask-Babel caches the locale on g, which a request shares with an application context
        # pushed around it (tests, jobs): each request decides its reader's language itself.
        refresh()

    @app.before_request
    def refuse_nul():
        # PostgreSQL text cannot hold NUL: such a path names nothing here, such a field is refused
        # before any query meets it. (JSON bodies are checked where they are read.)
        if "\x00" in request.path:
            abort(404)
        # Only a form body is read here: reading any other would fix its size limit before a
        # view can lower it (the phones' JSON API does).
        is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
        for fields in (request.args, request.form) if is_form else (request.args,):
            if any("\x00" in key + value for key, value in fields.items(multi=True)):
                abort(400)

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response

    return app
