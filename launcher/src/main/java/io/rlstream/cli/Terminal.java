package io.rlstream.cli;

import java.io.InputStream;
import java.io.PrintStream;

/** Where a command reads its input and writes its output and errors (the process's, or a test's). */
record Terminal(InputStream in, PrintStream out, PrintStream err) {
}
