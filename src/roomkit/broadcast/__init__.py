"""Fan-out: who receives an event, in what shape, and how answers re-enter."""
