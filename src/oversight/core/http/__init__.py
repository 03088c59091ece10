"""The HTTP edge every area's routes share: dependencies, middleware, caching,
problem documents, responses and the API's documentation."""
