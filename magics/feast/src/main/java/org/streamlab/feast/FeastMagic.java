package org.streamlab.feast;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.lang.model.SourceVersion;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.streamlab.kernel.magic.MagicArgs;
import org.streamlab.kernel.magic.MagicContext;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;

/** {@code %feast} (repository, materialization, online features, training sets) and {@code %%feast apply}. */
public final class FeastMagic {
    static final String LINE_USAGE = """
            %feast status
            %feast apply
            %feast materialize START END [--views VIEW,...]
            %feast materialize-incremental END [--views VIEW,...]
            %feast serve
            %feast features KEY=VALUE[,VALUE...] [KEY=...] (--features VIEW:FEATURE,... | --service NAME) [--full-names] [--into VAR]
            %feast training --entities PATH (--features VIEW:FEATURE,... | --service NAME) [--timestamp-column COL]
                            [--out PATH] [--full-names] [--max-rows N] [--into VAR]
            %feast cli ARGS...

            A Feast feature store (feast from PyPI, local provider): the feature repository is the folder
            workspace/feast/repo (or FEAST_REPO), created with a feature_store.yaml on first use (registry and sqlite
            online store in its data/ folder, DuckDB as the offline store). Sources' relative paths resolve against the
            repository: put their Parquet data under its data/ folder (Feast.dataDir() from Java).

              status                   the repository, the feast executable and the feature server's address
              apply                    feast apply on the repository as it is (%%feast apply writes definitions first)
              materialize START END    copy the latest value per entity with an event time in [START, END] from the
                                       offline sources into the online store (ISO times, UTC: 2026-01-01T12:00:00)
              materialize-incremental END   the same, from where the last materialization of each view ended
                --views VIEW,...       only these feature views (default: all)
              serve                    start the feature server (feast serve on 127.0.0.1) or check the one at FEAST_URL;
                                       features starts it by itself. %services stop feast stops it.
              features KEY=V1,V2       online features over HTTP from the feature server, one row per entity;
                                       several KEY=... give composite keys (equally many values each). Values that
                                       look like whole numbers are sent as numbers, others as strings
                --features V:F,...     feature references (view:feature)
                --service NAME         a feature service instead of --features
                --full-names           columns named view__feature
                --into VAR             also bind the result: org.streamlab.feast.OnlineFeatures VAR
              training                 a point-in-time-correct training set: for each entity row (join keys, a time,
                                       labels) the feature values as of that time, through Feast's
                                       get_historical_features (a Python helper run on feast's Python)
                --entities PATH        the entity rows: Parquet file or folder (e.g. written by Spark), or CSV;
                                       a relative PATH is in the repository (e.g. data/labels)
                --timestamp-column C   their time column (default event_timestamp)
                --out PATH             where the training set is written as Parquet (relative: in the repository)
                                       (default workspace/feast/training/training_set.parquet)
                --max-rows N           rows shown (default 20)
                --into VAR             also bind it: org.streamlab.feast.TrainingSet VAR
              cli ARGS...              any feast command in the repository, e.g. %feast cli feature-views list

            Feature server: the kernel runs feast serve as a child process (stopped with the kernel, its log in
            workspace/feast/logs), unless FEAST_URL names a running one (e.g. http://127.0.0.1:6566; set it as an
            environment variable or in streamlab.properties). Apply and materialize always act on the repository
            folder. The feast executable: on PATH, or FEAST_BIN. An interrupt stops a running feast command.
            From Java: org.streamlab.feast.Feast.onlineFeatures(...), Feast.trainingSet(...), Feast.url(), Feast.repo().

            Example:
              %feast materialize 2026-01-01T00:00:00 2026-01-02T00:00:00
              %feast features driver_id=1001,1002 --features driver_stats:trips,driver_stats:conv_rate
            """;

    static final String CELL_USAGE = """
            %%feast apply [--file NAME.py]
            <feature definitions in Python: Entity, FileSource, FeatureView, FeatureService ...>

            Writes the cell as NAME.py (default features.py) in the feature repository (workspace/feast/repo or
            FEAST_REPO) and runs feast apply: the objects are registered and the online store's tables created. The
            kernel's own feature server serves them a second later; a server at FEAST_URL sees them when it next
            re-reads the registry (its feast serve --registry_ttl_sec). A definition error shows Feast's message.
            FileSource paths are resolved against the repository folder (e.g. path="data/driver_stats").
            See %help feast (the line magic) for materialize, features and training.

            Example:
              %%feast apply
              from datetime import timedelta
              from feast import Entity, FeatureView, Field, FileSource
              from feast.data_format import ParquetFormat
              from feast.types import Float64, Int64
              driver = Entity(name="driver", join_keys=["driver_id"])
              stats = FileSource(path="data/driver_stats", file_format=ParquetFormat(), timestamp_field="event_ts")
              driver_stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(days=1),
                  schema=[Field(name="trips", dtype=Int64), Field(name="conv_rate", dtype=Float64)], source=stats)
            """;

    private FeastMagic() {}

