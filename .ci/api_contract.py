"""CI: serve the app on 127.0.0.1 with a small shop and a write token, validate the OpenAPI document with
openapi-spec-validator, then let schemathesis call every operation against it (no 5xx, every answer as documented).

    python .ci/api_contract.py [extra schemathesis arguments]
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(db_url: str):
    from inbox import clock, create_app
    from inbox.extensions import db
    from inbox.models import ApiToken, MailAttachment, Shop, User
    from inbox.schema import install_schema
    from inbox.services import tickets as ticket_service
    from inbox.tokens import hash_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "contract-test", "API_RATE_LIMIT": 0,
                      "SEND_ON_REPLY": False, "MAIL_OUTBOX_DIR": tempfile.mkdtemp()})
    with app.app_context():
        install_schema(db.engine)
        shop = Shop(name="Contract Shop", country="NL", timezone="Europe/Amsterdam")
        db.session.add(shop)
        db.session.flush()
        owner = User(shop_id=shop.id, email="owner@contract.example", display_name="Owner", role="owner")
        owner.password_hash = "x"
        db.session.add(owner)
        db.session.flush()
        for i in range(5):
            ticket = ticket_service.create_ticket(
                shop, subject=f"Vraag {i}", body="Waar blijft mijn pakket?", customer_name="Ingrid",
                customer_email=f"klant{i}@example.com", received_at=clock.now() - timedelta(hours=i), tags=["retour"])
            db.session.flush()
            db.session.add(MailAttachment(shop_id=shop.id, ticket_id=ticket.id, message_id=ticket.messages[0].id,
                                          filename="bon.txt", content_type="text/plain", size=3, data=b"bon"))
        raw = "inb_contract-test-token"
        db.session.add(ApiToken(shop_id=shop.id, name="CI", token_hash=hash_token(raw), prefix=raw[:10],
                                created_by=owner.id, scope="write"))
        db.session.commit()
    return app, raw


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would bury the report
    tmp = tempfile.mkdtemp()
    app, token = build(os.environ.get("INBOX_CONTRACT_DATABASE_URL", f"sqlite:///{tmp}/contract.sqlite"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with app.test_client() as client:
        from openapi_spec_validator import validate
        validate(client.get("/api/v1/openapi.json").get_json())
        print("openapi-spec-validator: the document is valid OpenAPI 3.1")
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [str(schemathesis), "run", f"{base}/api/v1/openapi.json", "--url", base,
               "-H", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                           "response_headers_conformance,response_schema_conformance",
               "--max-examples", os.environ.get("INBOX_CONTRACT_EXAMPLES", "15"), "--seed", "1",
               "--phases", "examples,coverage,fuzzing", "--request-timeout", "10", "--max-failures", "10",
               *sys.argv[1:]]
    try:
        return subprocess.call(command)
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
