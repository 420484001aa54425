"""Registry: organisations, people, the instrument catalogue, instruments, measurement standards, reference materials."""
