package io.rlstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class ServiceOptionsTest {

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        ServiceOptions cluster;
    }

    @Test
    void laterSourcesWinFileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=from-file:9092\ntopic.prefix=file.\ngroup.partitions=2\n");
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs("--command-config", file.toString(), "--bootstrap-server", "flag:9092",
                "--set", "group.partitions=8");
        Map<String, String> s = probe.cluster.settings(ServiceConfig.baseDef(),
                Map.of("RLSTREAM_TOPIC_PREFIX", "env.", "RLSTREAM_GROUP_PARTITIONS", "3"));
        assertEquals("flag:9092", s.get(ServiceConfig.BOOTSTRAP_SERVERS), "--bootstrap-server beats the file");
        assertEquals("env.", s.get(ServiceConfig.TOPIC_PREFIX), "the environment beats the file");
        assertEquals("8", s.get(ServiceConfig.GROUP_PARTITIONS), "--set beats the environment");
    }

    @Test
    void aSetWithoutAValueIsAUsageErrorNotAnEmptySetting() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> new CommandLine(new Probe()).parseArgs("--set", "group.size"));
        assertTrue(e.getMessage().contains("KEY=VALUE"), e.getMessage());
    }
}
