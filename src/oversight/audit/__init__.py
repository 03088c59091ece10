"""The audit log as callers read and verify it (the writer is ``core.audit``)."""
