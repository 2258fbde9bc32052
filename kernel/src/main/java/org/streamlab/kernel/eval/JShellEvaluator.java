package org.streamlab.kernel.eval;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * Java evaluation with JShell in the kernel's JVM. A cell is split into snippets (statements,
 * declarations, expressions) evaluated in order; the first failure ends the cell. The value of the
 * last expression is returned as a live object.
 */
public final class JShellEvaluator implements AutoCloseable {
    private static final Object NO_VALUE = new Object();

    private final JShell shell;
    private final CellExecutionControl control;
    private final SourceCodeAnalysis analysis;
    private volatile java.util.function.Consumer<String> beforeCompile = source -> { };
    /** Snippet id -> (first line of the snippet within its cell), for mapping stack frames to cell lines. */
    private final Map<String, Integer> snippetLines = new HashMap<>();

    private final ClassPathIndex classPath;
    private final java.util.Set<String> offeredJars = new java.util.HashSet<>();

    /** Packages named in compile errors: the package a cell names, or the class file the compiler misses. */
    private static final java.util.regex.Pattern MISSING = java.util.regex.Pattern.compile(
            "package ([\\w.]+) does not exist|class file for ([\\w.$]+) not found|location: package ([\\w.]+)");

    public JShellEvaluator(String classPath) {
        this(classPath, false);
    }

    /**
     * @param classPath          the class path notebook code sees (the kernel's own)
     * @param everythingAtOnce   give the compiler every jar from the start instead of on first use
     */
    public JShellEvaluator(String classPath, boolean everythingAtOnce) {
        CellExecutionControl.Provider provider = new CellExecutionControl.Provider();
        JShell.Builder builder = JShell.builder()
                .executionEngine(provider, Map.of())
                // JShell's own console streams are unused: in-process code prints to System.out directly.
                .out(new PrintStream(new ByteArrayOutputStream()))
                .err(new PrintStream(new ByteArrayOutputStream()));
        builder.compilerOptions("-Xlint:none");
        this.shell = builder.build();
        // Through addToClasspath (not a --class-path option), so later %maven/%classpath additions append to it.
        // The loader delegates to the application class loader first, so these classes are not loaded twice.
        this.classPath = ClassPathIndex.of(classPath == null ? "" : classPath, everythingAtOnce);
        String start = this.classPath.compilerStartPath();
        if (!start.isBlank()) {
            shell.addToClasspath(start);
        }
        this.control = provider.control();
        this.analysis = shell.sourceCodeAnalysis();
    }

    /** Whether the value means "the cell has no result". */
    public static boolean isNoValue(Object o) {
        return o == NO_VALUE;
    }

    /**
     * Evaluates a chunk of Java source. {@code firstLine} is the 1-based line of the chunk within its cell,
     * used in error reports. Returns the last expression's value, or a value for which
     * {@link #isNoValue} holds.
     */
    public Object eval(String code, int firstLine) {
        try {
            return evalChunks(code, firstLine);
        } catch (IllegalStateException | InternalError e) {
            if (!jshellInternal(e)) {
                throw e;
            }
            // JShell's own parser gave up on this source (e.g. "AssertionError: Unexpected tree" on a stray lambda)
            throw compileError(code, firstLine, 0, "the Java compiler could not read this cell: check the syntax near"
                    + " lambdas, braces and semicolons");
        }
    }

