"""The running service: configuration, authentication, the HTTP/WebSocket app and its CLI."""
