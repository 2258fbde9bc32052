package org.streamlab.pipelines.sentiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.EnumSet;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.streamlab.pipelines.BadEventReason;
import org.streamlab.pipelines.DeadLetter;
import org.streamlab.pipelines.DeadLetterCounters;
import org.streamlab.pipelines.EventParser;
import org.streamlab.pipelines.RawEvent;

/**
 * JSON review events ({@code eventId}, {@code userId}, {@code text}, {@code eventTime}; {@code productId} optional)
 * into {@link Review}s. Bytes that are not UTF-8, records that are not JSON objects, missing fields and empty texts
 * go to {@link EventParser#DEAD_LETTERS} with their reason, counted; a text longer than {@code maxTextChars} is cut
 * to it and scored (counted as {@link #TRUNCATED_COUNTER}), since the encoder reads only its first tokens anyway.
 */
public final class ReviewParser extends ProcessFunction<RawEvent, Review> {
    /** Accumulator: records parsed into reviews. */
    public static final String PARSED_COUNTER = "reviews.parsed";
    /** Accumulator: reviews whose text was cut to the limit. */
    public static final String TRUNCATED_COUNTER = "reviews.truncated";

    private final int maxTextChars;
    private transient ObjectMapper json;
    private transient DeadLetterCounters deadLetters;
    private transient LongCounter parsed;
    private transient LongCounter truncated;

    public ReviewParser(int maxTextChars) {
        if (maxTextChars < 1) {
            throw new IllegalArgumentException("maxTextChars must be at least 1, got " + maxTextChars);
        }
        this.maxTextChars = maxTextChars;
    }

    @Override
    public void open(OpenContext openContext) {
        json = new ObjectMapper();
        deadLetters = new DeadLetterCounters(getRuntimeContext(), EnumSet.of(BadEventReason.INVALID_ENCODING,
                BadEventReason.MALFORMED_JSON, BadEventReason.MISSING_FIELD, BadEventReason.EMPTY_TEXT));
        parsed = getRuntimeContext().getLongCounter(PARSED_COUNTER);
        truncated = getRuntimeContext().getLongCounter(TRUNCATED_COUNTER);
    }

    @Override
    public void processElement(RawEvent raw, Context ctx, Collector<Review> out) {
        Object result = parse(json, raw, maxTextChars);
        if (result instanceof Review r) {
            parsed.add(1);
            if (r.truncated()) {
                truncated.add(1);
            }
            out.collect(r);
        } else {
            ctx.output(EventParser.DEAD_LETTERS, deadLetters.count((DeadLetter) result));
        }
    }

    /** The parsing rules alone: a {@link Review} or a {@link DeadLetter}. */
    static Object parse(ObjectMapper json, RawEvent raw, int maxTextChars) {
        if (!raw.validUtf8()) {
            return DeadLetter.of(BadEventReason.INVALID_ENCODING, "the record's bytes are not valid UTF-8", raw);
        }
        JsonNode n;
        try {
            n = raw.payload().isBlank() ? null : json.readTree(raw.payload());
        } catch (JsonProcessingException e) {
            return DeadLetter.of(BadEventReason.MALFORMED_JSON, "not JSON: " + e.getOriginalMessage(), raw);
        }
        if (n == null || !n.isObject()) {
            return DeadLetter.of(BadEventReason.MALFORMED_JSON, raw.payload().isBlank() ? "empty record" : "not a JSON object", raw);
        }
        for (String field : new String[] {"eventId", "userId"}) {
            JsonNode v = n.get(field);
            if (v == null || !v.isTextual() || v.asText().isBlank()) {
                return DeadLetter.of(BadEventReason.MISSING_FIELD, field + " must be a non-empty string, got: " + v, raw);
            }
        }
        JsonNode text = n.get("text");
        if (text == null || !text.isTextual()) {
            return DeadLetter.of(BadEventReason.MISSING_FIELD, "text must be a string, got: " + text, raw);
        }
        if (text.asText().isBlank()) {
            return DeadLetter.of(BadEventReason.EMPTY_TEXT, "the review's text is empty", raw);
        }
        JsonNode t = n.get("eventTime");
        if (t == null || !t.isIntegralNumber() || !t.canConvertToLong()) {
            return DeadLetter.of(BadEventReason.MISSING_FIELD, "eventTime must be epoch milliseconds (a whole number), got: " + t, raw);
        }
        JsonNode product = n.get("productId");
        String body = text.asText();
        boolean cut = body.length() > maxTextChars;
        if (cut) {
            int end = Character.isHighSurrogate(body.charAt(maxTextChars - 1)) ? maxTextChars - 1 : maxTextChars;
            body = body.substring(0, end);
        }
        return new Review(n.get("eventId").asText(), n.get("userId").asText(),
                product == null || product.isNull() ? null : product.asText(), body, t.asLong(), cut);
    }
}
