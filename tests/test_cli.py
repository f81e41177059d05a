def test_check_command_prints_a_readable_result(app):
    result = app.test_cli_runner().invoke(args=["check", "Lasix 40mg", "Lipitor", "-c", "CKD"])
    assert result.exit_code == 0
    assert "furosemide: associated with cramps - Loop diuretics [MODERATE evidence]" in result.output
    assert "atorvastatin" in result.output and "Kidney disease" in result.output
    assert "prescriber or pharmacist" in result.output


def test_check_command_json_matches_the_api(app, client):
    import json

    output = app.test_cli_runner().invoke(args=["check", "--json", "Lasix"]).output
    api = client.post("/api/v1/check", json={"medications": ["Lasix"]}).get_json()
    assert json.loads(output) == api


def test_seed_command_is_idempotent(app):
    output = app.test_cli_runner().invoke(args=["seed"]).output
    assert "already loaded" in output