    private static boolean jshellInternal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InternalError || t instanceof AssertionError
                    || String.valueOf(t.getMessage()).contains("Exception during analyze")) {
                return true;
            }
        }
        return false;
    }

    private Object evalChunks(String code, int firstLine) {
        Object last = NO_VALUE;
        String remaining = code;
        int consumed = 0;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            int startOffset = consumed + leadingWhitespace(remaining);
            int snippetLine = firstLine + countNewlines(code, 0, startOffset);
            if (info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE) {
                throw compileError(code, firstLine, startOffset + remaining.strip().length(),
                        "the cell ends inside a statement: check for an unbalanced brace, parenthesis or quote");
            }
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            String source = info.completeness() == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE
                    ? remaining : info.source();
            String rest = info.completeness() == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE
                    ? "" : info.remaining();
            last = evalSnippet(source, code, firstLine, startOffset, snippetLine);
            consumed += remaining.length() - rest.length();
            remaining = rest;
        }
        return last;
    }

    private Object evalSnippet(String source, String cell, int firstLine, int startOffset, int snippetLine) {
        if (isActiveImport(source)) {
            // Re-declaring an import makes JShell recompile, and replace, every class that uses the package:
            // variables holding instances of those classes would be reset to null.
            return NO_VALUE;
        }
        int tooLong = tooLongStringLiteral(source);
        if (tooLong >= 0) {
            // JShell would accept it as "recoverable" and then fail every later snippet: the session would be lost
            throw compileError(cell, firstLine, startOffset + tooLong, "this string literal is longer than Java allows"
                    + " (65,535 bytes in one constant): build long text at run time, e.g. \"A\".repeat(100_000),"
                    + " or read it from a file");
        }
        beforeCompile.accept(source);
        List<SnippetEvent> events = shell.eval(source);
        // A rejected snippet that names packages of the kernel's class path the compiler was not given yet:
        // give them and compile again (a few rounds, for classes that reference other jars).
        for (int round = 0; round < 12 && offerMissingJars(events); round++) {
            events = shell.eval(source);
        }
        Object value = NO_VALUE;
        for (SnippetEvent event : events) {
            Snippet snippet = event.snippet();
            if (event.causeSnippet() == null) {
                snippetLines.put(snippet.id(), snippetLine);
            }
            if (event.status() == Snippet.Status.REJECTED) {
                Diag diag = shell.diagnostics(snippet).filter(Diag::isError).findFirst().orElse(null);
                if (diag == null) {
                    throw compileError(cell, firstLine, startOffset, "this code was rejected by the Java compiler");
                }
                int pos = (int) Math.max(0, diag.getStartPosition());
                throw compileError(cell, firstLine, startOffset + pos, diag.getMessage(Locale.ROOT));
            }
            JShellException ex = event.exception();
            if (ex != null) {
                throw runtimeFailure(ex);
            }
            if (event.causeSnippet() != null) {
                continue;
            }
            if (control.stopRequestedAndReset()) {
                throw interrupted();
            }
            boolean recoverable = event.status() == Snippet.Status.RECOVERABLE_DEFINED
                    || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED;
            if (recoverable && !(snippet instanceof jdk.jshell.DeclarationSnippet)) {
                // only declarations can wait for what they use; an expression or statement that did not run failed
                Diag diag = shell.diagnostics(snippet).filter(Diag::isError).findFirst().orElse(null);
                throw compileError(cell, firstLine, startOffset + (diag == null ? 0 : (int) Math.max(0, diag.getStartPosition())),
                        diag == null ? "this code could not be compiled" : diag.getMessage(Locale.ROOT));
            }
            if (recoverable) {
                String missing = shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) snippet)
                        .collect(Collectors.joining(", "));
                System.err.println("note: " + snippet.source().strip().lines().findFirst().orElse("")
                        + " can be used once these are defined: " + missing);
            }
            if (isValueSnippet(snippet) && LiveValues.isKey(event.value())) {
                value = LiveValues.take(event.value());
            } else if (event.value() != null && LiveValues.isKey(event.value())) {
                LiveValues.take(event.value());
            }
        }
        return value;
    }

    /**
     * The offset of the first string literal or text block of {@code source} whose modified UTF-8 form exceeds the
     * class file's 65,535-byte constant limit, or -1. (Escapes are counted as written: a few literals just under the
     * limit may be refused, none above it is let through.)
     */
    public static int tooLongStringLiteral(String source) {
        int n = source.length();
        int i = 0;
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                int eol = source.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'') {
                i++;
                while (i < n && source.charAt(i) != '\'' && source.charAt(i) != '\n') {
                    i += source.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else if (c == '"') {
                boolean block = source.startsWith("\"\"\"", i);
                int start = i;
                i += block ? 3 : 1;
                long bytes = 0;
                while (i < n) {
                    char d = source.charAt(i);
                    if (block ? source.startsWith("\"\"\"", i) : (d == '"' || d == '\n')) {
                        break;
                    }
                    if (d == '\\' && i + 1 < n) {
                        bytes += 2;
                        i += 2;
                        continue;
                    }
                    bytes += d == 0 ? 2 : d < 0x80 ? 1 : d < 0x800 ? 2 : 3;
                    i++;
                }
                if (bytes > 65_535) {
                    return start;
                }
                i += block ? 3 : 1;
            } else {
                i++;
            }
        }
        return -1;
    }

    private boolean isActiveImport(String source) {
        if (!source.stripLeading().startsWith("import")) {
            return false;
        }
        List<Snippet> parsed = analysis.sourceToSnippets(source);
        if (parsed.size() != 1 || !(parsed.get(0) instanceof jdk.jshell.ImportSnippet wanted)) {
            return false;
        }
        return shell.imports().anyMatch(active -> active.fullname().equals(wanted.fullname())
                && active.isStatic() == wanted.isStatic());
    }

    private boolean offerMissingJars(List<SnippetEvent> events) {
        boolean offered = false;
        for (SnippetEvent event : events) {
            if (event.status() == Snippet.Status.VALID || event.status() == Snippet.Status.OVERWRITTEN) {
                continue;
            }
            for (Diag d : shell.diagnostics(event.snippet()).collect(Collectors.toList())) {
                java.util.regex.Matcher m = MISSING.matcher(d.getMessage(Locale.ROOT));
                while (m.find()) {
                    String name = m.group(1) != null ? m.group(1) : m.group(3);
                    if (m.group(2) != null) {
                        int dot = m.group(2).lastIndexOf('.');
                        name = dot > 0 ? m.group(2).substring(0, dot) : m.group(2);
                    }
                    offered |= offerPackage(name);
                }
            }
        }
        return offered;
    }

    /** Gives the compiler the jars of a package, or of its enclosing packages (for nested names). */
    private boolean offerPackage(String name) {
        String pkg = name;
        while (pkg != null && !pkg.isEmpty()) {
            boolean added = false;
            for (String jar : classPath.jarsFor(pkg)) {
                if (offeredJars.add(jar)) {
                    shell.addToClasspath(jar);
                    added = true;
                }
            }
            if (added) {
                return true;
            }
            int dot = pkg.lastIndexOf('.');
            pkg = dot > 0 ? pkg.substring(0, dot) : null;
        }
        return false;
    }

    private static boolean isValueSnippet(Snippet snippet) {
        return snippet.kind() == Snippet.Kind.EXPRESSION
                || (snippet instanceof VarSnippet && snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);
    }

    /** Declares (or replaces) a notebook variable holding a live object. */
    public void declare(String name, Object value, Class<?> type) {
        if (!name.matches("[A-Za-z_$][A-Za-z0-9_$]*")) {
            throw new org.streamlab.kernel.UserError("'" + name + "' is not a valid Java variable name");
        }
        String typeName = type.getCanonicalName() == null ? "Object" : type.getCanonicalName();
        String key = LiveValues.park(value);
        String src = typeName + " " + name + " = (" + typeName + ") " + LiveValues.class.getName()
                + ".take(\"" + key.replace("\u0000", "\\u0000") + "\");";
        eval(src, 1);
    }

    public void addToClasspath(String path) {
        shell.addToClasspath(path);
    }

    /** The Java chunks evaluated from now on belong to cell {@code generation} (a number that grows per cell). */
    public void beginCell(long generation) {
        control.beginCell(generation);
    }

    /** Cell {@code generation} ended: a stop asked for it is forgotten. */
    public void endCell(long generation) {
        control.endCell(generation);
    }

    /**
     * Stops cell {@code generation}: its running snippet now, or, while it compiles, its next snippet before it
     * starts. Does nothing once the cell has ended, so a late stop never reaches the next cell.
     */
    public void stop(long generation) {
        control.stop(generation);
    }

    /** Test hook: runs on the cell thread before each snippet is compiled (lets a test land an interrupt then). */
    public void beforeCompile(java.util.function.Consumer<String> hook) {
        beforeCompile = hook == null ? source -> { } : hook;
    }

    public Map<String, byte[]> definedClasses() {
        return control.loadedClasses();
    }

    /** Completion candidates at {@code cursor}: [start offset, candidates...]. */
    public Completion complete(String code, int cursor) {
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions = analysis.completionSuggestions(code, cursor, anchor);
        List<String> names = suggestions.stream()
                .sorted((a, b) -> Boolean.compare(b.matchesType(), a.matchesType()))
                .map(SourceCodeAnalysis.Suggestion::continuation)
                .distinct()
                .collect(Collectors.toList());
        return new Completion(anchor[0], cursor, names);
    }

    public record Completion(int start, int end, List<String> candidates) {}

    /** Signatures and Javadoc of what is under the cursor. */
    public Optional<String> documentation(String code, int cursor, boolean detailed) {
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(code, cursor, detailed);
        if (docs.isEmpty()) {
            // inspect_request usually points at the end of an identifier; JShell wants an open call
            docs = analysis.documentation(code.substring(0, cursor) + "(", cursor + 1, detailed);
        }
        if (docs.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(docs.stream()
                .map(d -> d.signature() + (d.javadoc() == null || d.javadoc().isBlank() ? "" : "\n\n" + d.javadoc().strip()))
                .collect(Collectors.joining("\n\n")));
    }

    /** Jupyter's is_complete status for Java source: complete, incomplete or invalid. */
    public String isComplete(String code) {
        String remaining = code;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            switch (info.completeness()) {
                case DEFINITELY_INCOMPLETE:
                    return "incomplete";
                case CONSIDERED_INCOMPLETE:
                    return "complete";
                case UNKNOWN:
                    return "invalid";
                case EMPTY:
                    return "complete";
                default:
                    remaining = info.remaining();
            }
        }
        return "complete";
    }

    private CellFailure compileError(String cell, int firstLine, int offset, String message) {
        offset = Math.max(0, Math.min(offset, cell.length()));
        int lineStart = cell.lastIndexOf('\n', offset - 1) + 1;
        int lineEnd = cell.indexOf('\n', offset);
        if (lineEnd < 0) {
            lineEnd = cell.length();
        }
        int lineNo = firstLine + countNewlines(cell, 0, lineStart);
        String line = cell.substring(lineStart, lineEnd);
        int column = offset - lineStart;
        List<String> lines = new ArrayList<>();
        lines.add("Compile error at line " + lineNo + ", column " + (column + 1) + ": " + message);
        lines.add("    " + line);
        lines.add("    " + " ".repeat(Math.max(0, Math.min(column, line.length()))) + "^");
        return new CellFailure(CellFailure.Kind.COMPILE_ERROR, "CompileError",
                "line " + lineNo + ": " + message, lines);
    }

    private CellFailure runtimeFailure(JShellException ex) {
        if (ex instanceof UnresolvedReferenceException ure) {
            String missing = shell.unresolvedDependencies(ure.getSnippet()).collect(Collectors.joining(", "));
            String msg = "cannot run " + ure.getSnippet().name() + ": it needs " + missing + ", which is not defined yet";
            return new CellFailure(CellFailure.Kind.EXCEPTION, "UnresolvedReference", msg, List.of(msg));
        }
        if (control.stopRequestedAndReset()) {
            return interrupted();
        }
        String name = ex instanceof EvalException ee ? ee.getExceptionClassName() : ex.getClass().getName();
        List<String> lines = new ArrayList<>();
        Throwable t = ex;
        boolean first = true;
        while (t != null) {
            String className = t instanceof EvalException ee ? ee.getExceptionClassName() : t.getClass().getName();
            if (className.equals("org.streamlab.kernel.UserError")) {
                className = "Error"; // thrown by the kernel's API (display, updateDisplay...): its message says what to do
            }
            lines.add((first ? "" : "Caused by: ") + className + (t.getMessage() == null ? "" : ": " + t.getMessage()));
            lines.addAll(userFrames(t.getStackTrace()));
            first = false;
            t = t.getCause() == t ? null : t.getCause();
        }
        if (name.equals("org.streamlab.kernel.UserError")) {
            name = "Error";
        }
        return new CellFailure(CellFailure.Kind.EXCEPTION, name, ex.getMessage() == null ? name : ex.getMessage(), lines);
    }

    /** The frames a user cares about: library frames down to the deepest cell frame, cells as "cell line N". */
    private List<String> userFrames(StackTraceElement[] trace) {
        int lastUser = -1;
        for (int i = 0; i < trace.length; i++) {
            if (isCellFrame(trace[i])) {
                lastUser = i;
            }
        }
        List<String> out = new ArrayList<>();
        int limit = lastUser >= 0 ? lastUser : Math.min(trace.length - 1, 4);
        for (int i = 0; i <= limit && i < trace.length; i++) {
            StackTraceElement e = trace[i];
            if (isCellFrame(e)) {
                String file = e.getFileName();
                Integer start = file != null && file.startsWith("#") ? snippetLines.get(file.substring(1)) : null;
                String line = start != null && e.getLineNumber() > 0 ? "cell line " + (start + e.getLineNumber() - 1) : "cell";
                boolean topLevel = e.getMethodName().isEmpty() || e.getMethodName().startsWith("do_it$");
                out.add(topLevel ? "    at " + line : "    in " + e.getMethodName() + "() at " + line + " of the cell that defined it");
            } else if (!e.getClassName().startsWith("jdk.internal.reflect") && !e.getClassName().startsWith("java.lang.reflect")
                    && !e.getClassName().startsWith("org.streamlab.kernel.")) { // the kernel's own API and exit guard
                out.add("    at " + e);
            }
        }
        if (out.size() > 12) {
            int hidden = out.size() - 12;
            List<String> head = new ArrayList<>(out.subList(0, 6));
            head.add("    ... " + hidden + " more frames");
            head.addAll(out.subList(out.size() - 6, out.size()));
            return head;
        }
        return out;
    }

    /** JShell reports frames of cell code with an empty or REPL class name and a "#id" file name. */
    private static boolean isCellFrame(StackTraceElement e) {
        return e.getClassName().startsWith("REPL.") || (e.getFileName() != null && e.getFileName().startsWith("#"));
    }

    private static CellFailure interrupted() {
        return new CellFailure(CellFailure.Kind.INTERRUPTED, "Interrupted", "the cell was interrupted",
                List.of("Interrupted: the cell was stopped. Variables defined before the interrupt are kept."));
    }

    private static int leadingWhitespace(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int countNewlines(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < Math.min(to, s.length()); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        shell.close();
    }
}
