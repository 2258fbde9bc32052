package org.streamlab.sentiment.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.sentiment.ToolVenv;

/**
 * The contract of {@link InferenceServer}: the same Open Inference (V2) requests sent to it and to Seldon MLServer
 * 1.7.1 (PyPI, the venv {@code .venv-mlserver} that {@code ./streamlab test} makes from tools/requirements-mlserver.txt,
 * or STREAMLAB_MLSERVER_VENV), both serving the same deterministic scorer (src/test/resources/mlserver/model.py),
 * must give the same status codes, the same metadata tensors and the same response fields and numbers.
 */
class MlServerContractTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static InferenceServer ours;
    static Process mlserver;
    static String mlserverUrl;

    @TempDir
    static Path dir;

    static Path venv() {
        return ToolVenv.find("STREAMLAB_MLSERVER_VENV", ".venv-mlserver", "mlserver",
                "./streamlab test makes it (mlserver 1.7.1, tools/requirements-mlserver.txt)");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        ours = InferenceServer.start("sentiment", texts -> texts.stream()
                .mapToDouble(t -> t.contains("bad") ? -t.length() : t.length()).toArray(), 0);
        Path bin = venv().resolve("bin/mlserver");
        Path models = dir.resolve("models/sentiment");
        Files.createDirectories(models);
        for (String f : List.of("model.py", "model-settings.json")) {
            try (InputStream in = MlServerContractTest.class.getResourceAsStream("/mlserver/" + f)) {
                Files.copy(in, models.resolve(f));
            }
        }
        int http = freePort(), grpc = freePort();
        Files.writeString(dir.resolve("models/settings.json"), JSON.createObjectNode().put("host", "127.0.0.1")
                .put("http_port", http).put("grpc_port", grpc).put("parallel_workers", 0)
                .putNull("metrics_endpoint").put("load_models_at_startup", true).toString());
        mlserver = new ProcessBuilder(bin.toString(), "start", dir.resolve("models").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mlserver.log").toFile()).start();
        mlserverUrl = "http://127.0.0.1:" + http;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            if (!mlserver.isAlive()) {
                fail("MLServer exited with " + mlserver.exitValue() + ": " + Files.readString(dir.resolve("mlserver.log")));
            }
            try {
                if (get(mlserverUrl, "/v2/models/sentiment/ready").statusCode() == 200) break;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) fail("MLServer not ready in 120 s: " + Files.readString(dir.resolve("mlserver.log")));
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (ours != null) ours.close();
        if (mlserver != null) {
            List<ProcessHandle> children = mlserver.descendants().toList();
            mlserver.destroy();
            children.forEach(ProcessHandle::destroy);
            mlserver.waitFor();
        }
    }

    static HttpResponse<String> get(String base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String base, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** name, datatype and shape of each tensor: what a client relies on. */
    static List<String> tensors(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(t -> out.add(t.path("name").asText() + " " + t.path("datatype").asText() + " " + t.path("shape")));
        return out;
    }

    @Test
    void readinessAndMetadataAgree() throws Exception {
        assertEquals(get(mlserverUrl, "/v2/health/ready").statusCode(), get(ours.baseUrl(), "/v2/health/ready").statusCode());
        assertEquals(get(mlserverUrl, "/v2/models/sentiment/ready").statusCode(), get(ours.baseUrl(), "/v2/models/sentiment/ready").statusCode());
        HttpResponse<String> theirs = get(mlserverUrl, "/v2/models/sentiment"), mine = get(ours.baseUrl(), "/v2/models/sentiment");
        assertEquals(200, theirs.statusCode(), theirs.body());
        assertEquals(200, mine.statusCode(), mine.body());
        JsonNode t = JSON.readTree(theirs.body()), m = JSON.readTree(mine.body());
        for (String field : List.of("name", "platform", "inputs", "outputs")) {
            assertTrue(t.has(field), "MLServer's metadata has no '" + field + "': " + t);
            assertTrue(m.has(field), "our metadata lacks '" + field + "', which MLServer gives: " + m);
        }
        assertEquals(t.path("name").asText(), m.path("name").asText());
        assertEquals(tensors(t.path("inputs")), tensors(m.path("inputs")));
        assertEquals(tensors(t.path("outputs")), tensors(m.path("outputs")));
    }

    @Test
    void inferWithBytesAgrees() throws Exception {
        String body = "{\"id\": \"contract-1\", \"inputs\": [{\"name\": \"text\", \"shape\": [3], \"datatype\": \"BYTES\", "
                + "\"data\": [\"Absolutely loved it\", \"a bad waiter\", \"ok\"]}]}";
        HttpResponse<String> theirs = post(mlserverUrl, "/v2/models/sentiment/infer", body), mine = post(ours.baseUrl(), "/v2/models/sentiment/infer", body);
        assertEquals(200, theirs.statusCode(), theirs.body());
        assertEquals(200, mine.statusCode(), mine.body());
        JsonNode t = JSON.readTree(theirs.body()), m = JSON.readTree(mine.body());
        for (String field : List.of("model_name", "id", "outputs")) {
            assertTrue(t.has(field), "MLServer's response has no '" + field + "': " + t);
            assertTrue(m.has(field), "our response lacks '" + field + "', which MLServer gives: " + m);
            if (!field.equals("outputs")) assertEquals(t.path(field).asText(), m.path(field).asText(), field);
        }
        assertEquals(tensors(t.path("outputs")), tensors(m.path("outputs")));
        JsonNode td = t.path("outputs").get(0).path("data"), md = m.path("outputs").get(0).path("data");
        assertEquals(td.size(), md.size());
        for (int i = 0; i < td.size(); i++) assertEquals(td.get(i).asDouble(), md.get(i).asDouble(), 1e-6, "output " + i);
        // every top-level field MLServer sends is one we send too, or one the protocol makes optional
        TreeSet<String> missing = new TreeSet<>();
        t.fieldNames().forEachRemaining(f -> { if (!m.has(f) && !t.path(f).isNull()) missing.add(f); });
        missing.remove("parameters");
        assertTrue(missing.isEmpty(), "fields MLServer's response has and ours lacks: " + missing + "\nMLServer: " + t + "\nours: " + m);
    }

    @Test
    void unknownModelIsNotFoundOnBoth() throws Exception {
        assertEquals(404, get(mlserverUrl, "/v2/models/nope").statusCode());
        assertEquals(404, get(ours.baseUrl(), "/v2/models/nope").statusCode());
    }
}
