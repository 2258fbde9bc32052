package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlSplitterTest {
    @Test
    void splitsAtSemicolonsOutsideQuotesAndComments() {
        List<SqlSplitter.Statement> s = SqlSplitter.split("""
                CREATE TABLE t (a STRING) WITH ('x' = 'a;b');  -- a comment; with a semicolon
                /* block ; comment */ INSERT INTO t VALUES ('it''s; fine');
                SELECT `weird;name` FROM t
                """);
        assertEquals(3, s.size());
        assertEquals("CREATE TABLE t (a STRING) WITH ('x' = 'a;b')", s.get(0).text());
        assertEquals(1, s.get(0).line());
        assertEquals("-- a comment; with a semicolon\n/* block ; comment */ INSERT INTO t VALUES ('it''s; fine')", s.get(1).text());
        assertEquals(1, s.get(1).line());
        assertEquals(48, s.get(1).column());
        assertEquals("SELECT `weird;name` FROM t", s.get(2).text());
        assertEquals(3, s.get(2).line());
        assertEquals(1, s.get(2).column());
    }

    @Test
    void positionedTextKeepsCellCoordinates() {
        List<SqlSplitter.Statement> s = SqlSplitter.split("SELECT 1;\n\n   SELECT x FROM y");
        assertEquals(2, s.size());
        assertEquals(3, s.get(1).line());
        assertEquals(4, s.get(1).column());
        assertEquals("\n\n   SELECT x FROM y", s.get(1).positioned());
    }

    @Test
    void keepsStatementSetsWhole() {
        List<SqlSplitter.Statement> s = SqlSplitter.split("""
                EXECUTE STATEMENT SET BEGIN
                  INSERT INTO a SELECT * FROM x;
                  INSERT INTO b SELECT * FROM x;
                END;
                SELECT 1
                """);
        assertEquals(2, s.size());
        assertEquals(true, s.get(0).text().endsWith("END"));
        assertEquals(true, s.get(0).text().contains("INSERT INTO b SELECT * FROM x;"));
        assertEquals("SELECT 1", s.get(1).text());
    }

    @Test
    void dropsEmptyAndCommentOnlyStatements() {
        assertEquals(1, SqlSplitter.split(";;  SELECT 1 ; -- done\n").size());
        assertEquals(0, SqlSplitter.split("  -- nothing\n /* here */ ").size());
    }
}
