package org.streamlab.pipelines;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Seeded clickstream for tests and the benchmark: JSON in the EventGenerator's field names, out of order a little. */
final class TestClicks {
    static final long START = 1_704_067_200_000L; // 2024-01-01T00:00:00Z

    record Click(String eventId, String userId, long eventTime) {
        String json() {
            return "{\"eventId\":\"" + eventId + "\",\"type\":\"PAGE_VIEW\",\"userId\":\"" + userId + "\",\"sessionId\":\"s-" + userId
                    + "\",\"eventTime\":" + eventTime + ",\"ingestTime\":" + eventTime + ",\"late\":false}";
        }
    }

    private TestClicks() {}

    /** {@code n} clicks, arrival every 200 ms from START; most happened 0-200 ms earlier, 5 % up to 5 s, 1 % 30-90 s. */
    static List<Click> generate(long seed, int n, int users) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Click> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long arrival = START + i * 200L;
            double p = random.nextDouble();
            long delay = p < 0.01 ? 30_000 + random.nextLong(60_000) : p < 0.06 ? random.nextLong(5_000) : random.nextLong(200);
            out.add(new Click("e-" + seed + "-" + i, String.format("user-%03d", random.nextInt(users)), arrival - delay));
        }
        return out;
    }

    /** user|windowStart -> count, computed here in plain Java: the ground truth for the job's rows. */
    static Map<String, Long> expectedCounts(List<Click> clicks, long windowMillis) {
        Map<String, Long> out = new TreeMap<>();
        for (Click c : clicks) {
            out.merge(WindowTable.key(c.userId(), c.eventTime() - Math.floorMod(c.eventTime(), windowMillis)), 1L, Long::sum);
        }
        return out;
    }
}
