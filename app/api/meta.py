"""Endpoints about the API itself: who am I, and the OpenAPI description."""
from flask import current_app, jsonify, url_for
from flask_login import current_user, login_required

from app.api import bp
from app.api.openapi import build_openapi


@bp.get("/me")
@login_required
def me():
    """The account behind the bearer token."""
    return jsonify({"id": current_user.id, "email": current_user.email, "role": current_user.role,
                    "name": current_user.name})


@bp.get("/openapi.json")
def openapi():
    """This description of every API v1 endpoint."""
    return jsonify(build_openapi(current_app, server=url_for("api.openapi", _external=True)))
