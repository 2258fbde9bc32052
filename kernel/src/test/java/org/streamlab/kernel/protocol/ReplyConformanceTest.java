package org.streamlab.kernel.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class ReplyConformanceTest {
    private static JsonObject conform(String type, String json) {
        return ReplyConformance.conform(type, JsonParser.parseString(json).getAsJsonObject());
    }

    @Test
    void repliesWithoutStatusGetOk() {
        assertEquals("ok", conform("history_reply", "{\"history\":[]}").get("status").getAsString());
        assertEquals("ok", conform("interrupt_reply", "{}").get("status").getAsString());
        JsonObject comm = conform("comm_info_reply", "{}");
        assertEquals("ok", comm.get("status").getAsString());
        assertTrue(comm.get("comms").isJsonObject());
        JsonObject shutdown = conform("shutdown_reply", "{\"restart\":true}");
        assertEquals("ok", shutdown.get("status").getAsString());
        assertTrue(shutdown.get("restart").getAsBoolean());
    }

    @Test
    void completeAndInspectGetTheirObjects() {
        JsonObject c = conform("complete_reply", "{\"status\":\"ok\",\"matches\":[\"a\"],\"cursor_start\":1,\"cursor_end\":2}");
        assertTrue(c.get("metadata").isJsonObject());
        assertEquals(1, c.get("cursor_start").getAsInt());
        JsonObject i = conform("inspect_reply", "{\"status\":\"ok\",\"found\":false}");
        assertTrue(i.get("data").isJsonObject());
        assertTrue(i.get("metadata").isJsonObject());
        assertFalse(i.get("found").getAsBoolean());
    }

    @Test
    void incompleteCodeGetsAnIndentAndCompletenessIsNotRewritten() {
        assertEquals("", conform("is_complete_reply", "{\"status\":\"incomplete\"}").get("indent").getAsString());
        JsonObject complete = conform("is_complete_reply", "{\"status\":\"complete\"}");
        assertEquals("complete", complete.get("status").getAsString());
        assertFalse(complete.has("indent"));
    }

    @Test
    void errorRepliesKeepTheirStatusAndGetTheErrorFields() {
        JsonObject e = conform("execute_reply", "{\"status\":\"error\",\"ename\":\"X\"}");
        assertEquals("error", e.get("status").getAsString());
        assertEquals("X", e.get("ename").getAsString());
        assertTrue(e.get("traceback").isJsonArray());
        assertEquals("", e.get("evalue").getAsString());
    }

    @Test
    void historyEntriesBecomeTriples() {
        JsonObject h = conform("history_reply", "{\"history\":[{\"session\":1,\"cellNumber\":2,\"input\":\"1 + 1\"},"
                + "{\"session\":1,\"cellNumber\":3,\"input\":\"x\",\"output\":\"42\"}]}");
        assertEquals("[[1,2,\"1 + 1\"],[1,3,[\"x\",\"42\"]]]", h.get("history").toString());
    }

    @Test
    void otherMessagesAreLeftAlone() {
        assertFalse(conform("stream", "{\"name\":\"stdout\"}").has("status"));
    }
}
