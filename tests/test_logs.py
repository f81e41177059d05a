"""Medication lists are health data: they never reach a log."""

import logging

from service.logs import RedactQueryStrings


def test_a_real_check_request_logs_no_medication_text(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/api/v1/check", json={"medications": ["Zestoretic 20/12.5 secretword"]})
    client.get("/api/v1/medications/suggest?q=zestoretic")
    assert "zestoretic" not in caplog.text.lower()
    assert "secretword" not in caplog.text


def test_access_log_lines_lose_their_query_string():
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0,
                               '%s - - "%s" %s', ("127.0.0.1", "GET /api/v1/medications/suggest?q=lasix HTTP/1.1", "200"), None)
    RedactQueryStrings().filter(record)
    assert "lasix" not in record.getMessage()
    assert "/api/v1/medications/suggest?[redacted]" in record.getMessage()
