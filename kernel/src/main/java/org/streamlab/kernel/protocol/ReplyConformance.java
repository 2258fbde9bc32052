package org.streamlab.kernel.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * Completes a reply's content with the fields the Jupyter messaging spec (5.3) requires where jjava-jupyter's
 * reply classes leave them out: "status" on every reply (history, comm_info, shutdown, interrupt and kernel_info
 * replies have none), "metadata" on complete_reply, "data"/"metadata" on inspect_reply, "indent" on an
 * incomplete is_complete_reply, and ename/evalue/traceback on an error reply. Fields already present are kept.
 */
public final class ReplyConformance {
    private ReplyConformance() {
    }

    /** Whether {@code msgType} is a reply whose content this class completes. */
    public static boolean isReply(String msgType) {
        return msgType != null && msgType.endsWith("_reply");
    }

    /** The content to send for a reply of type {@code msgType}; {@code content} is changed in place. */
    public static JsonObject conform(String msgType, JsonObject content) {
        if (!isReply(msgType)) {
            return content;
        }
        if ("is_complete_reply".equals(msgType)) {
            // here "status" is the completeness of the code, not ok/error
            if (!content.has("status")) {
                content.addProperty("status", "unknown");
            }
            if ("incomplete".equals(str(content, "status")) && !content.has("indent")) {
                content.addProperty("indent", "");
            }
            return content;
        }
        if (!content.has("status") || content.get("status").isJsonNull()) {
            content.addProperty("status", "ok");
        }
        String status = str(content, "status");
        if ("error".equals(status)) {
            defaultTo(content, "ename", new JsonPrimitive("Error"));
            defaultTo(content, "evalue", new JsonPrimitive(""));
            defaultTo(content, "traceback", new JsonArray());
            return content;
        }
        if (!"ok".equals(status)) {
            return content; // abort
        }
        switch (msgType) {
            case "complete_reply" -> {
                defaultTo(content, "matches", new JsonArray());
                defaultTo(content, "metadata", new JsonObject());
                if (!content.has("cursor_start") || !content.has("cursor_end")) {
                    defaultTo(content, "cursor_start", new JsonPrimitive(0));
                    defaultTo(content, "cursor_end", content.get("cursor_start"));
                }
            }
            case "inspect_reply" -> {
                defaultTo(content, "found", new JsonPrimitive(false));
                defaultTo(content, "data", new JsonObject());
                defaultTo(content, "metadata", new JsonObject());
            }
            case "history_reply" -> {
                defaultTo(content, "history", new JsonArray());
                content.add("history", historyTriples(content.getAsJsonArray("history")));
            }
            case "comm_info_reply" -> defaultTo(content, "comms", new JsonObject());
            case "shutdown_reply" -> defaultTo(content, "restart", new JsonPrimitive(false));
            case "execute_reply" -> {
                defaultTo(content, "user_expressions", new JsonObject());
                defaultTo(content, "payload", new JsonArray());
            }
            case "kernel_info_reply" -> {
                defaultTo(content, "help_links", new JsonArray());
                defaultTo(content, "banner", new JsonPrimitive(""));
            }
            default -> {
            }
        }
        return content;
    }

    /**
     * jjava-jupyter serializes history entries as objects; the spec's are (session, line, input) triples, or
     * (session, line, (input, output)) when output was asked for.
     */
    private static JsonArray historyTriples(JsonArray history) {
        JsonArray out = new JsonArray();
        for (JsonElement e : history) {
            if (!e.isJsonObject()) {
                out.add(e);
                continue;
            }
            JsonObject o = e.getAsJsonObject();
            JsonArray triple = new JsonArray();
            triple.add(o.has("session") ? o.get("session") : new JsonPrimitive(1));
            triple.add(o.has("cellNumber") ? o.get("cellNumber") : o.has("line") ? o.get("line") : new JsonPrimitive(0));
            JsonElement input = o.has("input") ? o.get("input") : new JsonPrimitive("");
            if (o.has("output") && !o.get("output").isJsonNull()) {
                JsonArray pair = new JsonArray();
                pair.add(input);
                pair.add(o.get("output"));
                triple.add(pair);
            } else {
                triple.add(input);
            }
            out.add(triple);
        }
        return out;
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    private static void defaultTo(JsonObject o, String key, JsonElement value) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            o.add(key, value);
        }
    }
}
