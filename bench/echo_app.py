"""A bare Flask JSON echo: the yardstick /api/v1/check is measured against (bench/throughput.py)."""

from flask import Flask, request

app = Flask(__name__)


@app.post("/echo")
def echo():
    return {"echo": request.get_json()}
