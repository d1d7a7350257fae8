package io.rlstream.reward.verify;

import io.rlstream.reward.sandbox.PythonSandbox;
import io.rlstream.reward.sandbox.SandboxResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the candidate Python program of a response against the prompt's tests in a
 * {@link PythonSandbox} (the execution-based reward of code RL, e.g. DeepSeek-R1, arXiv 2501.12948,
 * and verl's sandbox fusion reward). The program is the last {@code ```python} fenced block of the
 * response, else the last {@code ```} block, else the whole response; the prompt's reference
 * answer holds the tests (Python asserts, e.g. {@code assert add(1, 2) == 3}), run after it.
 *
 * <p>All tests pass (exit 0): {@code correct}. A failed assertion, an exception, a time-out, a
 * memory or CPU limit or a crash is the candidate's fault: {@code incorrect}, with the reason. Only
 * when the sandbox itself cannot run (no python3, no temporary folder) is the verification failed:
 * then no verdict on the candidate exists, and a zero would be a lie.
 */
public final class CodeVerifier implements Verifier {

    public static final String NAME = "code-python";
    private static final Pattern PYTHON_BLOCK = Pattern.compile("```(?:python|py)[ \\t]*\\r?\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern ANY_BLOCK = Pattern.compile("```[^\\n`]*\\r?\\n(.*?)```", Pattern.DOTALL);

    private final PythonSandbox sandbox;
    private final double correct;
    private final double incorrect;

    public CodeVerifier(PythonSandbox sandbox, double correct, double incorrect) {
        this.sandbox = sandbox;
        this.correct = correct;
        this.incorrect = incorrect;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Verification verify(String response, String tests) {
        if (tests == null || tests.isBlank()) {
            return Verification.failed("prompt has no tests to run the program against");
        }
        String program = extractProgram(response == null ? "" : response);
        SandboxResult run = sandbox.run(program + "\n\n" + tests + "\n");
        String extracted = program.lines().findFirst().orElse("") + " (" + program.length() + " chars)";
        return switch (run.outcome()) {
            case OK -> Verification.scored(correct, extracted, "all tests passed in " + run.millis() + " ms");
            case SANDBOX_ERROR -> Verification.failed("sandbox could not run the program: " + run.stderr());
            case TIMEOUT -> Verification.scored(incorrect, extracted, "timed out after "
                    + sandbox.limits().wallTimeout().toMillis() + " ms");
            case CPU_LIMIT -> Verification.scored(incorrect, extracted, "CPU limit of "
                    + sandbox.limits().cpuSeconds() + " s reached");
            case MEMORY_LIMIT -> Verification.scored(incorrect, extracted, "memory limit reached: " + run.lastErrorLine());
            case KILLED_BY_SIGNAL -> Verification.scored(incorrect, extracted, "killed by signal " + (run.exitCode() - 128));
            case FAILED -> Verification.scored(incorrect, extracted, "tests failed: " + run.lastErrorLine());
        };
    }

    /** The program of a response: its last python fenced block, else its last fenced block, else all of it. */
    public static String extractProgram(String response) {
        String last = lastGroup(PYTHON_BLOCK.matcher(response));
        if (last == null) {
            last = lastGroup(ANY_BLOCK.matcher(response));
        }
        return last == null ? response : last;
    }

    private static String lastGroup(Matcher m) {
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }
}
