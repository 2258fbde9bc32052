package org.streamlab.kafka;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;
import org.streamlab.kernel.display.HtmlTable;
import org.streamlab.kernel.magic.MagicArgs;
import org.streamlab.kernel.magic.MagicContext;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;

/**
 * {@code %kafka} (line magic, one subcommand per line) and {@code %%kafka produce} (cell magic). This class
 * parses arguments only; {@link KafkaOps} talks to Kafka, so loading this class loads no Kafka class.
 */
final class KafkaMagic {
    static final int DEFAULT_MAX = 1000;
    static final double DEFAULT_TIMEOUT_SECONDS = 10;

    static final String USAGE = """
            %kafka topics                               table: topic, partitions, replication factor, records
            %kafka create TOPIC [--partitions N] [--replication-factor R] [--compact] [--config k=v ...]
            %kafka describe TOPIC                       partitions, leaders, replicas, ISR, earliest/latest offsets, config
            %kafka delete TOPIC
            %kafka produce TOPIC [--key K] VALUE        one record; VALUE is the rest of the line, verbatim (JSON welcome)
            %%kafka produce TOPIC [--key-field F] [--key K]
                                                        one record per non-blank body line (JSON or text)
            %kafka consume TOPIC [--from-beginning] [--max N] [--timeout S] [--group G] [--into VAR]
            %kafka groups                               consumer groups: type, state, members
            %kafka lag GROUP                            committed offset, end offset and lag per partition
            %kafka brokers                              the embedded brokers and whether they run
            %kafka stop-broker ID | start-broker ID     lose a broker of an embedded cluster, and bring it back

            create:   --partitions N (default: broker's num.partitions), --replication-factor R (default: the
                      cluster's default.replication.factor), --compact sets cleanup.policy=compact,
                      --config k=v (repeatable) sets any topic config, e.g. --config min.insync.replicas=2
            produce:  --key K gives the record a key (same key, same partition); in a %%kafka cell,
                      --key-field F takes each record's key from field F of its JSON line. Large cells show
                      a progress line that updates in place; the result lists records per partition.
            consume:  shows a table that fills in place as records arrive; stops after --max N records
                      (default 1000), --timeout S seconds (default 10) or a Jupyter interrupt (Stop button).
                      Without --group it reads every partition, new records only unless --from-beginning.
                      With --group G it joins group G (--from-beginning applies when G has no committed
                      offsets) and commits what it read. --into VAR binds the records to a notebook
                      variable VAR, a List<KafkaRecord> (KafkaRecordList) of records with topic(), partition(),
                      offset(), key(), value(), timestamp(); e.g. rows.get(0).value()

            Kafka starts on first use: embedded KRaft broker on 127.0.0.1 with data under workspace/kafka
            (kept across kernel restarts), or the brokers in KAFKA_BOOTSTRAP_SERVERS.
            %services start kafka --brokers 3 starts a 3-broker embedded cluster (replication lessons).

            From Java cells (org.streamlab.kafka.Kafka; String keys and values; close what you open):
              Kafka.bootstrapServers()                         "127.0.0.1:port,..."
              Kafka.producer() / Kafka.producer(Map overrides) KafkaProducer<String,String>, acks=all
              Kafka.consumer(group) / Kafka.consumer(group, Map overrides)
                                                               KafkaConsumer<String,String>, earliest offsets
              Kafka.admin()                                    Admin
              Kafka.stopBroker(id) / Kafka.startBroker(id)     embedded multi-broker cluster only

            Examples:
              %kafka create orders --partitions 3
              %kafka produce orders --key user-1 {"user": "user-1", "amount": 12.5}
              %kafka consume orders --from-beginning --max 10 --into rows
              %kafka create prices --compact --config min.cleanable.dirty.ratio=0.01
            """;

    private KafkaMagic() {}

    static MagicSpec lineSpec(KafkaService service) {
        return MagicSpec.line("kafka", "Kafka topics: create, describe, produce, consume, consumer groups and lag", USAGE,
                (context, args) -> runLine(service, context, args));
    }

    static MagicSpec cellSpec(KafkaService service) {
        return MagicSpec.cell("kafka", "produce one Kafka record per line of the cell", USAGE,
                (context, args, body) -> runCell(service, context, args, body));
    }

