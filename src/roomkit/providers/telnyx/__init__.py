"""Telnyx: SMS/MMS over the v2 Messages API, webhooks verified with Ed25519."""
