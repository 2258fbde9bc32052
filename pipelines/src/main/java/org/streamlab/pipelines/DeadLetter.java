package org.streamlab.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A record that could not be used, with the reason, a readable detail and the original payload untouched, so it
 * can be inspected, fixed and replayed. {@code source} is {@code topic-partition@offset} of the input record.
 * On the dead-letter topic it is one JSON object per record, keyed by the reason.
 */
public record DeadLetter(BadEventReason reason, String detail, String payload, String source) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A dead letter for {@code raw}, its source named {@code topic-partition@offset}. */
    public static DeadLetter of(BadEventReason reason, String detail, RawEvent raw) {
        return new DeadLetter(reason, detail, raw.payload(), raw.topic() + "-" + raw.partition() + "@" + raw.offset());
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", reason.name());
        n.put("detail", detail);
        n.put("source", source);
        n.put("payload", payload);
        return n.toString();
    }

    /** Reads a record of the dead-letter topic back. */
    public static DeadLetter fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new DeadLetter(BadEventReason.valueOf(n.get("reason").asText()), n.path("detail").asText(null),
                    n.path("payload").asText(null), n.path("source").asText(null));
        } catch (IOException e) {
            throw new UncheckedIOException("not a dead letter: " + json, e);
        }
    }
}
