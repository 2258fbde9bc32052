package org.streamlab.sentiment.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Open Inference (V2) REST protocol over a deterministic scorer: the length of each text, negated when it has "bad". */
class InferenceServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static InferenceServer server;

    @BeforeAll
    static void start() {
        server = InferenceServer.start("sentiment", texts -> texts.stream()
                .mapToDouble(t -> t.contains("bad") ? -t.length() : t.length()).toArray(), 0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndMetadata() throws Exception {
        assertEquals(200, get("/v2/health/ready").statusCode());
        assertTrue(JSON.readTree(get("/v2/health/ready").body()).get("ready").asBoolean());
        assertTrue(JSON.readTree(get("/v2/health/live").body()).get("live").asBoolean());
        assertTrue(JSON.readTree(get("/v2/models/sentiment/ready").body()).get("ready").asBoolean());
        JsonNode meta = JSON.readTree(get("/v2/models/sentiment").body());
        assertEquals("sentiment", meta.get("name").asText());
        assertEquals("BYTES", meta.at("/inputs/0/datatype").asText());
        assertEquals("text", meta.at("/inputs/0/name").asText());
        assertEquals("FP32", meta.at("/outputs/0/datatype").asText());
        assertEquals(-1, meta.at("/outputs/0/shape/0").asInt());
        assertEquals("1", meta.at("/versions/0").asText());
        assertTrue(server.baseUrl().startsWith("http://127.0.0.1:"));
    }

    @Test
    void inferScoresEachTextInOrder() throws Exception {
        HttpResponse<String> r = post("/v2/models/sentiment/infer",
                "{\"id\":\"req-1\",\"inputs\":[{\"name\":\"text\",\"shape\":[3],\"datatype\":\"BYTES\",\"data\":[\"good\",\"bad day\",\"\"]}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("sentiment", body.get("model_name").asText());
        assertEquals("req-1", body.get("id").asText());
        JsonNode out = body.at("/outputs/0");
        assertEquals("sentiment", out.get("name").asText());
        assertEquals("FP32", out.get("datatype").asText());
        assertEquals(3, out.at("/shape/0").asInt());
        assertEquals(List.of(4.0, -7.0, 0.0), List.of(out.at("/data/0").asDouble(), out.at("/data/1").asDouble(), out.at("/data/2").asDouble()));
        // nested data by a 2 x 1 shape, the versioned path
        JsonNode nested = JSON.readTree(post("/v2/models/sentiment/versions/1/infer",
                "{\"inputs\":[{\"name\":\"text\",\"shape\":[2,1],\"datatype\":\"BYTES\",\"data\":[[\"ab\"],[\"bad\"]]}]}").body());
        assertEquals(2.0, nested.at("/outputs/0/data/0").asDouble());
        assertEquals(-3.0, nested.at("/outputs/0/data/1").asDouble());
        assertEquals(1, nested.at("/outputs/0/shape/1").asInt());
    }

    @Test
    void badRequestsGetAReadableErrorAndTheServerStaysUp() throws Exception {
        String[][] cases = {
                {"not json", "not JSON"},
                {"{}", "\"inputs\""},
                {"{\"inputs\":[{\"name\":\"words\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"a\"]}]}", "unknown input 'words'"},
                {"{\"inputs\":[{\"name\":\"text\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1.0]}]}", "BYTES"},
                {"{\"inputs\":[{\"name\":\"text\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"a\"]}]}", "2 elements but data holds 1"},
                {"{\"inputs\":[{\"name\":\"text\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[3]}]}", "must be strings"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = post("/v2/models/sentiment/infer", c[0]);
            assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
            assertTrue(JSON.readTree(r.body()).get("error").asText().contains(c[1]), c[0] + " -> " + r.body());
        }
        HttpResponse<String> unknown = post("/v2/models/other/infer", "{}");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("'sentiment'"), unknown.body());
        assertEquals(405, get("/v2/models/sentiment/infer").statusCode());
        assertEquals(200, get("/v2/health/ready").statusCode());
    }
}
