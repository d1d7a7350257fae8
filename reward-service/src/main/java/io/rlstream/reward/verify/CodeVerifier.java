package io.rlstream.reward.verify;

import io.rlstream.reward.sandbox.PythonSandbox;
import io.rlstream.reward.sandbox.SandboxResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Correct when the response's Python program passes the prompt's tests: the program, a blank
 * line, then the tests (plain {@code assert} statements like MBPP's {@code test_list}, Austin et
 * al. 2021, e.g. {@code assert add(1, 2) == 3}) run as one file in a {@link PythonSandbox}, and
 * every test passes when that file runs to its last line and exits 0.
 *
 * <p>The program is the last {@code ```python} (or {@code ```py}) fenced block of the response,
 * else its last fenced block of any kind, else the whole response; an opening fence that is never
 * closed (a response cut at the token limit) runs to the end of the response.
 *
 * <p>Anything the program does wrong is {@code incorrect}, with the reason: a failed assert, an
 * exception, a syntax error, an exit before the tests ran ({@code sys.exit(0)}), a timeout, the
 * CPU, memory or output limit, a crash. A broken program is the policy's fault. Only when the
 * check cannot be made (no python3, no temporary directory, a sandbox that does not start, a
 * prompt without tests) is the verification failed, which is never read as a zero.
 */
public final class CodeVerifier extends CorrectnessVerifier {

    public static final String NAME = "code-python";
    private static final Pattern FENCE = Pattern.compile("```[ \\t]*([A-Za-z0-9_+.-]*)[^\\n]*\\n(.*?)(?:```|\\z)", Pattern.DOTALL);
    private static final int EXTRACTED_PREVIEW = 80;

    private final PythonSandbox sandbox;

    public CodeVerifier(PythonSandbox sandbox, double correct, double incorrect) {
        super(NAME, correct, incorrect);
        if (sandbox == null) {
            throw new IllegalArgumentException("sandbox must not be null; use new PythonSandbox(SandboxLimits.defaults())");
        }
        this.sandbox = sandbox;
    }

    @Override
    public Verification verify(String response, String reference) {
        if (reference == null || reference.isBlank()) {
            return Verification.failed("prompt has no tests to run the program against");
        }
        String program = extractProgram(response == null ? "" : response);
        if (program.isBlank()) {
            return wrong("", "no program in response");
        }
        SandboxResult result = sandbox.run(program + "\n\n" + reference);
        String extracted = preview(program);
        return switch (result.outcome()) {
            case OK -> judged(true, extracted, "all tests passed");
            case SANDBOX_ERROR -> Verification.failed("could not run the program: " + result.reason());
            default -> wrong(extracted, result.reason());
        };
    }

    /** The last {@code ```python} block, else the last fenced block, else the whole response. */
    public static String extractProgram(String response) {
        Matcher m = FENCE.matcher(response);
        String lastPython = null;
        String lastAny = null;
        while (m.find()) {
            String language = m.group(1).toLowerCase();
            String body = m.group(2);
            lastAny = body;
            if (language.equals("python") || language.equals("py") || language.equals("python3")) {
                lastPython = body;
            }
        }
        if (lastPython != null) {
            return lastPython;
        }
        return lastAny != null ? lastAny : response;
    }

    /** The program's first non-blank line and its length, for the reward record. */
    static String preview(String program) {
        String first = program.strip().lines().findFirst().orElse("");
        if (first.length() > EXTRACTED_PREVIEW) {
            first = first.substring(0, EXTRACTED_PREVIEW - 1) + "…";
        }
        return first + " (" + program.length() + " chars)";
    }
}
