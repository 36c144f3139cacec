"""Twilio: SMS/MMS over the Programmable Messaging API, webhooks verified as Twilio documents."""
