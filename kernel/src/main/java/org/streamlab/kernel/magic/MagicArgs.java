package org.streamlab.kernel.magic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The argument line of a magic, split like a shell would ("double" and 'single' quotes group words).
 * Handlers interpret it with {@link #parse(Set, Set)}, naming their flags and valued options, so an
 * unknown option is rejected with a clear message instead of silently ignored.
 */
public final class MagicArgs {
    private final String line;
    private final List<String> tokens;

    private MagicArgs(String line, List<String> tokens) {
        this.line = line;
        this.tokens = tokens;
    }

    public static MagicArgs of(String line) {
        String text = line == null ? "" : line.strip();
        return new MagicArgs(text, Collections.unmodifiableList(tokenize(text)));
    }

    /** The argument line as written, trimmed. */
    public String line() { return line; }

    public List<String> tokens() { return tokens; }

    public boolean isEmpty() { return tokens.isEmpty(); }

    /**
     * Interprets the tokens. {@code --name} in {@code flags} takes no value; {@code --name value} or
     * {@code --name=value} in {@code options} takes one and may repeat. A lone {@code --} ends options.
     */
    public ParsedArgs parse(Set<String> flags, Set<String> options) {
        List<String> positional = new ArrayList<>();
        java.util.Map<String, List<String>> values = new java.util.LinkedHashMap<>();
        boolean optionsEnded = false;
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (optionsEnded || !token.startsWith("--") || token.length() == 2) {
                if (token.equals("--") && !optionsEnded) {
                    optionsEnded = true;
                    continue;
                }
                positional.add(token);
                continue;
            }
            String name = token.substring(2);
            String inlineValue = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inlineValue = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (inlineValue != null) {
                    throw new MagicUsageException("option --" + name + " takes no value");
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (options.contains(name)) {
                String value = inlineValue;
                if (value == null) {
                    if (i + 1 >= tokens.size()) {
                        throw new MagicUsageException("option --" + name + " needs a value");
                    }
                    value = tokens.get(++i);
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                List<String> known = new ArrayList<>();
                flags.forEach(f -> known.add("--" + f));
                options.forEach(o -> known.add("--" + o));
                Collections.sort(known);
                throw new MagicUsageException("unknown option --" + name
                        + (known.isEmpty() ? " (this magic takes no options)" : "; known options: " + String.join(", ", known)));
            }
        }
        return new ParsedArgs(positional, values);
    }

    /** Parses with no options allowed. */
    public ParsedArgs parse() { return parse(Set.of(), Set.of()); }

    static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inToken = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < text.length()) {
                    current.append(text.charAt(++i));
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(current.toString());
                    current.setLength(0);
                    inToken = false;
                }
            } else {
                current.append(c);
                inToken = true;
            }
        }
        if (quote != 0) {
            throw new MagicUsageException("unclosed quote " + quote + " in arguments: " + text);
        }
        if (inToken) {
            out.add(current.toString());
        }
        return out;
    }
}
