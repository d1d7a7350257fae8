package io.rlstream.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags in the style of Kafka's tools: {@code --name value} or {@code --name=value},
 * flags without a value ({@code --help}), and repeatable {@code --set key=value}. Every rlstream
 * command parses with picocli now; this hand-written parser remains only for {@code rlstream
 * prompts --file} ({@link PromptsCommand}), whose flags the datasets work of issue 20 changes:
 * delete it when that command moves to picocli.
 */
final class Args {

    private final Map<String, String> flags = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    static Args parse(List<String> raw, List<String> booleanFlags) {
        Args a = new Args();
        for (int i = 0; i < raw.size(); i++) {
            String arg = raw.get(i);
            if (!arg.startsWith("--")) {
                a.positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (booleanFlags.contains(name)) {
                value = "true";
            } else {
                if (i + 1 >= raw.size()) {
                    throw new UsageException("flag --" + name + " needs a value");
                }
                value = raw.get(++i);
            }
            if (name.equals("set")) {
                int kv = value.indexOf('=');
                if (kv <= 0) {
                    throw new UsageException("--set expects key=value, got '" + value + "'");
                }
                a.settings.put(value.substring(0, kv), value.substring(kv + 1));
            } else {
                a.flags.put(name, value);
            }
        }
        return a;
    }

    boolean has(String name) {
        return flags.containsKey(name);
    }

    String get(String name, String fallback) {
        return flags.getOrDefault(name, fallback);
    }

    Path path(String name) {
        String v = flags.get(name);
        return v == null ? null : Path.of(v);
    }

    double number(String name, double fallback) {
        String v = flags.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects a number, got '" + v + "'");
        }
    }

    Map<String, String> settings() {
        return settings;
    }

    List<String> positional() {
        return positional;
    }

    /** Flags the command does not know: an error, so that typos do not pass silently. */
    void rejectUnknown(List<String> known) {
        for (String name : flags.keySet()) {
            if (!known.contains(name)) {
                throw new UsageException("unknown flag --" + name + " (known: --" + String.join(", --", known) + ")");
            }
        }
    }

    /** Wrong usage: printed with a hint to --help, exit code 2. */
    static final class UsageException extends io.rlstream.cli.UsageException {
        UsageException(String message) {
            super(message);
        }
    }
}
