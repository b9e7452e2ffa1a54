"""The SSE alternative to the live inbox's poll, for bench/live.py only (the app itself polls): the same answer as
views/live.inbox (new questions above the cursor, every view's count), pushed as a server-sent event every
`interval` seconds over one long response per open inbox. Derived from the database on each tick, as the poll
is, since several app processes share no memory.

    gunicorn 'bench.live_sse:create_sse_app()'     (from the checkout's root)
"""
from __future__ import annotations

import time


def create_sse_app():
    from flask import Blueprint, Response, render_template, request, stream_with_context
    from flask_login import current_user, login_required

    from inbox import clock, create_app
    from inbox.access import shop_users
    from inbox.extensions import db
    from inbox.services import ticket_list

    app = create_app()
    bp = Blueprint("bench_sse", __name__)

    @bp.get("/bench/live-stream")
    @login_required
    def stream():
        """What the live inbox's poll answers, pushed every `interval` seconds while the connection lasts."""
        after = int(request.args.get("after", "0"))
        interval = float(request.args.get("interval", "20"))
        ticks = int(request.args.get("ticks", "1000000"))
        state = ticket_list.parse_state(request.args, shop_users(active_only=False))
        shop, user = current_user.shop, current_user._get_current_object()

        def events():
            for _ in range(ticks):
                started = time.perf_counter()
                moment = ticket_list.Moment.of(shop, clock.now())
                html = render_template("tickets/_new_questions.html", state=state, views=ticket_list.VIEWS,
                                       new=ticket_list.count_new(state, shop, user, moment, after),
                                       counts=ticket_list.view_counts(shop, user, moment), show_url="/tickets")
                db.session.commit()   # end the read: the next tick must see other processes' new rows
                yield "event: inbox\n" + "".join(f"data: {line}\n" for line in html.splitlines()) + "\n"
                time.sleep(max(0.0, interval - (time.perf_counter() - started)))

        resp = Response(stream_with_context(events()), mimetype="text/event-stream")
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Accel-Buffering"] = "no"
        return resp

    app.register_blueprint(bp)
    return app
