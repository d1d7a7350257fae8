package io.rlstream.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildProcessesTest {

    /**
     * Children run in folders of their own (a chaos run's, the demo's generator folder): a class path
     * entry given relative to where rlstream was started (launcher/target/classes) must reach them
     * absolute, or the child does not find its classes.
     */
    @Test
    void theChildClassPathIsAbsolute() {
        String original = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", original + File.pathSeparator + "launcher/target/classes");
            List<String> entries = List.of(ChildProcesses.ownClasspath().split(File.pathSeparator));
            for (String entry : entries) {
                assertTrue(Path.of(entry).isAbsolute(), "relative entry " + entry);
            }
            String expected = Path.of("launcher/target/classes").toAbsolutePath().toString();
            assertTrue(entries.contains(expected), "the relative entry made absolute: " + expected);
            assertTrue(entries.contains(Path.of(ChildProcesses.codeSource(ChildMain.class)).toAbsolutePath().toString()),
                    "the ops classes are on it");
        } finally {
            System.setProperty("java.class.path", original);
        }
    }
}
