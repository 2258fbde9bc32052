package org.streamlab.platform.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    private static List<String> texts(String cell) {
        return SqlScript.split(cell).stream().map(SqlScript.Statement::text).toList();
    }

    @Test
    void splitsAtTopLevelSemicolons() {
        assertEquals(List.of("CREATE TABLE t (i INT) USING DELTA", "INSERT INTO t VALUES (1)", "SELECT * FROM t"),
                texts("CREATE TABLE t (i INT) USING DELTA;\nINSERT INTO t VALUES (1);\nSELECT * FROM t"));
    }

    @Test
    void keepsSemicolonsInsideQuotesAndComments() {
        List<SqlScript.Statement> s = SqlScript.split("""
                CREATE TABLE t (a STRING) WITH ('x' = 'a;b');  -- a comment; with a semicolon
                /* block ; comment */ INSERT INTO t VALUES ('it''s; fine'), ('back\\';x'), ("q;q");
                SELECT `weird;name` FROM t
                """);
        assertEquals(3, s.size(), s.toString());
        assertEquals("CREATE TABLE t (a STRING) WITH ('x' = 'a;b')", s.get(0).text());
        assertEquals("-- a comment; with a semicolon\n/* block ; comment */ INSERT INTO t VALUES ('it''s; fine'), ('back\\';x'), (\"q;q\")",
                s.get(1).text());
        assertEquals("INSERT INTO t VALUES ('it''s; fine'), ('back\\';x'), (\"q;q\")", s.get(1).withoutComments());
        assertEquals("SELECT `weird;name` FROM t", s.get(2).text());
    }

    @Test
    void recordsWhereEachStatementStarts() {
        List<SqlScript.Statement> s = SqlScript.split("SELECT 1;  -- c\n\n   SELECT x FROM y");
        assertEquals(1, s.get(0).line());
        assertEquals(1, s.get(0).column());
        assertEquals(1, s.get(1).line());
        assertEquals(12, s.get(1).column());
        assertEquals(2, s.get(1).index());
        List<SqlScript.Statement> t = SqlScript.split("SELECT 1;\n\n   SELECT x FROM y");
        assertEquals("\n\n   SELECT x FROM y", t.get(1).positioned());
    }

    @Test
    void keepsStatementSetsWhole() {
        List<SqlScript.Statement> s = SqlScript.split("""
                EXECUTE STATEMENT SET BEGIN
                  INSERT INTO a SELECT * FROM x;
                  INSERT INTO b SELECT * FROM x;
                END;
                SELECT 1
                """);
        assertEquals(2, s.size());
        assertTrue(s.get(0).text().endsWith("END"));
        assertTrue(s.get(0).text().contains("INSERT INTO b SELECT * FROM x;"));
        assertEquals("SELECT 1", s.get(1).text());
    }

    @Test
    void dropsEmptyAndCommentOnlyStatements() {
        assertEquals(List.of("SELECT 1"), texts(";;  SELECT 1 ; -- nothing here;\n /* nor; here */ ;"));
        assertTrue(texts("  \n -- only a comment\n").isEmpty());
    }

    @Test
    void unclosedQuoteKeepsTheRestForTheEngineToReport() {
        assertEquals(List.of("SELECT 'abc; SELECT 2"), texts("SELECT 'abc; SELECT 2"));
    }

    @Test
    void tellsQueriesFromCommands() {
        List<SqlScript.Statement> s = SqlScript.split(
                "select 1; WITH x AS (SELECT 1) SELECT * FROM x; (SELECT 2); -- c\nVALUES (1); INSERT INTO t VALUES (1); SHOW TABLES; UPDATE t SET i = 2");
        assertTrue(s.get(0).isQuery());
        assertTrue(s.get(1).isQuery());
        assertTrue(s.get(2).isQuery());
        assertTrue(s.get(3).isQuery());
        assertFalse(s.get(4).isQuery());
        assertFalse(s.get(5).isQuery());
        assertFalse(s.get(6).isQuery());
        assertEquals("UPDATE", s.get(6).keyword());
    }
}
