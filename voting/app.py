"""The application factory: configuration, extensions, blueprints, security headers."""

from pathlib import Path

from flask import Flask, abort, has_request_context, request, session
from flask_babel import get_locale

from voting.config import load_config
from voting.extensions import babel, csrf, db, limiter, login_manager, migrate, serialise_sqlite_writes

PROJECT_ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def select_locale() -> str:
    if not has_request_context():  # command line, jobs: the default language
        return "zh_CN"
    choice = session.get("lang") or request.accept_languages.best_match(["zh_CN", "zh", "en"])
    return "en" if choice == "en" else "zh_CN"


def build_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        static_folder="static",
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(load_config(Path(app.instance_path), overrides))

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
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

    from voting import models  # noqa: F401  (every table registered before migrations run)
    from voting.audit.views import blueprint as audit_blueprint
    from voting.auth.views import blueprint as auth_blueprint
    from voting.candidates.views import blueprint as candidates_blueprint, public_blueprint as candidates_public_blueprint
    from voting.certification.views import blueprint as certification_blueprint
    from voting.board.views import blueprint as board_blueprint
    from voting.board.views import public_blueprint as board_public_blueprint
    from voting.cli import register_cli
    from voting.elections.views import blueprint as elections_blueprint
    from voting.estates.views import blueprint as estates_blueprint
    from voting.notices.views import blueprint as notices_blueprint
    from voting.paper.views import blueprint as paper_blueprint
    from voting.prep.views import blueprint as prep_blueprint, public_blueprint as prep_public_blueprint
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
    ):
        app.register_blueprint(blueprint)
    register_cli(app)
    register_filters(app)

    app.jinja_env.globals["current_locale"] = get_locale

    @app.before_request
    def refuse_nul_in_path():
        # PostgreSQL text cannot hold NUL; such a path names nothing here.
        if "\x00" in request.path:
            abort(404)

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response

    return app
