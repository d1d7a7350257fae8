package io.rlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryProcessTest {

    @TempDir
    Path tmp;

    @AfterEach
    void clear() {
        System.clearProperty(SchemaRegistryProcess.HOME_PROPERTY);
    }

    @Test
    void findsTheRegistryThatOpsBuildUnpacked() {
        Path home = SchemaRegistryProcess.locateHome();
        assertTrue(home.endsWith(Path.of("ops", "target", "apicurio-registry")), home.toString());
        assertTrue(SchemaRegistryProcess.runnerJar(home).getFileName().toString().endsWith("-runner.jar"));
    }

    @Test
    void aConfiguredHomeThatIsNoRegistryGivesAClearError() throws Exception {
        System.setProperty(SchemaRegistryProcess.HOME_PROPERTY, tmp.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, SchemaRegistryProcess::locateHome);
        assertTrue(e.getMessage().contains("no *-runner.jar"), e.getMessage());

        System.setProperty(SchemaRegistryProcess.HOME_PROPERTY, tmp.resolve("missing").toString());
        e = assertThrows(IllegalStateException.class, SchemaRegistryProcess::locateHome);
        assertTrue(e.getMessage().contains(SchemaRegistryProcess.HOME_PROPERTY), e.getMessage());

        Path fake = Files.createFile(tmp.resolve("apicurio-registry-app-9.9-runner.jar"));
        System.setProperty(SchemaRegistryProcess.HOME_PROPERTY, tmp.toString());
        assertEquals(tmp.toAbsolutePath(), SchemaRegistryProcess.locateHome());
        assertEquals(fake.toAbsolutePath(), SchemaRegistryProcess.runnerJar(tmp.toAbsolutePath()));
    }
}
