package org.streamlab.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The parsing rules, in-process: every bad record gets a reason, nothing throws. */
class EventParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_800_000_000_000L;
    private static final long HORIZON = 3_600_000L;

    private static Object parse(String payload) {
        return EventParser.parse(JSON, new RawEvent("clicks", 2, 41, payload), NOW, HORIZON);
    }

    private static DeadLetter dead(String payload, BadEventReason reason) {
        DeadLetter d = assertInstanceOf(DeadLetter.class, parse(payload), payload);
        assertEquals(reason, d.reason(), d.detail());
        assertEquals(payload, d.payload(), "the original payload is kept");
        assertEquals("clicks-2@41", d.source());
        return d;
    }

    @Test
    void goodEventBecomesClickEvent() {
        Object o = parse("{\"eventId\":\"e1\",\"userId\":\"u1\",\"type\":\"PURCHASE\",\"eventTime\":" + NOW + ",\"extra\":1}");
        assertEquals(new ClickEvent("e1", "u1", "PURCHASE", NOW), o);
    }

    @Test
    void eachBadRecordHasItsReason() {
        dead("", BadEventReason.MALFORMED_JSON);
        dead("not json", BadEventReason.MALFORMED_JSON);
        dead("{\"eventId\":\"e1\",", BadEventReason.MALFORMED_JSON);
        dead("[1,2]", BadEventReason.MALFORMED_JSON);
        assertTrue(dead("{\"eventId\":\"e1\",\"type\":\"X\",\"eventTime\":1}", BadEventReason.MISSING_FIELD).detail().contains("userId"));
        dead("{\"eventId\":\"e1\",\"userId\":\"\",\"type\":\"X\",\"eventTime\":1}", BadEventReason.MISSING_FIELD);
        assertTrue(dead("{\"eventId\":\"e1\",\"userId\":\"u\",\"type\":\"X\",\"eventTime\":\"yesterday\"}", BadEventReason.MISSING_FIELD)
                .detail().contains("eventTime"));
        dead("{\"eventId\":\"e1\",\"userId\":\"u\",\"type\":\"X\",\"eventTime\":1.5}", BadEventReason.MISSING_FIELD);
        assertTrue(dead("{\"eventId\":\"e1\",\"userId\":\"u\",\"type\":\"X\",\"eventTime\":" + (NOW + HORIZON + 1) + "}",
                BadEventReason.FUTURE_TIMESTAMP).detail().contains("ahead"));
        // exactly at the horizon is still accepted
        assertInstanceOf(ClickEvent.class, parse("{\"eventId\":\"e1\",\"userId\":\"u\",\"type\":\"X\",\"eventTime\":" + (NOW + HORIZON) + "}"));
    }

    @Test
    void deadLetterJsonRoundTrips() {
        DeadLetter d = new DeadLetter(BadEventReason.MISSING_FIELD, "userId is missing", "{\"a\":\"tab\\there\"}", "t-0@1");
        assertEquals(d, DeadLetter.fromJson(d.toJson()));
    }
}
