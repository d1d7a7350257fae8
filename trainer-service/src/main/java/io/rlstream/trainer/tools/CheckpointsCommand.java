package io.rlstream.trainer.tools;

import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rlstream checkpoints list|show|export}: see the trainer's checkpoints and take one out.
 * Reads the checkpoint folder only; never creates, cleans or prunes anything in it (that is the
 * trainer's {@link CheckpointStore}), so it is safe to run beside a running trainer.
 */
@Command(name = "checkpoints", description = CheckpointsCommand.DESCRIPTION, footer = CheckpointsCommand.FOOTER,
        subcommands = {CheckpointsCommand.ListCommand.class, CheckpointsCommand.ShowCommand.class,
                CheckpointsCommand.ExportCommand.class})
public final class CheckpointsCommand implements Callable<Integer> {

    /** What the command does, above its subcommands in {@code --help}. */
    static final String DESCRIPTION = """
            See the trainer's checkpoints and take one out. Each checkpoint is a folder vNNNNNN
            holding the policy as a Hugging Face model folder (config.json, safetensors weights,
            generation_config.json, tokenizer files) with metadata.json, the trainer state
            (trainer-state.json: version, step, batches consumed, metrics) and, when the trainer
            saved them, the AdamW state (optimizer.safetensors) and its settings
            (trainer-config.json). Nothing in DIR is changed.
            """;

    static final String FOOTER = """

            VERSION is a version number (7 or v000007) or 'latest'. Run 'rlstream checkpoints COMMAND --help'
            for a command's flags.
            Exit status: 0 done; 1 no such folder or version, OUT not empty, or a file could not be
            read or written; 2 bad usage.
            """;

    static final String DEFAULT_DIR = "checkpoints";
    private static final String PROGRAM = "rlstream checkpoints";
    /** Metrics shown by list; show prints them all. */
    private static final List<String> LISTED_METRICS = List.of("loss", "reward_mean");

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** A command object for picocli (a subcommand of {@code rlstream}). */
    public CheckpointsCommand() {
    }

    /** {@code rlstream checkpoints} without a command: a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "which command? list, show or export");
    }

    /**
     * @param args what follows {@code rlstream checkpoints}
     * @return the exit status
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new CheckpointsCommand(), PROGRAM, args, out, err);
    }

    /** The checkpoint folder: the flag every command takes. */
    public static final class Folder {
        @Option(names = "--dir", paramLabel = "DIR", description = "The checkpoint folder (default 'checkpoints', the"
                + " default of the trainer's trainer.checkpoint.dir).")
        Path dir = Path.of(DEFAULT_DIR);
    }

    /** {@code rlstream checkpoints list}. */
    @Command(name = "list", description = {"One line per checkpoint, newest last: version, step, creation time (UTC), size"
            + " on disk, the batches consumed up to it (topic-partition@offset: the next offset to read; every batch"
            + " before it is in this checkpoint), its loss and mean reward, and whether it holds optimizer state."})
    public static final class ListCommand implements Callable<Integer> {
        @Mixin
        Folder folder;
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;

        public ListCommand() {
        }

        @Override
        public Integer call() {
            return execute(spec, new Options("list", null, folder.dir, null, false));
        }
    }

    /** {@code rlstream checkpoints show VERSION}. */
    @Command(name = "show", description = {"Everything about one checkpoint: state, policy metadata, trainer config,"
            + " files with sizes."})
    public static final class ShowCommand implements Callable<Integer> {
        @Parameters(paramLabel = "VERSION", description = "A version number (7 or v000007) or 'latest'.")
        String version;
        @Mixin
        Folder folder;
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;

        public ShowCommand() {
        }

        @Override
        public Integer call() {
            return execute(spec, new Options("show", version(spec, version), folder.dir, null, false));
        }
    }

    /** {@code rlstream checkpoints export VERSION --to OUT}. */
    @Command(name = "export", description = {"Copy the policy into OUT, a new or empty folder: a Hugging Face model"
            + " folder that transformers (AutoModelForCausalLM.from_pretrained), vLLM and SGLang load as it is, and"
            + " that can start a trainer (--model OUT, or --set trainer.init.checkpoint=OUT)."})
    public static final class ExportCommand implements Callable<Integer> {
        @Parameters(paramLabel = "VERSION", description = "A version number (7 or v000007) or 'latest'.")
        String version;
        @Option(names = "--to", paramLabel = "OUT", required = true,
                description = "Where export writes; refused if OUT exists and is not empty.")
        Path to;
        @Option(names = "--all", description = "Copy every file of the checkpoint, optimizer state included.")
        boolean all;
        @Mixin
        Folder folder;
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;

        public ExportCommand() {
        }

        @Override
        public Integer call() {
            return execute(spec, new Options("export", version(spec, version), folder.dir, to, all));
        }
    }

    private static Long version(CommandSpec spec, String text) {
        try {
            return Options.version(text);
        } catch (UsageException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Runs one command on valid options; returns the exit status. */
    static int execute(CommandSpec spec, Options options) {
        PrintStream out = CommandExecution.out(spec);
        PrintStream err = CommandExecution.err(spec);
        try {
            if (!Files.isDirectory(options.dir())) {
                err.println(PROGRAM + ": no checkpoint folder " + options.dir().toAbsolutePath() + "; the trainer writes"
                        + " checkpoints to its trainer.checkpoint.dir (default '" + DEFAULT_DIR
                        + "', relative to where it runs): pass that folder with --dir");
                return 1;
            }
            return switch (options.command()) {
                case "list" -> list(options.dir(), out);
                case "show" -> show(options, out, err);
                case "export" -> export(options, out, err);
                default -> throw new IllegalStateException(options.command());
            };
        } catch (UncheckedIOException e) {
            err.println(PROGRAM + " " + options.command() + ": " + e.getMessage() + ": " + e.getCause());
            return 1;
        } catch (IOException e) {
            err.println(PROGRAM + " " + options.command() + ": " + e);
            return 1;
        }
    }

    private static int list(Path dir, PrintStream out) throws IOException {
        List<Long> versions = CheckpointStore.versions(dir);
        List<Path> unfinished = CheckpointStore.temporaryFolders(dir);
        if (versions.isEmpty()) {
            out.println("No checkpoints in " + dir.toAbsolutePath() + ".");
        } else {
            List<String> header = new ArrayList<>(List.of("VERSION", "STEP", "CREATED (UTC)", "SIZE", "CONSUMED UP TO"));
            LISTED_METRICS.forEach(m -> header.add(m.toUpperCase(Locale.ROOT)));
            header.add("OPTIMIZER");
            List<List<String>> rows = new ArrayList<>();
            rows.add(header);
            for (long version : versions) {
                Path folder = CheckpointStore.folder(dir, version);
                List<String> row = new ArrayList<>();
                row.add(Long.toString(version));
                if (!CheckpointStore.isComplete(folder)) {
                    row.add("incomplete: lacks " + String.join(", ", missingFiles(folder)));
                    rows.add(row);
                    continue;
                }
                TrainerState state = CheckpointStore.readState(folder);
                row.add(Long.toString(state.step()));
                row.add(created(state));
                row.add(bytes(size(folder)));
                row.add(positions(state));
                for (String metric : LISTED_METRICS) {
                    Double value = state.metrics() == null ? null : state.metrics().get(metric);
                    row.add(value == null ? "-" : number(value));
                }
                row.add(CheckpointStore.optimizerFile(folder).isPresent() ? "yes" : "no");
                rows.add(row);
            }
            out.println("Checkpoints in " + dir.toAbsolutePath() + ", newest last:");
            printTable(rows, out);
        }
        if (!unfinished.isEmpty()) {
            out.println(unfinished.size() + " unfinished write(s), not checkpoints (the trainer deletes them when it"
                    + " starts): " + unfinished.stream().map(p -> p.getFileName().toString())
                    .collect(Collectors.joining(", ")));
        }
        return 0;
    }

    private static int show(Options options, PrintStream out, PrintStream err) throws IOException {
        Optional<Path> found = resolve(options, err);
        if (found.isEmpty()) {
            return 1;
        }
        Path folder = found.get();
        out.println("Checkpoint " + folder.getFileName() + " (" + folder.toAbsolutePath() + ")");
        if (!CheckpointStore.isComplete(folder)) {
            out.println("Incomplete: lacks " + String.join(", ", missingFiles(folder))
                    + "; the trainer does not resume from it.");
        }
        out.println();
        out.println("Trainer state (" + CheckpointStore.STATE_FILE + "):");
        if (Files.isRegularFile(folder.resolve(CheckpointStore.STATE_FILE))) {
            TrainerState state = CheckpointStore.readState(folder);
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("policy_name", state.policyName());
            fields.put("version", Long.toString(state.version()));
            fields.put("step", Long.toString(state.step()));
            fields.put("created", created(state) + " (" + state.createdAtMillis() + " ms)");
            fields.put("consumed up to", positions(state));
            if (state.metrics() != null) {
                state.metrics().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .forEach(m -> fields.put("metric " + m.getKey(), number(m.getValue())));
            }
            printFields(fields, out);
        } else {
            out.println("  (missing)");
        }
        out.println();
        out.println("Model (" + CheckpointStore.MODEL_CONFIG_FILE + "):");
        if (Files.isRegularFile(folder.resolve(CheckpointStore.MODEL_CONFIG_FILE))) {
            DecoderConfig model = DecoderConfig.read(folder);
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("model_type", model.architecture().modelType());
            fields.put("parameters", String.format(Locale.ROOT, "%,d", model.parameterCount()));
            fields.put("layers", Integer.toString(model.numHiddenLayers()));
            fields.put("hidden_size", Integer.toString(model.hiddenSize()));
            fields.put("heads", model.numAttentionHeads() + " (" + model.numKeyValueHeads() + " key/value)");
            fields.put("vocab_size", Integer.toString(model.vocabSize()));
            fields.put("dtype", String.valueOf(model.torchDtype()));
            printFields(fields, out);
        } else {
            out.println("  (missing)");
        }
        out.println();
        out.println("Policy metadata (" + CheckpointStore.METADATA_FILE + "):");
        Map<String, String> metadata = CheckpointStore.readPolicyMetadata(folder);
        if (metadata.isEmpty()) {
            out.println("  (missing)");
        } else {
            printFields(metadata, out);
        }
        out.println();
        out.println("Trainer config (" + CheckpointStore.CONFIG_FILE + "):");
        Map<String, String> config = new LinkedHashMap<>();
        flatten("", CheckpointStore.readConfig(folder), config);
        if (config.isEmpty()) {
            out.println("  (none recorded)");
        } else {
            printFields(config, out);
        }
        out.println();
        out.println("Files:");
        Map<String, String> files = new LinkedHashMap<>();
        for (Path file : files(folder)) {
            files.put(file.getFileName().toString(), bytes(Files.size(file)));
        }
        files.put("total", bytes(size(folder)));
        printFields(files, out);
        if (CheckpointStore.optimizerFile(folder).isEmpty()) {
            out.println("No optimizer state: a trainer resumed from it starts AdamW and the learning-rate schedule"
                    + " again.");
        }
        return 0;
    }

    private static int export(Options options, PrintStream out, PrintStream err) throws IOException {
        Path target = options.to();
        if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
            err.println(PROGRAM + " export: refusing to write into " + target.toAbsolutePath()
                    + ": it exists and is not an empty folder; choose a new folder with --to");
            return 1;
        }
        Optional<Path> found = resolve(options, err);
        if (found.isEmpty()) {
            return 1;
        }
        Path folder = found.get();
        List<Path> sources = new ArrayList<>();
        for (Path file : files(folder)) {
            if (options.all() || !CheckpointStore.TRAINER_FILES.contains(file.getFileName().toString())) {
                sources.add(file);
            }
        }
        for (String name : List.of(CheckpointStore.MODEL_CONFIG_FILE, CheckpointStore.METADATA_FILE)) {
            if (!Files.isRegularFile(folder.resolve(name))) {
                err.println(PROGRAM + " export: " + folder + " lacks " + name + "; it is not a complete checkpoint");
                return 1;
            }
        }
        Files.createDirectories(target);
        out.println("Exported " + folder.getFileName() + " to " + target.toAbsolutePath() + ":");
        Map<String, String> written = new LinkedHashMap<>();
        for (Path source : sources) {
            Path copy = target.resolve(source.getFileName().toString());
            Files.copy(source, copy);
            written.put(copy.getFileName().toString(), bytes(Files.size(copy)));
        }
        printFields(written, out);
        out.println("A Hugging Face model folder: load it with transformers, vLLM or SGLang, or start a trainer"
                + " from it with --model " + target.toAbsolutePath() + ".");
        return 0;
    }

    /** The folder of the VERSION argument, or a message listing the versions there are. */
    private static Optional<Path> resolve(Options options, PrintStream err) {
        List<Long> versions = CheckpointStore.versions(options.dir());
        String known = versions.isEmpty() ? "none"
                : versions.stream().map(String::valueOf).collect(Collectors.joining(", "));
        Long version = options.version();
        if (version == null) {
            List<Long> complete = versions.stream()
                    .filter(v -> CheckpointStore.isComplete(CheckpointStore.folder(options.dir(), v))).toList();
            if (complete.isEmpty()) {
                err.println(PROGRAM + " " + options.command() + ": no complete checkpoint in "
                        + options.dir().toAbsolutePath() + " (versions there: " + known + ")");
                return Optional.empty();
            }
            version = complete.get(complete.size() - 1);
        }
        if (!versions.contains(version)) {
            err.println(PROGRAM + " " + options.command() + ": no checkpoint " + version + " in "
                    + options.dir().toAbsolutePath() + "; versions there: " + known);
            return Optional.empty();
        }
        return Optional.of(CheckpointStore.folder(options.dir(), version));
    }

    private static List<String> missingFiles(Path folder) {
        return Stream.of(CheckpointStore.MODEL_CONFIG_FILE, CheckpointStore.METADATA_FILE, CheckpointStore.STATE_FILE)
                .filter(name -> !Files.isRegularFile(folder.resolve(name))).toList();
    }

    private static String created(TrainerState state) {
        return Instant.ofEpochMilli(state.createdAtMillis()).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String positions(TrainerState state) {
        if (state.offsets() == null || state.offsets().isEmpty()) {
            return "-";
        }
        return state.offsets().stream().map(p -> p.topic() + "-" + p.partition() + "@" + p.offset())
                .collect(Collectors.joining(","));
    }

    /** Nested maps become dotted keys; lists and scalars are printed as they are. */
    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> into) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = prefix + entry.getKey();
            if (entry.getValue() instanceof Map<?, ?> nested && !nested.isEmpty()) {
                flatten(key + ".", nested, into);
            } else {
                into.put(key, String.valueOf(entry.getValue()));
            }
        }
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static long size(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            long total = 0;
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> children = Files.list(folder)) {
            return children.findAny().isEmpty();
        }
    }

    static String bytes(long size) {
        if (size < 1024) {
            return size + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = size;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.4g", value);
    }

    private static void printFields(Map<String, String> fields, PrintStream out) {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((key, value) -> out.println("  " + key + " ".repeat(width - key.length() + 2) + value));
    }

    private static void printTable(List<List<String>> rows, PrintStream out) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            // an incomplete row's note spans the columns after the version
            if (row.size() == columns) {
                for (int c = 0; c < columns; c++) {
                    widths[c] = Math.max(widths[c], row.get(c).length());
                }
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                String cell = row.get(c);
                boolean last = c == row.size() - 1;
                // numbers right-aligned, text left-aligned
                boolean numeric = c == 0 || c == 1;
                if (numeric) {
                    line.append(" ".repeat(Math.max(0, widths[c] - cell.length()))).append(cell);
                } else {
                    line.append(cell).append(last ? "" : " ".repeat(Math.max(0, widths[c] - cell.length())));
                }
                if (!last) {
                    line.append("  ");
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** What one command was asked to do. */
    private record Options(String command, Long version, Path dir, Path to, boolean all) {

        static Long version(String text) throws UsageException {
            if (text.equals("latest")) {
                return null;
            }
            String digits = text.startsWith("v") ? text.substring(1) : text;
            try {
                long version = Long.parseLong(digits);
                if (version < 0) {
                    throw new NumberFormatException();
                }
                return version;
            } catch (NumberFormatException e) {
                throw new UsageException("VERSION must be a number (7 or v000007) or 'latest', got '" + text + "'");
            }
        }
    }
}
