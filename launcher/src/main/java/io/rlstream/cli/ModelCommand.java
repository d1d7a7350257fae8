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

/**
 * {@code rlstream model init|inspect|score|generate}: Hugging Face model folders from the command
 * line (see {@link ModelFolder}). {@code init} writes a randomly initialised model, {@code inspect}
 * describes a folder without loading its weights, {@code score} gives per-token log-probs of
 * responses (JSON lines in, JSON lines out), {@code generate} samples a completion.
 */
final class ModelCommand {

    static final String HELP = """
            Usage: rlstream model init|inspect|score|generate [flags]

            Hugging Face model folders (config.json, model.safetensors or shards with
            model.safetensors.index.json, tokenizer.json, tokenizer_config.json,
            generation_config.json) of model_type llama, qwen2 or qwen3.

              init       write a randomly initialised model in Hugging Face layout
              inspect    architecture, parameter count, dtypes, shards, tokenizer, chat format and
                         generation config of a model folder
              score      per-token log-probs of responses: JSON lines on stdin, JSON lines on stdout
              generate   generate a completion of a prompt

            rlstream model SUBCOMMAND --help explains one.
            """;

    static final String INIT_HELP = """
            Usage: rlstream model init --arch llama|qwen2|qwen3 --layers L --hidden H --heads N
                   --kv-heads K --intermediate I --tokenizer PATH|demo --out DIR
                   [--head-dim D] [--vocab V] [--seed S] [--dtype f32|bf16] [--tie-embeddings]

            Writes a randomly initialised model in Hugging Face layout into DIR (atomically: a
            temporary folder renamed into place; an existing model folder is replaced, any other
            non-empty folder is refused). Weights are N(0, 0.02^2) (transformers'
            initializer_range), norms 1, biases 0, from a seeded generator. For tests, demos and
            smoke runs.

              --arch A            model_type: llama, qwen2 (q/k/v biases) or qwen3 (q/k norms)
              --layers L          num_hidden_layers
              --hidden H          hidden_size
              --heads N           num_attention_heads
              --kv-heads K        num_key_value_heads (divides N)
              --intermediate I    intermediate_size of the SwiGLU MLP
              --head-dim D        head_dim (default H / N)
              --vocab V           vocab_size (default: the tokenizer's largest id + 1; never smaller)
              --tokenizer PATH    a folder with tokenizer.json (its tokenizer files are copied), or
                                  'demo': the demo's character tokenizer (PAD, BOS, EOS, digits,
                                  '+', '=', '-'; 16 ids) written as tokenizer.json
              --out DIR           the model folder to write
              --seed S            seed of the weights (default 0)
              --dtype f32|bf16    how the weights are stored (default f32)
              --tie-embeddings    lm_head shares the embedding (no lm_head.weight is stored)
            """;

    static final String INSPECT_HELP = """
            Usage: rlstream model inspect DIR [--json]

            Describes a model folder from its files, without loading the weights: architecture and
            sizes from config.json, the parameter count (from the config, and counted in the
            stored tensors), the tensors' dtypes, the weight files (shards) with their sizes, the
            tokenizer (ids, special tokens), its chat format, and generation_config.json.

              --json    one JSON object instead of text
            """;

    static final String SCORE_HELP = """
            Usage: rlstream model score --model DIR [--temperature T] [--batch-size N]

            Reads JSON lines on stdin,
              {"id": "...", "prompt_ids": [...], "response_ids": [...]}
            and writes one line per input line on stdout, in order,
              {"id": "...", "logprobs": [...]}
            with log pi(response token j | prompt, response tokens before j), one per response
            token. A malformed line (not JSON, ids missing, not integers or outside the vocabulary,
            an empty prompt) is reported on stderr with its line number and skipped; the others go
            on. Exit code 0 when every line was scored, 1 when some failed.

              --model DIR       the model folder
              --temperature T   score softmax(logits / T) (default 1: the model's own distribution)
              --batch-size N    lines scored together (default 8)
            """;

