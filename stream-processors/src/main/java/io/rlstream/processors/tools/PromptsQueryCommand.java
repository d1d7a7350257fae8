package io.rlstream.processors.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.config.CommandExecution;
import io.rlstream.config.HelpOption;
import io.rlstream.processors.curriculum.query.SelectionQueryServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rlstream prompts top|show}: what the dispatcher's prompt selector thinks of its prompts,
 * asked of the running dispatcher's query server ({@link SelectionQueryServer}) over HTTP. So one
 * can see, while training runs, which prompts the curriculum spends generation on and how close
 * its estimates and value-model predictions are to what the groups then scored.
 *
 * <p>The server validates {@code --n} and {@code --by}; a value it refuses is a usage error here
 * too (exit 2, with the server's message naming the valid values).
 */
@Command(name = "prompts", description = PromptsQueryCommand.DESCRIPTION, footer = PromptsQueryCommand.FOOTER,
        subcommands = {PromptsQueryCommand.Top.class, PromptsQueryCommand.Show.class})
public final class PromptsQueryCommand implements Callable<Integer> {

    /** Exit status: answered. */
    public static final int OK = 0;
    /** Exit status: the dispatcher is unreachable, the prompt unknown, or the answer an error. */
    public static final int FAILED = 1;
    /** Exit status: bad options (ours or refused by the server). */
    public static final int USAGE = 2;
    /** The dispatcher's default query address (dispatch.query.host, dispatch.query.port). */
    public static final String DEFAULT_DISPATCHER = "http://" + SelectionQueryServer.DEFAULT_HOST + ":"
            + SelectionQueryServer.DEFAULT_PORT;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    // The server waits up to a few seconds for a store still loading before it answers 503.
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What both commands do, above their flags in {@code --help}. */
    static final String DESCRIPTION = """
            Shows the running dispatcher's prompt selector state (the compacted topic
            rl.prompt-selection, as its query server holds it): per prompt the groups dispatched
            (selected) and learned from, the estimated pass rate, the last group's mean reward,
            the value model's prediction V(x) and its error |V(x) - mean reward| (PCL), the pool.
            """;

    static final String FOOTER = """

            Exit status: 0 answered, 1 dispatcher unreachable or prompt unknown, 2 bad option.
            """;

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** A command object for picocli: {@code top} and {@code show} under one name (run's). */
    public PromptsQueryCommand() {
    }

    /** {@code rlstream prompts} without top or show here: a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "say top or show");
    }

    /** The flags both commands take. */
    public static final class Answer {
        @Option(names = "--dispatcher", paramLabel = "URL", description = "The dispatcher's query server (default "
                + DEFAULT_DISPATCHER + "; settings dispatch.query.host and dispatch.query.port).")
        String dispatcher = DEFAULT_DISPATCHER;

        @Option(names = "--json", description = "Print the server's JSON answer as it is.")
        boolean json;
    }

    /** {@code rlstream prompts top}. */
    @Command(name = "top", description = {DESCRIPTION, "The first N prompts in an order, as a table."}, footer = FOOTER,
            sortOptions = false)
    public static final class Top implements Callable<Integer> {
        @Option(names = "--n", paramLabel = "N", description = "Prompts to list (1..10000, default 20).")
        String n;

        @Option(names = "--by", paramLabel = "ORDER", description = {"selected   most dispatched first (default)",
                "estimate   highest estimated pass rate first, unseen last",
                "prediction highest V(x) first, none last",
                "closeness  smallest |V(x) - tau| first (|estimate - tau| without V(x)): what PCL dispatches next;"
                        + " tau is the dispatcher's",
                "recent     most recently updated first"})
        String by;

        @Mixin
        Answer answer;
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;

        public Top() {
        }

        @Override
        public Integer call() {
            URI dispatcher = CommandExecution.usage(spec, () -> dispatcherUri(answer.dispatcher));
            return ask(spec, new Query("top", null, n, by, dispatcher, answer.json));
        }
    }

    /** {@code rlstream prompts show PROMPT_ID}. */
    @Command(name = "show", description = {DESCRIPTION, "Everything the selector holds on one prompt."}, footer = FOOTER,
            sortOptions = false)
    public static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "PROMPT_ID", description = "The prompt's id.")
        String promptId;

        @Mixin
        Answer answer;
        @Mixin
        HelpOption help;
        @Spec
        CommandSpec spec;

        public Show() {
        }

        @Override
        public Integer call() {
            URI dispatcher = CommandExecution.usage(spec, () -> dispatcherUri(answer.dispatcher));
            return ask(spec, new Query("show", promptId, null, null, dispatcher, answer.json));
        }
    }

    /** Asks the server; a value it refuses is a usage error (exit 2, its message). */
    private static int ask(CommandSpec spec, Query query) {
        return ask(query, CommandExecution.out(spec), CommandExecution.err(spec));
    }

    /** What was asked: {@code top} (promptId null) or {@code show}; n and by as given, or null for the server's defaults. */
    private record Query(String action, String promptId, String n, String by, URI dispatcher, boolean json) {

        String path() {
            if (action.equals("show")) {
                return "/prompts/" + pathSegment(promptId);
            }
            List<String> params = new ArrayList<>();
            if (n != null) {
                params.add("n=" + URLEncoder.encode(n, StandardCharsets.UTF_8));
            }
            if (by != null) {
                params.add("by=" + URLEncoder.encode(by, StandardCharsets.UTF_8));
            }
            return "/prompts/top" + (params.isEmpty() ? "" : "?" + String.join("&", params));
        }
    }

    /** Runs {@code top ...} or {@code show ...} (the words after "prompts"); returns the exit status. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new PromptsQueryCommand(), "rlstream prompts", args, out, err);
    }

    private static URI dispatcherUri(String url) {
        String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        try {
            URI uri = new URI(trimmed);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // the message below says what is expected
        }
        throw new IllegalArgumentException("--dispatcher needs an http URL like " + DEFAULT_DISPATCHER + ", got '" + url + "'");
    }

    private static int ask(Query query, PrintStream out, PrintStream err) {
        URI target = URI.create(query.dispatcher() + query.path());
        HttpResponse<String> response;
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
            HttpRequest request = HttpRequest.newBuilder(target).timeout(ANSWER_TIMEOUT).GET().build();
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            err.println("rlstream prompts: the dispatcher's query server at " + query.dispatcher() + " did not answer in time ("
                    + e.getMessage() + "): is the dispatcher busy or stuck?");
            return FAILED;
        } catch (IOException e) {
            err.println("rlstream prompts: cannot reach the dispatcher's query server at " + query.dispatcher() + " ("
                    + describe(e) + "): is the dispatcher running, and is dispatch.query.port set to its port?");
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("rlstream prompts: interrupted");
            return FAILED;
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            err.println("rlstream prompts: " + query.dispatcher() + " answered HTTP " + response.statusCode()
                    + " with something that is not JSON: is that the dispatcher's query port?");
            return FAILED;
        }
        if (response.statusCode() != 200) {
            String message = body.path("error").asText("HTTP " + response.statusCode() + " from " + target);
            err.println("rlstream prompts: " + message);
            return response.statusCode() == 400 ? USAGE : FAILED;
        }
        if (query.json()) {
            out.println(response.body());
        } else if (query.action().equals("top")) {
            PromptTable.top(body, out);
        } else {
            PromptTable.show(body, out);
        }
        out.flush();
        return OK;
    }

    /** The failure and its causes in one line; java.net.http often leaves the message of a refused connection null. */
    private static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 3; t = t.getCause()) {
            parts.add(t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        return String.join(" <- ", parts);
    }

    /** A prompt id as one path segment: everything but RFC 3986's unreserved characters percent-encoded (a '/' too). */
    static String pathSegment(String id) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }
}
