package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.config.ServiceConfig;
import io.rlstream.processors.config.ProcessorsConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * ops/k8s: every manifest is YAML, and each service's Deployment runs a real rlstream command with
 * flags it takes, on the metrics port its settings default to, with probes and scrape annotations there.
 */
@SuppressWarnings("unchecked")
class KubernetesManifestsTest {

    /** ops/k8s, seen from the launcher module's folder (surefire's working directory). */
    private static final Path K8S = Path.of("..", "ops", "k8s");
    private static final Set<String> SERVICES = Set.of("rewards", "worker", "processors", "dispatcher", "trainer");

    @Test
    void everyManifestIsYamlWithAKind() throws IOException {
        List<Path> files = yamlFiles(K8S);
        assertTrue(files.size() >= 12, "manifests found: " + files);
        for (Path file : files) {
            List<Map<String, Object>> docs = documents(file);
            assertTrue(!docs.isEmpty(), file + " holds no document");
            for (Map<String, Object> doc : docs) {
                assertNotNull(doc.get("kind"), file + ": a document without kind");
                assertNotNull(doc.get("apiVersion"), file + ": a document without apiVersion");
            }
        }
    }

    @Test
    void baseListsEveryFileOfIts() throws IOException {
        Path base = K8S.resolve("base");
        Map<String, Object> kustomization = documents(base.resolve("kustomization.yaml")).get(0);
        Set<String> listed = new TreeSet<>((List<String>) kustomization.get("resources"));
        Set<String> present = new TreeSet<>();
        for (Path file : yamlFiles(base)) {
            present.add(base.relativize(file).toString());
        }
        present.remove("kustomization.yaml");
        assertEquals(present, listed, "base/kustomization.yaml must list every manifest of base/");
    }

