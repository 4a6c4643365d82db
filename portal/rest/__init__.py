"""REST plumbing shared by every app's API: parsing, fields, pagination, the error shape, OpenAPI hooks."""
