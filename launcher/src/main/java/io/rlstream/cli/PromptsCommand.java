package io.rlstream.cli;

import io.rlstream.processors.tools.PromptsQueryCommand;
import java.util.List;

/**
 * {@code rlstream prompts}: {@code --file F} puts a dataset file on rl.prompts (producers'
 * PromptsCommand: JSONL or parquet, field mappings, presets); {@code top|show} ask a running
 * dispatcher's prompt selector (stream-processors' PromptsQueryCommand). Both parse their own flags.
 */
final class PromptsCommand {

    private PromptsCommand() {
    }

    static int run(List<String> rest, Terminal terminal) throws Exception {
        if (!rest.isEmpty() && (rest.get(0).equals("top") || rest.get(0).equals("show"))) {
            return PromptsQueryCommand.run(rest, terminal.out(), terminal.err());
        }
        return io.rlstream.producers.prompts.PromptsCommand.run(rest, terminal.out(), terminal.err());
    }
}
