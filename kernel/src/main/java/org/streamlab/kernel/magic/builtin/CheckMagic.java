package org.streamlab.kernel.magic.builtin;

import org.streamlab.kernel.KernelSession;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.eval.CellFailure;
import org.streamlab.kernel.magic.MagicArgs;
import org.streamlab.kernel.magic.MagicContext;
import org.streamlab.kernel.magic.MagicUsageException;

/** {@code %%check NAME}: PASS when the body completes, FAIL (and a failed cell) when it throws. */
final class CheckMagic {
    /** The grader looks for these words at the start of a line. */
    static final String PASS = "PASS ";
    static final String FAIL = "FAIL ";

    private CheckMagic() {}

    static Object run(KernelSession session, MagicContext ctx, MagicArgs args, String body) {
        String name = args.line();
        if (name.isBlank()) {
            throw new MagicUsageException("missing NAME: every check has a name, e.g. %%check consumer-read-all-events");
        }
        if (body.isBlank()) {
            throw new MagicUsageException("the check '" + name + "' has no body");
        }
        try {
            session.runNested(body);
        } catch (CellFailure e) {
            if (e.kind() == CellFailure.Kind.INTERRUPTED) {
                throw e;
            }
            String why = e.kind() == CellFailure.Kind.COMPILE_ERROR
                    ? "the check does not compile: " + e.getMessage()
                    : e.getMessage();
            ctx.out().println(FAIL + name + ": " + why);
            throw new CheckFailed(name, why, e);
        } catch (UserError e) {
            ctx.out().println(FAIL + name + ": " + e.getMessage());
            throw new CheckFailed(name, e.getMessage(), e);
        }
        ctx.out().println(PASS + name);
        return null;
    }

    /** A failed check: the cell fails with the check's message. */
    static final class CheckFailed extends UserError {
        CheckFailed(String name, String why, Throwable cause) {
            super("check '" + name + "' failed: " + why, null, cause);
        }
    }
}
