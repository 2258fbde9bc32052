package org.streamlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlSplitterTest {
    private static List<String> texts(String cell) {
        return SqlSplitter.split(cell).stream().map(SqlSplitter.Statement::text).toList();
    }

    @Test
    void splitsAtTopLevelSemicolons() {
        assertEquals(List.of("CREATE TABLE t (i INT) USING DELTA", "INSERT INTO t VALUES (1)", "SELECT * FROM t"),
                texts("CREATE TABLE t (i INT) USING DELTA;\nINSERT INTO t VALUES (1);\nSELECT * FROM t"));
    }

    @Test
    void keepsSemicolonsInsideQuotesAndComments() {
        String cell = """
                INSERT INTO t VALUES ('a;b', "c;d", 'it\\'s; ok'); -- trailing; comment
                /* block; comment */ SELECT `odd;name` FROM t;
                """;
        List<String> s = texts(cell);
        assertEquals(2, s.size(), s.toString());
        assertTrue(s.get(0).contains("'a;b'") && s.get(0).contains("\"c;d\"") && s.get(0).contains("'it\\'s; ok'"), s.get(0));
        assertTrue(s.get(1).startsWith("-- trailing; comment"), s.get(1));
        assertTrue(s.get(1).endsWith("SELECT `odd;name` FROM t"), s.get(1));
    }

    @Test
    void dropsEmptyAndCommentOnlyStatements() {
        assertEquals(List.of("SELECT 1"), texts(";;  SELECT 1 ; -- nothing here;\n /* nor; here */ ;"));
        assertTrue(texts("  \n -- only a comment\n").isEmpty());
    }

    @Test
    void recordsWhereEachStatementStarts() {
        List<SqlSplitter.Statement> s = SqlSplitter.split("SELECT 1;\n\n  SELECT\n 2;");
        assertEquals(1, s.get(0).line());
        assertEquals(0, s.get(0).column());
        assertEquals(3, s.get(1).line());
        assertEquals(2, s.get(1).column());
        assertEquals(2, s.get(1).index());
    }

    @Test
    void tellsQueriesFromCommands() {
        List<SqlSplitter.Statement> s = SqlSplitter.split(
                "select 1; WITH x AS (SELECT 1) SELECT * FROM x; (SELECT 2); -- c\nVALUES (1); INSERT INTO t VALUES (1); SHOW TABLES; UPDATE t SET i = 2");
        assertTrue(s.get(0).looksLikeQuery());
        assertTrue(s.get(1).looksLikeQuery());
        assertTrue(s.get(2).looksLikeQuery());
        assertTrue(s.get(3).looksLikeQuery());
        assertFalse(s.get(4).looksLikeQuery());
        assertFalse(s.get(5).looksLikeQuery());
        assertFalse(s.get(6).looksLikeQuery());
        assertEquals("UPDATE", s.get(6).keyword());
    }
}
