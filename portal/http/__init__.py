"""HTTP helpers: middleware, the Content-Security-Policy, the page cache and the resilient shared cache,
/healthz, error pages, pagination, one-time form tokens, the client's address, the header's context."""
