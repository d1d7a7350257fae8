package io.rlstream.model.folder;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.generate.GenerationConfig;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.safetensors.SafetensorsCheckpoint;
import io.rlstream.model.safetensors.SafetensorsFile;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A model folder in Hugging Face layout, the one form in which models come in and go out:
 * {@code config.json} ({@link DecoderConfig}), the weights ({@code model.safetensors}, or shards
 * {@code model-0000N-of-0000M.safetensors} with {@code model.safetensors.index.json}), the tokenizer
 * files ({@code tokenizer.json}, {@code tokenizer_config.json}, ...) and
 * {@code generation_config.json} ({@link GenerationConfig}). What transformers'
 * {@code AutoModelForCausalLM.from_pretrained} and {@code AutoTokenizer.from_pretrained} read, and
 * what vLLM and SGLang load.
 *
 * <p>{@link #open} reads the configs and lists the files (no weights are read); {@link #loadModel}
 * and {@link #loadTokenizer} load them. {@link #write} publishes a model atomically: everything is
 * written into a temporary sibling folder {@code <dir>.tmp-<uuid>}, every file and the folder are
 * forced to disk, and the folder is renamed to {@code <dir>}; an existing {@code <dir>} is moved
 * aside first and deleted only once the new folder is in place (as {@code CheckpointFiles} does;
 * docs/architecture.md#rules-every-service-keeps, rule 5). A reader that sees {@code <dir>} sees it
 * complete; a write that fails leaves the old folder as it was and removes its temporary folder.
 */
public final class ModelFolder {

    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    /** The tokenizer files transformers' tokenizers read from a model folder; the ones present are copied. */
    public static final List<String> TOKENIZER_FILE_NAMES = List.of(TOKENIZER, TOKENIZER_CONFIG,
            "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt", "tokenizer.model",
            "chat_template.jinja", "chat_template.json");

    private final Path dir;
    private final DecoderConfig config;
    private final GenerationConfig generation;
    private final List<Path> weightFiles;
    private final List<String> tokenizerFiles;

    private ModelFolder(Path dir, DecoderConfig config, GenerationConfig generation, List<Path> weightFiles,
                        List<String> tokenizerFiles) {
        this.dir = dir;
        this.config = config;
        this.generation = generation;
        this.weightFiles = List.copyOf(weightFiles);
        this.tokenizerFiles = List.copyOf(tokenizerFiles);
    }

    /**
     * Reads config.json and generation_config.json (absent: {@link GenerationConfig#empty}) and lists
     * the weight and tokenizer files. Errors say what is missing or wrong, naming the file.
     */
    public static ModelFolder open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a folder (expected a Hugging Face model folder)");
        }
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new NoSuchFileException(dir.resolve(CONFIG).toString(), null,
                    "no config.json: not a Hugging Face model folder");
        }
        DecoderConfig config = DecoderConfig.read(dir);
        GenerationConfig generation = GenerationConfig.read(dir);
        List<Path> weights = new ArrayList<>();
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            for (SafetensorsFile f : checkpoint.files()) {
                weights.add(f.path());
            }
        }
        List<String> tokenizer = new ArrayList<>();
        for (String name : TOKENIZER_FILE_NAMES) {
            if (Files.isRegularFile(dir.resolve(name))) {
                tokenizer.add(name);
            }
        }
        return new ModelFolder(dir, config, generation, weights, tokenizer);
    }

    public Path dir() {
        return dir;
    }

    public DecoderConfig config() {
        return config;
    }

    /** generation_config.json, or {@link GenerationConfig#empty} when the folder has none. */
    public GenerationConfig generation() {
        return generation;
    }

    /** The safetensors files holding the weights (one, or the shards in index order). */
    public List<Path> weightFiles() {
        return weightFiles;
    }

    /** The tokenizer files present, by name, in {@link #TOKENIZER_FILE_NAMES} order. */
    public List<String> tokenizerFiles() {
        return tokenizerFiles;
    }

    public boolean hasTokenizer() {
        return tokenizerFiles.contains(TOKENIZER);
    }

    /** The weights in a {@link DecoderModel} (fp32; F16/BF16 files widened). */
    public DecoderModel loadModel() throws IOException {
        return DecoderModel.load(dir);
    }

    /** The weights in a {@link DecoderModel} on {@code device}. */
    public DecoderModel loadModel(ai.djl.Device device) throws IOException {
        return DecoderModel.load(dir, device);
    }

    /** The tokenizer; an error naming the folder when it has no tokenizer.json. */
    public HfTokenizer loadTokenizer() throws IOException {
        if (!hasTokenizer()) {
            throw new NoSuchFileException(dir.resolve(TOKENIZER).toString(), null,
                    "the model folder has no tokenizer.json");
        }
        return HfTokenizer.load(dir);
    }

    /** Copies this folder's tokenizer files into a folder being written. */
    public TokenizerFiles tokenizerSource() {
        return hasTokenizer() ? TokenizerFiles.copyOf(dir) : TokenizerFiles.none();
    }

    /**
     * The generation_config.json transformers derives from a model config when a checkpoint has none
     * ({@code GenerationConfig.from_model_config}): the bos, eos and pad token ids that are set.
     */
    public static GenerationConfig generationFromModel(DecoderConfig config) {
        JsonObject json = new JsonObject();
        json.addProperty("_from_model_config", true);
        if (config.bosTokenId() != null) {
            json.addProperty("bos_token_id", config.bosTokenId());
        }
        if (config.eosTokenIds().size() == 1) {
            json.addProperty("eos_token_id", config.eosTokenIds().get(0));
        } else if (!config.eosTokenIds().isEmpty()) {
            JsonArray eos = new JsonArray();
            config.eosTokenIds().forEach(eos::add);
            json.add("eos_token_id", eos);
        }
        if (config.padTokenId() != null) {
            json.addProperty("pad_token_id", config.padTokenId());
        }
        return GenerationConfig.parse(json.toString());
    }

    /**
     * Publishes {@code model} as a Hugging Face model folder at {@code dir}, atomically (see the
     * class comment): config.json with torch_dtype matching the weights, the weights as
     * {@code dtype} (F32 or BF16; transformers' tensor names, {@code __metadata__}
     * {"format": "pt"}, lm_head omitted when tied, sharded above {@code maxShardBytes}), the
     * tokenizer files, and generation_config.json ({@code generation}, or
     * {@link #generationFromModel} when null).
     *
     * @throws IOException when {@code dir} exists and is neither empty nor a model folder (it is
     *     never replaced then), or when writing fails (the old folder is left as it was)
     */
    public static ModelFolder write(Path dir, DecoderModel model, Dtype dtype, long maxShardBytes,
                                    TokenizerFiles tokenizer, GenerationConfig generation) throws IOException {
        return write(dir, model, dtype, maxShardBytes, tokenizer, generation, temp -> { });
    }

    /**
     * A step run on the temporary folder before it is renamed: writes files of the caller's (a
     * policy's metadata.json); tests fail in it to simulate a crash.
     */
    @FunctionalInterface
    public interface BeforeRename {
        void run(Path temp) throws IOException;
    }

    /** As {@link #write(Path, DecoderModel, Dtype, long, TokenizerFiles, GenerationConfig)}, running {@code beforeRename} on the assembled folder. */
    public static ModelFolder write(Path dir, DecoderModel model, Dtype dtype, long maxShardBytes, TokenizerFiles tokenizer,
                             GenerationConfig generation, BeforeRename beforeRename) throws IOException {
        if (dtype != Dtype.F32 && dtype != Dtype.BF16) {
            throw new IllegalArgumentException("weights are written as F32 or BF16, not " + dtype);
        }
        Path target = dir.toAbsolutePath().normalize();
        checkReplaceable(target);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(temp);
            model.save(temp, dtype, maxShardBytes);
            tokenizer.writeInto(temp);
            (generation != null ? generation : generationFromModel(model.config())).write(temp);
            beforeRename.run(temp);
            forceAll(temp);
            Path old = null;
            if (Files.exists(target)) {
                old = target.resolveSibling(target.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            force(target.getParent());
            if (old != null) {
                deleteRecursively(old);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
        return open(target);
    }

    /** Replacing must never delete something that is not a model folder (a mistyped --out). */
    private static void checkReplaceable(Path target) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new IOException(target + " exists and is not a folder; not replacing it");
        }
        boolean empty;
        try (Stream<Path> entries = Files.list(target)) {
            empty = entries.findAny().isEmpty();
        }
        if (!empty && !Files.isRegularFile(target.resolve(CONFIG))) {
            throw new IOException(target + " exists and is not a model folder (no config.json); not replacing it."
                    + " Choose another folder or remove it");
        }
    }

    /** fsync of every file, then of the folder itself (its entries). */
    private static void forceAll(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    try (FileChannel channel = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        channel.force(true);
                    }
                }
            }
        }
        force(folder);
    }

    private static void force(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems refuse to open a directory; the files themselves were forced
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
        } catch (IOException | UncheckedIOException e) {
            // best effort: the temporary folder has a unique name and is never read
        }
    }
}
