import json
def test_probe(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    for path in ["/api/v1/products", "/api/v1/vendors"]:
        for p in doc["paths"][path]["get"]["parameters"]:
            print(p["name"], json.dumps(p["schema"])[:200])
    print(json.dumps(doc["components"]["schemas"].get("StockIn")))
    print(json.dumps(doc["components"]["schemas"].get("TokenIn")))
