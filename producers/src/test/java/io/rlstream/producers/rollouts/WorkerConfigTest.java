package io.rlstream.producers.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.producers.rendering.ChatTemplateUse;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    @Test
    void chatSettingsDefaultToTheTemplateOnlyForMessagesAndTheTemplatesOwnThinking() {
        WorkerConfig c = new WorkerConfig(Map.of());
        assertEquals(ChatTemplateUse.AUTO, c.chatTemplateUse());
        assertNull(c.enableThinking());
    }

    @Test
    void chatSettingsAreReadAndBadValuesNamed() {
        WorkerConfig c = new WorkerConfig(Map.of(WorkerConfig.CHAT_TEMPLATE, "always", WorkerConfig.ENABLE_THINKING, "false"));
        assertEquals(ChatTemplateUse.ALWAYS, c.chatTemplateUse());
        assertEquals(Boolean.FALSE, c.enableThinking());
        assertEquals(Boolean.TRUE, new WorkerConfig(Map.of(WorkerConfig.ENABLE_THINKING, "true")).enableThinking());
        assertEquals(ChatTemplateUse.NEVER, new WorkerConfig(Map.of(WorkerConfig.CHAT_TEMPLATE, "never")).chatTemplateUse());
        ConfigException e = assertThrows(ConfigException.class,
                () -> new WorkerConfig(Map.of(WorkerConfig.CHAT_TEMPLATE, "sometimes")));
        assertTrue(e.getMessage().contains("generate.chat-template") && e.getMessage().contains("auto, always, never"),
                e.getMessage());
        assertThrows(ConfigException.class, () -> new WorkerConfig(Map.of(WorkerConfig.ENABLE_THINKING, "yes")));
    }
}