    @Test
    void eachServiceRunsItsCommandOnItsMetricsPort() throws IOException {
        Map<String, Map<String, Object>> deployments = deployments(K8S.resolve("base"));
        assertEquals(new TreeSet<>(SERVICES), new TreeSet<>(deployments.keySet()), "one Deployment (StatefulSet) per service");
        Set<String> users = new TreeSet<>();
        for (Map<String, Object> doc : documents(K8S.resolve("base/strimzi/kafka-users.yaml"))) {
            users.add((String) ((Map<String, Object>) doc.get("metadata")).get("name"));
        }
        CommandLine rlstream = Rlstream.commandLine(new Terminal(InputStream.nullInputStream(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
        for (Map.Entry<String, Map<String, Object>> e : deployments.entrySet()) {
            String service = e.getKey();
            Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) e.getValue().get("spec")).get("template");
            Map<String, Object> pod = (Map<String, Object>) template.get("spec");
            Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
            List<String> args = (List<String>) container.get("args");

            // The image's entrypoint is the launcher: the first argument is the service's command,
            // and the rest are flags that command takes (picocli throws on an unknown one).
            assertEquals(service, args.get(0));
            assertTrue(rlstream.getSubcommands().containsKey(service), "no rlstream command " + service);
            rlstream.parseArgs(args.toArray(String[]::new));

            // The port: the default of the service's metrics.port setting (dispatch.metrics.port for
            // the dispatcher), read from its ConfigDef, not from the manifest.
            String portKey = service.equals("dispatcher") ? ProcessorsConfig.DISPATCH_METRICS_PORT : ServiceConfig.METRICS_PORT;
            int port = (Integer) Rlstream.definition(service).configKeys().get(portKey).defaultValue;
            Map<String, Object> containerPort = ((List<Map<String, Object>>) container.get("ports")).get(0);
            assertEquals(port, containerPort.get("containerPort"), service);
            String portName = (String) containerPort.get("name");
            assertEquals(Map.of("path", "/health", "port", portName), probe(container, "livenessProbe"), service);
            assertEquals(Map.of("path", "/health", "port", portName), probe(container, "startupProbe"), service);
            assertEquals(Map.of("path", "/ready", "port", portName), probe(container, "readinessProbe"), service);
            Map<String, String> annotations = (Map<String, String>) ((Map<String, Object>) template.get("metadata")).get("annotations");
            assertEquals(Map.of("prometheus.io/scrape", "true", "prometheus.io/port", Integer.toString(port),
                    "prometheus.io/path", "/metrics"), annotations, service);

            // Reachable from Prometheus, credentials from the service's Secret.
            Map<String, Map<String, Object>> env = env(container);
            assertEquals("0.0.0.0", env.get("RLSTREAM_METRICS_HOST").get("value"), service);
            Map<String, Object> secret = (Map<String, Object>) ((Map<String, Object>) env.get("RLSTREAM_SASL_JAAS_CONFIG")
                    .get("valueFrom")).get("secretKeyRef");
            assertEquals(Map.of("name", "rlstream-" + service, "key", "sasl.jaas.config"), secret, service);
            // ... the Secret Strimzi writes for the service's KafkaUser (generated from AclSet)
            assertTrue(users.contains("rlstream-" + service), "no KafkaUser rlstream-" + service + " in " + users);

            // --command-config names client.properties inside the mounted ConfigMap.
            String clientConfig = args.get(args.indexOf("--command-config") + 1);
            String configMount = mountOf(pod, container, v -> v.containsKey("configMap")
                    && "rlstream-client".equals(((Map<String, Object>) v.get("configMap")).get("name")));
            assertEquals(configMount + "/client.properties", clientConfig, service);
        }
    }

    @Test
    void eachWorkerHasItsOwnStableIdInsideItsAcls() throws IOException {
        Map<String, Object> worker = deployments(K8S.resolve("base")).get("worker");
        // A Deployment's pods get new names at every restart; a StatefulSet's keep theirs.
        assertEquals("StatefulSet", worker.get("kind"));
        Map<String, Object> container = ((List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) worker.get("spec")).get("template")).get("spec")).get("containers")).get(0);
        Map<String, Map<String, Object>> env = env(container);
        assertEquals(Map.of("fieldRef", Map.of("fieldPath", "metadata.name")), env.get("POD_NAME").get("valueFrom"));
        String workerId = (String) env.get("RLSTREAM_WORKER_ID").get("value");
        assertTrue(workerId.contains("$(POD_NAME)"), workerId);
        // The transactional id is "rlstream-" + worker.id (RolloutWorker); the worker's KafkaUser may
        // use the ids prefixed rlstream-worker- (AclSet: acls.worker.id.prefix default worker-).
        assertTrue(("rlstream-" + workerId).startsWith("rlstream-worker-"), workerId);
    }

    @Test
    void trainerAndWorkersShareTheCheckpointFolder() throws IOException {
        Map<String, Map<String, Object>> deployments = deployments(K8S.resolve("base"));
        Map<String, String> mounts = new LinkedHashMap<>();
        for (String service : List.of("trainer", "worker")) {
            Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployments.get(service)
                    .get("spec")).get("template")).get("spec");
            Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
            mounts.put(service, mountOf(pod, container, v -> v.containsKey("persistentVolumeClaim")
                    && "rlstream-checkpoints".equals(((Map<String, Object>) v.get("persistentVolumeClaim")).get("claimName"))));
            if (service.equals("trainer")) {
                // the trainer writes where the volume is: its trainer.checkpoint.dir, by environment
                assertEquals(mounts.get("trainer"), env(container).get("RLSTREAM_TRAINER_CHECKPOINT_DIR").get("value"));
            }
        }
        // the workers load a checkpoint by the path the trainer announces: the same mount path
        assertEquals(mounts.get("trainer"), mounts.get("worker"));
        Map<String, Object> claim = documents(K8S.resolve("base/storage.yaml")).stream()
                .filter(d -> "rlstream-checkpoints".equals(((Map<String, Object>) d.get("metadata")).get("name"))).findFirst().orElseThrow();
        assertEquals(List.of("ReadWriteMany"), ((Map<String, Object>) claim.get("spec")).get("accessModes"));
    }

    @Test
    void gpuOverlayGivesTheTrainerAndWorkersAGpu() throws IOException {
        Set<String> base = deployments(K8S.resolve("base")).keySet();
        Map<String, Integer> gpus = new LinkedHashMap<>();
        for (Map<String, Object> patch : documents(K8S.resolve("overlays/gpu/gpu-services.yaml"))) {
            String name = (String) ((Map<String, Object>) patch.get("metadata")).get("name");
            assertTrue(base.contains(name.substring("rlstream-".length())), "the patch names no Deployment of base: " + name);
            Map<String, Object> container = ((List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                    ((Map<String, Object>) patch.get("spec")).get("template")).get("spec")).get("containers")).get(0);
            // a strategic merge patch finds the container by name: the service's
            assertEquals(name.substring("rlstream-".length()), container.get("name"));
            gpus.put(name, (Integer) ((Map<String, Object>) ((Map<String, Object>) container.get("resources")).get("limits")).get("nvidia.com/gpu"));
        }
        assertEquals(Map.of("rlstream-trainer", 1, "rlstream-worker", 1), gpus);
    }

    private static Map<String, Object> probe(Map<String, Object> container, String kind) {
        return (Map<String, Object>) ((Map<String, Object>) container.get(kind)).get("httpGet");
    }

    private static Map<String, Map<String, Object>> env(Map<String, Object> container) {
        Map<String, Map<String, Object>> env = new LinkedHashMap<>();
        for (Map<String, Object> var : (List<Map<String, Object>>) container.get("env")) {
            env.put((String) var.get("name"), var);
        }
        return env;
    }

    /** The mount path of the pod's one volume that {@code which} picks. */
    private static String mountOf(Map<String, Object> pod, Map<String, Object> container,
            java.util.function.Predicate<Map<String, Object>> which) {
        String volume = ((List<Map<String, Object>>) pod.get("volumes")).stream().filter(which)
                .map(v -> (String) v.get("name")).findFirst().orElseThrow(() -> new AssertionError("no such volume"));
        return ((List<Map<String, Object>>) container.get("volumeMounts")).stream()
                .filter(m -> volume.equals(m.get("name"))).map(m -> (String) m.get("mountPath")).findFirst()
                .orElseThrow(() -> new AssertionError("volume " + volume + " is not mounted"));
    }

    /** The Deployments (and the workers' StatefulSet) of a folder by service (their component label). */
    private static Map<String, Map<String, Object>> deployments(Path folder) throws IOException {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Path file : yamlFiles(folder)) {
            for (Map<String, Object> doc : documents(file)) {
                if ("Deployment".equals(doc.get("kind")) || "StatefulSet".equals(doc.get("kind"))) {
                    Map<String, String> labels = (Map<String, String>) ((Map<String, Object>) doc.get("metadata")).get("labels");
                    out.put(labels.get("app.kubernetes.io/component"), doc);
                }
            }
        }
        return out;
    }

    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }

    private static List<Path> yamlFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
