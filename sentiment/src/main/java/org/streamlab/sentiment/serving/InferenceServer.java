package org.streamlab.sentiment.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A text-scoring model served over the Open Inference Protocol (KServe V2), REST flavour, with the JDK's HTTP server on
 * 127.0.0.1:
 * <ul>
 *   <li>{@code GET /v2/health/live}, {@code GET /v2/health/ready}: {@code {"live": true}}, {@code {"ready": true}};</li>
 *   <li>{@code GET /v2} : server metadata;</li>
 *   <li>{@code GET /v2/models/{name}} (or {@code .../versions/{v}}): model metadata, one BYTES input {@value #INPUT}
 *       of shape [-1], one FP32 output {@value #OUTPUT} of shape [-1];</li>
 *   <li>{@code GET /v2/models/{name}/ready};</li>
 *   <li>{@code POST /v2/models/{name}/infer}: {@code {"id": "...", "inputs": [{"name": "text", "shape": [n],
 *       "datatype": "BYTES", "data": ["...", ...]}]}} → {@code {"model_name": ..., "id": ..., "outputs": [{"name":
 *       "sentiment", "shape": [n], "datatype": "FP32", "data": [...]}]}}.</li>
 * </ul>
 * Errors are {@code {"error": "..."}} with 400 (bad request), 404 (unknown model or path) or 405, 500 when the
 * scorer fails. Requests are scored one at a time (one worker thread): the encoder is not shared between threads.
 */
public final class InferenceServer implements AutoCloseable {

    public static final String INPUT = "text";
    public static final String OUTPUT = "sentiment";
    /** The largest request body accepted. */
    public static final int MAX_BODY_BYTES = 8 << 20;

    /** Texts in, one score per text out (e.g. {@code SentimentModel::sentiment}). */
    @FunctionalInterface
    public interface Scorer {
        double[] score(List<String> texts);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String modelName;
    private final String version;
    private final Scorer scorer;
    private final HttpServer server;
    private final ExecutorService executor;

    private InferenceServer(String modelName, String version, Scorer scorer, int port) throws IOException {
        if (modelName == null || !modelName.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("a model name is letters, digits, '_', '.', '-': " + modelName);
        }
        this.modelName = modelName;
        this.version = Objects.requireNonNull(version, "version");
        this.scorer = Objects.requireNonNull(scorer, "scorer");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "inference-" + modelName);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code scorer} as model {@code modelName} (version "1") on 127.0.0.1:{@code port} (0: any free port). */
    public static InferenceServer start(String modelName, Scorer scorer, int port) {
        return start(modelName, "1", scorer, port);
    }

    public static InferenceServer start(String modelName, String version, Scorer scorer, int port) {
        try {
            return new InferenceServer(modelName, version, scorer, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String modelName() {
        return modelName;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String method = exchange.getRequestMethod();
            String model = "/v2/models/" + modelName;
            String versioned = model + "/versions/" + version;
            try {
                if (path.equals("/v2/health/live") || path.equals("/v2/health/ready")) {
                    requireMethod(method, "GET");
                    reply(exchange, 200, JSON.createObjectNode().put(path.endsWith("live") ? "live" : "ready", true));
                } else if (path.equals("/v2")) {
                    requireMethod(method, "GET");
                    ObjectNode meta = JSON.createObjectNode().put("name", "streamlab").put("version", "0.1.0");
                    meta.putArray("extensions");
                    reply(exchange, 200, meta);
                } else if (path.equals(model) || path.equals(versioned)) {
                    requireMethod(method, "GET");
                    reply(exchange, 200, metadata());
                } else if (path.equals(model + "/ready") || path.equals(versioned + "/ready")) {
                    requireMethod(method, "GET");
                    reply(exchange, 200, JSON.createObjectNode().put("name", modelName).put("ready", true));
                } else if (path.equals(model + "/infer") || path.equals(versioned + "/infer")) {
                    requireMethod(method, "POST");
                    reply(exchange, 200, infer(readBody(exchange)));
                } else if (path.startsWith("/v2/models/")) {
                    throw new HttpError(404, "unknown model or path " + path + "; this server serves model '" + modelName + "'");
                } else {
                    throw new HttpError(404, "unknown path " + path + "; the Open Inference endpoints are under /v2");
                }
            } catch (HttpError e) {
                reply(exchange, e.status, JSON.createObjectNode().put("error", e.getMessage()));
            } catch (RuntimeException e) {
                reply(exchange, 500, JSON.createObjectNode().put("error", "scoring failed: " + e));
            }
        } finally {
            exchange.close();
        }
    }

    private ObjectNode metadata() {
        ObjectNode meta = JSON.createObjectNode().put("name", modelName).put("platform", "streamlab-onnxruntime-java");
        meta.putArray("versions").add(version);
        meta.putArray("inputs").addObject().put("name", INPUT).put("datatype", "BYTES").putArray("shape").add(-1);
        meta.putArray("outputs").addObject().put("name", OUTPUT).put("datatype", "FP32").putArray("shape").add(-1);
        return meta;
    }

    private ObjectNode infer(byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new HttpError(400, "the request body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
        if (request == null || !request.isObject()) {
            throw new HttpError(400, "the request body must be a JSON object with \"inputs\"");
        }
        JsonNode inputs = request.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
            throw new HttpError(400, "\"inputs\" must be an array with one tensor, \"" + INPUT + "\" (BYTES)");
        }
        JsonNode input = inputs.get(0);
        String name = input.path("name").asText("");
        if (!name.equals(INPUT)) {
            throw new HttpError(400, "unknown input '" + name + "'; the model's input is '" + INPUT + "'");
        }
        if (!"BYTES".equals(input.path("datatype").asText())) {
            throw new HttpError(400, "input '" + INPUT + "' must have datatype BYTES, got " + input.path("datatype"));
        }
        List<String> texts = new ArrayList<>();
        flatten(input.get("data"), texts);
        JsonNode shape = input.get("shape");
        if (shape == null || !shape.isArray() || shape.isEmpty()) {
            throw new HttpError(400, "input '" + INPUT + "' needs a shape, e.g. [" + texts.size() + "]");
        }
        long elements = 1;
        for (JsonNode d : shape) {
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new HttpError(400, "shape " + shape + " must hold non-negative integers");
            }
            elements *= d.asLong();
        }
        if (elements != texts.size()) {
            throw new HttpError(400, "shape " + shape + " has " + elements + " elements but data holds " + texts.size());
        }
        for (JsonNode out : request.path("outputs")) {
            if (!OUTPUT.equals(out.path("name").asText())) {
                throw new HttpError(400, "unknown output '" + out.path("name").asText() + "'; the model's output is '" + OUTPUT + "'");
            }
        }
        double[] scores = texts.isEmpty() ? new double[0] : scorer.score(texts);
        if (scores.length != texts.size()) {
            throw new IllegalStateException("the scorer returned " + scores.length + " scores for " + texts.size() + " texts");
        }
        ObjectNode response = JSON.createObjectNode().put("model_name", modelName).put("model_version", version);
        if (request.hasNonNull("id")) {
            response.put("id", request.get("id").asText());
        }
        ObjectNode output = response.putArray("outputs").addObject().put("name", OUTPUT).put("datatype", "FP32");
        ArrayNode outShape = output.putArray("shape");
        shape.forEach(d -> outShape.add(d.asLong()));
        ArrayNode data = output.putArray("data");
        for (double s : scores) {
            data.add((float) s);
        }
        return response;
    }

    /** BYTES data: strings, flat or nested by the shape (row-major). */
    private static void flatten(JsonNode data, List<String> out) {
        if (data == null || !data.isArray()) {
            throw new HttpError(400, "input '" + INPUT + "' needs \"data\": an array of strings");
        }
        for (JsonNode d : data) {
            if (d.isArray()) {
                flatten(d, out);
            } else if (d.isTextual()) {
                out.add(d.asText());
            } else {
                throw new HttpError(400, "BYTES data must be strings, got " + d);
            }
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equalsIgnoreCase(expected)) {
            throw new HttpError(405, method + " is not allowed here; use " + expected);
        }
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new HttpError(413, "request body larger than " + MAX_BODY_BYTES + " bytes: send fewer texts per request");
            }
            return body;
        }
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static final class HttpError extends RuntimeException {
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
