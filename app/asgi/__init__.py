"""The ASGI layers in front of FastAPI: guards, the response cache, admission."""
