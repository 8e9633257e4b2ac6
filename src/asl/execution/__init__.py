"""What a state sees while it runs: the frame, its history thread, the clock, task tokens, activity
queues and the Task resource table.

The states stand on this package, not on the runtime that drives executions, so the layers run
one way: ``asl.runtime`` (the interpreter and the durable API) -> ``asl.states`` -> ``asl.execution``.
"""
