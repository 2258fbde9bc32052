package org.streamlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThrowablesTest {
    @Test
    void classNamesAndNullMessagesAreTakenOut() {
        assertEquals("Could not start logger", Throwables.readableMessage(
                new RuntimeException("wrapper", new IllegalStateException("java.lang.IllegalStateException: Could not start logger"))));
        assertEquals("outer", Throwables.readableMessage(new RuntimeException("outer", new NullPointerException())));
        String none = Throwables.readableMessage(new NullPointerException());
        assertFalse(none.contains("null") || none.contains("Exception"), none);
        assertEquals("", Throwables.clean("null"));
    }

    @Test
    void anInterruptAnywhereInTheChainIsRecognised() {
        assertTrue(Throwables.interrupted(new RuntimeException(new InterruptedException())));
        assertTrue(Throwables.interrupted(new RuntimeException("Could not start logger due to [java.lang.InterruptedException]")));
        assertEquals("interrupted", Throwables.readableMessage(new RuntimeException(new InterruptedException("x"))));
        assertFalse(Throwables.interrupted(new RuntimeException("boom")));
    }
}
