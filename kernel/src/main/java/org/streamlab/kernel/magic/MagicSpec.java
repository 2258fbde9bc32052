package org.streamlab.kernel.magic;

import java.util.Objects;

/**
 * One row of the magics table: name, kind, one-line synopsis, full usage text, and the handler.
 * Help for {@code %lsmagic} and {@code %help NAME} is generated from these rows only.
 */
public final class MagicSpec {
    public enum Kind { LINE, CELL }

    private final String name;
    private final Kind kind;
    private final String synopsis;
    private final String usage;
    private final LineMagic line;
    private final CellMagic cell;

    private MagicSpec(String name, Kind kind, String synopsis, String usage, LineMagic line, CellMagic cell) {
        if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("magic name must be a word, got: " + name);
        }
        this.name = name;
        this.kind = kind;
        this.synopsis = Objects.requireNonNull(synopsis, "synopsis");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.line = line;
        this.cell = cell;
    }

    /** {@code usage} is the full help: syntax lines first, then options and examples. */
    public static MagicSpec line(String name, String synopsis, String usage, LineMagic handler) {
        return new MagicSpec(name, Kind.LINE, synopsis, usage, Objects.requireNonNull(handler), null);
    }

    public static MagicSpec cell(String name, String synopsis, String usage, CellMagic handler) {
        return new MagicSpec(name, Kind.CELL, synopsis, usage, null, Objects.requireNonNull(handler));
    }

    public String name() { return name; }
    public Kind kind() { return kind; }
    public String synopsis() { return synopsis; }
    public String usage() { return usage; }
    public LineMagic lineHandler() { return line; }
    public CellMagic cellHandler() { return cell; }

    /** How the magic is written in a cell: {@code %name} or {@code %%name}. */
    public String invocation() { return (kind == Kind.LINE ? "%" : "%%") + name; }
}
