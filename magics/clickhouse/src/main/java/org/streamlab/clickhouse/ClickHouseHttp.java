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
     * Runs one query read-only: {@code settings} go in the URL, then {@code readonly=1}, which also forbids changing
     * them in the query (SETTINGS, SET) and table functions such as url() or file(). (A GET would run with
     * readonly=2, which lets a query change its settings.) Sent as POST so the server starts from the user's own
     * level; a server whose user is already read-only refuses to be told again, and is asked without it.
     * An error answer (status 500 with ClickHouse's message) is returned, not thrown; IOException means no answer.
     */
    static Answer readOnlyQuery(Endpoint endpoint, String sql, Map<String, String> settings, int timeoutMillis)
            throws IOException {
        StringBuilder path = new StringBuilder("/?database=").append(URLEncoder.encode(endpoint.database(), StandardCharsets.UTF_8));
        settings.forEach((k, v) -> path.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        ClickHouseHttpClient client = ClickHouseHttpClient.of(endpoint, timeoutMillis);
        ClickHouseHttpClient.Response r = client.request("POST", path + "&readonly=1", sql);
        if (r.status() != 200 && r.body().contains("Setting 'readonly' cannot be overrided")) {
            r = client.request("POST", path.toString(), sql);
        }
        return new Answer(r.status(), r.body());
    }
}
