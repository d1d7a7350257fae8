package io.rlstream.producers.prompts;

import io.rlstream.config.CommandExecution;
import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
import io.rlstream.events.Prompt;
import io.rlstream.schemas.Topic;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rlstream prompts --file F}: puts a dataset file's prompts on rl.prompts. JSONL or parquet,
 * plain prompts or chat messages, fields found by a {@link FieldMapping} (a preset, a mapping file,
 * flags; later ones win). Bad rows are reported with their line or row and reason and the rest
 * still go; the last line is the summary. Exit 0 when every row went, 1 when rows were skipped or
 * sends failed, 2 on a usage error.
 */
@Command(name = "rlstream prompts", sortOptions = false, usageHelpWidth = 104,
        description = {"Put the prompts of a JSONL or parquet file on rl.prompts, keyed by prompt id.",
                "Plain prompts (a string) or chat messages (a list of {role, content}); the fields are found by a"
                        + " preset, a --mapping file and the key flags (later ones win); a key may be a dotted path"
                        + " (reward_model.ground_truth). Bad rows are reported with their line or row number and reason"
                        + " and the rest still go; the last line is the summary.",
                "Exit status: 0 every row went, 1 rows were skipped or sends failed, 2 usage error."},
        footer = {"", "Presets:",
                "  rlstream  text or messages, answer, prompt_id, task: rlstream's own JSONL (the default)",
                "  verl      prompt (chat messages), reward_model.ground_truth, extra_info.index, data_source,",
                "            ability; metadata reward_model.style, extra_info.split (verl's data_preprocess parquet)",
                "  openrlhf  input (text or chat messages), label: OpenRLHF's --input_key and --label_key",
                "Rows without an id get <dataset>:<line or row number>.",
                "", "Examples:",
                "  rlstream prompts --file train.parquet --preset verl --bootstrap-server HOST:PORT --registry-url URL",
                "  rlstream prompts --file data.jsonl --input-key question --label-key solution --dry-run",
                "", "rlstream prompts top|show ask a running dispatcher about its prompts (rlstream prompts top --help)."})
public final class PromptsCommand implements Callable<Integer> {

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The prompts file: .jsonl/.json (JSON lines, or one JSON array) or .parquet.")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "auto (by the file's extension), jsonl or parquet. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "rlstream",
            description = "Field layout to start from: rlstream, verl or openrlhf. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--mapping", paramLabel = "FILE",
            description = "Properties file with mapping keys: input.key, messages.key, label.key, id.key, dataset.key,"
                    + " task.key, metadata.keys (comma-separated). An empty value: not in this dataset.")
    Path mappingFile;

    @Option(names = "--input-key", paramLabel = "KEY", description = "The prompt: plain text, or a list of chat messages.")
    String inputKey;

    @Option(names = "--messages-key", paramLabel = "KEY", description = "Chat messages in a field of their own (beside plain text in --input-key).")
    String messagesKey;

    @Option(names = "--label-key", paramLabel = "KEY", description = "The reference answer.")
    String labelKey;

    @Option(names = "--id-key", paramLabel = "KEY", description = "The prompt id, used as it is ('' : number the rows).")
    String idKey;

    @Option(names = "--dataset-key", paramLabel = "KEY", description = "Each row's dataset name (verl: data_source).")
    String datasetKey;

    @Option(names = "--task-key", paramLabel = "KEY", description = "The task family, which picks the default verifier (verl: ability).")
    String taskKey;

    @Option(names = "--metadata-keys", paramLabel = "KEY,...", description = "Fields copied into the prompt's metadata.")
    String metadataKeys;

    @Option(names = "--dataset", paramLabel = "NAME", description = "Dataset name for rows without a dataset field, and of generated ids. Default: the file name.")
    String dataset;

