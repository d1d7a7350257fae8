package io.rlstream.trainer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.model.Policy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The trainer's checkpoint folder. Each checkpoint is a folder {@code v000042/} holding the
 * policy (model.safetensors + metadata.json, written by {@link Policy#save}) and
 * {@code trainer-state.json}. It is assembled under a temporary name and renamed into place in
 * one atomic move (ARCHITECTURE rule 5), so a folder named {@code vNNNNNN} is always complete:
 * a crash mid-write leaves only a temporary folder, which the next start deletes.
 */
public final class CheckpointStore {

    public static final String STATE_FILE = "trainer-state.json";
    private static final Pattern NAME = Pattern.compile("v(\\d{6,})");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public CheckpointStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
            try (Stream<Path> children = Files.list(root)) {
                for (Path leftover : children.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
                    deleteTree(leftover);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare checkpoint folder " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    public Path folder(long version) {
        return root.resolve(String.format("v%06d", version));
    }

    /** Writes a complete checkpoint and returns its folder; nothing under {@code vNNNNNN} exists until it is whole. */
    public Path write(Policy policy, TrainerState state, Map<String, String> policyMetadata) {
        Path target = folder(state.version());
        Path tmp = root.resolve(".tmp-" + target.getFileName() + "-" + System.nanoTime());
        try {
            policy.save(tmp, policyMetadata);
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(STATE_FILE).toFile(), state);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the checkpoint folder's file system cannot rename atomically: " + root, e);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() {
        return versions().stream().max(Comparator.naturalOrder()).map(this::folder);
    }

    public List<Long> versions() {
        try (Stream<Path> children = Files.list(root)) {
            return children.map(p -> NAME.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> Long.parseLong(m.group(1)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
    }

    public static TrainerState readState(Path checkpoint) {
        try {
            return JSON.readValue(checkpoint.resolve(STATE_FILE).toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATE_FILE + " of checkpoint " + checkpoint, e);
        }
    }

    /** Deletes all but the newest {@code keep} checkpoints. */
    public void prune(int keep) {
        List<Long> all = versions();
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(folder(all.get(i)));
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
