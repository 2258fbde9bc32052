package org.streamlab.kernel.magic;

import org.streamlab.kernel.UserError;

/** Wrong arguments to a magic. The kernel appends the magic's usage text to the message. */
public class MagicUsageException extends UserError {
    public MagicUsageException(String message) { super(message); }
}
