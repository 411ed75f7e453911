"""HTTP glue beneath the feature routers: request session, paging, problems, middleware."""
