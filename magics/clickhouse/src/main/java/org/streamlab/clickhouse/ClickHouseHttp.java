package org.streamlab.clickhouse;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Plain HTTP to ClickHouse, no driver: {@code /ping} and one-value queries such as {@code SELECT version()}. */
final class ClickHouseHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(3))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private ClickHouseHttp() {}

    /** True when {@code GET base/ping} answers "Ok." within the timeout. */
    static boolean ping(String base, long timeoutMillis) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(strip(base) + "/ping"))
                    .timeout(Duration.ofMillis(timeoutMillis)).GET().build();
            HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().startsWith("Ok");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs one query over HTTP and returns the body (TabSeparated text), trimmed. No compression is asked for:
     * Debian's 18.16 server answers compressed requests with an empty body.
     */
    static String query(Endpoint endpoint, String sql, long timeoutMillis) throws IOException, InterruptedException {
        String url = strip(endpoint.httpBase()) + "/?database=" + URLEncoder.encode(endpoint.database(), StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMillis(timeoutMillis))
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8));
        if (endpoint.user() != null) {
            String auth = endpoint.user() + ":" + (endpoint.password() == null ? "" : endpoint.password());
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + ": " + ClickHouseErrors.engineMessage(r.body().strip()));
        }
        return r.body().strip();
    }

    private static String strip(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
