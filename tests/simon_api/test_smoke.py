async def test_health_answers_ok(client):
    response = await client.get("/health")
    assert response.json() == {"status": "ok"}