    public static MagicSpec lineSpec(FeastService service) {
        return MagicSpec.line("feast", "Feast: apply, materialize, online features over HTTP, point-in-time training sets",
                LINE_USAGE, (context, args) -> line(service, context, args));
    }

    public static MagicSpec cellSpec(FeastService service) {
        return MagicSpec.cell("feast", "Feast: %%feast apply writes the cell as the feature definitions and applies them",
                CELL_USAGE, (context, args, body) -> cell(service, context, args, body));
    }

    static Object cell(FeastService service, MagicContext context, MagicArgs args, String body) {
        ParsedArgs a = args.parse(Set.of(), Set.of("file"));
        String sub = a.positional(0, "subcommand: %%feast apply");
        if (!sub.equals("apply")) {
            throw new MagicUsageException("%%feast takes one subcommand, apply (the cell is the definitions); got: " + sub);
        }
        a.atMostPositional(1);
        String file = a.option("file").orElse("features.py"); // FeastService.apply checks the name
        if (body == null || body.isBlank()) {
            throw new MagicUsageException("the cell has no definitions: write them below %%feast apply");
        }
        service.apply(body, file, context.out()::println, context::isInterrupted);
        return new DisplayData("applied " + file + " in " + service.repo());
    }

    static Object line(FeastService service, MagicContext context, MagicArgs args) {
        if (args.isEmpty()) {
            throw new MagicUsageException("missing subcommand: status, apply, materialize, materialize-incremental, serve, features,"
                    + " training or cli");
        }
        String sub = args.tokens().get(0);
        return switch (sub) {
            case "status" -> status(service, args);
            case "apply" -> {
                args.parse().atMostPositional(1);
                service.applyRepo(context.out()::println, context::isInterrupted);
                yield new DisplayData("applied " + service.repo());
            }
            case "materialize" -> materialize(service, context, args, false);
            case "materialize-incremental" -> materialize(service, context, args, true);
            case "serve" -> {
                args.parse().atMostPositional(1);
                yield new DisplayData("Feast feature server: " + service.url() + (service.serverPid() > 0
                        ? " (feast serve, pid " + service.serverPid() + ")" : " (" + FeastService.URL_KEY + ")"));
            }
            case "features" -> features(service, context, args);
            case "training" -> training(service, context, args);
            case "cli" -> {
                List<String> rest = args.tokens().subList(1, args.tokens().size());
                if (rest.isEmpty()) {
                    throw new MagicUsageException("%feast cli needs the feast command to run, e.g. %feast cli feature-views list");
                }
                service.cli(rest, context.out()::println, context::isInterrupted);
                yield null;
            }
            default -> throw new MagicUsageException("unknown subcommand " + sub + "; one of status, apply, materialize,"
                    + " materialize-incremental, serve, features, training, cli");
        };
    }

    private static Object status(FeastService service, MagicArgs args) {
        args.parse().atMostPositional(1);
        StringBuilder sb = new StringBuilder();
        sb.append("repository: ").append(service.repo()).append('\n');
        try {
            sb.append("feast:      ").append(service.binary().feast()).append(" (Python ").append(service.binary().python()).append(")\n");
        } catch (org.streamlab.kernel.UserError e) {
            sb.append("feast:      ").append(e.getMessage()).append(" - ").append(e.hint()).append('\n');
        }
        sb.append("server:     ").append(service.state()).append(", ").append(service.address());
        if (service.lastError() != null) {
            sb.append("\nlast error: ").append(service.lastError());
        }
        return new DisplayData(sb.toString());
    }

    record Materialize(List<String> cliArgs) {}

    static Materialize parseMaterialize(MagicArgs args, boolean incremental) {
        ParsedArgs a = args.parse(Set.of(), Set.of("views"));
        List<String> cli = new ArrayList<>();
        cli.add(incremental ? "materialize-incremental" : "materialize");
        if (incremental) {
            a.atMostPositional(2);
            cli.add(timestamp(a.positional(1, "END (an ISO time such as 2026-01-02T00:00:00)")));
        } else {
            a.atMostPositional(3);
            String start = timestamp(a.positional(1, "START and END (ISO times such as 2026-01-01T00:00:00)"));
            String end = timestamp(a.positional(2, "END (an ISO time such as 2026-01-02T00:00:00)"));
            if (LocalDateTime.parse(start).isAfter(LocalDateTime.parse(end))) {
                throw new MagicUsageException("START " + start + " is after END " + end);
            }
            cli.add(start);
            cli.add(end);
        }
        for (String v : a.option("views").map(FeastMagic::list).orElse(List.of())) {
            cli.add("--views");
            cli.add(v);
        }
        return new Materialize(cli);
    }

    /** An ISO-8601 time as feast's CLI wants it (no zone: UTC); a zone offset is converted to UTC. */
    static String timestamp(String raw) {
        try {
            if (raw.endsWith("Z") || raw.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return OffsetDateTime.parse(raw).atZoneSameInstant(java.time.ZoneOffset.UTC).toLocalDateTime().toString();
            }
            return LocalDateTime.parse(raw.length() == 10 ? raw + "T00:00:00" : raw).toString();
        } catch (DateTimeParseException e) {
            throw new MagicUsageException("not an ISO time: " + raw + " (write 2026-01-01T12:00:00, UTC)");
        }
    }

