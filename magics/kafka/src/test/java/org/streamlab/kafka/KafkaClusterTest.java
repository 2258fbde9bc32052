package org.streamlab.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** The replication lesson: 3 brokers, acks=all, min.insync.replicas=2, lose a broker, lose nothing. */
class KafkaClusterTest {
    @TempDir
    Path workspace;

    private static String body(String from, int n) {
        StringBuilder sb = new StringBuilder("%%kafka produce safe --key-field id\n");
        for (int i = 0; i < n; i++) {
            sb.append("{\"id\": \"").append(from).append('-').append(i).append("\"}\n");
        }
        return sb.toString();
    }

    @Test
    void losingOneBrokerLosesNothing() {
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            kit.execSuccess("%services start kafka --brokers 3");
            String brokers = kit.execHtml("%kafka brokers");
            assertEquals(3, brokers.split("running").length - 1, brokers);
            kit.execSuccess("%kafka create safe --partitions 3 --replication-factor 3 --config min.insync.replicas=2");
            kit.execSuccess(body("before", 300));

            // stop the leader of partition 0
            String describe = kit.execHtml("%kafka describe safe");
            Matcher m = Pattern.compile("<tr><td>0</td><td>(\\d+)</td><td>([\\d,]+)</td><td>([\\d,]+)</td>").matcher(describe);
            assertTrue(m.find(), describe);
            int leader = Integer.parseInt(m.group(1));
            assertEquals(3, m.group(3).split(",").length, "ISR not full before the failure: " + describe);
            String afterStop = kit.execHtml("%kafka stop-broker " + leader);
            assertTrue(afterStop.contains("stopped"), afterStop);

            // acks=all still succeeds with 2 in-sync replicas
            CellOutcome during = kit.execSuccess(body("during", 300));
            assertTrue(during.text().contains("produced 300 records"), during.text());
            String degraded = kit.execHtml("%kafka describe safe");
            Matcher leaders = Pattern.compile("<tr><td>\\d+</td><td>(\\w+)</td><td>[\\d,]+</td><td>([\\d,]+)</td>").matcher(degraded);
            while (leaders.find()) {
                assertTrue(!leaders.group(1).equals(String.valueOf(leader)), "stopped broker still leads: " + degraded);
                assertTrue(!List.of(leaders.group(2).split(",")).contains(String.valueOf(leader)), "stopped broker still in ISR: " + degraded);
            }

            kit.execSuccess("%kafka consume safe --from-beginning --max 600 --timeout 60 --into all");
            @SuppressWarnings("unchecked")
            List<KafkaRecord> all = (List<KafkaRecord>) kit.eval("all");
            Set<String> keys = new HashSet<>();
            all.forEach(r -> keys.add(r.key()));
            assertEquals(600, all.size());
            assertEquals(600, keys.size(), "duplicates or losses");

            // a second broker down: ISR 1 < min.insync.replicas 2, so acks=all refuses to write
            int second = leader == 1 ? 2 : 1;
            kit.execSuccess("%kafka stop-broker " + second);
            CellOutcome refused = kit.execError("%kafka produce safe --key x refused");
            assertTrue(refused.errorMessage().toLowerCase().contains("in-sync replicas")
                    || refused.errorMessage().toLowerCase().contains("not enough"), refused.errorMessage());
            // and the topic can still be inspected with one broker left
            String oneLeft = kit.execHtml("%kafka describe safe");
            int survivor = 6 - leader - second;
            assertTrue(oneLeft.contains("<td>" + survivor + "</td><td>1,2,3</td><td>" + survivor + "</td>"), oneLeft);

            // both come back and catch up
            kit.execSuccess("%kafka start-broker " + second);
            String back = kit.execHtml("%kafka start-broker " + leader);
            assertEquals(3, back.split("running").length - 1, back);
            kit.execSuccess("%kafka produce safe --key y accepted");
            assertTrue(kit.execSuccess("%kafka consume safe --from-beginning --max 601 --timeout 60").text().contains("601 records"));
        }
    }
}
