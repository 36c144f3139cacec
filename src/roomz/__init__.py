"""roomz — the real-time chat service built on roomkit (server, client library, CLI)."""
