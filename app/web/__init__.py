"""The web pages: the review queue for reviewers, the plan page for learners.

`create_app(db_path, secret_key)` builds the FastAPI app; `cmasprep serve` runs it.
"""

from app.web.app import create_app

__all__ = ["create_app"]