    @Option(names = "--dry-run", description = "Read, map and report only: print the first prompt and the summary; no cluster is contacted.")
    boolean dryRun;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "This page.")
    boolean help;

    @Mixin
    ServiceOptions cluster;

    private PrintStream out;
    private PrintStream err;

    /** Runs the command with these arguments (those after {@code rlstream prompts}); returns the exit status. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        PromptsCommand command = new PromptsCommand();
        command.out = out;
        command.err = err;
        // Flags answered as by every rlstream command; what goes wrong in the body (a file, a
        // preset, a mapping) is one line, exit 2 for bad input and 1 otherwise.
        CommandLine cli = CommandExecution.commandLine(command, "rlstream prompts");
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            err.println("rlstream prompts: " + e.getMessage());
            return e instanceof IllegalArgumentException || e instanceof ConfigException ? 2 : 1;
        });
        return CommandExecution.execute(cli, args, out, err);
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new IllegalArgumentException("cannot read prompts file " + file);
        }
        PromptSource.Format fileFormat = switch (format.toLowerCase(Locale.ROOT)) {
            case "auto" -> PromptSource.Format.of(file);
            case "jsonl", "json" -> PromptSource.Format.JSONL;
            case "parquet" -> PromptSource.Format.PARQUET;
            default -> throw new IllegalArgumentException("--format expects auto, jsonl or parquet, got '" + format + "'");
        };
        FieldMapping mapping = mapping();
        String name = dataset != null ? dataset : file.getFileName().toString();
        out.println("reading " + file + " as " + fileFormat.name().toLowerCase(Locale.ROOT) + ": " + mapping.describe());
        try (PromptSource source = PromptSource.open(file, fileFormat)) {
            PromptMapper mapper = new PromptMapper(mapping, name, source.unit());
            return dryRun ? dryRun(source, mapper) : produce(source, mapper);
        }
    }

    /** The preset, then the mapping file, then the flags. */
    FieldMapping mapping() throws IOException {
        FieldMapping mapping = FieldMapping.preset(preset);
        if (mappingFile != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(mappingFile)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read mapping file " + mappingFile + ": " + e.getMessage());
            }
            try {
                mapping = mapping.with(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mapping file " + mappingFile + ": " + e.getMessage());
            }
        }
        Map<String, String> flags = new LinkedHashMap<>();
        put(flags, FieldMapping.INPUT, inputKey);
        put(flags, FieldMapping.MESSAGES, messagesKey);
        put(flags, FieldMapping.LABEL, labelKey);
        put(flags, FieldMapping.ID, idKey);
        put(flags, FieldMapping.DATASET, datasetKey);
        put(flags, FieldMapping.TASK, taskKey);
        put(flags, FieldMapping.METADATA, metadataKeys);
        return mapping.with(flags);
    }

    private static void put(Map<String, String> flags, String key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }

    private int dryRun(PromptSource source, PromptMapper mapper) throws IOException {
        Prompt[] first = new Prompt[1];
        PromptRows.Counts counts = PromptRows.each(source, mapper, p -> {
            if (first[0] == null) {
                first[0] = p;
            }
        }, err::println);
        if (first[0] != null) {
            out.println("first prompt: " + first[0]);
        }
        out.printf("dry run: %d prompts would be produced; %s%n", counts.good(), counts.describeSkipped());
        return counts.skippedTotal() == 0 ? 0 : 1;
    }

    private int produce(PromptSource source, PromptMapper mapper) throws IOException {
        ServiceConfig config = new ServiceConfig(ServiceConfig.baseDef(), cluster.settings(ServiceConfig.baseDef()));
        Map<String, Object> props = new HashMap<>(config.clientProps());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        String topic = config.catalog().name(Topic.PROMPTS);
        try (KafkaProducer<String, Prompt> producer = new KafkaProducer<>(props, new StringSerializer(),
                config.serdes().serde(Prompt.class).serializer())) {
            PromptProducer.Summary s = new PromptProducer(producer, topic).produce(source, mapper, err::println);
            out.printf("produced %d prompts to %s; %s; %d sends failed%n", s.produced(), topic, s.rows().describeSkipped(),
                    s.failed());
            return s.rows().skippedTotal() + s.failed() == 0 ? 0 : 1;
        }
    }
}
