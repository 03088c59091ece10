"""Early intervention: rules that count what the record says of each officer, and the flags
they raise for the commission to review (support, training, supervision; not discipline)."""
