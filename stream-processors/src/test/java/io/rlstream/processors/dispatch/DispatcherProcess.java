package io.rlstream.processors.dispatch;

import io.rlstream.processors.config.ProcessorsConfig;
import java.util.HashMap;
import java.util.Map;

/** A dispatcher in a process of its own, for tests that kill it: {@code key=value} settings as arguments. */
public final class DispatcherProcess {

    private DispatcherProcess() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> settings = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            settings.put(a.substring(0, eq), a.substring(eq + 1));
        }
        DispatcherService service = DispatcherService.start(new ProcessorsConfig(settings), null);
        service.join();
    }
}
