"""The explorer: HTML pages for people, rendered from the API's own answers."""
