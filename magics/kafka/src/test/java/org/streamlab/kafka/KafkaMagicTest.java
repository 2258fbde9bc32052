package org.streamlab.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** The %kafka magics against the real embedded broker, through the kernel test kit. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaMagicTest {
    private Path workspace;
    private KernelTestKit kit;

    @BeforeAll
    void start() throws Exception {
        workspace = Files.createTempDirectory("kafka-magic-test");
        kit = KernelTestKit.start(workspace);
    }

    @AfterAll
    void stop() {
        if (kit != null) {
            kit.close();
        }
    }

    @SuppressWarnings("unchecked")
    private List<KafkaRecord> records(String variable) {
        return (List<KafkaRecord>) kit.eval(variable);
    }

    @Test
    void sameKeySamePartitionAndOrderPerKey() {
        kit.execSuccess("%kafka create orders --partitions 3");
        String describe = kit.execHtml("%kafka describe orders");
        assertTrue(describe.contains("3 partitions"), describe);
        StringBuilder body = new StringBuilder("%%kafka produce orders --key-field user\n");
        for (int i = 0; i < 60; i++) {
            body.append("{\"user\": \"u").append(i % 6).append("\", \"seq\": ").append(i).append("}\n");
        }
        CellOutcome produced = kit.execSuccess(body.toString());
        assertTrue(produced.text().contains("produced 60 records"), produced.text());
        kit.execSuccess("%kafka consume orders --from-beginning --max 60 --timeout 30 --into rows");
        List<KafkaRecord> rows = records("rows");
        assertEquals(60, rows.size());
        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<String, List<Integer>> seqOfKey = new HashMap<>();
        for (KafkaRecord r : rows) {
            assertEquals("orders", r.topic());
            Integer before = partitionOfKey.putIfAbsent(r.key(), r.partition());
            if (before != null) {
                assertEquals(before, r.partition(), "key " + r.key() + " moved partition");
            }
            int seq = Integer.parseInt(r.value().replaceAll(".*\"seq\": (\\d+).*", "$1"));
            seqOfKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(seq);
        }
        assertEquals(6, partitionOfKey.size());
        assertTrue(partitionOfKey.values().stream().distinct().count() > 1, "6 keys all landed in one partition: " + partitionOfKey);
        // within a partition records come in offset order, so per key the sequence must be increasing
        for (Map.Entry<String, List<Integer>> e : seqOfKey.entrySet()) {
            List<Integer> seqs = e.getValue();
            assertEquals(10, seqs.size(), e.getKey());
            for (int i = 1; i < seqs.size(); i++) {
                assertTrue(seqs.get(i - 1) < seqs.get(i), "order broken for key " + e.getKey() + ": " + seqs);
            }
        }
        // the notebook variable is a real List<KafkaRecord>
        assertEquals(60, ((Number) kit.eval("rows.size()")).intValue());
        assertEquals(rows.get(0).value(), kit.eval("rows.get(0).value()"));
        assertEquals(60L, kit.eval("java.util.List<org.streamlab.kafka.KafkaRecord> typed = rows; typed.stream().filter(r -> r.partition() >= 0).count()"));
        // showing the variable renders it as a record table
        String shown = kit.execHtml("rows");
        assertTrue(shown.contains("<th>partition</th>") && shown.contains("60 rows"), shown);
        String topics = kit.execHtml("%kafka topics");
        assertTrue(topics.contains("<td>orders</td><td>3</td><td>1</td><td>60</td>"), topics);
    }

    @Test
    void deleteIfPresentGivesASecondRunTheSameEmptyTopicAndNoOffsets() {
        kit.execSuccess("%kafka create rerun --partitions 2");
        kit.execSuccess("%kafka produce rerun --key k one");
        kit.execSuccess("%kafka consume rerun --group rerun-reader --from-beginning --max 1 --timeout 20");
        assertTrue(kit.execHtml("%kafka groups").contains("rerun-reader"));

        assertEquals(List.of("rerun"), kit.eval("org.streamlab.kafka.Kafka.deleteTopicsIfPresent(\"rerun\", \"never-made\")"));
        assertEquals(List.of("rerun-reader"), kit.eval("org.streamlab.kafka.Kafka.deleteGroupsIfPresent(\"rerun-reader\", \"no-group\")"));
        // at once: the name is free again, and the new topic is empty
        kit.execSuccess("%kafka create rerun --partitions 2");
        kit.execSuccess("%kafka consume rerun --from-beginning --max 1 --timeout 2 --into none");
        assertEquals(0, records("none").size());
        assertFalse(kit.execHtml("%kafka groups").contains("rerun-reader"));
        assertEquals(List.of(), kit.eval("org.streamlab.kafka.Kafka.deleteTopicsIfPresent(\"never-made\")"));
    }

    @Test
    void lineProduceKeepsValueVerbatimAndKey() {
        kit.execSuccess("%kafka create verbatim");
        CellOutcome p = kit.execSuccess("%kafka produce verbatim --key \"user 7\" {\"name\": \"a b\",  \"n\": 1}");
        assertTrue(p.html().contains("user 7"), p.html());
        kit.execSuccess("%kafka consume verbatim --from-beginning --max 1 --timeout 20 --into one");
        List<KafkaRecord> one = records("one");
        assertEquals(1, one.size());
        assertEquals("user 7", one.get(0).key());
        assertEquals("{\"name\": \"a b\",  \"n\": 1}", one.get(0).value());
    }

    @Test
    void consumeShowsLiveTableWhileRecordsArrive() throws Exception {
        kit.execSuccess("%kafka create live --partitions 2");
        Thread producer = new Thread(() -> {
            try {
                Thread.sleep(1500);
                try (var p = Kafka.producer()) {
                    for (int i = 0; i < 30; i++) {
                        p.send(new org.apache.kafka.clients.producer.ProducerRecord<>("live", "k" + (i % 3), "v" + i));
                        Thread.sleep(40);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        CellOutcome c = kit.execSuccess("%kafka consume live --max 30 --timeout 60");
        producer.join();
        assertFalse(c.displays().isEmpty(), "no live display");
        assertTrue(c.updateCount() >= 1, "the live display was never updated");
        String table = c.html();
        assertNotNull(table);
        assertTrue(table.contains("30 records from live"), table);
        assertTrue(table.contains("<td>v29</td>"), table);
        DisplayData last = c.latestDisplays().get(0);
        assertTrue(String.valueOf(last.getData(MIMEType.TEXT_PLAIN)).contains("consumed 30 records"), String.valueOf(last.getData(MIMEType.TEXT_PLAIN)));
    }

    @Test
    void interruptEndsConsumeAndKeepsWhatWasRead() {
        kit.execSuccess("%kafka create quiet");
        kit.execSuccess("%kafka produce quiet hello");
        long t0 = System.nanoTime();
        CellOutcome c = kit.execInterrupted("%kafka consume quiet --from-beginning --timeout 120 --into got", Duration.ofSeconds(3));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(seconds < 60, "interrupt did not stop the consumer (" + seconds + " s)");
        assertTrue(c.allText().toLowerCase().contains("interrupt"), c.toString());
        // the kernel is still usable afterwards
        kit.execSuccess("int afterInterrupt = 1;");
    }

    @Test
    void compactedTopicKeepsLastValuePerKey() throws Exception {
        kit.execSuccess("%kafka create prices --compact --config segment.ms=100 --config min.cleanable.dirty.ratio=0.01"
                + " --config delete.retention.ms=100 --config min.compaction.lag.ms=0");
        String describe = kit.execHtml("%kafka describe prices");
        assertTrue(describe.contains("cleanup.policy=compact"), describe);
        for (int round = 0; round < 5; round++) {
            StringBuilder body = new StringBuilder("%%kafka produce prices --key-field sku\n");
            for (int sku = 0; sku < 4; sku++) {
                body.append("{\"sku\": \"s").append(sku).append("\", \"price\": ").append(round * 10 + sku).append("}\n");
            }
            kit.execSuccess(body.toString());
            Thread.sleep(200); // let segments roll (segment.ms=100) so older ones become cleanable
        }
        // Compaction runs in the background: wait until a reader from the beginning sees one record per key.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        List<KafkaRecord> rows = List.of();
        while (System.nanoTime() < deadline) {
            // a record with a new timestamp rolls the active segment, so the last values become cleanable too
            kit.execSuccess("%kafka produce prices --key tick " + System.nanoTime());
            kit.execSuccess("%kafka consume prices --from-beginning --max 1000 --timeout 2 --into compacted");
            rows = records("compacted");
            long skus = rows.stream().filter(r -> r.key().startsWith("s")).count();
            if (skus == 4) {
                break;
            }
            Thread.sleep(1000);
        }
        Map<String, String> last = new HashMap<>();
        for (KafkaRecord r : rows) {
            if (r.key().startsWith("s")) {
                assertTrue(last.put(r.key(), r.value()) == null, "key " + r.key() + " still appears twice after compaction: " + rows);
            }
        }
        assertEquals(4, last.size(), "compaction did not leave one record per key: " + rows);
        for (int sku = 0; sku < 4; sku++) {
            assertEquals("{\"sku\": \"s" + sku + "\", \"price\": " + (40 + sku) + "}", last.get("s" + sku));
        }
    }

    @Test
    void groupsAndLag() {
        kit.execSuccess("%kafka create lagging --partitions 2");
        StringBuilder body = new StringBuilder("%%kafka produce lagging\n");
        for (int i = 0; i < 10; i++) {
            body.append("line ").append(i).append('\n');
        }
        kit.execSuccess(body.toString());
        kit.execSuccess("%kafka consume lagging --group readers --from-beginning --max 4 --timeout 30");
        String groups = kit.execHtml("%kafka groups");
        assertTrue(groups.contains("readers"), groups);
        String lag = kit.execHtml("%kafka lag readers");
        assertTrue(lag.contains("total lag 6"), lag);
        kit.execSuccess("%kafka consume lagging --group readers --max 6 --timeout 30");
        assertTrue(kit.execHtml("%kafka lag readers").contains("total lag 0"));
    }

    @Test
    void largeCellShowsProgressAndCounts() {
        kit.execSuccess("%kafka create bulk --partitions 2");
        StringBuilder body = new StringBuilder("%%kafka produce bulk\n");
        for (int i = 0; i < 200_000; i++) {
            body.append("record number ").append(i).append(" with some padding to make it longer\n");
        }
        CellOutcome c = kit.execSuccess(body.toString());
        assertTrue(c.text().contains("produced 200000 records"), c.text());
        String html = c.html();
        long total = 0;
        var m = java.util.regex.Pattern.compile("<tr><td>(\\d+)</td><td>(\\d+)</td>").matcher(html);
        while (m.find()) {
            total += Long.parseLong(m.group(2));
        }
        assertEquals(200_000, total, html);
        // 200k records take well over the 250 ms refresh period: a progress line was shown and updated in place
        assertFalse(c.displays().isEmpty(), "no progress display for a large cell");
        String first = String.valueOf(c.displays().get(0).getData(MIMEType.TEXT_PLAIN));
        assertTrue(first.startsWith("producing to bulk: "), first);
        String progress = String.valueOf(c.latestDisplays().get(0).getData(MIMEType.TEXT_PLAIN));
        assertTrue(progress.contains("200,000 / 200,000 records produced"), progress);
        assertTrue(kit.execHtml("%kafka describe bulk").contains("<td>0</td><td>1</td><td>1</td><td>1</td><td>0</td>"));
    }

    @Test
    void interruptStopsALargeProduceAndReportsWhatWasSent() {
        kit.execSuccess("%kafka create stopped");
        StringBuilder body = new StringBuilder("%%kafka produce stopped\n");
        for (int i = 0; i < 1_000_000; i++) {
            body.append("r").append(i).append('\n');
        }
        CellOutcome c = kit.execInterrupted(body.toString(), Duration.ofMillis(400));
        String all = c.allText();
        var m = java.util.regex.Pattern.compile("interrupted: produced (\\d+) records").matcher(all);
        assertTrue(m.find(), all);
        long produced = Long.parseLong(m.group(1));
        assertTrue(produced < 1_000_000, all);
        // what the summary says was produced is what the topic holds
        String describe = kit.execHtml("%kafka describe stopped");
        assertTrue(describe.contains("<td>0</td><td>" + produced + "</td></tr>"), "summary " + produced + " vs topic:\n" + describe);
    }

    @Test
    void deleteRemovesTopic() {
        kit.execSuccess("%kafka create doomed");
        assertTrue(kit.execSuccess("%kafka delete doomed").allText().contains("deleted topic 'doomed'"));
        CellOutcome again = kit.execError("%kafka describe doomed");
        assertTrue(again.errorMessage().contains("topic 'doomed' does not exist"), again.errorMessage());
    }

    @Test
    void badInputGivesOneClearErrorAndKeepsState() {
        kit.execSuccess("int keep = 42;");
        assertError("%kafka", "missing subcommand");
        assertError("%kafka frobnicate", "unknown subcommand 'frobnicate'");
        assertError("%kafka create", "missing TOPIC");
        assertError("%kafka create x --partitions zero", "--partitions expects a whole number");
        assertError("%kafka create x --partitions 0", "--partitions must be at least 1");
        assertError("%kafka create x --config nonsense", "--config expects key=value");
        assertError("%kafka create x --colour red", "unknown option --colour");
        assertError("%kafka create bad/name", "bad/name");
        assertError("%kafka create rf --replication-factor 3", "replication factor");
        assertError("%kafka consume", "missing TOPIC");
        assertError("%kafka consume nowhere --max 1", "topic 'nowhere' does not exist");
        assertError("%kafka describe nowhere", "topic 'nowhere' does not exist");
        assertError("%kafka delete nowhere", "topic 'nowhere' does not exist");
        assertError("%kafka consume nowhere --max -3", "--max must be at least 1");
        assertError("%kafka consume nowhere --timeout soon", "--timeout expects a number");
        assertError("%kafka consume nowhere --into 1abc", "--into needs a Java variable name");
        assertError("%kafka produce", "missing TOPIC");
        assertError("%kafka produce orders", "missing VALUE");
        assertError("%kafka produce orders --partition 2 x", "unknown option --partition");
        assertError("%kafka lag", "missing GROUP");
        assertError("%kafka lag nobody", "no consumer group 'nobody'");
        assertError("%kafka stop-broker 1", "single broker");
        assertError("%%kafka consume orders\nx", "only produce");
        assertError("%%kafka produce\nx", "missing TOPIC");
        assertError("%%kafka produce orders --key-field id\nnot json", "line 1 is not JSON");
        assertError("%%kafka produce orders --key-field id\n{\"other\": 1}", "has no field 'id'");
        kit.execSuccess("%kafka create dup");
        assertError("%kafka create dup", "topic 'dup' already exists");
        assertEquals(42, ((Number) kit.eval("keep")).intValue());
    }

    private void assertError(String cell, String expected) {
        CellOutcome o = kit.execError(cell);
        String message = o.errorMessage();
        assertTrue(message.contains(expected), "for " + cell + ": expected '" + expected + "' in:\n" + message);
        assertFalse(message.contains("\tat "), "stack trace shown for " + cell + ":\n" + message);
    }

    @Test
    void helpDescribesEverySubcommand() {
        String help = kit.execSuccess("%help kafka").allText();
        for (String s : List.of("topics", "create", "describe", "delete", "produce", "consume", "groups", "lag",
                "--key-field", "--from-beginning", "--into", "--compact", "--replication-factor", "Kafka.producer")) {
            assertTrue(help.contains(s), "usage lacks " + s + ":\n" + help);
        }
    }

    @Test
    void facadeGivesWorkingClients() {
        kit.execSuccess("%kafka create facade");
        kit.execSuccess("""
                import org.apache.kafka.clients.producer.ProducerRecord;
                try (var p = org.streamlab.kafka.Kafka.producer()) {
                    p.send(new ProducerRecord<>("facade", "k", "from java")).get();
                }
                """);
        Object value = kit.eval("""
                String got;
                try (var c = org.streamlab.kafka.Kafka.consumer("facade-group")) {
                    c.subscribe(java.util.List.of("facade"));
                    String v = null;
                    long end = System.currentTimeMillis() + 30000;
                    while (v == null && System.currentTimeMillis() < end) {
                        for (var r : c.poll(java.time.Duration.ofMillis(200))) { v = r.value(); }
                    }
                    got = v;
                }
                got
                """);
        assertEquals("from java", value);
        assertTrue(String.valueOf(kit.eval("org.streamlab.kafka.Kafka.bootstrapServers()")).startsWith("127.0.0.1:"));
    }
}
