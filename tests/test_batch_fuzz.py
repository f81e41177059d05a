"""Property tests: any bytes uploaded as a batch get a 4xx or results; no record is ever dropped."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HEADERS = ["patient_id,medications", "id;medication;conditions", "Patient ID\tMeds", "mrn,drug,conditions"]
CELL_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(header=st.sampled_from(HEADERS), body=st.binary(max_size=300),
       line_end=st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_upload_gets_a_4xx_or_results_never_a_5xx(client, header, body, line_end):
    response = client.post("/api/v1/batch", data=header.encode() + line_end.encode() + body, content_type="text/csv")
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.tuples(CELL_TEXT, CELL_TEXT), min_size=1, max_size=12))
def test_every_record_of_a_well_formed_file_comes_back(client, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["patient_id", "medications"])
    writer.writerows(rows)
    response = client.post("/api/v1/batch", data=buffer.getvalue().encode(), content_type="text/csv")
    assert response.status_code == 200
    records = [r for r in csv.reader(io.StringIO(buffer.getvalue(), newline=""))][1:]
    expected_rows = [n for n, record in enumerate(records, start=2) if record]
    returned = list(dict.fromkeys(int(r["row"]) for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))))
    assert returned == expected_rows
