"""The outermost ASGI layers, in front of the application and its response cache."""