    private static Object materialize(FeastService service, MagicContext context, MagicArgs args, boolean incremental) {
        Materialize m = parseMaterialize(args, incremental);
        service.cli(m.cliArgs(), context.out()::println, context::isInterrupted);
        return new DisplayData("materialized into the online store (" + String.join(" ", m.cliArgs()) + ")");
    }

    record Features(OnlineRequest request, Optional<String> into) {}

    static Features parseFeatures(MagicArgs args) {
        ParsedArgs a = args.parse(Set.of("full-names"), Set.of("features", "service", "into"));
        OnlineRequest.Builder b = OnlineRequest.builder();
        List<String> keys = a.positional().subList(1, a.positional().size());
        if (keys.isEmpty()) {
            throw new MagicUsageException("missing the entity rows: KEY=VALUE[,VALUE...], e.g. driver_id=1001,1002");
        }
        for (String kv : keys) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || eq == kv.length() - 1) {
                throw new MagicUsageException("entity rows are given as KEY=VALUE[,VALUE...], got: " + kv);
            }
            List<Object> values = new ArrayList<>();
            for (String v : list(kv.substring(eq + 1))) {
                values.add(entityValue(v));
            }
            b.entity(kv.substring(0, eq), values);
        }
        selectFeatures(a, b::features, b::featureService);
        b.fullFeatureNames(a.flag("full-names"));
        return new Features(b.build(), intoVariable(a));
    }

    /** --features VIEW:FEATURE,... or --service NAME, exactly one of them. */
    private static void selectFeatures(ParsedArgs a, Consumer<List<String>> features,
            Consumer<String> featureService) {
        Optional<String> refs = a.option("features");
        Optional<String> service = a.option("service");
        if (refs.isPresent() == service.isPresent()) {
            throw new MagicUsageException("give --features VIEW:FEATURE,... or --service NAME (one of them)");
        }
        refs.ifPresent(f -> features.accept(list(f)));
        service.ifPresent(featureService);
    }

    static Object entityValue(String v) {
        if (v.matches("-?\\d{1,18}")) {
            return Long.parseLong(v);
        }
        return v;
    }

    private static Optional<String> intoVariable(ParsedArgs a) {
        Optional<String> into = a.option("into");
        if (into.isPresent() && (!SourceVersion.isIdentifier(into.get()) || SourceVersion.isKeyword(into.get()))) {
            throw new MagicUsageException("--into needs a Java variable name, got: " + into.get());
        }
        return into;
    }

    private static Object features(FeastService service, MagicContext context, MagicArgs args) {
        Features f = parseFeatures(args);
        OnlineFeatures result = service.onlineFeatures(f.request());
        f.into().ifPresent(v -> {
            context.bind(v, result, OnlineFeatures.class);
            context.out().println(v + ": OnlineFeatures of " + result.rowCount() + " rows");
        });
        return result.toHtmlTable();
    }

    record Training(TrainingRequest request, int maxRows, Optional<String> into) {}

    static Training parseTraining(MagicArgs args) {
        ParsedArgs a = args.parse(Set.of("full-names"),
                Set.of("entities", "features", "service", "timestamp-column", "out", "max-rows", "into"));
        a.atMostPositional(1);
        TrainingRequest.Builder b = TrainingRequest.builder();
        b.entities(Path.of(a.option("entities").orElseThrow(() -> new MagicUsageException(
                "missing --entities PATH: the entity rows (Parquet file or folder, or CSV) with join keys and a time"))));
        selectFeatures(a, b::features, b::featureService);
        a.option("timestamp-column").ifPresent(b::timestampColumn);
        a.option("out").map(Path::of).ifPresent(b::out);
        b.fullFeatureNames(a.flag("full-names"));
        int maxRows = a.positiveInt("max-rows", TrainingSet.SHOWN_ROWS, 0);
        return new Training(b.build(), maxRows, intoVariable(a));
    }

    private static Object training(FeastService service, MagicContext context, MagicArgs args) {
        Training t = parseTraining(args);
        TrainingSet set = service.trainingSet(t.request(), context.out()::println, context::isInterrupted);
        t.into().ifPresent(v -> {
            context.bind(v, set, TrainingSet.class);
            context.out().println(v + ": TrainingSet of " + set.rowCount() + " rows, " + set.columns().size() + " columns");
        });
        var table = new org.streamlab.kernel.display.HtmlTable(set.columns());
        set.rows().stream().limit(t.maxRows()).forEach(r -> table.addRow(new ArrayList<>(r)));
        return table.totalRows(set.rowCount()).caption("training set: " + set.path());
    }

    static List<String> list(String commaSeparated) {
        List<String> out = new ArrayList<>();
        for (String s : Arrays.asList(commaSeparated.split(","))) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.isEmpty()) {
            throw new MagicUsageException("empty list: " + commaSeparated);
        }
        return out;
    }
}
