"""Loopback stand-ins for vendor APIs: small ASGI apps speaking each vendor's real format,
recording what they received. Serve one with :func:`tests.standins.server.serve_app`."""
