package io.rlstream.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;
import com.google.gson.reflect.TypeToken;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The on-disk checkpoint layout: a folder with {@value #WEIGHTS} (safetensors, one tensor per
 * named parameter) and {@value #METADATA} (a flat JSON object of strings: the policy config under
 * {@code policy.*} plus caller metadata such as version and step).
 *
 * <p>A checkpoint is written into a temporary sibling folder, flushed to disk, and renamed into
 * place, so a reader that sees the folder sees it complete (docs/architecture.md#rules-every-service-keeps, rule 5).
 */
final class CheckpointFiles {

    static final String WEIGHTS = "model.safetensors";
    static final String METADATA = "metadata.json";

    private CheckpointFiles() {}

    /**
     * Writes weights and metadata to {@code dir}. An existing {@code dir} (for example one left by
     * a trainer that crashed before announcing it) is replaced: it is moved aside first and deleted
     * after the new folder is in place.
     */
    static void write(Path dir, NDList weights, Map<String, String> metadata) {
        Path target = dir.toAbsolutePath();
        Path temp = target.resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(temp);
            try (FileOutputStream out = new FileOutputStream(temp.resolve(WEIGHTS).toFile())) {
                weights.encode(out, NDList.Encoding.SAFETENSORS);
                out.getFD().sync();
            }
            try (FileOutputStream out = new FileOutputStream(temp.resolve(METADATA).toFile());
                    Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                JsonUtils.GSON_PRETTY.toJson(metadata, writer);
                writer.flush();
                out.getFD().sync();
            }
            Path old = null;
            if (Files.exists(target)) {
                old = target.resolveSibling(target.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) {
                deleteRecursively(old);
            }
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException("could not write checkpoint to " + target, e);
        }
    }

    static Map<String, String> readMetadata(Path dir) {
        Path file = dir.resolve(METADATA);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Map<String, String> map = JsonUtils.GSON.fromJson(reader,
                    TypeToken.getParameterized(Map.class, String.class, String.class).getType());
            if (map == null) {
                throw new IllegalArgumentException(file + " is empty; expected a JSON object");
            }
            return map;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(
                    "no " + METADATA + " in " + dir + ": not a policy checkpoint folder", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** Decodes the weights into {@code scope}; arrays carry their parameter names. */
    static NDList readWeights(NDManager scope, Path dir) {
        Path file = dir.resolve(WEIGHTS);
        try (InputStream in = Files.newInputStream(file)) {
            return NDList.decode(scope, in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(
                    "no " + WEIGHTS + " in " + dir + ": not a policy checkpoint folder", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            if (Files.exists(path)) {
                deleteRecursively(path);
            }
        } catch (IOException ignored) {
            // best effort: the temporary folder has a unique name and is never read
        }
    }
}
