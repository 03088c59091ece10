"""Evidence: attachments with a chain of custody, streamed, typed by their bytes, scanned,
hashed, kept by their hash on a disk or in an S3 bucket, never destroyed through the API."""
