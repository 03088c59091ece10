"""What every area uses and no area owns: settings, the database, the clock, errors,
security, rate limits, pagination, the audit writer, the state-machine and policy mechanisms,
and the HTTP edge (``core.http``). Nothing here imports an area."""
