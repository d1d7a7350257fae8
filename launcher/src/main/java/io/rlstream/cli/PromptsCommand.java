package io.rlstream.cli;

import io.rlstream.config.ServiceConfig;
import io.rlstream.events.Prompt;
import io.rlstream.processors.tools.PromptsQueryCommand;
import io.rlstream.producers.prompts.PromptProducer;
import io.rlstream.schemas.Topic;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code rlstream prompts}: {@code --file F} puts a file of prompts on rl.prompts; {@code top|show}
 * ask a running dispatcher's prompt selector (stream-processors' PromptsQueryCommand). A shell that
 * hands its arguments to those two entry points, which parse their own flags (issue 20: the
 * datasets work changes --file's flags; the lead moves both to picocli after it lands).
 */
final class PromptsCommand {

    private PromptsCommand() {
    }

    /** rlstream prompts top|show ask a running dispatcher; rlstream prompts --file puts prompts on the topic. */
    static int run(List<String> rest, Terminal terminal) throws Exception {
        if (!rest.isEmpty() && (rest.get(0).equals("top") || rest.get(0).equals("show"))) {
            return PromptsQueryCommand.run(rest, terminal.out(), terminal.err());
        }
        if (rest.contains("--help") || rest.contains("-h")) {
            terminal.out().print(Rlstream.usageOf("prompts"));
            return 0;
        }
        return prompts(Args.parse(rest, List.of()), terminal.out(), terminal.err());
    }

    static int prompts(Args args, PrintStream out, PrintStream err) throws Exception {
        args.rejectUnknown(List.of("file", "dataset", "config", "bootstrap-server", "registry-url"));
        Path file = args.path("file");
        if (file == null) {
            throw new Args.UsageException("prompts needs --file FILE (JSONL, one prompt per line)");
        }
        if (!Files.isReadable(file)) {
            throw new Args.UsageException("cannot read prompts file " + file);
        }
        ServiceConfig config = new ServiceConfig(ServiceConfig.baseDef(), settings(args, ServiceConfig.baseDef()));
        Map<String, Object> props = new HashMap<>(config.clientProps());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        String dataset = args.get("dataset", file.getFileName().toString());
        try (KafkaProducer<String, Prompt> producer = new KafkaProducer<>(props, new StringSerializer(),
                config.serdes().serde(Prompt.class).serializer());
                BufferedReader reader = Files.newBufferedReader(file)) {
            PromptProducer.Result r = new PromptProducer(producer, config.catalog().name(Topic.PROMPTS))
                    .produce(reader, dataset, err::println);
            out.printf("sent %d prompts to %s; %d malformed lines skipped; %d sends failed%n", r.sent(),
                    config.catalog().name(Topic.PROMPTS), r.malformed(), r.failed());
            return r.malformed() + r.failed() == 0 ? 0 : 1;
        }
    }

    /** Settings from --config, the environment, --bootstrap-server, --registry-url and --set, later winning. */
    private static Map<String, String> settings(Args args, ConfigDef definition) {
        Map<String, String> values = new LinkedHashMap<>(ServiceConfig.read(args.path("config"), System.getenv(), definition));
        if (args.has("bootstrap-server")) {
            values.put(ServiceConfig.BOOTSTRAP_SERVERS, args.get("bootstrap-server", null));
        }
        if (args.has("registry-url")) {
            values.put(ServiceConfig.REGISTRY_URL, args.get("registry-url", null));
        }
        values.putAll(args.settings());
        return values;
    }
}
