package org.streamlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MagicArgsTest {
    private static final Set<String> FLAGS = Set.of("compact", "from-beginning");
    private static final Set<String> OPTIONS = Set.of("partitions", "config", "key");

    @Test
    void positionalsFlagsAndOptions() {
        ParsedArgs a = MagicArgs.of("create orders --partitions 3 --compact --config a=1 --config=b=2").parse(FLAGS, OPTIONS);
        assertEquals(List.of("create", "orders"), a.positional());
        assertEquals(3, a.intOption("partitions", 1));
        assertTrue(a.flag("compact"));
        assertFalse(a.flag("from-beginning"));
        assertEquals(List.of("a=1", "b=2"), a.all("config"));
    }

    @Test
    void quotesGroupWords() {
        ParsedArgs a = MagicArgs.of("produce t --key \"user 1\" 'hello world' \"say \\\"hi\\\"\"").parse(FLAGS, OPTIONS);
        assertEquals("user 1", a.option("key").orElseThrow());
        assertEquals(List.of("produce", "t", "hello world", "say \"hi\""), a.positional());
    }

    @Test
    void doubleDashEndsOptions() {
        ParsedArgs a = MagicArgs.of("produce t -- --not-an-option").parse(FLAGS, OPTIONS);
        assertEquals(List.of("produce", "t", "--not-an-option"), a.positional());
    }

    @Test
    void badInputIsAUsageError() {
        assertTrue(assertThrows(MagicUsageException.class, () -> MagicArgs.of("--nope").parse(FLAGS, OPTIONS))
                .getMessage().contains("unknown option --nope; known options: --compact"));
        assertTrue(assertThrows(MagicUsageException.class, () -> MagicArgs.of("x --partitions").parse(FLAGS, OPTIONS))
                .getMessage().contains("needs a value"));
        assertTrue(assertThrows(MagicUsageException.class, () -> MagicArgs.of("x --partitions three").parse(FLAGS, OPTIONS).intOption("partitions", 1))
                .getMessage().contains("expects a whole number, got: three"));
        assertTrue(assertThrows(MagicUsageException.class, () -> MagicArgs.of("x --compact=yes").parse(FLAGS, OPTIONS))
                .getMessage().contains("takes no value"));
        assertTrue(assertThrows(MagicUsageException.class, () -> MagicArgs.of("x 'open").parse(FLAGS, OPTIONS))
                .getMessage().contains("unclosed quote"));
        assertTrue(assertThrows(MagicUsageException.class, () -> MagicArgs.of("").parse().positional(0, "TOPIC"))
                .getMessage().contains("missing TOPIC"));
        assertTrue(assertThrows(MagicUsageException.class, () -> MagicArgs.of("a b").parse().atMostPositional(1))
                .getMessage().contains("unexpected argument: b"));
        assertTrue(assertThrows(MagicUsageException.class, () -> MagicArgs.of("--partitions 0").parse(FLAGS, OPTIONS).positiveInt("partitions", 1, 1))
                .getMessage().contains("at least 1"));
    }
}