    static Object runLine(KafkaService service, MagicContext context, MagicArgs args) {
        if (args.isEmpty()) {
            throw new MagicUsageException("missing subcommand: topics, create, describe, delete, produce, consume, groups, lag, brokers");
        }
        String sub = args.tokens().get(0);
        switch (sub) {
            case "topics" -> {
                args.parse().atMostPositional(1);
                return KafkaOps.topics(service);
            }
            case "create" -> {
                ParsedArgs a = args.parse(Set.of("compact"), Set.of("partitions", "replication-factor", "config"));
                String topic = a.positional(1, "TOPIC");
                a.atMostPositional(2);
                Integer partitions = a.option("partitions").isPresent() ? a.positiveInt("partitions", 1, 1) : null;
                Short replication = null;
                if (a.option("replication-factor").isPresent()) {
                    int r = a.positiveInt("replication-factor", 1, 1);
                    if (r > Short.MAX_VALUE) {
                        throw new MagicUsageException("--replication-factor is too large: " + r);
                    }
                    replication = (short) r;
                }
                Map<String, String> configs = new LinkedHashMap<>();
                if (a.flag("compact")) {
                    configs.put("cleanup.policy", "compact");
                }
                for (String kv : a.all("config")) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new MagicUsageException("--config expects key=value, got: " + kv);
                    }
                    configs.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
                }
                return KafkaOps.create(service, topic, partitions, replication, configs);
            }
            case "describe" -> {
                ParsedArgs a = args.parse();
                String topic = a.positional(1, "TOPIC");
                a.atMostPositional(2);
                return KafkaOps.describe(service, topic);
            }
            case "delete" -> {
                ParsedArgs a = args.parse();
                String topic = a.positional(1, "TOPIC");
                a.atMostPositional(2);
                return KafkaOps.delete(service, topic);
            }
            case "produce" -> {
                ProduceLine p = ProduceLine.parse(args.line());
                return KafkaOps.produceOne(service, p.topic(), p.key(), p.value());
            }
            case "consume" -> {
                ParsedArgs a = args.parse(Set.of("from-beginning"), Set.of("max", "timeout", "group", "into"));
                String topic = a.positional(1, "TOPIC");
                a.atMostPositional(2);
                int max = a.positiveInt("max", DEFAULT_MAX, 1);
                double timeout = a.doubleOption("timeout", DEFAULT_TIMEOUT_SECONDS);
                if (!(timeout > 0) || timeout > 86_400) {
                    throw new MagicUsageException("--timeout must be a number of seconds above 0, got: " + a.option("timeout").orElse(""));
                }
                String group = a.option("group").orElse(null);
                if (group != null && group.isBlank()) {
                    throw new MagicUsageException("--group needs a name");
                }
                String into = a.option("into").orElse(null);
                if (into != null) {
                    checkVariable(into);
                }
                KafkaOps.Consumed result = KafkaOps.consume(service, context, topic, a.flag("from-beginning"), max, timeout, group);
                if (into != null) {
                    // KafkaRecordList is a List<KafkaRecord>: typed, so cells can write rows.get(0).value()
                    context.bind(into, result.records(), KafkaRecordList.class);
                }
                return KafkaRecord.table(result.records(), KafkaOps.SHOWN_ROWS)
                        .caption(result.records().size() + (result.records().size() == 1 ? " record" : " records") + " from " + topic
                                + " (" + result.reason() + ")" + (into == null ? "" : "; bound to " + into + " (List<KafkaRecord>)"));
            }
            case "groups" -> {
                args.parse().atMostPositional(1);
                return KafkaOps.groups(service);
            }
            case "lag" -> {
                ParsedArgs a = args.parse();
                String group = a.positional(1, "GROUP");
                a.atMostPositional(2);
                return KafkaOps.lag(service, group);
            }
            case "brokers" -> {
                args.parse().atMostPositional(1);
                return brokers(service);
            }
            case "stop-broker", "start-broker" -> {
                ParsedArgs a = args.parse();
                String raw = a.positional(1, "broker ID (see %kafka brokers)");
                a.atMostPositional(2);
                int id;
                try {
                    id = Integer.parseInt(raw);
                } catch (NumberFormatException e) {
                    throw new MagicUsageException("broker ID must be a whole number, got: " + raw);
                }
                if (sub.equals("stop-broker")) {
                    service.stopBroker(id);
                } else {
                    service.startBroker(id);
                }
                return brokers(service);
            }
            default -> throw new MagicUsageException("unknown subcommand '" + sub
                    + "': use topics, create, describe, delete, produce, consume, groups, lag, brokers, stop-broker, start-broker");
        }
    }

    static Object runCell(KafkaService service, MagicContext context, MagicArgs args, String body) {
        if (args.isEmpty()) {
            throw new MagicUsageException("missing subcommand: %%kafka produce TOPIC [--key-field F]");
        }
        String sub = args.tokens().get(0);
        if (!sub.equals("produce")) {
            throw new MagicUsageException("unknown subcommand '" + sub + "' for %%kafka: only produce takes a cell body");
        }
        ParsedArgs a = args.parse(Set.of(), Set.of("key-field", "key"));
        String topic = a.positional(1, "TOPIC");
        a.atMostPositional(2);
        String keyField = a.option("key-field").orElse(null);
        String key = a.option("key").orElse(null);
        if (keyField != null && key != null) {
            throw new MagicUsageException("give --key-field or --key, not both");
        }
        return KafkaOps.produceLines(service, context, topic, body == null ? "" : body, keyField, key);
    }

    private static HtmlTable brokers(KafkaService service) {
        Map<Integer, Boolean> states = service.brokerStates();
        String[] addresses = service.embedded().bootstrapServers().split(",");
        HtmlTable t = new HtmlTable(List.of("broker", "address", "state"));
        int i = 0;
        for (Map.Entry<Integer, Boolean> e : states.entrySet()) {
            t.addRow(List.of(e.getKey(), i < addresses.length ? addresses[i] : "?", e.getValue() ? "running" : "stopped"));
            i++;
        }
        return t;
    }

    private static void checkVariable(String name) {
        if (!SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name)) {
            throw new MagicUsageException("--into needs a Java variable name, got: " + name);
        }
    }

    /** {@code produce TOPIC [--key K] VALUE}: VALUE is the rest of the line as written, quotes and all. */
    record ProduceLine(String topic, String key, String value) {
        static ProduceLine parse(String line) {
            Scanner s = new Scanner(line);
            String first = s.next();
            if (!"produce".equals(first)) {
                throw new MagicUsageException("expected produce, got: " + first);
            }
            String topic = null;
            String key = null;
            while (true) {
                s.skipSpace();
                if (s.atEnd()) {
                    break;
                }
                if (s.startsWithOption("key")) {
                    key = s.optionValue("key");
                    continue;
                }
                if (s.rest().equals("--") || s.rest().startsWith("-- ")) {
                    s.skip(2);
                    s.skipSpace();
                    if (topic == null) {
                        topic = s.next();
                        s.skipSpace();
                    }
                    break;
                }
                if (s.rest().startsWith("--") && topic == null) {
                    String word = s.rest().split("[\\s=]", 2)[0];
                    throw new MagicUsageException("unknown option " + word + "; known options: --key");
                }
                if (topic == null) {
                    topic = s.next();
                    continue;
                }
                if (s.rest().startsWith("--") && !s.rest().startsWith("---")) {
                    String word = s.rest().split("[\\s=]", 2)[0];
                    throw new MagicUsageException("unknown option " + word + " (options go before VALUE); known options: --key");
                }
                break;
            }
            if (topic == null) {
                throw new MagicUsageException("missing TOPIC");
            }
            String value = s.rest().strip();
            if (value.isEmpty()) {
                throw new MagicUsageException("missing VALUE: %kafka produce " + topic + " [--key K] VALUE");
            }
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1);
            }
            return new ProduceLine(topic, key, value);
        }
    }

    /** Reads words (with "double" or 'single' quotes) from the front of a line, leaving the rest intact. */
    private static final class Scanner {
        private final String text;
        private int pos;

        Scanner(String text) {
            this.text = text == null ? "" : text;
        }

        boolean atEnd() { return pos >= text.length(); }

        String rest() { return text.substring(pos); }

        void skip(int n) { pos = Math.min(text.length(), pos + n); }

        void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        boolean startsWithOption(String name) {
            String r = rest();
            String o = "--" + name;
            return r.startsWith(o) && (r.length() == o.length() || r.charAt(o.length()) == '=' || Character.isWhitespace(r.charAt(o.length())));
        }

        String optionValue(String name) {
            pos += name.length() + 2;
            if (pos < text.length() && text.charAt(pos) == '=') {
                pos++;
            } else {
                skipSpace();
            }
            if (atEnd()) {
                throw new MagicUsageException("option --" + name + " needs a value");
            }
            return next();
        }

        String next() {
            skipSpace();
            if (atEnd()) {
                return "";
            }
            StringBuilder sb = new StringBuilder();
            char quote = 0;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        sb.append(c);
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (Character.isWhitespace(c)) {
                    break;
                } else {
                    sb.append(c);
                }
                pos++;
            }
            if (quote != 0) {
                throw new MagicUsageException("unclosed quote " + quote + " in: " + text);
            }
            return sb.toString();
        }
    }
}
