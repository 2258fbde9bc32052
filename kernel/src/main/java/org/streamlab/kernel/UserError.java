package org.streamlab.kernel;

/**
 * An error the user can act on: the kernel shows {@link #getMessage()} and the hint, without a stack
 * trace, and keeps all state. Throw it from magics and services for bad input, missing services,
 * unreachable addresses and failed statements.
 */
public class UserError extends RuntimeException {
    private final String hint;

    public UserError(String message) { this(message, null, null); }

    public UserError(String message, String hint) { this(message, hint, null); }

    public UserError(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What to do about it, or null. */
    public String hint() { return hint; }
}
