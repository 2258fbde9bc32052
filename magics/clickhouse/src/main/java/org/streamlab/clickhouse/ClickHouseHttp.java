package org.streamlab.clickhouse;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The service's HTTP calls: {@code /ping}, one-value queries such as {@code SELECT version()}, read-only GETs. */
final class ClickHouseHttp {
    private ClickHouseHttp() {}

    /** True when {@code GET base/ping} answers "Ok." within the timeout. */
    static boolean ping(String base, int timeoutMillis) {
        return new ClickHouseHttpClient(base, null, null, "default", timeoutMillis).ping();
    }

    /**
     * Runs one query and returns the body (TabSeparated text), trimmed. No compression is asked for: Debian's
     * 18.16 server answers compressed requests with an empty body.
     */
    static String query(Endpoint endpoint, String sql, int timeoutMillis) throws IOException {
        return ClickHouseHttpClient.of(endpoint, timeoutMillis).query(sql);
    }

    /** Status and body of one answer. */
    record Answer(int status, String body) {}

    /**
     * Runs one query with GET, which ClickHouse executes in read-only mode (statements that change data or
     * settings such as {@code readonly} are refused by the server). {@code settings} go in the URL.
     * An error answer (status 500 with ClickHouse's message) is returned, not thrown; IOException means no answer.
     */
    static Answer readOnlyQuery(Endpoint endpoint, String sql, Map<String, String> settings, int timeoutMillis)
            throws IOException {
        StringBuilder path = new StringBuilder("/?database=").append(URLEncoder.encode(endpoint.database(), StandardCharsets.UTF_8));
        settings.forEach((k, v) -> path.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        path.append("&query=").append(URLEncoder.encode(sql, StandardCharsets.UTF_8));
        ClickHouseHttpClient.Response r = ClickHouseHttpClient.of(endpoint, timeoutMillis).request("GET", path.toString(), null);
        return new Answer(r.status(), r.body());
    }
}
