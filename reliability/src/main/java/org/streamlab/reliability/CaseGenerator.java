package org.streamlab.reliability;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streamlab.kernel.magic.MagicSpec;

/**
 * Generates fuzz cases from the kernel's magics table: for each registered magic, argument strings built from
 * its own usage text (subcommands and options) mixed with hostile values, and, for cell magics, a body; plus plain
 * Java cells of random fragments. Deterministic for a seed.
 *
 * <p>What is not fuzzed, on purpose: the lifecycle of the real services ({@code %services start/stop/restart}
 * of an existing service is rewritten to a wrong name, or the harness would restart engines thousands of times),
 * {@code %env} writes only {@code FUZZ_*} keys (a fuzzed KAFKA_BOOTSTRAP_SERVERS would send every later Kafka
 * case to a dead address), shell cells run only harmless commands with fuzzed text, and no value points at
 * {@code /} (a class path of the whole disk).
 */
public final class CaseGenerator {
    /** One cell to run: what it exercises ("java" or the magic's invocation) and its code. */
    public record Case(int index, String target, String code, boolean javaBody) {
    }

    public static final String JAVA = "java";
    static final Set<String> SERVICES = Set.of("kafka", "flink", "spark", "clickhouse", "feast", "all");

    private static final String[] WEIRD = {
        "", " ", "\t", "''", "\"", "\"unbalanced", "'", "a b", "\"a b\"", "-", "--", "---", "-x", "--=", "=", "==",
        "k=v", "=v", "k=", "*", "?", "%", "%%", "%lsmagic", "\\", "\\n", "${HOME}", "$(echo x)", "`x`", "../..",
        "../../nowhere", "/nonexistent/path.jar", "relative/dir", "null", "NULL", "None", "true", "false", "{}",
        "[]", "{", "}", "(", ")", "<", ">", ";", ",", ".", "..", "#", "@", "&", "|", "!", "~", "^",
        "\u0000", "\u0007", "\u001b[31m", "\r", "\r\n", "\uFEFF", "\u202Eevil", "\uD800", "\uDFFF", "\uFFFD",
        "ü", "日本語", "🙂", "\u00A0", "é\u0301", "a\u0000b", "%services", "--help", "-h", "help",
    };
    private static final String[] NUMBERS = {
        "0", "1", "-1", "3", "10", "65535", "65536", "99999", "2147483647", "2147483648", "-2147483649",
        "99999999999999999999", "1e9", "1.5", "-0", "NaN", "Infinity", "0x10", "1_000", "٣",
    };
    private static final String[] JAVA_FRAGMENTS = {
        "int x = 1;", "x + 1", "{", "}", "(", ")", "[", "]", ";", "for (int i = 0; i < 3; i++) {",
        "if (true) {", "else", "return;", "return 1;", "class K { }", "record R(int a) {}", "enum E { A, B }",
        "interface I { void m(); }", "@interface Ann {}", "import java.util.*;", "import nowhere.Nothing;",
        "var v = java.util.List.of(1, 2, 3);", "v.get(5)", "Object o = null; o.toString();",
        "((String) null).length()", "int[] a = new int[-1];", "new long[Integer.MAX_VALUE]", "1 / 0",
        "Integer.parseInt(\"x\")", "throw new RuntimeException(\"fuzz\");", "throw new Error();",
        "throw new RuntimeException((String) null);", "throw null;", "System.exit(1);",
        "Runtime.getRuntime().halt(1);", "Runtime.getRuntime().exit(2);", "Thread.sleep(1);",
        "int rec(int n) { return rec(n + 1); }", "rec(0)", "display(null);", "display(\"d\");",
        "updateDisplay(null, null);", "updateDisplay(\"nope\", 1);", "html(null)", "markdown(\"*m*\")",
        "java.util.stream.IntStream.range(0, 3).boxed().toList()", "System.out.println(\"out\");",
        "System.err.println(\"err\");", "/*", "*/", "//", "\"", "'", "'a'", "\"\\u0000\"", "<<>>", "@", "#",
        "void m() {}", "m();", "String s = \"", "int 1x = 3;", "goto x;", "var;", "this", "super.x()",
        "new Object() {", "x ->", "(a, b) -> a", "switch (1) { case 1 -> 2; }", "yield 1;", "assert false;",
        "synchronized (this) {}", "Class.forName(\"nope.Nope\")", "java.nio.file.Files.readString(null)",
        "%", "%%", "%lsmagic", "\\", "\u0000", "\u001b[2J", "\r",
    };
    private static final String[] SQL_FRAGMENTS = {
        "SELECT", "1", "*", "FROM", "WHERE", "t", "nowhere", "(", ")", ";", ",", "'", "\"", "`", "--", "/*", "*/",
        "CREATE TABLE", "DROP TABLE", "INSERT INTO", "VALUES", "SHOW TABLES", "DESCRIBE", "NULL", "x", "=", "AS",
        "GROUP BY", "ORDER BY", "LIMIT", "-1", "99999999999999999999", "\u0000", "日本", "$$", "::", "{", "}",
    };
    private static final Pattern OPTION = Pattern.compile("(--[a-z][a-z0-9-]*)");

    private final SplittableRandom random;

