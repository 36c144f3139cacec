"""VoiceMeUp: SMS and MMS through the VoiceMeUp client API (``roomkit[http]``)."""
