def test_health_reports_database_reachable(api_client, db):
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
