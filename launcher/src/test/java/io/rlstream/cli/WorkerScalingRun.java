package io.rlstream.cli;

import io.rlstream.ops.chaos.ChaosRun;
import io.rlstream.ops.chaos.WorkerScaling;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Until the launcher has a flag for it: {@link WorkerScaling} with the chaos command's prompts and
 * policy. {@code java -cp launcher/target/test-classes:launcher/target/classes:$(cat launcher/target/classpath.txt)
 * io.rlstream.cli.WorkerScalingRun FOLDER SECONDS 1,2,3}.
 */
public final class WorkerScalingRun {

    private WorkerScalingRun() {
    }

    public static void main(String[] args) throws Exception {
        // as the launcher's main: the events' Avro classes are trusted
        System.getProperties().putIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "io.rlstream.events");
        Path folder = Path.of(args[0]).toAbsolutePath();
        Duration duration = Duration.ofSeconds(Long.parseLong(args[1]));
        List<Integer> workers = Arrays.stream(args[2].split(",")).map(Integer::parseInt).toList();
        ChaosRun.Settings template = new ChaosRun.Settings(folder, duration, Duration.ofSeconds(10), 7, List.of(),
                Map.of(), Duration.ofSeconds(300), ChaosCommand.declaredSettings(), 1, Duration.ofSeconds(10), Map.of(),
                List.of());
        WorkerScaling.run(template, workers, dir -> {
            try (io.rlstream.model.Policy policy = io.rlstream.model.Policy.create(io.rlstream.model.PolicyConfig.demo(), 7)) {
                policy.save(dir, Map.of("policy_name", "demo", "version", "0"));
            }
        }, ChaosCommand.prompts(), System.out);
    }
}
