package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChangelogResultTest {
    @Test
    void updatesStayInPlaceAndDeletesRemove() {
        ChangelogResult r = new ChangelogResult(List.of("word", "n"));
        r.apply(ChangelogResult.Kind.INSERT, List.of("a", 1L));
        r.apply(ChangelogResult.Kind.INSERT, List.of("b", 1L));
        r.apply(ChangelogResult.Kind.UPDATE_BEFORE, List.of("a", 1L));
        r.apply(ChangelogResult.Kind.UPDATE_AFTER, List.of("a", 2L));
        assertEquals(List.of(List.of("a", 2L), List.of("b", 1L)), r.rows());
        r.apply(ChangelogResult.Kind.DELETE, List.of("b", 1L));
        assertEquals(List.of(List.of("a", 2L)), r.rows());
        assertEquals(5, r.changes());
        assertFalse(r.apply(ChangelogResult.Kind.DELETE, List.of("zzz", 0L)));
        // +U without a -U before it (upsert streams) appends
        r.apply(ChangelogResult.Kind.UPDATE_AFTER, List.of("c", 9L));
        assertEquals(List.of(List.of("a", 2L), List.of("c", 9L)), r.rows());
    }
}
