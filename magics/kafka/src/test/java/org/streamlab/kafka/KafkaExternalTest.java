package org.streamlab.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** External mode: KAFKA_BOOTSTRAP_SERVERS pointing at a broker in another JVM, or at nothing. */
class KafkaExternalTest {
    @TempDir
    Path dir;

    @Test
    void usesTheConfiguredBrokerAndSaysSoWhenItGoesAway() throws Exception {
        Path brokerData = Files.createDirectories(dir.resolve("external-broker"));
        Path workspace = Files.createDirectories(dir.resolve("workspace"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), ExternalBrokerMain.class.getName(), brokerData.toString());
        pb.redirectError(dir.resolve("broker.err").toFile());
        Process broker = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
            String bootstrap = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("BOOTSTRAP=")) {
                            return line.substring("BOOTSTRAP=".length());
                        }
                    }
                    return null;
                } catch (Exception e) {
                    return null;
                }
            }).get(120, TimeUnit.SECONDS);
            assertTrue(bootstrap != null && bootstrap.startsWith("127.0.0.1:"), "external broker did not start: "
                    + Files.readString(dir.resolve("broker.err")));

            try (KernelTestKit kit = KernelTestKit.start(workspace, Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap))) {
                kit.execSuccess("%kafka create outside --partitions 2");
                kit.execSuccess("%kafka produce outside --key a hello from the notebook");
                String services = kit.execSuccess("%services").allText();
                assertTrue(services.contains("external") && services.contains(bootstrap), services);
                assertEquals(bootstrap, kit.eval("org.streamlab.kafka.Kafka.bootstrapServers()"));
                kit.execSuccess("%kafka consume outside --from-beginning --max 1 --timeout 30 --into got");
                @SuppressWarnings("unchecked")
                List<KafkaRecord> got = (List<KafkaRecord>) kit.eval("got");
                assertEquals("hello from the notebook", got.get(0).value());
                // the data went to the other process, not to an embedded broker of this kernel
                assertFalse(Files.exists(workspace.resolve("kafka").resolve("1-broker")), "an embedded broker was started");
                assertTrue(Files.list(brokerData.resolve("1-broker").resolve("broker-1"))
                        .anyMatch(p -> p.getFileName().toString().startsWith("outside-")), "topic not in the external broker's folder");
                CellOutcome noBrokers = kit.execError("%kafka stop-broker 1");
                assertTrue(noBrokers.errorMessage().contains("external mode"), noBrokers.errorMessage());

                // the broker goes away: one clear error naming the address, and the kernel keeps its state
                kit.execSuccess("int stillHere = 7;");
                broker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                CellOutcome down = kit.execError("%kafka topics");
                assertTrue(down.errorMessage().contains(bootstrap) && down.errorMessage().contains("did not answer"), down.errorMessage());
                assertFalse(down.errorMessage().contains("\tat "), down.errorMessage());
                assertEquals(7, ((Number) kit.eval("stillHere")).intValue());
            }
        } finally {
            broker.destroyForcibly();
        }
    }

    @Test
    void anAddressThatDoesNotAnswerGivesAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String address = "127.0.0.1:" + port;
        Path workspace = Files.createDirectories(dir.resolve("ws-unreachable"));
        try (KernelTestKit kit = KernelTestKit.start(workspace, Map.of("KAFKA_BOOTSTRAP_SERVERS", address))) {
            long t0 = System.nanoTime();
            CellOutcome o = kit.execError("%kafka topics");
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            String msg = o.errorMessage();
            assertTrue(msg.contains(address) && msg.contains("did not answer"), msg);
            assertTrue(msg.contains("KAFKA_BOOTSTRAP_SERVERS"), "does not say how to configure: " + msg);
            assertFalse(msg.contains("\tat "), msg);
            assertTrue(seconds < 30, "took " + seconds + " s to report an unreachable address");
            // asking again fails the same way (no half-started state)
            assertTrue(kit.execError("%kafka consume x").errorMessage().contains(address));
            assertFalse(Files.exists(workspace.resolve("kafka").resolve("1-broker")), "fell back to an embedded broker");
        }
    }
}
