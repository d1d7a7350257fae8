package io.rlstream.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;

/**
 * Kafka config providers for every setting, so that secrets stay out of settings files:
 * {@code sasl.jaas.config=${env:KAFKA_JAAS}} or {@code ${file:/etc/rlstream/secrets.properties:jaas}}
 * in any value, rlstream's own keys and Kafka client keys alike. {@link ServiceConfig} hands the
 * provider settings to {@link AbstractConfig}'s constructor, which resolves the variables with
 * Kafka's own machinery before anything parses the values.
 *
 * <p>Which providers: {@code env} ({@link EnvVarConfigProvider}) and {@code file}
 * ({@link FileConfigProvider}) unless the settings hold {@code config.providers}, which then
 * replaces them exactly as in a Kafka client's configuration ({@code config.providers=vault},
 * {@code config.providers.vault.class=...}, {@code config.providers.vault.param.*=...};
 * {@code config.providers=} turns them off). Where the JVM runs with Kafka's system property
 * {@value AbstractConfig#AUTOMATIC_CONFIG_PROVIDERS_PROPERTY} (a comma-separated list of allowed
 * provider classes), only the classes it lists are used. A variable of a provider in use that does
 * not resolve (an unset environment variable, a key not in the file) is an error naming the
 * setting, never a literal {@code ${env:...}} handed on as a password.
 */
public final class ConfigProviders {

    /** The providers used when the settings name none. */
    public static final Map<String, String> DEFAULTS = Map.of("env", EnvVarConfigProvider.class.getName(),
            "file", FileConfigProvider.class.getName());

    /** Kafka's variable syntax, {@code ${provider:[path:]key}} (ConfigTransformer.DEFAULT_PATTERN). */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*?):(([^}]*?):)?([^}]*?)\\}");

    private static final String PREFIX = AbstractConfig.CONFIG_PROVIDERS_CONFIG + ".";

    private ConfigProviders() {
    }

    /**
     * The {@code config.providers*} settings to resolve {@code settings} with: the settings' own if
     * they set {@code config.providers}, else {@link #DEFAULTS}; less the classes the system property
     * does not allow (an error for a provider the settings name, a quiet drop for a default one).
     */
    public static Map<String, String> providerSettings(Map<?, ?> settings) {
        String allowedProperty = System.getProperty(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY);
        Set<String> allowed = allowedProperty == null ? null
                : Arrays.stream(allowedProperty.split(",")).map(String::trim).collect(Collectors.toSet());
        Map<String, String> props = new LinkedHashMap<>();
        Object named = settings.get(AbstractConfig.CONFIG_PROVIDERS_CONFIG);
        if (named != null) {
            settings.forEach((k, v) -> {
                if (String.valueOf(k).startsWith(PREFIX)) {
                    props.put(String.valueOf(k), String.valueOf(v));
                }
            });
            List<String> names = names(String.valueOf(named));
            for (String name : names) {
                String type = props.get(classKey(name));
                if (allowed != null && type != null && !allowed.contains(type)) {
                    throw new ConfigException(classKey(name) + "=" + type + " is not allowed: the system property "
                            + AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY + " (" + allowedProperty
                            + ") does not list it");
                }
            }
            props.put(AbstractConfig.CONFIG_PROVIDERS_CONFIG, String.join(",", names));
            return props;
        }
        List<String> names = new ArrayList<>();
        for (String name : List.of("env", "file")) {
            String type = DEFAULTS.get(name);
            if (allowed == null || allowed.contains(type)) {
                names.add(name);
                props.put(classKey(name), type);
            }
        }
        if (names.contains("env")) {
            // Every variable, said so, or the provider logs that it assumes so at every start.
            props.put(PREFIX + "env.param." + EnvVarConfigProvider.ALLOWLIST_PATTERN_CONFIG, ".*");
        }
        props.put(AbstractConfig.CONFIG_PROVIDERS_CONFIG, String.join(",", names));
        return props;
    }

    /**
     * Fails on the first value that still holds a variable of a provider in {@code providerSettings}
     * after resolution, naming the setting and why; with the default providers
     * ({@code namedBySettings} false) also one of {@code env} or {@code file} that the system
     * property turned off.
     */
    public static void requireResolved(Map<String, ?> resolved, Map<String, String> providerSettings,
            boolean namedBySettings) {
        List<String> inUse = names(providerSettings.getOrDefault(AbstractConfig.CONFIG_PROVIDERS_CONFIG, ""));
        for (Map.Entry<String, ?> e : new java.util.TreeMap<>(resolved).entrySet()) {
            if (!(e.getValue() instanceof String value)) {
                continue;
            }
            Matcher m = VARIABLE.matcher(value);
            while (m.find()) {
                String provider = m.group(1);
                String path = m.group(3);
                String key = m.group(4);
                String reason;
                if (inUse.contains(provider)) {
                    reason = switch (provider) {
                        case "env" -> "the environment variable " + key + " is not set";
                        case "file" -> "the file " + path + " has no key " + key;
                        default -> "config provider '" + provider + "' has no value for it";
                    };
                } else if (!namedBySettings && DEFAULTS.containsKey(provider)) {
                    reason = "the '" + provider + "' provider is off: the system property "
                            + AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY + " does not list "
                            + DEFAULTS.get(provider);
                } else {
                    continue;
                }
                throw new ConfigException("setting " + e.getKey() + ": " + m.group() + " cannot be resolved: " + reason);
            }
        }
    }

    /** Whether {@code key} configures config providers (it is not passed on to Kafka clients). */
    public static boolean isProviderKey(String key) {
        return key.equals(AbstractConfig.CONFIG_PROVIDERS_CONFIG) || key.startsWith(PREFIX);
    }

    private static String classKey(String name) {
        return PREFIX + name + ".class";
    }

    private static List<String> names(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
