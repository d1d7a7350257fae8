package io.rlstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.decoder.ResponseScorer;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.folder.ModelInit;
import io.rlstream.model.generate.Completion;
import io.rlstream.model.generate.DecoderGenerator;
import io.rlstream.model.generate.FinishReason;
import io.rlstream.model.generate.SamplingParams;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.safetensors.SafetensorsFile;
import io.rlstream.model.safetensors.TensorInfo;
import io.rlstream.model.tokenizer.ChatFormat;
import io.rlstream.model.tokenizer.ChatMessage;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rlstream model init|inspect|score|generate}: Hugging Face model folders from the command
 * line (see {@link ModelFolder}). {@code init} writes a randomly initialised model, {@code inspect}
 * describes a folder without loading its weights, {@code score} gives per-token log-probs of
 * responses (JSON lines in, JSON lines out), {@code generate} samples a completion.
 */
@Command(name = "model", description = {"Hugging Face model folders (config.json, model.safetensors or shards with"
        + " model.safetensors.index.json, tokenizer.json, tokenizer_config.json, generation_config.json) of model_type"
        + " llama, qwen2 or qwen3: init writes a random one, inspect describes one, score gives per-token log-probs of"
        + " responses (JSON lines), generate samples a completion. rlstream model SUBCOMMAND --help explains one."})
