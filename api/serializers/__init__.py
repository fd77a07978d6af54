"""Output serializers: one module per resource, explicit fields, unique component names."""
