package org.streamlab.platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.streamlab.kernel.display.HtmlTable;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;

/** {@code %services}: the table of services, and start/stop/restart of one or all. */
final class ServicesMagic {
    private ServicesMagic() {}

    static MagicSpec spec(Platform platform) {
        return MagicSpec.line("services", "list the data services, or start/stop/restart them",
                """
                %services                                  table: service, mode, address, state
                %services start|stop|restart NAME|all [--brokers N]

                Services start by themselves on first use; this magic is for looking and for control.
                Embedded (default): the kernel runs the engine on loopback, data under the workspace folder.
                External: set the service's address (KAFKA_BOOTSTRAP_SERVERS, FLINK_REST_URL, SPARK_MASTER,
                CLICKHOUSE_URL) as an environment variable or in workspace/streamlab.properties.
                  --brokers N   (kafka) start an embedded cluster of N brokers, for replication lessons
                """,
                (context, args) -> {
                    ParsedArgs a = args.parse(Set.of(), Set.of("brokers"));
                    if (a.positional().isEmpty()) {
                        return table(platform);
                    }
                    String action = a.positional(0, "an action: start, stop or restart");
                    String target = a.positional(1, "a service name or 'all'");
                    a.atMostPositional(2);
                    Map<String, String> options = new LinkedHashMap<>();
                    a.option("brokers").ifPresent(v -> options.put("brokers", String.valueOf(a.positiveInt("brokers", 1, 1))));
                    List<ManagedService> targets = target.equals("all") ? platform.services() : List.of(platform.service(target));
                    for (ManagedService s : targets) {
                        switch (action) {
                            case "start" -> s.start(options);
                            case "stop" -> s.stop();
                            case "restart" -> s.restart(options);
                            default -> throw new MagicUsageException("unknown action '" + action + "': use start, stop or restart");
                        }
                    }
                    return table(platform);
                });
    }

    static HtmlTable table(Platform platform) {
        HtmlTable t = new HtmlTable(List.of("service", "mode", "address", "state"));
        for (ManagedService s : platform.services()) {
            List<Object> row = new ArrayList<>();
            row.add(s.name());
            row.add(s.mode().name().toLowerCase());
            row.add(s.address());
            row.add(s.state().name().toLowerCase() + (s.lastError() == null ? "" : " (" + s.lastError() + ")"));
            t.addRow(row);
        }
        return t;
    }
}
