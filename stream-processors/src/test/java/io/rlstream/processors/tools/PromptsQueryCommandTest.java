package io.rlstream.processors.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.CommandConsole;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** What {@code rlstream prompts} says without a dispatcher; SelectionQueryIT asks a real one. */
class PromptsQueryCommandTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(PromptsQueryCommand::run, args);
    }

    private String err() {
        return console.err();
    }

    @Test
    void badUsageExitsTwoWithTheReason() {
        assertEquals(PromptsQueryCommand.USAGE, run());
        assertEquals(PromptsQueryCommand.USAGE, run("list"));
        assertTrue(err().contains("rlstream prompts: 'list' is not one of its subcommands: top and show"), err());
        assertEquals(PromptsQueryCommand.USAGE, run("show"));
        assertTrue(err().contains("rlstream prompts show: Missing required parameter: 'PROMPT_ID'"), err());
        assertEquals(PromptsQueryCommand.USAGE, run("show", "p1", "--by", "selected"));
        assertEquals(PromptsQueryCommand.USAGE, run("top", "--n"));
        assertTrue(err().contains("Missing required parameter for option '--n' (N)"), err());
        assertEquals(PromptsQueryCommand.USAGE, run("top", "--dispatcher", "127.0.0.1:7071"));
        assertTrue(err().contains("--dispatcher needs an http URL"), err());
    }

    @Test
    void helpExitsZero() {
        assertEquals(PromptsQueryCommand.OK, run("top", "--help"));
        String help = console.out();
        assertTrue(help.startsWith("Usage: rlstream prompts top"), help);
        assertTrue(help.contains("--n=N") && help.contains("--by=ORDER") && help.contains("closeness"), help);
        assertTrue(help.contains("--dispatcher=URL") && help.contains("--json"), help);
        console.reset();
        assertEquals(PromptsQueryCommand.OK, run("show", "--help"));
        assertTrue(console.out().contains("PROMPT_ID") && !console.out().contains("--by"), "show has no --by");
        console.reset();
        assertEquals(PromptsQueryCommand.USAGE, run("top", "--dispacher", "http://h:7071"));
        assertTrue(err().startsWith("rlstream prompts top: unknown flag --dispacher; did you mean --dispatcher?"),
                err());
    }

    @Test
    void anUnreachableDispatcherSaysWhatToCheck() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        assertEquals(PromptsQueryCommand.FAILED, run("top", "--dispatcher", url));
        assertTrue(err().contains("cannot reach the dispatcher's query server at " + url + " ("), err());
        assertTrue(err().contains("is the dispatcher running, and is dispatch.query.port set to its port?"), err());
    }

    @Test
    void aPromptIdIsOnePathSegment() {
        // '/' and '+' must survive the trip: prompt ids are like "gsm8k:12" or "add/37+48"
        assertEquals("add%2F37%2B48", PromptsQueryCommand.pathSegment("add/37+48"));
        assertEquals("gsm8k%3A12", PromptsQueryCommand.pathSegment("gsm8k:12"));
        assertEquals("caf%C3%A9", PromptsQueryCommand.pathSegment("café"));
    }
}