    public CaseGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** {@code n} cases across every magic of {@code magics} and plain Java cells (about 1 in 10). */
    public List<Case> generate(List<MagicSpec> magics, int n) {
        List<Case> cases = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int pick = random.nextInt(magics.size() + 2);
            if (pick >= magics.size()) {
                cases.add(new Case(i, JAVA, javaBody(), true));
            } else {
                MagicSpec m = magics.get(pick);
                cases.add(magicCase(i, m));
            }
        }
        return cases;
    }

    private Case magicCase(int index, MagicSpec m) {
        String args = arguments(m);
        if (m.kind() == MagicSpec.Kind.LINE) {
            return new Case(index, m.invocation(), m.invocation() + (args.isEmpty() ? "" : " " + args), false);
        }
        String body = switch (m.name()) {
            case "bash", "sh" -> shellBody();
            case "time", "check" -> javaBody();
            case "flinksql", "sparksql", "clickhouse" -> sqlBody();
            default -> random.nextInt(3) == 0 ? javaBody() : lines();
        };
        boolean javaBody = m.name().equals("time") || m.name().equals("check");
        return new Case(index, m.invocation(), m.invocation() + (args.isEmpty() ? "" : " " + args) + "\n" + body, javaBody);
    }

    /** Subcommands and options named in the magic's usage text, so arguments get past the first checks. */
    static List<String> vocabulary(MagicSpec m) {
        Set<String> words = new LinkedHashSet<>();
        Matcher sub = Pattern.compile("%{1,2}" + Pattern.quote(m.name()) + "[ \\t]+([a-z][a-z0-9-]*)").matcher(m.usage());
        while (sub.find()) {
            words.add(sub.group(1));
        }
        Matcher opt = OPTION.matcher(m.usage());
        while (opt.find()) {
            words.add(opt.group(1));
        }
        return new ArrayList<>(words);
    }

    String arguments(MagicSpec m) {
        List<String> vocab = vocabulary(m);
        int count = random.nextInt(7);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int r = random.nextInt(10);
            if (!vocab.isEmpty() && (r < 4 || (i == 0 && r < 7))) {
                tokens.add(vocab.get(random.nextInt(vocab.size())));
            } else if (r < 6) {
                tokens.add(NUMBERS[random.nextInt(NUMBERS.length)]);
            } else if (r < 8) {
                tokens.add(WEIRD[random.nextInt(WEIRD.length)]);
            } else if (r < 9) {
                tokens.add(identifier());
            } else {
                tokens.add(randomText(random.nextInt(200) == 0 ? 100_000 : 1 + random.nextInt(40)));
            }
        }
        return String.join(" ", tame(m, tokens));
    }

    /** See the class comment: the few rewrites that keep the run from turning into an engine restart loop. */
    private List<String> tame(MagicSpec m, List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (m.name().equals("services") && i > 0 && SERVICES.contains(t.toLowerCase())
                    && List.of("start", "stop", "restart").contains(tokens.get(i - 1).toLowerCase())) {
                t = "fuzz" + t;
            }
            if (m.name().equals("env") && t.contains("=")) {
                t = "FUZZ_" + t;
            }
            if (t.equals("/") || t.startsWith("/ ")) {
                t = "/nonexistent";
            }
            out.add(t);
        }
        return out;
    }

    String javaBody() {
        int r = random.nextInt(20);
        if (r == 0) {
            return "String huge = \"" + "A".repeat(100_000 + random.nextInt(100_000)) + "\";";
        }
        if (r == 1) {
            return randomText(1 + random.nextInt(500));
        }
        if (r == 2) {
            return "while (true) { }"; // stopped by the harness's interrupt
        }
        int n = 1 + random.nextInt(6);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(JAVA_FRAGMENTS[random.nextInt(JAVA_FRAGMENTS.length)]);
            b.append(random.nextInt(3) == 0 ? "\n" : " ");
        }
        return b.toString();
    }

    private String sqlBody() {
        if (random.nextInt(15) == 0) {
            return "SELECT '" + "x".repeat(50_000) + "'";
        }
        int n = 1 + random.nextInt(8);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(random.nextInt(6) == 0 ? identifier() : SQL_FRAGMENTS[random.nextInt(SQL_FRAGMENTS.length)]);
            b.append(random.nextInt(4) == 0 ? "\n" : " ");
        }
        return b.toString();
    }

    /** Harmless commands carrying fuzzed text; the exit status varies. */
    private String shellBody() {
        String text = randomText(1 + random.nextInt(60)).replace("'", "").replace("\u0000", "");
        return switch (random.nextInt(4)) {
            case 0 -> "printf '%s\\n' '" + text + "'";
            case 1 -> "printf '%s' '" + text + "' >&2\nexit " + random.nextInt(3);
            case 2 -> "echo '" + text + "' | wc -c";
            default -> "true '" + text + "'";
        };
    }

    private String lines() {
        int n = random.nextInt(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(random.nextBoolean() ? "{\"k\": " + NUMBERS[random.nextInt(NUMBERS.length)] + "}" : randomText(1 + random.nextInt(30)));
            b.append('\n');
        }
        return b.toString();
    }

    private String identifier() {
        String letters = "abcdefghijklmnopqrstuvwxyz_";
        int n = 1 + random.nextInt(12);
        StringBuilder b = new StringBuilder("f");
        for (int i = 0; i < n; i++) {
            b.append(letters.charAt(random.nextInt(letters.length())));
        }
        return b.toString();
    }

    /** Printable ASCII mixed with control characters, lone surrogates and other code points. */
    private String randomText(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int r = random.nextInt(20);
            if (r < 14) {
                b.append((char) (32 + random.nextInt(95)));
            } else if (r < 16) {
                b.append((char) random.nextInt(32));
            } else if (r < 17) {
                b.append((char) (0xD800 + random.nextInt(0x800))); // lone surrogate: not valid UTF-16 text
            } else if (r < 18) {
                b.append((char) (0x80 + random.nextInt(0x780)));
            } else {
                b.appendCodePoint(0x1F300 + random.nextInt(0x300));
            }
        }
        return b.toString();
    }
}
