"""The delivery API's resources: one module per resource, each naming its views (and the
output serializers and filters the schema documents); `api.urls` registers them all."""
