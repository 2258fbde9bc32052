package org.streamlab.feast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.streamlab.kernel.UserError;

/**
 * A small client of Feast's HTTP feature server ({@code feast serve}): {@code POST /get-online-features} and
 * {@code GET /health}. A server that does not answer is a {@link UserError} naming it.
 * <pre>{@code
 * FeastClient feast = new FeastClient("http://127.0.0.1:6566");
 * OnlineFeatures f = feast.onlineFeatures(OnlineRequest.builder().features("driver_stats:trips").entity("driver_id", 1001).build());
 * }</pre>
 */
public final class FeastClient {
    /** Jackson for the module; created when Feast is first used, not when the kernel registers the service. */
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    private final URI base;
    private final String name;
    private final String hint;
    private final Duration timeout;

    /** A client of the feature server at {@code url} (e.g. http://127.0.0.1:6566). */
    public FeastClient(String url) {
        this(url, "the Feast feature server at " + url, "start it (feast serve in the feature repository) or fix the address",
                Duration.ofSeconds(60));
    }

    /**
     * @param name    how errors name the server, e.g. "the Feast feature server at http://... (FEAST_URL)"
     * @param hint    what to do when it does not answer
     * @param timeout per request
     */
    FeastClient(String url, String name, String hint, Duration timeout) {
        this.base = parse(url);
        this.name = name;
        this.hint = hint;
        this.timeout = timeout;
    }

    static URI parse(String url) {
        try {
            URI u = URI.create(url.strip().replaceAll("/+$", ""));
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new UserError("not a feature server address: " + url, "write it as http://host:port, e.g. http://127.0.0.1:6566");
        }
    }

    public String url() { return base.toString(); }

    /** True when {@code GET /health} answers 200 within the timeout. */
    public boolean healthy(int timeoutMillis) {
        try {
            HttpRequest r = HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofMillis(timeoutMillis)).GET().build();
            return HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Fails with a message naming the server when it does not answer /health. */
    public void requireHealthy() {
        if (!healthy(3000)) {
            throw down("no answer to GET /health");
        }
    }

    /** The latest materialized values of the request's features for its entity rows. */
    public OnlineFeatures onlineFeatures(OnlineRequest request) {
        String body;
        try {
            body = JSON.writeValueAsString(request.toJson());
        } catch (IOException e) {
            throw new UserError("entity values that cannot be sent as JSON: " + e.getMessage(), "use numbers or strings");
        }
        HttpRequest r = HttpRequest.newBuilder(base.resolve("/get-online-features")).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        HttpResponse<String> response;
        try {
            response = HTTP.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw down(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (HttpTimeoutException e) {
            throw new UserError(name + " did not answer within " + timeout.toSeconds() + " s", hint);
        } catch (IOException e) {
            throw down(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for " + name, null);
        }
        if (response.statusCode() != 200) {
            throw new UserError(name + " refused the request (HTTP " + response.statusCode() + "): " + errorMessage(response.body()),
                    "check the feature references (view:feature, see %feast cli feature-views list) and the join key names and types");
        }
        return parseResponse(response.body());
    }

    private UserError down(String why) {
        return new UserError(name + " does not answer (" + why + ")", hint);
    }

    /** Feast answers errors as a JSON string, sometimes holding a JSON object with a message. */
    static String errorMessage(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n.isTextual()) {
                String inner = n.asText();
                try {
                    JsonNode m = JSON.readTree(inner);
                    if (m.has("message")) {
                        return m.get("message").asText();
                    }
                } catch (IOException notJson) {
                    // a plain message
                }
                return inner;
            }
            if (n.has("detail")) {
                JsonNode d = n.get("detail");
                if (d.isArray() && !d.isEmpty() && d.get(0).has("msg")) {
                    return d.get(0).get("msg").asText();
                }
                return d.isTextual() ? d.asText() : d.toString();
            }
            if (n.has("message")) {
                return n.get("message").asText();
            }
            return n.toString();
        } catch (IOException e) {
            return body.strip();
        }
    }

    static OnlineFeatures parseResponse(String body) {
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode names = root.path("metadata").path("feature_names");
            if (names.has("val")) {
                names = names.get("val");
            }
            List<String> columns = new ArrayList<>();
            names.forEach(n -> columns.add(n.asText()));
            List<List<Object>> values = new ArrayList<>();
            List<List<String>> statuses = new ArrayList<>();
            List<List<String>> times = new ArrayList<>();
            for (JsonNode result : root.path("results")) {
                List<Object> v = new ArrayList<>();
                result.path("values").forEach(x -> v.add(javaValue(x)));
                List<String> s = new ArrayList<>();
                result.path("statuses").forEach(x -> s.add(x.asText()));
                List<String> t = new ArrayList<>();
                result.path("event_timestamps").forEach(x -> t.add(x.asText()));
                values.add(v);
                statuses.add(s);
                times.add(t);
            }
            if (columns.size() != values.size()) {
                throw new IOException(columns.size() + " feature names but " + values.size() + " result columns");
            }
            return new OnlineFeatures(columns, values, statuses, times);
        } catch (IOException e) {
            throw new UserError("the feature server's answer is not what Feast answers: " + e.getMessage(), null);
        }
    }

    static Object javaValue(JsonNode x) {
        if (x == null || x.isNull() || x.isMissingNode()) {
            return null;
        }
        if (x.isIntegralNumber()) {
            return x.asLong();
        }
        if (x.isNumber()) {
            return x.asDouble();
        }
        if (x.isBoolean()) {
            return x.asBoolean();
        }
        if (x.isTextual()) {
            return x.asText();
        }
        return x.toString();
    }
}
