package io.rlstream.trainer.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.model.Policy;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.trainer.core.AdamW;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's checkpoint folder. Each checkpoint is a folder {@code v000042/} holding
 * <ul>
 *   <li>the policy as a Hugging Face model folder ({@value #MODEL_CONFIG_FILE}, the safetensors
 *       weights, generation_config.json, the tokenizer files) plus {@value #METADATA_FILE},
 *       written by {@link Policy#save} and read by {@link Policy#load}: a generator needs only
 *       these, and transformers, vLLM and SGLang load the folder as it is;
 *   <li>{@value #STATE_FILE}: the {@link TrainerState} (version, step, offsets consumed, metrics);
 *   <li>{@value #OPTIMIZER_FILE}: the {@link AdamW} moments and step counts, so a restarted trainer
 *       continues Adam and its learning-rate schedule instead of starting them again;
 *   <li>{@value #CONFIG_FILE}: the trainer's settings, as JSON, for the record.
 * </ul>
 * The last two are absent from checkpoints written without an optimizer (the three-argument
 * {@link #write(Policy, TrainerState, Map)}, or a version before they existed).
 *
 * <p>A checkpoint is assembled in a {@code .tmp-} folder, its files flushed to disk, and renamed
 * into place in one atomic move (docs/architecture.md#rules-every-service-keeps, rule 5), so a folder named {@code vNNNNNN} is always
 * complete: a crash mid-write leaves only a temporary folder, which no reader counts and the next
 * start deletes. Only after {@link #write} returns may the trainer announce the checkpoint.
 */
public final class CheckpointStore {

    public static final String STATE_FILE = "trainer-state.json";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String CONFIG_FILE = "trainer-config.json";
    /** Written by {@link Policy#save}; named here for readers that do not load the policy. */
    public static final String MODEL_CONFIG_FILE = ModelFolder.CONFIG;
    public static final String METADATA_FILE = Policy.METADATA;
    /** The trainer's files; every other file of a checkpoint belongs to the policy. */
    public static final Set<String> TRAINER_FILES = Set.of(STATE_FILE, OPTIMIZER_FILE, CONFIG_FILE);
    /** Prefix of folders being assembled; never a checkpoint. */
    public static final String TEMPORARY_PREFIX = ".tmp-";

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("v(\\d{6,})");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    /** Creates {@code root} if needed and deletes what a crash mid-write left there. */
    public CheckpointStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
            for (Path leftover : temporaryFolders(root)) {
                LOG.info("deleting {}, left by a checkpoint write that did not finish", leftover);
                deleteTree(leftover);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare checkpoint folder " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    public Path folder(long version) {
        return folder(root, version);
    }

    /** The folder of checkpoint {@code version} under {@code root}: {@code v000042}. */
    public static Path folder(Path root, long version) {
        return root.resolve(String.format("v%06d", version));
    }

    /**
     * Writes a checkpoint of the policy and the trainer state only (no optimizer state, no config):
     * a trainer resuming from it starts AdamW and the learning-rate schedule again.
     */
    public Path write(Policy policy, TrainerState state, Map<String, String> policyMetadata) {
        return assemble(policy, state, policyMetadata, null, null);
    }

    /**
     * Writes a complete checkpoint and returns its folder; nothing under {@code vNNNNNN} exists
     * until it is whole.
     *
     * @param policyMetadata extra entries of metadata.json (policy name, version, step)
     * @param optimizer its state goes to {@value #OPTIMIZER_FILE}
     * @param config the trainer's settings, anything Jackson writes as JSON (records, maps,
     *     strings, numbers); read back by {@link #readConfig} as plain maps and values
     * @throws IllegalArgumentException if {@code config} cannot be written as JSON
     */
    public Path write(Policy policy, TrainerState state, Map<String, String> policyMetadata, AdamW optimizer,
            Map<String, ?> config) {
        return assemble(policy, state, policyMetadata, Objects.requireNonNull(optimizer, "optimizer"),
                Objects.requireNonNull(config, "config"));
    }

    private Path assemble(Policy policy, TrainerState state, Map<String, String> policyMetadata, AdamW optimizer,
            Map<String, ?> config) {
        Path target = folder(state.version());
        byte[] configJson = null;
        if (config != null) {
            try {
                configJson = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the trainer config of checkpoint " + state.version()
                        + " cannot be written as JSON: " + e.getOriginalMessage(), e);
            }
        }
        if (Files.exists(target)) {
            throw new IllegalStateException("checkpoint " + target + " already exists; versions are written once."
                    + " A trainer resumes after the newest checkpoint, so this one is newer than its version says");
        }
        Path tmp = root.resolve(TEMPORARY_PREFIX + target.getFileName() + "-" + System.nanoTime());
        try {
            policy.save(tmp, policyMetadata);
            writeSynced(tmp.resolve(STATE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            if (optimizer != null) {
                optimizer.save(tmp.resolve(OPTIMIZER_FILE));
            }
            if (configJson != null) {
                writeSynced(tmp.resolve(CONFIG_FILE), configJson);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the checkpoint folder's file system cannot rename atomically: " + root, e);
            }
            return target;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot write checkpoint " + target, io);
            }
            throw (RuntimeException) e;
        }
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() {
        List<Long> all = versions();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path candidate = folder(all.get(i));
            if (isComplete(candidate)) {
                return Optional.of(candidate);
            }
            // Not one of ours (this class only renames complete folders): a copy or a hand edit.
            LOG.warn("skipping checkpoint folder {}: it lacks {}, {} or {}", candidate, MODEL_CONFIG_FILE, METADATA_FILE,
                    STATE_FILE);
        }
        return Optional.empty();
    }

    /** Versions of the checkpoint folders, oldest first. */
    public List<Long> versions() {
        return versions(root);
    }

    /**
     * Versions of the checkpoint folders under {@code root}, oldest first, without creating or
     * cleaning anything (for readers such as {@code rlstream checkpoints}); empty if {@code root}
     * does not exist.
     */
    public static List<Long> versions(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory)
                    .map(p -> NAME.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> Long.parseLong(m.group(1)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
    }

    /** Folders under {@code root} that a write left unfinished. */
    public static List<Path> temporaryFolders(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(p -> p.getFileName().toString().startsWith(TEMPORARY_PREFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    /** Whether {@code checkpoint} holds the policy and the trainer state. */
    public static boolean isComplete(Path checkpoint) {
        return Files.isRegularFile(checkpoint.resolve(MODEL_CONFIG_FILE))
                && Files.isRegularFile(checkpoint.resolve(METADATA_FILE))
                && Files.isRegularFile(checkpoint.resolve(STATE_FILE));
    }

    public static TrainerState readState(Path checkpoint) {
        try {
            return JSON.readValue(checkpoint.resolve(STATE_FILE).toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATE_FILE + " of checkpoint " + checkpoint, e);
        }
    }

    /** The optimizer state of {@code checkpoint}, for {@link AdamW#load}; empty if it was written without. */
    public static Optional<Path> optimizerFile(Path checkpoint) {
        Path file = checkpoint.resolve(OPTIMIZER_FILE);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The trainer config recorded with {@code checkpoint}, in file order; empty if it was written without. */
    public static Map<String, Object> readConfig(Path checkpoint) {
        return readJsonObject(checkpoint, CONFIG_FILE, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    /** The policy's metadata.json: the trainer's entries (policy name, version, step). */
    public static Map<String, String> readPolicyMetadata(Path checkpoint) {
        return readJsonObject(checkpoint, METADATA_FILE, new TypeReference<LinkedHashMap<String, String>>() { });
    }

    private static <V> Map<String, V> readJsonObject(Path checkpoint, String name,
            TypeReference<LinkedHashMap<String, V>> type) {
        Path file = checkpoint.resolve(name);
        try {
            Map<String, V> map = JSON.readValue(Files.readAllBytes(file), type);
            return map == null ? Map.of() : map;
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " of checkpoint " + checkpoint
                    + "; expected a JSON object", e);
        }
    }

    /**
     * Deletes all but the newest {@code keep} complete checkpoints. Folders that only look like
     * checkpoints (see {@link #latest}) are neither counted nor deleted, so one can never push out
     * the checkpoint a restart would resume from.
     */
    public void prune(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least the newest checkpoint, got keep = " + keep);
        }
        List<Long> complete = versions().stream().filter(v -> isComplete(folder(v))).toList();
        for (int i = 0; i < complete.size() - keep; i++) {
            deleteTree(folder(complete.get(i)));
        }
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            out.write(bytes);
            out.getFD().sync();
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            if (Files.exists(path)) {
                deleteTree(path);
            }
        } catch (UncheckedIOException e) {
            LOG.warn("cannot delete the unfinished checkpoint {}; the next start deletes it", path, e);
        }
    }

    private static void deleteTree(Path path) {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
