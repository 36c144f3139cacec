"""Sinch: SMS and MMS through the Sinch SMS REST API (``roomkit[http]``)."""
