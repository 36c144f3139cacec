"""Sans-I/O wire formats: request bodies and answer parsing — pure functions, no sockets."""
