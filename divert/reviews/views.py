"""The review queue of possible repeats, and a manager's decision on one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from divert import audit
from divert.extensions import db
from divert.models import MatchReview
from divert.permissions import Permission, requires
from divert.referrals import lifecycle, repeats

bp = Blueprint("reviews", __name__)


@bp.route("/<area_slug>/repeats/reviews")
@requires(Permission.REVIEW_MATCHES)
def review_queue() -> str:
    return render_template(
        "reviews/queue.html", reviews=repeats.pending_reviews(), labels=lifecycle.LABELS
    )


@bp.route("/<area_slug>/repeats/reviews/<id:review_id>", methods=["POST"])
@requires(Permission.REVIEW_MATCHES)
def decide(review_id: int) -> Response:
    review = db.first_or_404(
        select(MatchReview).where(MatchReview.id == review_id, MatchReview.decision.is_(None))
    )
    decision = request.form.get("decision")
    if decision not in ("same", "different"):
        flash("Choose whether they are the same person or different people.", "error")
        return redirect(url_for(".review_queue"))
    repeats.decide(review, decision == "same", current_user.id)
    audit.record(
        "repeat_reviewed", record_type="referral", record_id=review.referral_id, decision=decision
    )
    db.session.commit()
    flash(
        f"Recorded: {'the same person' if decision == 'same' else 'different people'}.", "success"
    )
    return redirect(url_for(".review_queue"))
