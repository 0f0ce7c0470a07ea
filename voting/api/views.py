"""The API's one blueprint, registered by the app factory: each feature's routes under it."""

from flask import Blueprint

from voting.api.officers import blueprint as officers_blueprint
from voting.api.paper import blueprint as paper_blueprint
from voting.api.vote import blueprint as vote_blueprint
from voting.errors import API_PREFIX

blueprint = Blueprint("api", __name__, url_prefix=API_PREFIX)
for feature in (vote_blueprint, paper_blueprint, officers_blueprint):
    blueprint.register_blueprint(feature)
