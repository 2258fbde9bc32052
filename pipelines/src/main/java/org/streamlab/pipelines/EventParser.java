package org.streamlab.pipelines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.EnumSet;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses JSON clickstream records into {@link ClickEvent}s. A record that cannot be used is never dropped and
 * never fails the job: it goes to the side output {@link #DEAD_LETTERS} with its reason, counted as a metric and an
 * accumulator ({@link DeadLetterCounters}).
 */
public class EventParser extends ProcessFunction<RawEvent, ClickEvent> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
    /** Accumulator: records parsed into events. */
    public static final String PARSED_COUNTER = "events.parsed";

    private final long futureHorizonMillis;
    private transient ObjectMapper json;
    private transient DeadLetterCounters deadLetters;
    private transient LongCounter parsed;

    /** @param futureHorizon how far ahead of this machine's clock an eventTime may be before it is rejected */
    public EventParser(Duration futureHorizon) {
        this.futureHorizonMillis = futureHorizon.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        json = new ObjectMapper();
        // LATE is counted where lateness is known (after the window); clicks have no text
        deadLetters = new DeadLetterCounters(getRuntimeContext(), EnumSet.of(BadEventReason.INVALID_ENCODING,
                BadEventReason.MALFORMED_JSON, BadEventReason.MISSING_FIELD, BadEventReason.FUTURE_TIMESTAMP));
        parsed = new LongCounter();
        getRuntimeContext().addAccumulator(PARSED_COUNTER, parsed);
    }

    @Override
    public void processElement(RawEvent raw, Context ctx, Collector<ClickEvent> out) {
        Object result = parse(json, raw, System.currentTimeMillis(), futureHorizonMillis);
        if (result instanceof ClickEvent e) {
            parsed.add(1);
            out.collect(e);
        } else {
            ctx.output(DEAD_LETTERS, deadLetters.count((DeadLetter) result));
        }
    }

    /** The parsing rules alone: a {@link ClickEvent} or a {@link DeadLetter}. {@code nowMillis} is the job's clock. */
    static Object parse(ObjectMapper json, RawEvent raw, long nowMillis, long futureHorizonMillis) {
        String payload = raw.payload();
        if (!raw.validUtf8()) {
            return DeadLetter.of(BadEventReason.INVALID_ENCODING, "the record's bytes are not valid UTF-8", raw);
        }
        if (payload == null || payload.isBlank()) {
            return DeadLetter.of(BadEventReason.MALFORMED_JSON, "empty record", raw);
        }
        JsonNode n;
        try {
            n = json.readTree(payload);
        } catch (JsonProcessingException e) {
            return DeadLetter.of(BadEventReason.MALFORMED_JSON, "not JSON: " + e.getOriginalMessage(), raw);
        }
        if (n == null || !n.isObject()) {
            return DeadLetter.of(BadEventReason.MALFORMED_JSON, "not a JSON object", raw);
        }
        for (String field : new String[] {"eventId", "userId", "type"}) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return DeadLetter.of(BadEventReason.MISSING_FIELD, field + " is missing", raw);
            }
            if (!v.isTextual() || v.asText().isBlank()) {
                return DeadLetter.of(BadEventReason.MISSING_FIELD, field + " must be a non-empty string, got: " + v, raw);
            }
        }
        JsonNode t = n.get("eventTime");
        if (t == null || t.isNull()) {
            return DeadLetter.of(BadEventReason.MISSING_FIELD, "eventTime is missing", raw);
        }
        if (!t.canConvertToLong() || !t.isIntegralNumber()) {
            return DeadLetter.of(BadEventReason.MISSING_FIELD, "eventTime must be epoch milliseconds (a whole number), got: " + t, raw);
        }
        long eventTime = t.asLong();
        if (eventTime > nowMillis + futureHorizonMillis) {
            return DeadLetter.of(BadEventReason.FUTURE_TIMESTAMP, "eventTime " + java.time.Instant.ofEpochMilli(eventTime)
                    + " is more than " + Duration.ofMillis(futureHorizonMillis) + " ahead of the job's clock "
                    + java.time.Instant.ofEpochMilli(nowMillis), raw);
        }
        return new ClickEvent(n.get("eventId").asText(), n.get("userId").asText(), n.get("type").asText(), eventTime);
    }
}
