package org.streamlab.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.streamlab.kafka.KafkaRecord;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.DockerComposeContainer;

/**
 * The kernel's external modes against separate containers (docker/external/compose.yml): a 3-node KRaft Kafka,
 * a Flink jobmanager + taskmanager, a Spark master + worker and a ClickHouse server, all from the local image
 * streamlab-ext-services that build.sh makes from distribution/target/streamlab/lib. Testcontainers runs the
 * compose file (the local docker-compose binary) on free ports and removes it afterwards.
 * <pre>mvn -B -o -Pcompose -pl docker/external -am verify -Dtest=ComposeExternalModeTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Each test is the external-mode assertions of the module's own test (KafkaExternalTest, FlinkExternalTest,
 * SparkExternalModeTest, ClickHouseServiceTest) with the engine in a container instead of a child process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeExternalModeTest {
    private static final Path MODULE = Path.of(System.getProperty("user.dir"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, Integer> PORTS = new LinkedHashMap<>();
    private static DockerComposeContainer<?> compose;
    private static Path shared;

    @BeforeAll
    static void startTheContainers() throws Exception {
        assertTrue(DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine answers: run docker/engine.sh (it installs and starts one), or leave out -Pcompose");
        long t0 = System.nanoTime();
        run(MODULE.resolve("build.sh").toString());
        System.out.printf("[compose] image streamlab-ext-services built in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        for (String key : List.of("KAFKA_PORT_1", "KAFKA_PORT_2", "KAFKA_PORT_3", "FLINK_REST_PORT", "SPARK_MASTER_PORT",
                "SPARK_MASTER_WEBUI_PORT", "SPARK_WORKER_WEBUI_PORT", "CLICKHOUSE_HTTP_PORT")) {
            PORTS.put(key, freePort());
        }
        // the Spark worker writes Delta files into the kernel's workspace: it is mounted at the same path
        shared = Files.createTempDirectory("streamlab-ext-");
        Map<String, String> env = new LinkedHashMap<>();
        PORTS.forEach((k, v) -> env.put(k, String.valueOf(v)));
        env.put("STREAMLAB_EXT_SHARED", shared.toString());

        long t1 = System.nanoTime();
        compose = new DockerComposeContainer<>("streamlab-ext", new File(MODULE.resolve("compose.yml").toString()))
                .withLocalCompose(true)
                .withPull(false)
                .withEnv(env);
        compose.start();
        awaitReady("ClickHouse /ping", 120, () -> http(clickhouseUrl() + "/ping").startsWith("Ok"));
        awaitReady("a Flink taskmanager registered", 180, () -> http(flinkUrl() + "/overview").contains("\"taskmanagers\":1"));
        awaitReady("a Spark worker registered", 180, () -> http("http://127.0.0.1:" + PORTS.get("SPARK_MASTER_WEBUI_PORT") + "/json/")
                .replace(" ", "").contains("\"aliveworkers\":1"));
        awaitReady("3 Kafka brokers", 180, () -> {
            try (Admin admin = admin()) {
                return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3;
            }
        });
        System.out.printf("[compose] 8 containers up and ready in %.1f s%n", (System.nanoTime() - t1) / 1e9);
    }

    @AfterAll
    static void stopTheContainers() throws Exception {
        if (compose != null) {
            compose.stop();
        }
        if (shared != null) {
            try (Stream<Path> files = Files.walk(shared)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void kafkaProduceAndConsumeThroughTheBrokersInContainers() throws Exception {
        String bootstrap = bootstrap();
        Path workspace = Files.createDirectories(shared.resolve("ws-kafka"));
        try (KernelTestKit kit = KernelTestKit.start(workspace, Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap))) {
            kit.execSuccess("%kafka create outside --partitions 3");
            kit.execSuccess("%kafka produce outside --key a hello from the notebook");
            String services = kit.execHtml("%services"); // the text table cuts long addresses
            assertTrue(services.contains("<td>kafka</td><td>external</td><td>" + bootstrap), services);
            assertEquals(bootstrap, kit.eval("org.streamlab.kafka.Kafka.bootstrapServers()"));
            kit.execSuccess("%kafka consume outside --from-beginning --max 1 --timeout 60 --into got");
            @SuppressWarnings("unchecked")
            List<KafkaRecord> got = (List<KafkaRecord>) kit.eval("got");
            assertEquals("hello from the notebook", got.get(0).value());
            // the topic lives in the 3-node cluster of the containers (the embedded broker would be one node in this JVM)
            try (Admin admin = admin()) {
                TopicDescription d = admin.describeTopics(List.of("outside")).allTopicNames().get(30, TimeUnit.SECONDS).get("outside");
                assertEquals(3, d.partitions().size());
                long leaders = d.partitions().stream().map(p -> p.leader().id()).distinct().count();
                assertTrue(leaders >= 2, "partitions spread over the brokers: " + d);
            }
            assertFalse(Files.exists(workspace.resolve("kafka").resolve("1-broker")), "an embedded broker was started");
            CellOutcome noBrokers = kit.execError("%kafka stop-broker 1");
            assertTrue(noBrokers.errorMessage().contains("external mode"), noBrokers.errorMessage());
        }
    }

    @Test
    @Order(2)
    void flinkSqlJobRunsOnTheJobmanagerAndTaskmanagerContainers() throws Exception {
        String url = flinkUrl();
        try (KernelTestKit kit = KernelTestKit.start(Files.createDirectories(shared.resolve("ws-flink")), Map.of("FLINK_REST_URL", url))) {
            String services = kit.execSuccess("%services").text();
            assertTrue(services.contains("external") && services.contains(url), services);
            CellOutcome o = kit.execSuccess("""
                    %%flinksql
                    SELECT k, SUM(v) AS total
                    FROM (VALUES ('x', 1), ('y', 5), ('x', 10)) AS t(k, v)
                    GROUP BY k
                    """);
            assertRow(o.text(), "x", "11");
            assertRow(o.text(), "y", "5");
            assertFalse(o.stdout().contains("starting the embedded"), o.stdout());
            Matcher job = Pattern.compile("Flink job ([0-9a-f]{32})").matcher(o.text());
            assertTrue(job.find(), o.text());
            String jobs = kit.execSuccess("%flink jobs").text();
            assertTrue(jobs.contains(job.group(1)) && jobs.contains("FINISHED") && jobs.contains(url), jobs);
            String remote = http(url + "/jobs/" + job.group(1));
            assertTrue(remote.contains("\"state\":\"FINISHED\""), remote);
            // a lambda written in a cell runs in the taskmanager container: the cell classes are shipped with the job
            CellOutcome ds = kit.exec("""
                    var squares = new java.util.ArrayList<Long>();
                    try (var it = org.streamlab.flink.Flink.env().fromSequence(1, 4).map(x -> x * x + 1).executeAndCollect()) {
                        it.forEachRemaining(squares::add);
                    }
                    java.util.Collections.sort(squares);
                    squares.toString()
                    """);
            assertTrue(ds.ok(), ds.toString());
            assertEquals("[2, 5, 10, 17]", String.valueOf(ds.value()));
        }
    }

    @Test
    @Order(3)
    void sparkSqlAndDeltaRunOnTheMasterAndWorkerContainers() throws Exception {
        String url = "spark://127.0.0.1:" + PORTS.get("SPARK_MASTER_PORT");
        Path workspace = Files.createDirectories(shared.resolve("ws-spark"));
        try (KernelTestKit kit = KernelTestKit.start(workspace, Map.of("SPARK_MASTER", url))) {
            String html = kit.execHtml("%%sparksql\nSELECT count(*) AS n, sum(id) AS total FROM range(0, 1000, 1, 4)");
            assertEquals(List.of("1000|499500"), rows(html));
            assertEquals(url, kit.eval("org.streamlab.spark.Spark.session().sparkContext().master()"));
            int executors = (Integer) kit.eval("org.streamlab.spark.Spark.session().sparkContext().statusTracker().getExecutorInfos().length");
            assertTrue(executors >= 2, "driver + at least one executor, got " + executors);
            String master = http("http://127.0.0.1:" + PORTS.get("SPARK_MASTER_WEBUI_PORT") + "/json/");
            assertTrue(master.contains("\"StreamLab\""), "the master in the container runs the kernel's app: " + master);
            String services = kit.execSuccess("%services").text();
            assertTrue(services.contains("external") && services.contains(url), services);
            // Delta through the cluster: the executor in the worker container writes the files, the kernel commits
            kit.execSuccess("%%sparksql\nCREATE TABLE ext_t USING DELTA AS SELECT id FROM range(0, 10)");
            assertEquals(List.of("45"), rows(kit.execHtml("%%sparksql\nSELECT sum(id) FROM ext_t")));
            try (Stream<Path> files = Files.walk(workspace.resolve("spark"))) {
                assertTrue(files.anyMatch(p -> p.toString().contains("ext_t") && p.toString().endsWith(".parquet")),
                        "no parquet file of ext_t in the workspace");
            }
        }
    }

    @Test
    @Order(4)
    void clickhouseQueriesGoToTheServerContainer() throws Exception {
        String url = clickhouseUrl();
        Path workspace = Files.createDirectories(shared.resolve("ws-clickhouse"));
        try (KernelTestKit kit = KernelTestKit.start(workspace, Map.of("CLICKHOUSE_URL", url))) {
            kit.execSuccess("""
                    %%clickhouse
                    CREATE TABLE orders (id UInt32, amount Float64) ENGINE = MergeTree() ORDER BY id;
                    INSERT INTO orders SELECT number, number * 2 FROM system.numbers LIMIT 100
                    """);
            String counted = kit.execHtml("%%clickhouse\nSELECT count() AS n, sum(amount) AS total FROM orders");
            assertEquals(List.of("100|9900"), rows(counted));
            // the rows are on the container's server, read here without the kernel
            assertEquals("100\t9900", http(url + "/?query=" + URLEncoder.encode("SELECT count(), sum(amount) FROM orders",
                    StandardCharsets.UTF_8)).strip());
            String services = kit.execHtml("%services");
            assertTrue(services.contains("<td>clickhouse</td><td>external</td><td>" + url + " (ClickHouse 18.16"), services);
            assertFalse(Files.exists(workspace.resolve("clickhouse/data")), "no embedded server in external mode");
            assertEquals(-1L, ((Number) kit.eval("org.streamlab.clickhouse.ClickHouse.service().serverPid()")).longValue());
        }
    }

    private static String bootstrap() {
        return "localhost:" + PORTS.get("KAFKA_PORT_1") + ",localhost:" + PORTS.get("KAFKA_PORT_2") + ",localhost:" + PORTS.get("KAFKA_PORT_3");
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return Admin.create(p);
    }

    private static String flinkUrl() {
        return "http://127.0.0.1:" + PORTS.get("FLINK_REST_PORT");
    }

    private static String clickhouseUrl() {
        return "http://127.0.0.1:" + PORTS.get("CLICKHOUSE_HTTP_PORT");
    }

    private static String http(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void awaitReady(String what, int seconds, Callable<Boolean> check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                if (check.call()) {
                    return;
                }
            } catch (Exception notYet) {
                last = notYet.toString();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(what + " not ready within " + seconds + " s (" + last + "); container logs:\n" + logs());
    }

    private static String logs() {
        try {
            Process p = new ProcessBuilder("bash", "-c", "for c in $(docker ps -a -q --filter name=streamlab-ext); do "
                    + "docker inspect -f '== {{.Name}} {{.State.Status}}' $c; docker logs --tail 30 $c 2>&1; done")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            return "(no logs: " + e + ")";
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.MINUTES) && p.exitValue() == 0, String.join(" ", cmd) + " failed:\n" + out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static List<String> rows(String html) {
        Matcher body = Pattern.compile("<tbody>(.*)</tbody>", Pattern.DOTALL).matcher(html);
        assertTrue(body.find(), html);
        return Pattern.compile("<tr>(.*?)</tr>").matcher(body.group(1)).results()
                .map(m -> m.group(1).replace("</td><td>", "|").replace("<td>", "").replace("</td>", ""))
                .toList();
    }

    static void assertRow(String text, String... cells) {
        for (String line : text.split("\n")) {
            String[] parts = line.split("\\|");
            if (parts.length < cells.length) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < cells.length; i++) {
                match &= parts[i].strip().startsWith(cells[i]);
            }
            if (match) {
                return;
            }
        }
        throw new AssertionError("no row " + String.join("|", cells) + " in:\n" + text);
    }
}
