package org.streamlab.clickhouse;

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
import java.util.concurrent.TimeUnit;

/**
 * A second clickhouse-server for external-mode tests, started here with its own config and ports, independent
 * of the module's code (only the binary is shared): what a user's own server on CLICKHOUSE_URL would be.
 */
final class SeparateClickHouseServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    final Process process;
    final int httpPort;

    private SeparateClickHouseServer(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    static SeparateClickHouseServer start(Path dir) throws Exception {
        int http = freePort();
        int tcp = freePort();
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("users.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <profiles><default></default></profiles>
                  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
                    <profile>default</profile><quota>default</quota></default></users>
                  <quotas><default></default></quotas>
                </yandex>
                """);
        Files.writeString(dir.resolve("config.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <logger><level>warning</level><log>%1$s/server.log</log><errorlog>%1$s/server.err.log</errorlog></logger>
                  <listen_host>127.0.0.1</listen_host>
                  <http_port>%2$d</http_port>
                  <tcp_port>%3$d</tcp_port>
                  <path>%1$s/data/</path>
                  <tmp_path>%1$s/tmp/</tmp_path>
                  <users_config>users.xml</users_config>
                  <default_profile>default</default_profile>
                  <default_database>default</default_database>
                  <mark_cache_size>67108864</mark_cache_size>
                  <keep_alive_timeout>1</keep_alive_timeout>
                </yandex>
                """.formatted(dir.toAbsolutePath(), http, tcp));
        String binary = EmbeddedClickHouse.findBinary(java.util.Optional.empty()).orElseThrow().path().toString();
        Process p = new ProcessBuilder(binary, "--config-file=" + dir.resolve("config.xml").toAbsolutePath())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        SeparateClickHouseServer s = new SeparateClickHouseServer(p, http);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/ping")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().startsWith("Ok")) {
                    return s;
                }
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("test server exited: " + Files.readString(dir.resolve("stdout.log")));
            }
        }
        s.close();
        throw new IllegalStateException("test server did not answer /ping");
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** A query over plain HTTP, straight to this server. */
    String query(String sql) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().strip();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
