package io.rlstream.reward.verify;

import io.rlstream.algorithm.AlgorithmFamily;
import io.rlstream.reward.sandbox.PythonSandbox;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The verifiers by name, as {@code reward.verifier} names them, built from {@link VerifierSettings}.
 * Adding one is one class plus one line here (and its test). Verifiers from outside the project
 * come as {@link VerifierProvider}s found by {@link ServiceLoader} on the class path; the built-in
 * names are looked up first and a provider cannot take one.
 */
public final class Verifiers {

    /** The backoff of the reward model's first retry, doubled for each further one. */
    private static final Duration MODEL_BACKOFF = Duration.ofMillis(200);

    /** Every verifier. */
    public static final AlgorithmFamily<VerifierSettings, Verifier> FAMILY =
            AlgorithmFamily.<VerifierSettings, Verifier>builder("verifiers", "reward.verifier",
                            "score a response against the prompt's reference answer", "verifiers")
                    .add(NumericExactMatch.NAME, "last number of the response = reference, as exact decimals",
                            "exact match (the addition task)", NumericExactMatch.class,
                            s -> new NumericExactMatch(s.correct(), s.incorrect()))
                    .add(MathVerifier.NAME, "norm(final answer) = norm(reference), as exact rationals or strings",
                            "Hendrycks et al. 2021 (MATH) is_equiv; verl reward_score math", MathVerifier.class,
                            s -> new MathVerifier(s.correct(), s.incorrect()))
                    .add(ExactMatchVerifier.NAME, "NFC(response) = NFC(reference), whitespace collapsed",
                            "lm-evaluation-harness exact_match", ExactMatchVerifier.class,
                            s -> new ExactMatchVerifier(s.exactIgnoreCase(), s.correct(), s.incorrect()))
                    .add(RegexVerifier.NAME, "the reference pattern is found in the response",
                            "lm-evaluation-harness regex filter", RegexVerifier.class,
                            s -> new RegexVerifier(s.correct(), s.incorrect()))
                    .add(FormatVerifier.NAME, "exactly one non-empty <answer>...</answer> pair",
                            "DeepSeek-AI 2025 (DeepSeek-R1) format reward, arXiv 2501.12948", FormatVerifier.class,
                            VerifierSettings::formatVerifier)
                    .add(CodeVerifier.NAME, "program + tests exit 0 in the sandbox",
                            "Austin et al. 2021 (MBPP) assert tests, arXiv 2108.07732", CodeVerifier.class,
                            s -> new CodeVerifier(new PythonSandbox(s.codeLimits()), s.correct(), s.incorrect()))
                    .add(RewardModelClient.NAME, "score = RM(prompt, response, reference) over HTTP",
                            "a reward model served over HTTP", RewardModelClient.class,
                            s -> new RewardModelClient(URI.create(s.modelUrl()), s.modelTimeout(), s.modelAttempts(),
                                    MODEL_BACKOFF))
                    .add(RemoteRewardClient.NAME, "rewards = endpoint({query, prompts, labels}), batched, with a token",
                            "OpenRLHF remote reward model (--remote_rm_url)", RemoteRewardClient.class,
                            s -> new RemoteRewardClient(s.remote(), MODEL_BACKOFF))
                    .build();

    /**
     * The verifier called {@code name}: a built-in one, else the plug-in of that name on
     * {@code loader}'s class path.
     *
     * @throws ConfigException for an unknown name (listing the built-in and discovered names), two
     *                         plug-ins with one name, a plug-in that takes a built-in name, or a
     *                         provider that cannot be loaded
     */
    public static Verifier create(String name, VerifierSettings settings, ClassLoader loader) {
        // Every plug-in is read, also when a built-in one is chosen: a clash stops the service at start.
        Map<String, VerifierProvider> plugins = plugins(loader);
        if (FAMILY.contains(name)) {
            return FAMILY.create(name, settings);
        }
        VerifierProvider plugin = plugins.get(name);
        if (plugin == null) {
            throw unknown(name, loader);
        }
        Verifier verifier = plugin.create(settings);
        if (verifier == null) {
            throw new ConfigException(FAMILY.setting(), name, "plug-in " + plugin.getClass().getName()
                    + " returned no verifier from create(settings)");
        }
        return verifier;
    }

    /**
     * The plug-ins on {@code loader}'s class path by name, in the order found.
     *
     * @throws ConfigException on a name clash (with a built-in verifier or between two plug-ins) or a
     *                         provider that cannot be loaded
     */
    public static Map<String, VerifierProvider> plugins(ClassLoader loader) {
        Map<String, VerifierProvider> found = new LinkedHashMap<>();
        try {
            for (VerifierProvider p : ServiceLoader.load(VerifierProvider.class, loader)) {
                String name = p.name();
                if (name == null || name.isBlank()) {
                    throw new ConfigException("verifier plug-in " + p.getClass().getName() + " has no name()");
                }
                if (FAMILY.contains(name)) {
                    throw new ConfigException("verifier plug-in " + p.getClass().getName() + " is called '" + name
                            + "', the name of a built-in verifier (" + FAMILY.entry(name).implementation().getName()
                            + "); rename the plug-in");
                }
                VerifierProvider before = found.putIfAbsent(name, p);
                if (before != null) {
                    throw new ConfigException("two verifier plug-ins are called '" + name + "': "
                            + before.getClass().getName() + " and " + p.getClass().getName()
                            + "; remove one jar from the class path or rename one");
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new ConfigException("a verifier plug-in on the class path cannot be loaded: " + e.getMessage());
        }
        return found;
    }

    /** The built-in names, then the plug-ins' found on {@code loader}. */
    public static List<String> names(ClassLoader loader) {
        List<String> names = new ArrayList<>(FAMILY.names());
        names.addAll(plugins(loader).keySet());
        return names;
    }

    /**
     * The validator of {@code reward.verifier}: a built-in name or a plug-in's found on the thread's
     * context class loader. Its {@code toString} (the docs' valid values) names only the built-ins,
     * since plug-ins depend on the class path.
     */
    public static ConfigDef.Validator validator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String key, Object value) {
                if (!(value instanceof String s) || FAMILY.contains(s)) {
                    FAMILY.validator().ensureValid(key, value);
                    return;
                }
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                if (!plugins(loader).containsKey(s)) {
                    throw unknown(s, loader);
                }
            }

            @Override
            public String toString() {
                return FAMILY.validator() + " or a plug-in's name (VerifierProvider)";
            }
        };
    }

    private static ConfigException unknown(String name, ClassLoader loader) {
        List<String> plugins = List.copyOf(plugins(loader).keySet());
        return new ConfigException(FAMILY.setting(), name, "unknown verifier; built-in: "
                + String.join(", ", FAMILY.names()) + "; plug-ins found on the class path: "
                + (plugins.isEmpty() ? "none" : String.join(", ", plugins))
                + " (a plug-in jar goes on the class path with RLSTREAM_EXTRA_CLASSPATH)");
    }

    private Verifiers() {
    }
}
