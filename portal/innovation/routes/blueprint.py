from flask import Blueprint

bp = Blueprint("innovation", __name__)
