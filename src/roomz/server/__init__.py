"""The roomz server: its configuration and the chat core on roomkit."""
