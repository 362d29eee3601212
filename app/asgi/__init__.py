"""The ASGI layers in front of FastAPI: access log, guards, response cache, admission."""
