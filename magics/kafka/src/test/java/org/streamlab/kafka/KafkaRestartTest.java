package org.streamlab.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.KernelTestKit;

/** Topics and records live under workspace/kafka and survive a service restart and a kernel restart. */
class KafkaRestartTest {
    @TempDir
    Path workspace;

    @Test
    void topicsAndRecordsSurviveRestarts() {
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            String services = kit.execSuccess("%services").allText();
            assertTrue(services.contains("kafka") && services.contains("stopped"), "kafka started before first use:\n" + services);
            kit.execSuccess("%kafka create kept --partitions 2");
            kit.execSuccess("%%kafka produce kept --key-field id\n{\"id\": 1, \"v\": \"one\"}\n{\"id\": 2, \"v\": \"two\"}\n{\"id\": 3, \"v\": \"three\"}\n");
            // service restart inside one kernel
            kit.execSuccess("%services restart kafka");
            kit.execSuccess("%kafka consume kept --from-beginning --max 3 --timeout 30 --into afterServiceRestart");
            assertEquals(3, ((List<?>) kit.eval("afterServiceRestart")).size());
            kit.execSuccess("%kafka produce kept --key 4 {\"id\": 4, \"v\": \"four\"}");
        }
        assertTrue(Files.isDirectory(workspace.resolve("kafka").resolve("1-broker")), "no data under workspace/kafka");
        // a new kernel on the same workspace: same cluster, same topics, same records
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            String topics = kit.execHtml("%kafka topics");
            assertTrue(topics.contains("<td>kept</td><td>2</td><td>1</td><td>4</td>"), topics);
            kit.execSuccess("%kafka consume kept --from-beginning --max 4 --timeout 30 --into afterKernelRestart");
            @SuppressWarnings("unchecked")
            List<KafkaRecord> rows = (List<KafkaRecord>) kit.eval("afterKernelRestart");
            assertEquals(4, rows.size());
            assertEquals(List.of("1", "2", "3", "4"), rows.stream().map(KafkaRecord::key).sorted().toList());
            assertTrue(rows.stream().anyMatch(r -> r.value().equals("{\"id\": 4, \"v\": \"four\"}")), rows.toString());
        }
    }
}
