package org.streamlab.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlSplitterTest {
    @Test
    void splitsAtSemicolonsOutsideQuotesAndComments() {
        List<String> s = SqlSplitter.split("""
                -- make a table; not a statement
                CREATE TABLE t (s String) ENGINE = Memory;
                INSERT INTO t VALUES ('a;b'), ('it''s; here'), ('back\\';x'), ("q;q");
                /* block; comment */ SELECT `we;ird` FROM t -- trailing; comment
                ;
                """);
        assertEquals(3, s.size(), s.toString());
        assertEquals("CREATE TABLE t (s String) ENGINE = Memory", s.get(0));
        assertTrue(s.get(1).contains("('a;b'), ('it''s; here'), ('back\\';x'), (\"q;q\")"), s.get(1));
        assertEquals("SELECT `we;ird` FROM t", s.get(2));
    }

    @Test
    void blankAndCommentOnlyPiecesAreSkipped() {
        assertEquals(List.of(), SqlSplitter.split("  ; -- nothing\n ;/* x */;"));
        assertEquals(List.of("SELECT 1"), SqlSplitter.split("SELECT 1"));
    }

    @Test
    void unclosedQuoteKeepsTheRestForTheServerToReport() {
        List<String> s = SqlSplitter.split("SELECT 'abc; SELECT 2");
        assertEquals(List.of("SELECT 'abc; SELECT 2"), s);
    }
}
