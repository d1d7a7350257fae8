package io.rlstream.cli;

/** Wrong usage found after parsing (a missing flag, a value out of range): one line, a pointer to --help, exit code 2. */
class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