final class ModelCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    HelpOption help;

    /** {@code rlstream model ARGS}, standard input given (tests). */
    static int run(List<String> argv, InputStream in, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(List.of("model"));
        args.addAll(argv);
        return Rlstream.run(args, new Terminal(in, out, err));
    }

    /** {@code rlstream model} alone: which subcommand? */
    @Override
    public Integer call() {
        throw new UsageException("missing subcommand: init, inspect, score or generate");
    }

    /** {@code rlstream model} with its four subcommands. */
    static CommandLine commandLine(Terminal terminal) {
        return new CommandLine(new ModelCommand())
                .addSubcommand(new Init(terminal))
                .addSubcommand(new Inspect(terminal))
                .addSubcommand(new Score(terminal))
                .addSubcommand(new Generate(terminal));
    }

    /**
     * A subcommand's body; bad input (a folder that is not a model, a config that is not
     * supported, sizes that do not fit) is a usage error, exit 2, as a wrong flag is.
     */
    abstract static class Action implements Callable<Integer> {
        @Mixin
        HelpOption help;

        final Terminal terminal;

        Action(Terminal terminal) {
            this.terminal = terminal;
        }

        abstract int act() throws IOException;

        @Override
        public Integer call() {
            try {
                return act();
            } catch (UsageException e) {
                throw e;
            } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
                throw new UsageException(message(e));
            }
        }
    }

    // ---- init ------------------------------------------------------------------------------

    @Command(name = "init", description = {"Writes a randomly initialised model in Hugging Face layout into DIR"
            + " (atomically: a temporary folder renamed into place; an existing model folder is replaced, any other"
            + " non-empty folder is refused). Weights are N(0, 0.02^2) (transformers' initializer_range), norms 1,"
            + " biases 0, from a seeded generator. For tests, demos and smoke runs."})
    static final class Init extends Action {
        @Option(names = "--arch", paramLabel = "A", description = "model_type: llama, qwen2 (q/k/v biases) or qwen3 (q/k norms). Required.")
        String arch;
        @Option(names = "--layers", paramLabel = "L", description = "num_hidden_layers. Required.")
        Integer layers;
        @Option(names = "--hidden", paramLabel = "H", description = "hidden_size. Required.")
        Integer hidden;
        @Option(names = "--heads", paramLabel = "N", description = "num_attention_heads. Required.")
        Integer heads;
        @Option(names = "--kv-heads", paramLabel = "K", description = "num_key_value_heads (divides N). Required.")
        Integer kvHeads;
        @Option(names = "--intermediate", paramLabel = "I", description = "intermediate_size of the SwiGLU MLP. Required.")
        Integer intermediate;
        @Option(names = "--head-dim", paramLabel = "D", description = "head_dim (default H / N).")
        Integer headDim;
        @Option(names = "--vocab", paramLabel = "V", description = "vocab_size (default: the tokenizer's largest id + 1;"
                + " never smaller).")
        Integer vocab;
        @Option(names = "--tokenizer", paramLabel = "PATH", description = "A folder with tokenizer.json (its tokenizer"
                + " files are copied), or 'demo': the demo's character tokenizer (PAD, BOS, EOS, digits, '+', '=', '-';"
                + " 16 ids) written as tokenizer.json. Required.")
        String tokenizer;
        @Option(names = "--out", paramLabel = "DIR", description = "The model folder to write. Required.")
        Path out;
        @Option(names = "--seed", paramLabel = "S", description = "Seed of the weights (default 0).")
        long seed;
        @Option(names = "--dtype", paramLabel = "f32|bf16", description = "How the weights are stored (default f32).")
        String dtype = "f32";
        @Option(names = "--tie-embeddings", description = "lm_head shares the embedding (no lm_head.weight is stored).")
        boolean tieEmbeddings;

        Init(Terminal terminal) {
            super(terminal);
        }

        @Override
        int act() throws IOException {
            List<String> missing = new ArrayList<>();
            Object[] values = {arch, layers, hidden, heads, kvHeads, intermediate, tokenizer, out};
            String[] names = {"--arch", "--layers", "--hidden", "--heads", "--kv-heads", "--intermediate", "--tokenizer", "--out"};
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    missing.add(names[i]);
                }
            }
            if (!missing.isEmpty()) {
                throw new UsageException("missing " + String.join(", ", missing));
            }
            DecoderArchitecture architecture = DecoderArchitecture.ofModelType(arch);
            if (architecture == null) {
                throw new UsageException("--arch expects llama, qwen2 or qwen3, got '" + arch + "'");
            }
            Dtype storage = dtype(dtype);
            ModelInit init = new ModelInit(architecture, positive("--layers", layers), positive("--hidden", hidden),
                    positive("--heads", heads), positive("--kv-heads", kvHeads), positive("--intermediate", intermediate),
                    positive("--head-dim", headDim), positive("--vocab", vocab), tieEmbeddings, seed, storage);
            return write(init, tokenizer, out, storage, terminal.out());
        }
    }

    private static int write(ModelInit init, String tokenizer, Path dir, Dtype dtype, PrintStream out) throws IOException {
        ModelFolder folder = init.write(tokenizer, dir);
        DecoderConfig c = folder.config();
        out.printf(Locale.ROOT, "wrote %s: %s, %d layers, hidden %d, %d heads (%d kv, head_dim %d), intermediate %d,"
                        + " vocab %d, %s parameters, %s%s, seed %d%n",
                folder.dir(), c.architecture().modelType(), c.numHiddenLayers(), c.hiddenSize(),
                c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.intermediateSize(), c.vocabSize(),
                String.format(Locale.ROOT, "%,d", c.parameterCount()), dtype, c.tieWordEmbeddings() ? ", tied" : "",
                init.seed());
        return 0;
    }

    private static Dtype dtype(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32" -> Dtype.F32;
            case "bf16", "bfloat16" -> Dtype.BF16;
            default -> throw new UsageException("--dtype expects f32 or bf16, got '" + name + "'");
        };
    }

    // ---- inspect ---------------------------------------------------------------------------

    @Command(name = "inspect", description = {"Describes a model folder from its files, without loading the weights:"
            + " architecture and sizes from config.json, the parameter count (from the config, and counted in the stored"
            + " tensors), the tensors' dtypes, the weight files (shards) with their sizes, the tokenizer (ids, special"
            + " tokens), its chat format, and generation_config.json."})
    static final class Inspect extends Action {
        @Parameters(arity = "0..*", paramLabel = "DIR", description = "The model folder.")
        List<String> dirs = new ArrayList<>();
        @Option(names = "--json", description = "One JSON object instead of text.")
        boolean json;

        Inspect(Terminal terminal) {
            super(terminal);
        }

        @Override
        int act() throws IOException {
            if (dirs.size() != 1) {
                throw new UsageException("inspect takes one model folder, got " + dirs);
            }
            Map<String, Object> report = describe(Path.of(dirs.get(0)));
            if (json) {
                terminal.out().println(JSON.writeValueAsString(report));
            } else {
                printText(report, terminal.out());
            }
            return 0;
        }
    }

    /** Everything inspect shows, as nested maps and lists (the --json form). */
    static Map<String, Object> describe(Path dir) throws IOException {
        ModelFolder folder = ModelFolder.open(dir);
        DecoderConfig c = folder.config();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("folder", dir.toAbsolutePath().normalize().toString());
        r.put("architecture", c.architecture().modelType() + " (" + c.architecture().causalLmClass() + ")");
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("num_hidden_layers", c.numHiddenLayers());
        sizes.put("hidden_size", c.hiddenSize());
        sizes.put("intermediate_size", c.intermediateSize());
        sizes.put("num_attention_heads", c.numAttentionHeads());
        sizes.put("num_key_value_heads", c.numKeyValueHeads());
        sizes.put("head_dim", c.headDim());
        sizes.put("vocab_size", c.vocabSize());
        sizes.put("max_position_embeddings", c.maxPositionEmbeddings());
        sizes.put("tie_word_embeddings", c.tieWordEmbeddings());
        sizes.put("attention_bias", c.qkvBias());
        sizes.put("qk_norm", c.qkNorm());
        sizes.put("rope_theta", c.ropeTheta());
        sizes.put("rope_scaling", c.ropeScaling() == null ? "none" : c.ropeScaling().toString());
        sizes.put("rms_norm_eps", c.rmsNormEps());
        sizes.put("torch_dtype", c.torchDtype());
        r.put("config", sizes);

        long stored = 0;
        int tensors = 0;
        Map<String, Integer> dtypes = new TreeMap<>();
        List<Map<String, Object>> shards = new ArrayList<>();
        for (Path file : folder.weightFiles()) {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (TensorInfo t : f.tensors().values()) {
                    stored += t.elementCount();
                    tensors++;
                    dtypes.merge(t.dtype().name(), 1, Integer::sum);
                }
                Map<String, Object> shard = new LinkedHashMap<>();
                shard.put("file", file.getFileName().toString());
                shard.put("bytes", Files.size(file));
                shard.put("tensors", f.tensors().size());
                shards.add(shard);
            }
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("config", c.parameterCount());
        parameters.put("stored", stored);
        parameters.put("tensors", tensors);
        r.put("parameters", parameters);
        r.put("dtypes", dtypes);
        r.put("weights", shards);

        Map<String, Object> tok = new LinkedHashMap<>();
        tok.put("files", folder.tokenizerFiles());
        String chat;
        if (folder.hasTokenizer()) {
            try (HfTokenizer t = folder.loadTokenizer()) {
                tok.put("ids", t.vocabSize());
                tok.put("bos", special(t.bosToken(), t.bosTokenId()));
                tok.put("eos", special(t.eosToken(), t.eosTokenId()));
                tok.put("pad", special(t.padToken(), t.padTokenId()));
                if (t.chatTemplate() == null) {
                    chat = "none (no chat_template)";
                } else {
                    try {
                        chat = t.chatFormat().name().toLowerCase(Locale.ROOT);
                    } catch (IllegalArgumentException e) {
                        String m = e.getMessage();
                        chat = m.contains(";") ? m.substring(0, m.indexOf(';')) : m;
                    }
                }
            }
        } else {
            chat = "none (no tokenizer)";
        }
        r.put("tokenizer", tok);
        r.put("chat_format", chat);
        r.put("generation_config", JSON.readTree(folder.generation().json().toString()));
        return r;
    }

    private static String special(String text, Integer id) {
        return text == null ? "none" : text + " (" + (id == null ? "not in the vocabulary" : id) + ")";
    }

    private static void printText(Map<String, Object> report, PrintStream out) throws JsonProcessingException {
        for (Map.Entry<String, Object> e : report.entrySet()) {
            Object v = e.getValue();
            if (e.getKey().equals("weights")) {
                out.println("weights");
                for (Object shard : (List<?>) v) {
                    Map<?, ?> s = (Map<?, ?>) shard;
                    out.printf(Locale.ROOT, "  %-40s %,15d bytes %6d tensors%n", s.get("file"), s.get("bytes"),
                            s.get("tensors"));
                }
            } else if (v instanceof Map<?, ?> m) {
                out.println(e.getKey());
                for (Map.Entry<?, ?> inner : m.entrySet()) {
                    out.printf(Locale.ROOT, "  %-25s %s%n", inner.getKey(), text(inner.getValue()));
                }
            } else {
                out.printf(Locale.ROOT, "%-27s %s%n", e.getKey(), text(v));
            }
        }
    }

    private static String text(Object v) throws JsonProcessingException {
        if (v instanceof Long || v instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        if (v instanceof JsonNode || v instanceof List<?>) {
            return JSON.writeValueAsString(v);
        }
        return String.valueOf(v);
    }

    // ---- score -----------------------------------------------------------------------------

    /** One well-formed input line. */
    record ScoreRequest(int line, JsonNode id, int[] prompt, int[] response) {}

    @Command(name = "score", description = {"Reads JSON lines on stdin,",
            "  {\"id\": \"...\", \"prompt_ids\": [...], \"response_ids\": [...]}",
            "and writes one line per input line on stdout, in order,",
            "  {\"id\": \"...\", \"logprobs\": [...]}",
            "with log pi(response token j | prompt, response tokens before j), one per response token. A malformed line"
                    + " (not JSON, ids missing, not integers or outside the vocabulary, an empty prompt) is reported on"
                    + " stderr with its line number and skipped; the others go on."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:every line was scored", "1:some failed", "2:a usage error"})
    static final class Score extends Action {
        @Option(names = "--model", paramLabel = "DIR", description = "The model folder. Required.")
        Path model;
        @Option(names = "--temperature", paramLabel = "T", description = "Score softmax(logits / T) (default 1: the"
                + " model's own distribution).")
        double temperature = 1.0;
        @Option(names = "--batch-size", paramLabel = "N", description = "Lines scored together (default 8).")
        int batchSize = 8;

        Score(Terminal terminal) {
            super(terminal);
        }

        @Override
        int act() throws IOException {
            if (model == null) {
                throw new UsageException("--model is required");
            }
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new UsageException("--temperature expects a number > 0, got " + temperature);
            }
            positive("--batch-size", batchSize);
            return score(model, temperature, batchSize, terminal.in(), terminal.out(), terminal.err());
        }
    }

    static int score(Path dir, double temperature, int batchSize, InputStream in, PrintStream out, PrintStream err)
            throws IOException {
        ModelFolder folder = ModelFolder.open(dir);
        int failed = 0;
        try (DecoderModel model = folder.loadModel()) {
            int vocab = model.config().vocabSize();
            List<ScoreRequest> batch = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int lineNo = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    batch.add(parseScoreLine(lineNo, line, vocab));
                } catch (IllegalArgumentException e) {
                    err.println("line " + lineNo + ": " + e.getMessage());
                    failed++;
                    continue;
                }
                if (batch.size() == batchSize) {
                    failed += scoreBatch(model, batch, temperature, out, err);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                failed += scoreBatch(model, batch, temperature, out, err);
            }
        }
        out.flush();
        if (failed > 0) {
            err.println("rlstream model score: " + failed + " line(s) failed");
        }
        return failed == 0 ? 0 : 1;
    }

    static ScoreRequest parseScoreLine(int lineNo, String line, int vocab) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object {\"id\", \"prompt_ids\", \"response_ids\"}");
        }
        JsonNode id = node.get("id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            throw new IllegalArgumentException("\"id\" must be a string or an integer");
        }
        int[] prompt = ids(node, "prompt_ids", vocab);
        if (prompt.length == 0) {
            throw new IllegalArgumentException("\"prompt_ids\" is empty (the first response token needs a context)");
        }
        return new ScoreRequest(lineNo, id, prompt, ids(node, "response_ids", vocab));
    }

    private static int[] ids(JsonNode node, String field, int vocab) {
        JsonNode a = node.get(field);
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an array of token ids");
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= vocab) {
                throw new IllegalArgumentException(field + "[" + i + "] = " + v
                        + " is not a token id of this model (0 to " + (vocab - 1) + ")");
            }
            out[i] = v.intValue();
        }
        return out;
    }

    /** Scores and prints a batch; returns how many lines failed (all of them if the batch fails). */
    private static int scoreBatch(DecoderModel model, List<ScoreRequest> batch, double temperature, PrintStream out,
                                  PrintStream err) {
        List<int[]> prompts = batch.stream().map(ScoreRequest::prompt).toList();
        List<int[]> responses = batch.stream().map(ScoreRequest::response).toList();
        float[][] logprobs;
        try {
            int chunk = ResponseScorer.chunkFor(1L << 24, batch.size(), model.config().vocabSize());
            logprobs = new ResponseScorer(model, chunk).score(prompts, responses, temperature);
        } catch (RuntimeException e) {
            for (ScoreRequest r : batch) {
                err.println("line " + r.line() + ": scoring failed: " + message(e));
            }
            return batch.size();
        }
        for (int i = 0; i < batch.size(); i++) {
            ObjectNode o = JSON.createObjectNode();
            o.set("id", batch.get(i).id());
            ArrayNode lp = o.putArray("logprobs");
            for (float v : logprobs[i]) {
                lp.add(v);
            }
            out.println(o);
        }
        return 0;
    }

    // ---- generate --------------------------------------------------------------------------

    @Command(name = "generate", description = {"Generates a completion of TEXT with the key/value cache and prints its"
            + " text (special tokens left out, the stop token too). Without --chat the text is encoded as the tokenizer's"
            + " post-processor says (a BOS first where the tokenizer adds one, as transformers' tokenizer(text) does)."
            + " Sampling defaults come from generation_config.json (temperature, top_p, top_k; else 1, 1, off), as vLLM"
            + " takes them; generation stops at its eos ids (else config.json's) or after N new tokens."})
    static final class Generate extends Action {
        @Option(names = "--model", paramLabel = "DIR", description = "The model folder. Required.")
        Path model;
        @Option(names = "--prompt", paramLabel = "TEXT", description = "The prompt. Required.")
        String prompt;
        @Option(names = "--chat", description = "TEXT is a user message, rendered with the tokenizer's chat template"
                + " (Qwen3's or Llama 3's) and the generation prompt.")
        boolean chat;
        @Option(names = "--chat-format", paramLabel = "F", description = "Render with qwen3, chatml or llama3 instead of"
                + " the template.")
        String chatFormat;
        @Option(names = "--max-new-tokens", paramLabel = "N", description = "The most new tokens (default:"
                + " generation_config's max_new_tokens, else 64).")
        Integer maxNewTokens;
        @Option(names = "--temperature", paramLabel = "T", description = "0 for greedy decoding.")
        Double temperature;
        @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling, in (0, 1].")
        Double topP;
        @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens (0: off).")
        Integer topK;
        @Option(names = "--seed", paramLabel = "S", description = "Seed of the draws (default 0).")
        long seed;
        @Option(names = "--json", description = "Print {\"prompt_ids\", \"token_ids\", \"logprobs\", \"finish_reason\","
                + " \"text\"} instead of the text; the log-probs are those of the distribution each token was drawn from.")
        boolean json;

        Generate(Terminal terminal) {
            super(terminal);
        }

        @Override
        int act() throws IOException {
            if (model == null) {
                throw new UsageException("--model is required");
            }
            if (prompt == null) {
                throw new UsageException("--prompt is required");
            }
            return generate(this, terminal.out());
        }
    }

    static int generate(Generate args, PrintStream out) throws IOException {
        Path dir = args.model;
        String prompt = args.prompt;
        ModelFolder folder = ModelFolder.open(dir);
        Integer fileMax = folder.generation().maxNewTokens();
        int maxNew = args.maxNewTokens != null ? nonNegative("--max-new-tokens", args.maxNewTokens)
                : fileMax != null ? fileMax : 64;
        SamplingParams defaults = folder.generation().samplingParams(folder.config(), maxNew);
        SamplingParams params;
        try {
            params = new SamplingParams(args.temperature != null ? args.temperature : defaults.temperature(),
                    args.topP != null ? args.topP : defaults.topP(),
                    args.topK != null ? nonNegative("--top-k", args.topK) : defaults.topK(), maxNew,
                    defaults.stopTokenIds());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        long seed = args.seed;
        try (HfTokenizer tokenizer = folder.loadTokenizer()) {
            String text = prompt;
            boolean chat = args.chat || args.chatFormat != null;
            if (chat) {
                List<ChatMessage> messages = List.of(ChatMessage.user(prompt));
                text = args.chatFormat != null
                        ? ChatFormat.forName(args.chatFormat).render(messages, tokenizer.bosToken(), true, null)
                        : tokenizer.renderChat(messages, true, null);
            }
            int[] promptIds;
            try {
                // a rendered chat prompt carries its special tokens; a plain prompt gets the post-processor's
                promptIds = chat ? tokenizer.encode(text) : tokenizer.encode(prompt, true);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the tokenizer cannot encode the prompt: " + message(e), e);
            }
            if (promptIds.length == 0) {
                throw new IllegalArgumentException("the prompt encodes to no tokens");
            }
            Completion c;
            try (DecoderModel model = folder.loadModel()) {
                c = new DecoderGenerator(model).generate(List.of(promptIds), params, seed).get(0);
            }
            int[] tokens = c.tokens();
            int[] shown = c.finishReason() == FinishReason.STOP ? Arrays.copyOf(tokens, tokens.length - 1) : tokens;
            String completion = tokenizer.decode(shown, true);
            if (args.json) {
                ObjectNode o = JSON.createObjectNode();
                ArrayNode p = o.putArray("prompt_ids");
                Arrays.stream(promptIds).forEach(p::add);
                ArrayNode t = o.putArray("token_ids");
                Arrays.stream(tokens).forEach(t::add);
                ArrayNode lp = o.putArray("logprobs");
                for (float v : c.logprobs()) {
                    lp.add(v);
                }
                o.put("finish_reason", c.finishReason().name().toLowerCase(Locale.ROOT));
                o.put("text", completion);
                out.println(o);
            } else {
                out.println(completion);
            }
        }
        return 0;
    }

    // ---- flags ----------------------------------------------------------------------------

    /** A count that must be positive when given; null when not given. */
    private static Integer positive(String name, Integer v) {
        if (v != null && v <= 0) {
            throw new UsageException(name + " expects a positive integer, got " + v);
        }
        return v;
    }

    private static int nonNegative(String name, int v) {
        if (v < 0) {
            throw new UsageException(name + " expects an integer >= 0, got " + v);
        }
        return v;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
