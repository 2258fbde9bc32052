package org.streamlab.kernel.magic;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Positional words and options of a magic line, with typed accessors that fail with usage errors. */
public final class ParsedArgs {
    private final List<String> positional;
    private final Map<String, List<String>> options;

    ParsedArgs(List<String> positional, Map<String, List<String>> options) {
        this.positional = List.copyOf(positional);
        this.options = options;
    }

    public List<String> positional() { return positional; }

    /** The i-th positional word; {@code what} names it in the error, e.g. "TOPIC". */
    public String positional(int index, String what) {
        if (index >= positional.size()) {
            throw new MagicUsageException("missing " + what);
        }
        return positional.get(index);
    }

    public Optional<String> positionalIfPresent(int index) {
        return index < positional.size() ? Optional.of(positional.get(index)) : Optional.empty();
    }

    /** Fails if more than {@code max} positional words were given. */
    public ParsedArgs atMostPositional(int max) {
        if (positional.size() > max) {
            throw new MagicUsageException("unexpected argument: " + positional.get(max));
        }
        return this;
    }

    public boolean flag(String name) { return options.containsKey(name); }

    public Optional<String> option(String name) {
        List<String> v = options.get(name);
        return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    public List<String> all(String name) { return options.getOrDefault(name, List.of()); }

    public int intOption(String name, int defaultValue) {
        return (int) longOption(name, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public long longOption(String name, long defaultValue) {
        return longOption(name, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    private long longOption(String name, long defaultValue, long min, long max) {
        Optional<String> raw = option(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(raw.get().replace("_", ""));
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new MagicUsageException("--" + name + " expects a whole number, got: " + raw.get());
        }
    }

    /** A whole number that must be at least {@code min}. */
    public int positiveInt(String name, int defaultValue, int min) {
        int v = intOption(name, defaultValue);
        if (v < min) {
            throw new MagicUsageException("--" + name + " must be at least " + min + ", got: " + v);
        }
        return v;
    }

    public double doubleOption(String name, double defaultValue) {
        Optional<String> raw = option(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(raw.get());
        } catch (NumberFormatException e) {
            throw new MagicUsageException("--" + name + " expects a number, got: " + raw.get());
        }
    }

    /** One of the allowed words, or the default. */
    public String choice(String name, String defaultValue, String... allowed) {
        String v = option(name).orElse(defaultValue);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new MagicUsageException("--" + name + " must be one of " + String.join("|", allowed) + ", got: " + v);
    }
}