    static final String GENERATE_HELP = """
            Usage: rlstream model generate --model DIR --prompt TEXT [--chat] [--chat-format F]
                   [--max-new-tokens N] [--temperature T] [--top-p P] [--top-k K] [--seed S] [--json]

            Generates a completion of TEXT with the key/value cache and prints its text (special
            tokens left out, the stop token too). Without --chat the text is encoded as the
            tokenizer's post-processor says (a BOS first where the tokenizer adds one, as
            transformers' tokenizer(text) does). Sampling defaults come from
            generation_config.json (temperature, top_p, top_k; else 1, 1, off), as vLLM takes them;
            generation stops at its eos ids (else config.json's) or after N new tokens.

              --model DIR          the model folder
              --prompt TEXT        the prompt
              --chat               TEXT is a user message, rendered with the tokenizer's chat
                                   template (Qwen3's or Llama 3's) and the generation prompt
              --chat-format F      render with qwen3, chatml or llama3 instead of the template
              --max-new-tokens N   the most new tokens (default: generation_config's
                                   max_new_tokens, else 64)
              --temperature T      0 for greedy decoding
              --top-p P            nucleus sampling, in (0, 1]
              --top-k K            keep the K most likely tokens (0: off)
              --seed S             seed of the draws (default 0)
              --json               print {"prompt_ids", "token_ids", "logprobs", "finish_reason",
                                   "text"} instead of the text; the log-probs are those of the
                                   distribution each token was drawn from
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelCommand() {
    }

    static int run(List<String> argv, InputStream in, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("--help") || argv.get(0).equals("-h")) {
            out.print(HELP);
            return argv.isEmpty() ? 2 : 0;
        }
        String action = argv.get(0);
        String help = switch (action) {
            case "init" -> INIT_HELP;
            case "inspect" -> INSPECT_HELP;
            case "score" -> SCORE_HELP;
            case "generate" -> GENERATE_HELP;
            default -> null;
        };
        if (help == null) {
            err.println("rlstream model: no subcommand '" + action + "' (init, inspect, score, generate)");
            err.println("Run 'rlstream model --help' for usage.");
            return 2;
        }
        List<String> rest = argv.subList(1, argv.size());
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(help);
            return 0;
        }
        try {
            Args args = Args.parse(rest, List.of("tie-embeddings", "json", "chat"));
            return switch (action) {
                case "init" -> init(args, out);
                case "inspect" -> inspect(args, out);
                case "score" -> score(args, in, out, err);
                default -> generate(args, out);
            };
        } catch (Args.UsageException e) {
            err.println("rlstream model " + action + ": " + e.getMessage());
            err.println("Run 'rlstream model " + action + " --help' for usage.");
            return 2;
        } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
            // bad input: a folder that is not a model, a config that is not supported, sizes that do not fit
            err.println("rlstream model " + action + ": " + message(e));
            return 2;
        } catch (RuntimeException e) {
            err.println("rlstream model " + action + " failed: " + message(e));
            return 1;
        }
    }

    // ---- init ------------------------------------------------------------------------------

    static int init(Args args, PrintStream out) throws IOException {
        args.rejectUnknown(List.of("arch", "layers", "hidden", "heads", "kv-heads", "intermediate", "head-dim",
                "vocab", "tokenizer", "out", "seed", "dtype", "tie-embeddings"));
        noPositional(args);
        List<String> missing = new ArrayList<>();
        for (String name : List.of("arch", "layers", "hidden", "heads", "kv-heads", "intermediate", "tokenizer", "out")) {
            if (!args.has(name)) {
                missing.add("--" + name);
            }
        }
        if (!missing.isEmpty()) {
            throw new Args.UsageException("missing " + String.join(", ", missing));
        }
        String arch = required(args, "arch");
        DecoderArchitecture architecture = DecoderArchitecture.ofModelType(arch);
        if (architecture == null) {
            throw new Args.UsageException("--arch expects llama, qwen2 or qwen3, got '" + arch + "'");
        }
        Dtype dtype = dtype(args.get("dtype", "f32"));
        String tokenizer = required(args, "tokenizer");
        Path dir = Path.of(required(args, "out"));
        ModelInit init = new ModelInit(architecture, positive(args, "layers"), positive(args, "hidden"),
                positive(args, "heads"), positive(args, "kv-heads"), positive(args, "intermediate"),
                optionalPositive(args, "head-dim"), optionalPositive(args, "vocab"), args.has("tie-embeddings"),
                longValue(args, "seed", 0), dtype);
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
            default -> throw new Args.UsageException("--dtype expects f32 or bf16, got '" + name + "'");
        };
    }

    // ---- inspect ---------------------------------------------------------------------------

    static int inspect(Args args, PrintStream out) throws IOException {
        args.rejectUnknown(List.of("json"));
        if (args.positional().size() != 1) {
            throw new Args.UsageException("inspect takes one model folder, got " + args.positional());
        }
        Map<String, Object> report = describe(Path.of(args.positional().get(0)));
        if (args.has("json")) {
            out.println(JSON.writeValueAsString(report));
        } else {
            printText(report, out);
        }
        return 0;
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

    static int score(Args args, InputStream in, PrintStream out, PrintStream err) throws IOException {
        args.rejectUnknown(List.of("model", "temperature", "batch-size"));
        noPositional(args);
        Path dir = Path.of(required(args, "model"));
        double temperature = args.number("temperature", 1.0);
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new Args.UsageException("--temperature expects a number > 0, got " + temperature);
        }
        int batchSize = optionalPositive(args, "batch-size") == null ? 8 : optionalPositive(args, "batch-size");
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

    static int generate(Args args, PrintStream out) throws IOException {
        args.rejectUnknown(List.of("model", "prompt", "chat", "chat-format", "max-new-tokens", "temperature", "top-p",
                "top-k", "seed", "json"));
        noPositional(args);
        Path dir = Path.of(required(args, "model"));
        String prompt = required(args, "prompt");
        ModelFolder folder = ModelFolder.open(dir);
        Integer fileMax = folder.generation().maxNewTokens();
        int maxNew = args.has("max-new-tokens") ? nonNegative(args, "max-new-tokens") : fileMax != null ? fileMax : 64;
        SamplingParams defaults = folder.generation().samplingParams(folder.config(), maxNew);
        SamplingParams params;
        try {
            params = new SamplingParams(args.number("temperature", defaults.temperature()),
                    args.number("top-p", defaults.topP()),
                    args.has("top-k") ? nonNegative(args, "top-k") : defaults.topK(), maxNew,
                    defaults.stopTokenIds());
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        long seed = longValue(args, "seed", 0);
        try (HfTokenizer tokenizer = folder.loadTokenizer()) {
            String text = prompt;
            boolean chat = args.has("chat") || args.has("chat-format");
            if (chat) {
                List<ChatMessage> messages = List.of(ChatMessage.user(prompt));
                text = args.has("chat-format")
                        ? ChatFormat.forName(args.get("chat-format", "")).render(messages, tokenizer.bosToken(), true, null)
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
            if (args.has("json")) {
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

    // ---- flags -----------------------------------------------------------------------------

    private static void noPositional(Args args) {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument(s) " + args.positional());
        }
    }

    private static String required(Args args, String name) {
        if (!args.has(name)) {
            throw new Args.UsageException("--" + name + " is required");
        }
        return args.get(name, null);
    }

    private static int positive(Args args, String name) {
        required(args, name);
        return optionalPositive(args, name);
    }

    private static Integer optionalPositive(Args args, String name) {
        if (!args.has(name)) {
            return null;
        }
        int v = intValue(args, name);
        if (v <= 0) {
            throw new Args.UsageException("--" + name + " expects a positive integer, got " + v);
        }
        return v;
    }

    private static int nonNegative(Args args, String name) {
        int v = intValue(args, name);
        if (v < 0) {
            throw new Args.UsageException("--" + name + " expects an integer >= 0, got " + v);
        }
        return v;
    }

    private static int intValue(Args args, String name) {
        String v = args.get(name, "");
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--" + name + " expects an integer, got '" + v + "'");
        }
    }

    private static long longValue(Args args, String name, long fallback) {
        if (!args.has(name)) {
            return fallback;
        }
        String v = args.get(name, "");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--" + name + " expects an integer, got '" + v + "'");
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
