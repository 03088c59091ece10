"""Request and response shapes, one module per area (``schemas.<area>``).

Names: ``XCreate`` and ``XUpdate`` for what a client sends to make or change X, ``XTransition``
for a move of X's machine, ``XOut`` for X as a signed-in caller reads it, ``PublicX`` for what
anyone may read. Inputs forbid unknown fields, so a client that sends ``role`` or ``status``
where it may not learns so instead of being silently ignored. Nothing here imports the
database, the models or the audit log."""
