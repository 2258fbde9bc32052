package org.streamlab.kernel.magic.builtin;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.streamlab.kernel.KernelSession;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.display.HtmlTable;
import org.streamlab.kernel.display.PlainText;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;

/** The kernel's own magics: help, timing, class path, loading code, environment, checks. */
public final class BuiltinMagics {
    private BuiltinMagics() {}

    public static void registerAll(KernelSession session) {
        var magics = session.magics();
        magics.register(MagicSpec.line("lsmagic", "list every magic with a one-line description",
                "%lsmagic\n\nLists line magics (%name) and cell magics (%%name). %help NAME shows one in full.",
                (ctx, args) -> {
                    args.parse().atMostPositional(0);
                    HtmlTable t = new HtmlTable(List.of("magic", "what it does"));
                    for (MagicSpec m : session.magics().all()) {
                        t.addRow(List.of(m.invocation(), m.synopsis()));
                    }
                    return t;
                }));
        magics.register(MagicSpec.line("help", "show the full help of a magic",
                "%help NAME\n\nNAME may be written with or without its % signs, e.g. %help kafka or %help %%check.",
                (ctx, args) -> {
                    String name = args.parse().atMostPositional(1).positional(0, "NAME (see %lsmagic)").replaceFirst("^%+", "");
                    List<MagicSpec> specs = session.magics().named(name);
                    if (specs.isEmpty()) {
                        session.magics().line(name); // throws the "unknown magic" error with a suggestion
                    }
                    StringBuilder sb = new StringBuilder();
                    for (MagicSpec m : specs) {
                        sb.append(m.invocation()).append(" - ").append(m.synopsis()).append("\n\n")
                                .append(m.usage().strip()).append("\n\n");
                    }
                    return new PlainText(sb.toString().strip());
                }));
        magics.register(MagicSpec.cell("time", "run the cell and print how long it took",
                "%%time\n<cell body: Java or another magic>\n\nPrints the wall-clock time after the body ran (also when it fails).",
                (ctx, args, body) -> {
                    args.parse().atMostPositional(0);
                    long t0 = System.nanoTime();
                    try {
                        return session.runNested(body);
                    } finally {
                        ctx.out().printf("Wall time: %s%n", formatNanos(System.nanoTime() - t0));
                    }
                }));
        magics.register(MagicSpec.cell("check", "a graded check: PASS or FAIL, and a failed check fails the cell",
                """
                %%check NAME
                <Java statements that throw when the learner's result is wrong>

                Runs the body. If it completes, prints PASS NAME. If it throws (AssertionError, an exception,
                a compile error), prints FAIL NAME: message and fails the cell, so that
                `jupyter nbconvert --execute` and the course grader report it. Checks never rely on `assert`
                (off without -ea): write  if (!ok) throw new AssertionError("hint for the learner");
                """,
                (ctx, args, body) -> CheckMagic.run(session, ctx, args, body)));
        magics.register(ShellMagic.spec("bash", "bash"));
        magics.register(ShellMagic.spec("sh", "sh"));
        magics.register(MagicSpec.line("classpath", "add a jar or a folder of classes to the notebook's class path",
                "%classpath PATH [PATH ...]\n\nPaths are relative to the notebook's folder. A folder ending in /* adds every jar in it.",
                (ctx, args) -> {
                    ParsedArgs a = args.parse();
                    a.positional(0, "PATH");
                    for (String p : a.positional()) {
                        for (String resolved : expand(p)) {
                            session.addToClassPath(resolved);
                            ctx.out().println("added " + resolved);
                        }
                    }
                    return null;
                }));
        magics.register(MagicSpec.line("maven", "resolve an artifact and its dependencies from Maven Central",
                """
                %maven GROUP:ARTIFACT:VERSION [GROUP:ARTIFACT:VERSION ...]

                Downloads the artifact and its runtime dependencies (cached in ~/.m2/repository, so a second
                run works offline) and adds them to the notebook's class path. Example:
                  %maven org.apache.commons:commons-math3:3.6.1
                """,
                (ctx, args) -> MavenMagic.run(session, ctx, args)));
        magics.register(MagicSpec.line("load", "run a Java source file as if it were a cell",
                "%load FILE\n\nEvaluates the file's declarations and statements in the notebook (relative paths from the notebook's folder).",
                (ctx, args) -> {
                    String file = args.parse().atMostPositional(1).positional(0, "FILE");
                    Path path;
                    try {
                        path = Path.of(file).toAbsolutePath();
                    } catch (java.nio.file.InvalidPathException e) {
                        throw new UserError("not a file name this system can use: " + file, "give the path of a .java file, e.g. %load src/Helpers.java");
                    }
                    if (!Files.isRegularFile(path)) {
                        throw new UserError("no such file: " + path, "check the path; the notebook's folder is " + Path.of("").toAbsolutePath());
                    }
                    String code = Files.readString(path, StandardCharsets.UTF_8)
                            .replaceAll("(?m)^\\s*package\\s+[\\w.]+\\s*;", "");
                    return session.runNested(code);
                }));
        magics.register(MagicSpec.line("env", "show, read or set environment-style configuration",
                """
                %env                 the StreamLab configuration keys that are set, and the workspace folder
                %env NAME            the value of NAME (configuration, then environment)
                %env NAME=VALUE      set NAME for this kernel session (e.g. KAFKA_BOOTSTRAP_SERVERS=host:9092)
                """,
                (ctx, args) -> {
                    ParsedArgs a = args.parse().atMostPositional(1);
                    if (a.positional().isEmpty()) {
                        Map<String, String> shown = new TreeMap<>();
                        for (String key : List.of("STREAMLAB_WORKSPACE", "KAFKA_BOOTSTRAP_SERVERS", "FLINK_REST_URL",
                                "SPARK_MASTER", "CLICKHOUSE_URL")) {
                            session.config().get(key).ifPresent(v -> shown.put(key, v));
                        }
                        shown.put("(workspace folder)", session.config().workspace().toString());
                        HtmlTable t = new HtmlTable(List.of("name", "value"));
                        shown.forEach((k, v) -> t.addRow(List.of(k, v)));
                        return t;
                    }
                    String arg = a.positional().get(0);
                    int eq = arg.indexOf('=');
                    if (eq == 0) {
                        throw new MagicUsageException("missing NAME before '='");
                    }
                    if (eq > 0) {
                        session.config().set(arg.substring(0, eq), arg.substring(eq + 1));
                        ctx.out().println(arg.substring(0, eq) + " set for this session");
                        return null;
                    }
                    return new PlainText(session.config().get(arg).orElseThrow(() ->
                            new UserError(arg + " is not set", "set it with %env " + arg + "=VALUE")));
                }));
    }

    private static List<String> expand(String p) throws java.io.IOException {
        if (p.endsWith("/*")) {
            Path dir = Path.of(p.substring(0, p.length() - 2));
            if (!Files.isDirectory(dir)) {
                throw new UserError("no such folder: " + dir.toAbsolutePath());
            }
            List<String> jars = new ArrayList<>();
            try (var s = Files.list(dir)) {
                s.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> jars.add(f.toString()));
            }
            return jars;
        }
        return List.of(p);
    }

    static String formatNanos(long nanos) {
        double ms = nanos / 1e6;
        return ms < 1000 ? String.format("%.1f ms", ms) : String.format("%.2f s", ms / 1000);
    }
}
