"""Messages to people and officers: written to an outbox, sent once by a job."""
