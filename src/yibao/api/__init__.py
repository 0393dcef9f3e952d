"""The HTTP service: FastAPI app, routes, RFC 9457 problem documents."""
